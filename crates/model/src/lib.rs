//! The organisation model of impactmap.
//!
//! Everything that enters the map passes through here: raw cells from a file,
//! a form or a test become an [`Organisation`] only through
//! [`OrganisationDraft::validate`], which names the field of every rejection.
//! The key design choice: reference data (taxonomy, countries, boundaries,
//! gazetteer) is data, shipped in `data/` and embedded at build time, and is
//! passed around as one [`Reference`] value rather than held in globals.

mod boundaries;
mod country;
mod error;
mod export;
mod fold;
mod format;
mod gazetteer;
mod import;
mod lon_lat;
mod mercator;
mod org_id;
mod organisation;
mod reference;
mod sample;
mod sdg;
mod similar;
mod taxonomy;

pub use boundaries::{Boundaries, Placement};
pub use country::{Countries, Country, CountryCode};
pub use error::{FieldError, ModelError};
pub use export::{ExportFormat, Exporter, feature};
pub use fold::fold;
pub use format::Format;
pub use gazetteer::{Gazetteer, Town};
pub use import::{ImportOptions, ImportReport, Issue, Location, Severity, import_bytes, import_file};
pub use lon_lat::LonLat;
pub use mercator::{MAX_MERC_LAT, MercPoint, MercRect, lat_to_merc_y, lon_to_merc_x, merc_y_to_lat};
pub use org_id::OrgId;
pub use organisation::{Listing, Organisation, OrganisationDraft, Provenance};
pub use reference::Reference;
pub use sample::{SAMPLE_SOURCE, generate_sample};
pub use sdg::SdgSet;
pub use similar::similar_names;
pub use taxonomy::{Facet, Taxonomy, Term, TermKey};
