use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, LazyLock};

use serde::Deserialize;

use crate::{FieldError, ModelError, fold};

/// The three classifications of an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Facet {
    /// What kind of organisation it is (cooperative, mutual, ...).
    Family,
    /// What it works on (health, housing, ...); an organisation has one or more.
    Sector,
    /// Where it is, derived from its country.
    Continent,
}

impl Facet {
    /// The field name of the facet in the organisation model.
    pub fn field(self) -> &'static str {
        match self {
            Self::Family => "family",
            Self::Sector => "sectors",
            Self::Continent => "continent",
        }
    }
}

/// The stable key of a taxonomy term (`cooperative`, `health-social`).
/// Shared, not copied: every organisation holds its continent, family and
/// sectors, and a key taken from the taxonomy costs them no allocation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct TermKey(Arc<str>);

impl TermKey {
    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TermKey {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        let ok = !text.is_empty() && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok { Ok(Self(text.into())) } else { Err(format!("'{text}' is not a key of a-z, 0-9 and -")) }
    }
}

impl fmt::Display for TermKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One term of the taxonomy with its labels and the vocabulary codes that map to it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    /// Stable key.
    pub key: TermKey,
    /// English label.
    pub en: String,
    /// French label.
    pub fr: String,
    /// Spanish label.
    pub es: String,
    /// ESSGlobal codes (`OS115`, `AM60`, `I-AF`); the first is written on export.
    pub codes: Vec<String>,
    /// Labels of other vocabularies that mean this term.
    pub synonyms: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TaxonomyFile {
    family: Vec<Term>,
    sector: Vec<Term>,
    continent: Vec<Term>,
}

/// Families, sectors and continents, loaded from `data/taxonomy.toml`, with a
/// lenient lookup from any label, code, ESSGlobal URI or synonym to a term.
#[derive(Debug)]
pub struct Taxonomy {
    families: Vec<Term>,
    sectors: Vec<Term>,
    continents: Vec<Term>,
    lookup: HashMap<(FacetSlot, String), usize>,
}

type FacetSlot = u8;

fn slot(facet: Facet) -> FacetSlot {
    match facet {
        Facet::Family => 0,
        Facet::Sector => 1,
        Facet::Continent => 2,
    }
}

impl Taxonomy {
    /// The key every facet uses for "not known".
    pub const UNCLASSIFIED: &'static str = "unclassified";

    /// Parses the taxonomy file.
    ///
    /// # Errors
    /// [`ModelError::Reference`] when the TOML is malformed, a key repeats, a
    /// label or code maps to two terms of one facet, or `unclassified` is missing.
    pub fn from_toml(text: &str) -> Result<Self, ModelError> {
        let bad = |message: String| ModelError::Reference { name: "taxonomy.toml", message };
        let file: TaxonomyFile = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        let mut taxonomy = Self { families: file.family, sectors: file.sector, continents: file.continent, lookup: HashMap::new() };
        for facet in [Facet::Family, Facet::Sector, Facet::Continent] {
            let mut lookup = std::mem::take(&mut taxonomy.lookup);
            for (index, term) in taxonomy.terms(facet).iter().enumerate() {
                let names = [term.key.as_str(), &term.en, &term.fr, &term.es]
                    .into_iter()
                    .chain(term.codes.iter().map(String::as_str))
                    .chain(term.synonyms.iter().map(String::as_str));
                for name in names {
                    let previous = lookup.insert((slot(facet), fold(name)), index);
                    if previous.is_some_and(|p| p != index) {
                        return Err(bad(format!("'{name}' names two {} terms", facet.field())));
                    }
                }
            }
            taxonomy.lookup = lookup;
            if facet != Facet::Continent && taxonomy.term(facet, Self::UNCLASSIFIED).is_none() {
                return Err(bad(format!("no '{}' term for {}", Self::UNCLASSIFIED, facet.field())));
            }
        }
        Ok(taxonomy)
    }

    /// The terms of a facet, in the file's order.
    pub fn terms(&self, facet: Facet) -> &[Term] {
        match facet {
            Facet::Family => &self.families,
            Facet::Sector => &self.sectors,
            Facet::Continent => &self.continents,
        }
    }

    /// The term with exactly this key.
    pub fn term(&self, facet: Facet, key: &str) -> Option<&Term> {
        self.terms(facet).iter().find(|t| t.key.as_str() == key)
    }

    /// Position of a key among the facet's terms: a small dense number for bitsets.
    pub fn position(&self, facet: Facet, key: &TermKey) -> Option<usize> {
        self.terms(facet).iter().position(|t| &t.key == key)
    }

    /// Finds the term a label means: a key, a label in any of our languages, an
    /// ESSGlobal code or URI (`.../organisational-structure/OS115`), or a synonym.
    pub fn resolve(&self, facet: Facet, label: &str) -> Option<&Term> {
        let label = label.trim();
        let last_segment = label.rsplit('/').next().unwrap_or(label);
        [label, last_segment]
            .into_iter()
            .find_map(|candidate| self.lookup.get(&(slot(facet), fold(candidate))))
            .map(|&index| &self.terms(facet)[index])
    }

    /// Checks that a key names a term of the facet.
    ///
    /// # Errors
    /// A [`FieldError`] naming the facet's field for an unknown key.
    pub fn key(&self, facet: Facet, key: &str) -> Result<TermKey, FieldError> {
        self.term(facet, key)
            .map(|t| t.key.clone())
            .ok_or_else(|| FieldError::new(facet.field(), format!("'{key}' is not a {} key", facet.field())))
    }

    /// The `unclassified` key, present in the family and sector facets
    /// (checked when the taxonomy is loaded).
    pub fn unclassified() -> TermKey {
        static UNCLASSIFIED: LazyLock<TermKey> = LazyLock::new(|| TermKey(Taxonomy::UNCLASSIFIED.into()));
        UNCLASSIFIED.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taxonomy() -> Taxonomy {
        Taxonomy::from_toml(include_str!("../../../data/taxonomy.toml")).unwrap()
    }

    #[test]
    fn shipped_taxonomy_has_the_expected_shape() {
        let t = taxonomy();
        assert_eq!(t.terms(Facet::Family).len(), 11);
        assert!((14..=17).contains(&t.terms(Facet::Sector).len()));
        assert_eq!(t.terms(Facet::Continent).len(), 6);
        for term in t.terms(Facet::Sector).iter().filter(|t| t.key.as_str() != "unclassified" && t.key.as_str() != "employment") {
            assert!(term.codes.iter().any(|c| c.starts_with("AM")), "{} has no AM code", term.key);
        }
    }

    #[test]
    fn resolves_labels_codes_uris_and_synonyms() {
        let t = taxonomy();
        let family = |s| t.resolve(Facet::Family, s).map(|t| t.key.as_str().to_owned());
        let sector = |s| t.resolve(Facet::Sector, s).map(|t| t.key.as_str().to_owned());
        assert_eq!(family("https://dev.lod.coop/essglobal/2.1/standard/organisational-structure/OS115").as_deref(), Some("cooperative"));
        assert_eq!(
            family("https://w3id.solidarityeconomy.coop/essglobal/V2a/standard/organisational-structure/OS170").as_deref(),
            Some("mutual")
        );
        assert_eq!(family("Multi-stakeholder co-op").as_deref(), Some("cooperative"));
        assert_eq!(family("COOPERATIVE AGRICOLE").as_deref(), Some("cooperative"));
        assert_eq!(family("Fondation").as_deref(), Some("foundation"));
        assert_eq!(sector("Banking / credit unions").as_deref(), Some("finance"));
        assert_eq!(sector("Training & Education").as_deref(), Some("education"));
        assert_eq!(sector("am80").as_deref(), Some("health-social"));
        assert_eq!(sector("Santé et action sociale").as_deref(), Some("health-social"));
        assert_eq!(sector("Quantum knitting"), None);
    }
}
