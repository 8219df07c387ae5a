//! Encoded tiles kept in memory, bounded by their size in bytes, with their
//! gzip form made once when the tile is made.

use std::hash::Hasher;
use std::io::Write;
use std::sync::Arc;

use flate2::Compression;
use flate2::write::GzEncoder;
use impactmap_index::Filter;
use impactmap_tiles::TileCoord;

/// One encoded tile in both forms, and its strong ETag.
#[derive(Debug)]
pub struct CachedTile {
    /// The MVT bytes; empty for a tile with nothing in it.
    pub raw: Vec<u8>,
    /// The same, gzipped.
    pub gzip: Vec<u8>,
    /// `"<generation>-<hash of raw>"`, quoted.
    pub etag: String,
}

impl CachedTile {
    /// Wraps freshly encoded bytes.
    ///
    /// # Errors
    /// Only if gzip fails to write to memory.
    pub fn new(raw: Vec<u8>, generation: u64) -> std::io::Result<Self> {
        let mut hasher = rustc_hash::FxHasher::default();
        hasher.write(&raw);
        let etag = format!("\"{generation:x}-{:016x}-{:x}\"", hasher.finish(), raw.len());
        let gzip = if raw.is_empty() {
            Vec::new()
        } else {
            let mut encoder = GzEncoder::new(Vec::with_capacity(raw.len() / 2), Compression::default());
            encoder.write_all(&raw)?;
            encoder.finish()?
        };
        Ok(Self { raw, gzip, etag })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    generation: u64,
    filter: Filter,
    tile: TileCoord,
}

/// The cache; entries of an older Atlas generation are never returned and age out.
pub struct TileCache {
    cache: moka::sync::Cache<Key, Arc<CachedTile>>,
}

impl std::fmt::Debug for TileCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TileCache").field("entries", &self.cache.entry_count()).finish()
    }
}

impl TileCache {
    /// A cache holding at most `bytes` of tiles (both forms counted).
    pub fn new(bytes: u64) -> Self {
        let cache = moka::sync::Cache::builder()
            .max_capacity(bytes)
            .weigher(|_: &Key, tile: &Arc<CachedTile>| u32::try_from(tile.raw.len() + tile.gzip.len() + 128).unwrap_or(u32::MAX))
            .build();
        Self { cache }
    }

    /// Forgets every tile (their generation is gone).
    pub fn clear(&self) {
        self.cache.invalidate_all();
    }

    /// The cached tile, or the one `make` produces, stored for next time.
    ///
    /// # Errors
    /// The error of `make`.
    pub fn get_or_make<E>(
        &self,
        generation: u64,
        filter: &Filter,
        tile: TileCoord,
        make: impl FnOnce() -> Result<CachedTile, E>,
    ) -> Result<Arc<CachedTile>, E> {
        let key = Key { generation, filter: filter.clone(), tile };
        if let Some(hit) = self.cache.get(&key) {
            return Ok(hit);
        }
        let fresh = Arc::new(make()?);
        self.cache.insert(key, fresh.clone());
        Ok(fresh)
    }
}
