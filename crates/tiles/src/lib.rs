//! Tile maths and Mapbox Vector Tile (MVT 2.1) encoding.
//!
//! The crate knows nothing of organisations or the index: it turns validated
//! tile coordinates into Web Mercator bounds, and features into protobuf
//! bytes. The key design choice: layers are written by a small hand-written
//! protobuf writer that deduplicates keys and values with one hash look-up
//! each (point layers are the hot path of every map view); its output is
//! checked against an independent decoder in property tests.

mod basemap;
mod clip;
mod error;
mod layer;
mod protobuf;
mod tile_coord;

pub use basemap::{BASEMAP_MAX_ZOOM, Basemap, TileRings};
pub use clip::ring_in_tile;
pub use error::TileError;
pub use layer::{KeyId, Layer, PropertyKey, PropertyValue, encode_tile};
pub use tile_coord::{MAX_ZOOM, TileCoord};
