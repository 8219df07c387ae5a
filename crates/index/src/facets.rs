//! One compressed bitmap of entry positions per facet value: filters are
//! AND across facets and OR within one, statistics intersect them.

use std::collections::HashMap;

use impactmap_model::{CountryCode, Facet, TermKey};
use roaring::RoaringBitmap;

use crate::records::{PerFacet, Records};
use crate::{Filter, IndexError, Selection};

/// Per facet value, the positions of the entries that have it.
#[derive(Debug)]
pub(crate) struct FacetBitmaps {
    /// The taxonomy's keys per facet, in the order records refer to them.
    keys: PerFacet<Vec<TermKey>>,
    /// One bitmap per key of `keys`.
    terms: PerFacet<Vec<RoaringBitmap>>,
    /// Index 1 to 17; 0 stays empty.
    sdgs: Vec<RoaringBitmap>,
    countries: HashMap<CountryCode, RoaringBitmap>,
}

impl FacetBitmaps {
    /// The bitmaps of records sorted by id.
    pub(crate) fn build(records: &Records, keys: PerFacet<Vec<TermKey>>) -> Self {
        let mut terms = PerFacet::new(|facet| vec![RoaringBitmap::new(); keys.get(facet).len()]);
        let mut sdgs = vec![RoaringBitmap::new(); 18];
        let mut countries: HashMap<CountryCode, RoaringBitmap> = HashMap::new();
        for (index, r) in (0u32..).zip(records.all()) {
            // Positions rise, so every bitmap is appended to (`try_push`), never searched.
            terms.continent[usize::from(r.continent)].try_push(index).ok();
            terms.family[usize::from(r.family)].try_push(index).ok();
            let mut bits = r.sectors;
            while bits != 0 {
                terms.sector[bits.trailing_zeros() as usize].try_push(index).ok();
                bits &= bits - 1;
            }
            for goal in r.sdgs.goals() {
                sdgs[goal as usize].try_push(index).ok();
            }
            countries.entry(r.country).or_default().try_push(index).ok();
        }
        Self { keys, terms, sdgs, countries }
    }

    pub(crate) fn keys(&self, facet: Facet) -> &[TermKey] {
        self.keys.get(facet)
    }

    pub(crate) fn countries(&self) -> &HashMap<CountryCode, RoaringBitmap> {
        &self.countries
    }

    /// One bitmap per key of [`FacetBitmaps::keys`].
    pub(crate) fn terms(&self, facet: Facet) -> &[RoaringBitmap] {
        self.terms.get(facet)
    }

    /// The entries with a goal (1 to 17).
    pub(crate) fn goal(&self, goal: u8) -> &RoaringBitmap {
        &self.sdgs[usize::from(goal)]
    }

    /// How many selected organisations are in a country.
    pub(crate) fn count_in_country(&self, code: CountryCode, selection: &Selection) -> u64 {
        match (self.countries.get(&code), selection) {
            (None, _) => 0,
            (Some(bits), Selection::All(_)) => bits.len(),
            (Some(bits), Selection::Some(selected)) => bits.intersection_len(selected),
        }
    }

    /// The entries the filter's facets select, or `None` when it names none
    /// (its text is left to the word index).
    ///
    /// # Errors
    /// [`IndexError::UnknownValue`] for a key or goal the Atlas does not know.
    pub(crate) fn select(&self, filter: &Filter) -> Result<Option<RoaringBitmap>, IndexError> {
        let mut result: Option<RoaringBitmap> = None;
        let mut and = |bits: RoaringBitmap| {
            result = Some(match result.take() {
                Some(r) => r & bits,
                None => bits,
            });
        };
        for (facet, wanted) in [
            (Facet::Continent, &filter.continents),
            (Facet::Family, &filter.families),
            (Facet::Sector, &filter.sectors),
        ] {
            if wanted.is_empty() {
                continue;
            }
            let mut any = RoaringBitmap::new();
            for key in wanted {
                let position = self.keys(facet).iter().position(|k| k == key).ok_or_else(|| {
                    IndexError::UnknownValue { facet: parameter(facet), value: key.to_string() }
                })?;
                any |= &self.terms.get(facet)[position];
            }
            and(any);
        }
        if !filter.sdgs.is_empty() {
            let mut any = RoaringBitmap::new();
            for &goal in &filter.sdgs {
                let bitmap =
                    self.sdgs.get(goal as usize).filter(|_| goal >= 1).ok_or_else(|| {
                        IndexError::UnknownValue { facet: "sdg", value: goal.to_string() }
                    })?;
                any |= bitmap;
            }
            and(any);
        }
        if !filter.countries.is_empty() {
            let mut any = RoaringBitmap::new();
            for code in &filter.countries {
                if let Some(bitmap) = self.countries.get(code) {
                    any |= bitmap;
                }
            }
            and(any);
        }
        Ok(result)
    }
}

/// The filter parameter that names a facet's values.
fn parameter(facet: Facet) -> &'static str {
    match facet {
        Facet::Continent => "continent",
        Facet::Family => "family",
        Facet::Sector => "sector",
    }
}
