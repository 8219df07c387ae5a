use impactmap_model::{CountryCode, TermKey};
use roaring::RoaringBitmap;

use crate::TextQuery;

/// What a view or query asks for: AND across facets, OR within one. An
/// empty list leaves that facet open.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Filter {
    /// Continent keys.
    pub continents: Vec<TermKey>,
    /// Family keys.
    pub families: Vec<TermKey>,
    /// Sector keys.
    pub sectors: Vec<TermKey>,
    /// Goals 1–17.
    pub sdgs: Vec<u32>,
    /// ISO alpha-2 codes.
    pub countries: Vec<CountryCode>,
    /// Words every match has a word starting with in its name or town, or
    /// whose country they name: the one meaning of `q` for the map, the list
    /// and the search.
    pub text: TextQuery,
}

impl Filter {
    /// Whether nothing is filtered.
    pub fn is_open(&self) -> bool {
        self.continents.is_empty()
            && self.families.is_empty()
            && self.sectors.is_empty()
            && self.sdgs.is_empty()
            && self.countries.is_empty()
            && self.text.is_empty()
    }

    /// The same filter with every list sorted and deduplicated, so that equal
    /// questions share a cache entry.
    #[must_use]
    pub fn canonical(mut self) -> Self {
        self.continents.sort();
        self.continents.dedup();
        self.families.sort();
        self.families.dedup();
        self.sectors.sort();
        self.sectors.dedup();
        self.sdgs.sort_unstable();
        self.sdgs.dedup();
        self.countries.sort();
        self.countries.dedup();
        self
    }
}

/// The organisations a filter selects, as entry positions.
#[derive(Debug, Clone, PartialEq)]
pub enum Selection {
    /// Every entry of an atlas of this many.
    All(u32),
    /// These entries.
    Some(RoaringBitmap),
}

impl<'a> IntoIterator for &'a Selection {
    type Item = u32;
    type IntoIter = Box<dyn Iterator<Item = u32> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl Selection {
    /// Whether the entry is selected.
    pub fn contains(&self, index: u32) -> bool {
        match self {
            Self::All(n) => index < *n,
            Self::Some(bits) => bits.contains(index),
        }
    }

    /// How many are selected.
    pub fn len(&self) -> u64 {
        match self {
            Self::All(n) => u64::from(*n),
            Self::Some(bits) => bits.len(),
        }
    }

    /// Whether none is selected.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The selected positions in ascending order (that is, by organisation id).
    pub fn iter(&self) -> Box<dyn Iterator<Item = u32> + '_> {
        match self {
            Self::All(n) => Box::new(0..*n),
            Self::Some(bits) => Box::new(bits.iter()),
        }
    }
}
