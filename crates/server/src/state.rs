use std::sync::Arc;

use impactmap_model::Reference;
use impactmap_store::Store;

use crate::Config;

/// Everything a handler may use; cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub store: Arc<Store>,
    /// Taxonomy, countries, boundaries, gazetteer.
    pub reference: Arc<Reference>,
    /// Validated configuration.
    pub config: Arc<Config>,
}
