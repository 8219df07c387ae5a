use crate::{CountryCode, Facet, Taxonomy, TermKey};

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

/// Reference data that does not hold together, refused when it is built.
///
/// Organisations are refused field by field with [`FieldError`]s instead, so
/// that one validation names every bad field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// A key, label, code or synonym names two terms of one facet.
    #[error("'{label}' names two {} terms", .facet.field())]
    AmbiguousLabel { facet: Facet, label: String },
    /// The family or sector facet has no `unclassified` term.
    #[error("no '{}' term for {}", Taxonomy::UNCLASSIFIED, .facet.field())]
    NoUnclassified { facet: Facet },
    /// A country's continent is not a continent of the taxonomy.
    #[error("{country}: unknown continent '{continent}'")]
    UnknownContinent { country: CountryCode, continent: TermKey },
    /// A country's outline has no points.
    #[error("{country} is empty")]
    EmptyOutline { country: CountryCode },
}
