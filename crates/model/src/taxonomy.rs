use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, LazyLock};

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
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
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
        let ok = !text.is_empty()
            && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(Self(text.into()))
        } else {
            Err(format!("'{text}' is not a key of a-z, 0-9 and -"))
        }
    }
}

impl fmt::Display for TermKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One term of the taxonomy with its labels and the vocabulary codes that map to it.
#[derive(Debug, Clone)]
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

/// Families, sectors and continents (shipped in `data/taxonomy.toml`), with
/// a lenient lookup from any label, code, ESSGlobal URI or synonym to a term.
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

    /// Builds the taxonomy from its terms, each facet's in display order.
    ///
    /// # Errors
    /// [`ModelError::AmbiguousLabel`] when a key repeats or a label, code or
    /// synonym names two terms of one facet; [`ModelError::NoUnclassified`]
    /// when the family or sector facet has no `unclassified` term.
    pub fn new(
        families: Vec<Term>,
        sectors: Vec<Term>,
        continents: Vec<Term>,
    ) -> Result<Self, ModelError> {
        let mut taxonomy = Self { families, sectors, continents, lookup: HashMap::new() };
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
                        return Err(ModelError::AmbiguousLabel { facet, label: name.to_owned() });
                    }
                }
            }
            taxonomy.lookup = lookup;
            if facet != Facet::Continent && taxonomy.term(facet, Self::UNCLASSIFIED).is_none() {
                return Err(ModelError::NoUnclassified { facet });
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
        self.term(facet, key).map(|t| t.key.clone()).ok_or_else(|| {
            FieldError::new(facet.field(), format!("'{key}' is not a {} key", facet.field()))
        })
    }

    /// The `unclassified` key, present in the family and sector facets
    /// (checked when the taxonomy is loaded).
    pub fn unclassified() -> TermKey {
        static UNCLASSIFIED: LazyLock<TermKey> =
            LazyLock::new(|| TermKey(Taxonomy::UNCLASSIFIED.into()));
        UNCLASSIFIED.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(key: &str, labels: [&str; 3], codes: &[&str], synonyms: &[&str]) -> Term {
        Term {
            key: TermKey::try_from(key.to_owned()).unwrap(),
            en: labels[0].to_owned(),
            fr: labels[1].to_owned(),
            es: labels[2].to_owned(),
            codes: codes.iter().map(|c| (*c).to_owned()).collect(),
            synonyms: synonyms.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    fn unclassified() -> Term {
        term("unclassified", ["Unclassified", "Non classé", "Sin clasificar"], &[], &[])
    }

    fn cooperative() -> Term {
        term(
            "cooperative",
            ["Cooperative", "Coopérative", "Cooperativa"],
            &["OS115"],
            &["Multi-stakeholder co-op"],
        )
    }

    fn finance() -> Term {
        term("finance", ["Finance", "Finance", "Finanzas"], &["AM50"], &["Banking / credit unions"])
    }

    fn europe() -> Term {
        term("europe", ["Europe", "Europe", "Europa"], &[], &[])
    }

    #[test]
    fn resolves_keys_labels_codes_uris_and_synonyms() {
        let t = Taxonomy::new(
            vec![unclassified(), cooperative()],
            vec![unclassified(), finance()],
            vec![europe()],
        )
        .unwrap();
        let family = |s| t.resolve(Facet::Family, s).map(|t| t.key.as_str().to_owned());
        let sector = |s| t.resolve(Facet::Sector, s).map(|t| t.key.as_str().to_owned());
        assert_eq!(
            family("https://dev.lod.coop/essglobal/2.1/standard/organisational-structure/OS115")
                .as_deref(),
            Some("cooperative")
        );
        assert_eq!(family("COOPÉRATIVE").as_deref(), Some("cooperative"));
        assert_eq!(family(" cooperativa ").as_deref(), Some("cooperative"));
        assert_eq!(family("Multi-stakeholder Co-op").as_deref(), Some("cooperative"));
        assert_eq!(sector("am50").as_deref(), Some("finance"));
        assert_eq!(sector("Banking/credit unions").as_deref(), Some("finance"));
        assert_eq!(sector("OS115"), None, "a family code is no sector");
        assert_eq!(sector("Quantum knitting"), None);
        assert_eq!(t.position(Facet::Sector, &finance().key), Some(1));
        assert_eq!(
            t.key(Facet::Family, "mutual").unwrap_err().to_string(),
            "family: 'mutual' is not a family key"
        );
    }

    #[test]
    fn refuses_a_label_of_two_terms_and_a_facet_without_unclassified() {
        let mutual = term("mutual", ["Mutual", "Mutuelle", "Mutua"], &["OS170"], &["Cooperative"]);
        let err = Taxonomy::new(
            vec![unclassified(), cooperative(), mutual],
            vec![unclassified()],
            vec![europe()],
        )
        .unwrap_err();
        assert_eq!(
            err,
            ModelError::AmbiguousLabel { facet: Facet::Family, label: "Cooperative".to_owned() }
        );
        assert_eq!(err.to_string(), "'Cooperative' names two family terms");
        let err = Taxonomy::new(
            vec![unclassified(), cooperative(), cooperative()],
            vec![unclassified()],
            vec![europe()],
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "'cooperative' names two family terms");
        let err = Taxonomy::new(vec![unclassified()], vec![finance()], vec![europe()]).unwrap_err();
        assert_eq!(err.to_string(), "no 'unclassified' term for sectors");
    }
}
