use std::fmt::{self, Write as _};

use sha2::{Digest, Sha256};

use crate::FieldError;

/// The public id of an organisation: 1–64 characters of `[a-z0-9-]`, safe in
/// URLs, file names and tile properties.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrgId(String);

impl OrgId {
    /// Validates an id.
    ///
    /// # Errors
    /// A [`FieldError`] naming `id` when the text is empty, too long or holds
    /// characters outside `[a-z0-9-]`.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let ok = !text.is_empty()
            && text.len() <= 64
            && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(Self(text.to_owned()))
        } else {
            Err(FieldError::new("id", format!("'{text}' is not 1-64 characters of a-z, 0-9 and -")))
        }
    }

    /// The id an organisation gets from where it came from: the same source
    /// and source id always give the same id, so re-imports update in place.
    pub fn from_provenance(source: &str, source_id: &str) -> Self {
        let mut hash = Sha256::new();
        hash.update(source.as_bytes());
        hash.update([0]);
        hash.update(source_id.as_bytes());
        let digest = hash.finalize();
        let mut id = String::with_capacity(16);
        for byte in &digest[..8] {
            // Writing to a String cannot fail.
            let _ = write!(id, "{byte:02x}");
        }
        Self(id)
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::OrgId;

    #[test]
    fn provenance_ids_are_stable_and_distinct() {
        let a = OrgId::from_provenance("ripess", "42");
        assert_eq!(a, OrgId::from_provenance("ripess", "42"));
        assert_ne!(a, OrgId::from_provenance("ripess", "43"));
        assert_ne!(a, OrgId::from_provenance("ripes", "s42"));
        assert_eq!(a.as_str().len(), 16);
        assert_eq!(OrgId::parse(a.as_str()).unwrap(), a);
    }

    #[test]
    fn refuses_unsafe_ids() {
        for bad in ["", "A1", "a/b", "a b", "é", &"x".repeat(65)] {
            assert_eq!(OrgId::parse(bad).unwrap_err().field, "id");
        }
    }
}
