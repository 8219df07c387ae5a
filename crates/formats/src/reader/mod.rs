//! Readers of the field's formats. Each turns a file into [`RawRecord`]s —
//! cells as text, mapped to our columns — and leaves meaning (countries,
//! taxonomy, validation) to the import pipeline.

mod column;
mod detect;
mod geojson;
mod gogocarto;
mod json;
mod record;
mod tabular;
mod text;

pub(crate) use column::Column;
pub(crate) use detect::{read_file_records, read_records};
pub(crate) use record::{FileNotes, RawRecord};
pub(crate) use text::{repair_mojibake, strip_html};
