use std::sync::{Arc, Mutex};
use std::time::Duration;

use arc_swap::ArcSwap;
use impactmap_index::{Atlas, AtlasOptions};
use impactmap_model::Reference;
use impactmap_store::{ChangeWatcher, Store, StoreError};

use crate::ApiError;
use crate::Config;
use crate::auth::{FAILURE_WINDOW, FAILURES_ALLOWED};
use crate::form_token::{FormTokens, random_hex};
use crate::rate_limit::RateLimiter;
use crate::tile_cache::TileCache;
use crate::tile_service::TileMaker;

/// Everything a handler may use; cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub store: Arc<Store>,
    /// Taxonomy, countries, boundaries, gazetteer.
    pub reference: Arc<Reference>,
    /// Validated configuration.
    pub config: Arc<Config>,
    /// The current snapshot of published organisations; readers never block.
    pub atlas: Arc<ArcSwap<Atlas>>,
    /// Encoded tiles, bounded in bytes.
    pub tiles: Arc<TileCache>,
    /// Basemap and property names for tiles.
    pub tile_maker: Arc<TileMaker>,
    /// Issues and checks the public form's tokens.
    pub form_tokens: Arc<FormTokens>,
    /// Submissions per client address and hour.
    pub submit_limiter: Arc<RateLimiter>,
    /// Failed moderator logins per client address.
    pub auth_failures: Arc<RateLimiter>,
    /// Places for streamed exports running at once (`limits.exports_at_once`).
    pub exports: Arc<tokio::sync::Semaphore>,
    /// Places for queries running at once (`limits.queries_at_once`).
    queries: Arc<tokio::sync::Semaphore>,
    /// Tells when organisations changed; held while the Atlas is rebuilt, so
    /// that one change is built once.
    /// The flag marks a change whose rebuild failed and is owed.
    watcher: Arc<Mutex<(ChangeWatcher, bool)>>,
}

impl AppState {
    /// Builds the first Atlas from the store.
    ///
    /// # Errors
    /// A store failure while reading the organisations.
    pub fn new(
        store: Arc<Store>,
        reference: Arc<Reference>,
        config: Config,
    ) -> Result<Self, StoreError> {
        if let Some(bytes) = config.limits.db_bytes {
            store.set_quota(bytes)?;
        }
        let watcher = store.watch()?;
        let atlas = build_atlas(&store, &reference, &config, 1)?;
        let tiles = Arc::new(TileCache::new(config.tile_cache_bytes));
        let tile_maker = Arc::new(TileMaker::new(&reference));
        let secret = store.form_secret(|| {
            random_hex(32).unwrap_or_else(|_| format!("{:?}", std::time::SystemTime::now()))
        })?;
        let form_tokens = Arc::new(FormTokens::new(secret.as_bytes(), &config.limits));
        let submit_limiter = Arc::new(RateLimiter::new(
            config.limits.submissions_per_ip_per_hour,
            Duration::from_hours(1),
        ));
        Ok(Self {
            store,
            reference,
            atlas: Arc::new(ArcSwap::from_pointee(atlas)),
            tiles,
            tile_maker,
            form_tokens,
            submit_limiter,
            auth_failures: Arc::new(RateLimiter::new(FAILURES_ALLOWED, FAILURE_WINDOW)),
            exports: Arc::new(tokio::sync::Semaphore::new(config.limits.exports_at_once)),
            queries: Arc::new(tokio::sync::Semaphore::new(config.limits.queries_at_once)),
            watcher: Arc::new(Mutex::new((watcher, false))),
            config: Arc::new(config),
        })
    }
}

impl AppState {
    /// Runs a query (`near`, search, stats, an OGC page) on a blocking thread
    /// once one of `limits.queries_at_once` places is free. A query that
    /// waits longer than `limits.query_wait` for a place is refused with 503
    /// `overloaded`: under overload the queries taken are answered promptly,
    /// the rest told at once to come back, instead of all waiting in line.
    ///
    /// # Errors
    /// [`ApiError::Busy`] after the wait, or what `work` returns.
    pub async fn query<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let place = tokio::time::timeout(
            self.config.limits.query_wait,
            self.queries.clone().acquire_owned(),
        )
        .await
        .map_err(|_| ApiError::Busy {
            code: "overloaded",
            message: "the server is busy; try again in a second",
        })?
        .map_err(|e| ApiError::Internal(e.to_string()))?;
        tokio::task::spawn_blocking(move || {
            let _place = place;
            work()
        })
        .await?
    }

    /// Rebuilds the Atlas when organisations changed since the last look
    /// (by a moderator here, or an import by another process) and swaps it
    /// in; readers holding the old one finish with it. Blocks; returns the
    /// new generation, if any.
    ///
    /// # Errors
    /// A store failure; the old Atlas stays in place then, and the change is
    /// tried again on the next call.
    pub fn refresh(&self) -> Result<Option<u64>, StoreError> {
        let mut guard = self.watcher.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (watcher, owed) = &mut *guard;
        if watcher.changed()? {
            *owed = true;
        }
        if !*owed {
            return Ok(None);
        }
        let generation = self.reload()?;
        *owed = false;
        Ok(Some(generation))
    }

    /// Rebuilds the Atlas from the store and swaps it in. Returns the new generation.
    ///
    /// # Errors
    /// A store failure; the old Atlas stays in place then.
    pub fn reload(&self) -> Result<u64, StoreError> {
        let generation = self.atlas.load().generation() + 1;
        let atlas = build_atlas(&self.store, &self.reference, &self.config, generation)?;
        self.atlas.store(Arc::new(atlas));
        self.tiles.clear();
        Ok(generation)
    }
}

/// Reads every organisation's listing and builds an Atlas of them.
fn build_atlas(
    store: &Store,
    reference: &Reference,
    config: &Config,
    generation: u64,
) -> Result<Atlas, StoreError> {
    let mut builder = Atlas::builder(
        &reference.taxonomy,
        AtlasOptions {
            clusters: config.clusters.clone(),
            filtered_view_bytes: config.pyramid_cache_bytes,
        },
    );
    store.each_listing(|listing| builder.push(&listing))?;
    Ok(builder.finish(generation))
}
