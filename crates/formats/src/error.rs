use std::path::PathBuf;

use impactmap_model::ModelError;

use crate::format::names;
use crate::{Format, SourcePos};

/// Errors of the formats crate: whole-file problems, failed writes and broken
/// reference data.
///
/// Row-level problems of an import are not errors: they are [`crate::Issue`]s
/// in the import report, so that one bad row does not hide the others.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    /// A file could not be read.
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    /// A file as a whole cannot be imported (not text, unknown format, no
    /// usable columns, broken JSON); `pos` says where when known.
    #[error("{file}{pos}: {message}")]
    File { file: String, pos: SourcePos, message: String },
    /// A format name that is none of ours.
    #[error("unknown format '{name}' ({})", names(|_| true))]
    UnknownFormat { name: String },
    /// A format impactmap reads but does not write, asked for an export.
    #[error(
        "{format} is a format impactmap reads but does not write (it writes {})",
        names(Format::is_writable)
    )]
    NotWritable { format: Format },
    /// A shipped reference file did not parse: a build defect, never user input.
    #[error("reference data {name}: {message}")]
    Reference { name: &'static str, message: String },
    /// A shipped reference file parsed but the model refused what it holds.
    #[error("reference data {name}: {source}")]
    InconsistentReference { name: &'static str, source: ModelError },
    /// A column or label mapping (`--map`, `--mapping FILE`) that cannot be
    /// followed: `file` is the mapping file, or `--map`.
    #[error("{file}: {message}")]
    Mapping { file: String, message: String },
    /// Writing an export failed.
    #[error("export: {0}")]
    Export(#[from] std::io::Error),
}

impl FormatError {
    pub(crate) fn file(file: &str, message: impl Into<String>) -> Self {
        Self::File { file: file.to_owned(), pos: SourcePos::File, message: message.into() }
    }

    pub(crate) fn file_line(file: &str, line: u64, message: impl Into<String>) -> Self {
        Self::File { file: file.to_owned(), pos: SourcePos::Line(line), message: message.into() }
    }
}
