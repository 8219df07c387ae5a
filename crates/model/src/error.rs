use std::path::PathBuf;

/// A value refused by validation, naming the field it came from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct FieldError {
    /// The field, as named in the organisation model (`name`, `lat`, `sectors`, ...).
    pub field: &'static str,
    /// Why the value was refused, for a person to read.
    pub reason: String,
}

impl FieldError {
    pub(crate) fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self { field, reason: reason.into() }
    }
}

/// Errors of the model crate: whole-file problems and broken reference data.
///
/// Row-level problems of an import are not errors: they are [`crate::Issue`]s
/// in the import report, so that one bad row does not hide the others.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// A file could not be read.
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    /// A file as a whole cannot be imported (not text, unknown format, no
    /// usable columns, broken JSON); `location` says where when known.
    #[error("{file}{location}: {message}")]
    File { file: String, location: String, message: String },
    /// Shipped reference data did not parse: a build defect, never user input.
    #[error("reference data {name}: {message}")]
    Reference { name: &'static str, message: String },
    /// Writing an export failed.
    #[error("export: {0}")]
    Export(#[from] std::io::Error),
}

impl ModelError {
    pub(crate) fn file(file: &str, message: impl Into<String>) -> Self {
        Self::File { file: file.to_owned(), location: String::new(), message: message.into() }
    }

    pub(crate) fn at_line(file: &str, line: u64, message: impl Into<String>) -> Self {
        Self::File { file: file.to_owned(), location: format!(":{line}"), message: message.into() }
    }
}
