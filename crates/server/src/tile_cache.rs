//! Encoded tiles kept in memory, bounded by their size in bytes, with their
//! gzip form made on the first request that accepts it.

use std::hash::Hasher;
use std::io::Write;
use std::sync::{Arc, OnceLock};

use axum::body::Bytes;
use axum::http::HeaderValue;

use flate2::Compression;
use flate2::write::GzEncoder;
use impactmap_index::Filter;
use impactmap_tiles::TileCoord;

use crate::tile_service::Layers;

/// One encoded tile, its gzip form once a client asked for it, and its strong ETag.
#[derive(Debug)]
pub struct CachedTile {
    /// The MVT bytes; empty for a tile with nothing in it.
    pub raw: Bytes,
    gzip: OnceLock<Bytes>,
    /// `"<generation>-<hash of raw>-<length>"`, quoted.
    pub etag: HeaderValue,
}

impl CachedTile {
    /// Wraps freshly encoded bytes.
    pub fn new(raw: Vec<u8>, generation: u64) -> Self {
        let mut hasher = rustc_hash::FxHasher::default();
        hasher.write(&raw);
        let etag = format!("\"{generation:x}-{:016x}-{:x}\"", hasher.finish(), raw.len());
        // Hex digits and quotes: always a valid header value.
        let etag =
            HeaderValue::try_from(etag).unwrap_or_else(|_| HeaderValue::from_static("\"0\""));
        Self { raw: Bytes::from(raw), gzip: OnceLock::new(), etag }
    }

    /// The gzip form, made on first use and kept with the tile. Level 1:
    /// tiles are small, and higher levels cost more than they save.
    pub fn gzip(&self) -> Bytes {
        self.gzip
            .get_or_init(|| {
                let mut encoder = GzEncoder::new(
                    Vec::with_capacity(self.raw.len() / 2 + 32),
                    Compression::fast(),
                );
                // Writing to memory cannot fail.
                let _ = encoder.write_all(&self.raw);
                Bytes::from(encoder.finish().unwrap_or_default())
            })
            .clone()
    }

    fn weight(&self) -> usize {
        self.raw.len() + self.gzip.get().map_or(self.raw.len() / 2, Bytes::len) + 128
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    generation: u64,
    filter: Filter,
    layers: Layers,
    tile: TileCoord,
}

/// The cache; entries of an older Atlas generation are never returned and age out.
pub struct TileCache {
    cache: moka::sync::Cache<Key, Arc<CachedTile>>,
    /// False when configured with no memory: tiles are made per request.
    enabled: bool,
}

impl std::fmt::Debug for TileCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TileCache")
            .field("entries", &self.cache.entry_count())
            .field("enabled", &self.enabled)
            .finish()
    }
}

impl TileCache {
    /// A cache holding at most `bytes` of tiles (both forms counted).
    pub fn new(bytes: u64) -> Self {
        let cache = moka::sync::Cache::builder()
            .max_capacity(bytes)
            .weigher(|_: &Key, tile: &Arc<CachedTile>| {
                u32::try_from(tile.weight()).unwrap_or(u32::MAX)
            })
            .build();
        Self { cache, enabled: bytes > 0 }
    }

    /// Forgets every tile (their generation is gone).
    pub fn clear(&self) {
        self.cache.invalidate_all();
    }

    /// The cached tile, if any: cheap enough for the async thread.
    pub fn get(
        &self,
        generation: u64,
        filter: &Filter,
        layers: Layers,
        tile: TileCoord,
    ) -> Option<Arc<CachedTile>> {
        if !self.enabled {
            return None;
        }
        self.cache.get(&Key { generation, filter: filter.clone(), layers, tile })
    }

    /// The cached tile, or the one `make` produces, stored for next time.
    ///
    /// # Errors
    /// The error of `make`.
    pub fn get_or_make<E>(
        &self,
        generation: u64,
        filter: &Filter,
        layers: Layers,
        tile: TileCoord,
        make: impl FnOnce() -> Result<CachedTile, E>,
    ) -> Result<Arc<CachedTile>, E> {
        if !self.enabled {
            return make().map(Arc::new);
        }
        let key = Key { generation, filter: filter.clone(), layers, tile };
        if let Some(hit) = self.cache.get(&key) {
            return Ok(hit);
        }
        let fresh = Arc::new(make()?);
        self.cache.insert(key, fresh.clone());
        Ok(fresh)
    }
}
