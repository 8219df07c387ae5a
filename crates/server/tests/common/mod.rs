//! A served Atlas of generated organisations, shared by the router tests.

use std::sync::Arc;

use impactmap_formats::{embedded_reference, generate_sample};
use impactmap_model::Organisation;
use impactmap_server::{AppState, RawConfig};
use impactmap_store::Store;

/// A store of `orgs` in a temporary directory and the state serving it.
pub struct Fixture {
    _dir: tempfile::TempDir,
    /// What the router is built from.
    pub state: AppState,
    /// The organisations stored, as generated (and changed by `adjust`).
    pub orgs: Vec<Organisation>,
}

/// `count` sample organisations of `seed`, changed by `adjust` before they are stored.
pub fn fixture(count: usize, seed: u64, adjust: impl FnOnce(&mut Vec<Organisation>)) -> Fixture {
    fixture_configured(count, seed, adjust, RawConfig::default())
}

/// [`fixture`] served with the configuration `raw`.
pub fn fixture_configured(
    count: usize,
    seed: u64,
    adjust: impl FnOnce(&mut Vec<Organisation>),
    raw: RawConfig,
) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let reference = Arc::new(embedded_reference());
    let store = Store::open(&dir.path().join("fixture.db")).unwrap();
    let mut orgs = generate_sample(&reference, count, seed);
    adjust(&mut orgs);
    store.upsert(&orgs).unwrap();
    let config = raw.validate().unwrap();
    Fixture { _dir: dir, state: AppState::new(Arc::new(store), reference, config).unwrap(), orgs }
}
