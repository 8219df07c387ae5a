//! Tile maths and Mapbox Vector Tile (MVT 2.1) encoding.
//!
//! The crate knows nothing of organisations or the index: it turns validated
//! tile coordinates into Web Mercator bounds, and features into protobuf
//! bytes. The key design choice: point layers, the hot path of every map
//! view, have a small hand-written protobuf writer that deduplicates keys and
//! values with one hash look-up each; its output is checked against an
//! independent decoder in property tests.

mod error;
mod point_layer;
mod protobuf;
mod tile_coord;

pub use error::TileError;
pub use point_layer::{PointLayer, PropertyValue, encode_tile};
pub use tile_coord::{MAX_ZOOM, TileCoord};
