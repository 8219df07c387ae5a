//! The organisation model of impactmap.
//!
//! Everything that enters the map passes through here: raw cells from a file,
//! a form or a test become an [`Organisation`] only through
//! [`OrganisationDraft::validate`], which names the field of every rejection.
//! The key design choice: reference data (taxonomy, countries, boundaries,
//! gazetteer) is data, built from plain values (the files in `data/` are
//! parsed by `impactmap-formats`), and is passed around as one [`Reference`]
//! value rather than held in globals. This crate reads no file format.

mod boundaries;
mod country;
mod error;
mod fold;
mod gazetteer;
mod lon_lat;
mod mercator;
mod org_id;
mod organisation;
mod reference;
mod sdg;
mod taxonomy;

pub use boundaries::{Boundaries, Placement};
pub use country::{Countries, Country, CountryCode};
pub use error::{FieldError, ModelError};
pub use fold::fold;
pub use gazetteer::{Gazetteer, Town};
pub use lon_lat::LonLat;
pub use mercator::{
    MAX_MERC_LAT, MercPoint, MercRect, lat_to_merc_y, lon_to_merc_x, merc_y_to_lat,
};
pub use org_id::OrgId;
pub use organisation::{Listing, Organisation, OrganisationDraft, Provenance};
pub use reference::Reference;
pub use sdg::SdgSet;
pub use taxonomy::{Facet, Taxonomy, Term, TermKey};
