//! The file formats of impactmap.
//!
//! Everything that turns bytes into organisations or organisations into
//! bytes lives here: telling a file's format from its content, the readers
//! (CSV, ESSGlobal, GeoJSON, GoGoCarto), the import pipeline that resolves
//! their cells against the reference data, the writers, and the parsing of
//! the reference data shipped in `data/`. The key design choice: readers
//! hand over records one at a time, as cells mapped to our columns and
//! nothing more, and meaning comes only from [`impactmap_model`]'s
//! validation, so a file of any size streams and every format is judged by
//! the same rules.

mod error;
mod export;
mod format;
mod import;
mod reader;
mod reference;
mod sample;
mod similar;
mod source_pos;

pub use error::FormatError;
pub use export::{Exporter, feature};
pub use format::Format;
pub use import::{ImportOptions, ImportReport, Issue, Severity, import_bytes, import_file};
pub use reference::embedded_reference;
pub use sample::{SAMPLE_SOURCE, generate_sample};
pub use similar::similar_names;
pub use source_pos::SourcePos;
