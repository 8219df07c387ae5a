/// A query the index refuses, naming the parameter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndexError {
    /// A filter value that names nothing.
    #[error("{facet}: unknown value '{value}'")]
    UnknownValue { facet: &'static str, value: String },
    /// A box or radius that cannot be asked.
    #[error("{parameter}: {message}")]
    BadQuery { parameter: &'static str, message: String },
}
