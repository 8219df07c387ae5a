//! The file formats of impactmap.
//!
//! Everything that turns bytes into organisations or organisations into
//! bytes lives here: telling a file's format from its content, the readers
//! (CSV, ESSGlobal, GeoJSON, GoGoCarto), the import pipeline, the writers,
//! and the parsing of the reference data shipped in `data/`; beside them the
//! seeded sample generator and the name similarity that flags likely
//! duplicates. `docs/formats.md` describes each format as read and written.
//!
//! The key design choice: a reader hands over one record at a time, as text
//! cells mapped to our columns and nothing more. Meaning (countries,
//! taxonomy terms, positions and their fallbacks) is given in one place, the
//! import pipeline, and checked by [`impactmap_model`]'s validation, so a
//! file of any size streams and every format is judged by the same rules.

mod error;
mod export;
mod format;
mod import;
mod mapping;
mod place;
mod reader;
mod reference;
mod resolve;
mod sample;
mod similar;
mod source_pos;

pub use error::FormatError;
pub use export::{Exporter, feature};
pub use format::Format;
pub use import::{ImportOptions, ImportReport, Issue, Severity, import_bytes, import_file};
pub use mapping::Mapping;
pub use reference::embedded_reference;
pub use sample::{SAMPLE_SOURCE, generate_sample};
pub use similar::similar_names;
pub use source_pos::SourcePos;
