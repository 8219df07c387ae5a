//! The Atlas: every published organisation in memory, immutable, answering
//! the read queries of the map and the API.
//!
//! The key design choice: one build, many readers. An [`Atlas`] is built in
//! one pass from the store and never changes; a new one replaces it when the
//! data changes. Inside: compact entries sorted by id, a k-d tree of unit
//! vectors for exact queries on the sphere, one compressed bitmap per facet
//! value for filters, and, per filter, a [`View`] holding its
//! supercluster-style pyramid of clusters and its H3 counts.

mod atlas;
mod cluster;
mod error;
mod facets;
mod filter;
mod h3;
mod kd;
mod points;
mod records;
mod search;
mod sphere;
mod stats;
mod text_query;
mod view;

pub use atlas::{Atlas, AtlasBuilder, AtlasOptions};
pub use cluster::{Cluster, ClusterOptions, CountsIter};
pub use error::IndexError;
pub use filter::{Filter, Selection};
pub use h3::{H3_KEPT_RES, H3_MAX_RES, H3Bin, H3Bins};
pub use points::Hit;
pub use records::Entry;
pub use sphere::{BBox, EARTH_RADIUS_M, haversine_m};
pub use stats::{StatsFacet, StatsRow};
pub use text_query::TextQuery;
pub use view::View;
