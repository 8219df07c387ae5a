use std::sync::Arc;

use arc_swap::ArcSwap;
use impactmap_index::{Atlas, AtlasOptions};
use impactmap_model::Reference;
use impactmap_store::{Store, StoreError};

use crate::Config;
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
}

impl AppState {
    /// Builds the first Atlas from the store.
    ///
    /// # Errors
    /// A store failure while reading the organisations.
    pub fn new(store: Arc<Store>, reference: Arc<Reference>, config: Config) -> Result<Self, StoreError> {
        let atlas = build_atlas(&store, &reference, &config, 1)?;
        let tiles = Arc::new(TileCache::new(config.tile_cache_bytes));
        let tile_maker = Arc::new(TileMaker::new(&reference));
        Ok(Self { store, reference, config: Arc::new(config), atlas: Arc::new(ArcSwap::from_pointee(atlas)), tiles, tile_maker })
    }
}

impl AppState {
    /// Rebuilds the Atlas from the store and swaps it in; readers holding the
    /// old one finish with it. Returns the new generation.
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
fn build_atlas(store: &Store, reference: &Reference, config: &Config, generation: u64) -> Result<Atlas, StoreError> {
    let mut builder = Atlas::builder(&reference.taxonomy, AtlasOptions { clusters: config.clusters.clone() });
    store.each_listing(|listing| builder.push(listing))?;
    Ok(builder.finish(generation))
}
