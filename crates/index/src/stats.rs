//! Counts per combination of facet values, by intersecting the facet bitmaps.

use roaring::RoaringBitmap;

use impactmap_model::Facet;

use crate::Selection;
use crate::facets::FacetBitmaps;

/// A facet statistics can be broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatsFacet {
    /// Continent keys.
    Continent,
    /// ISO alpha-2 codes.
    Country,
    /// Family keys.
    Family,
    /// Sector keys (an organisation counts under each of its sectors).
    Sector,
    /// Goals 1–17 (an organisation counts under each of its goals).
    Sdg,
}

impl StatsFacet {
    /// Every facet, in the order the API lists them.
    pub const ALL: [Self; 5] =
        [Self::Continent, Self::Country, Self::Family, Self::Sector, Self::Sdg];

    /// The name used in `by=` and in answers.
    pub fn name(self) -> &'static str {
        match self {
            Self::Continent => "continent",
            Self::Country => "country",
            Self::Family => "family",
            Self::Sector => "sector",
            Self::Sdg => "sdg",
        }
    }

    /// The facet of a name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// One combination of values and how many selected organisations have it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatsRow {
    /// One value per requested facet, in the order asked.
    pub values: Vec<String>,
    /// Organisations with all these values.
    pub count: u64,
}

/// Counts for every non-empty combination of the facets' values; see
/// [`crate::Atlas::stats`].
pub(crate) fn rows(
    facets: &FacetBitmaps,
    selection: &Selection,
    by: &[StatsFacet],
) -> Vec<StatsRow> {
    let start = match selection {
        Selection::All(n) => {
            let mut all = RoaringBitmap::new();
            all.insert_range(0..*n);
            all
        }
        Selection::Some(bits) => bits.clone(),
    };
    let per_facet: Vec<Vec<(String, &RoaringBitmap)>> =
        by.iter().map(|&f| values(facets, f)).collect();
    let mut out = Vec::new();
    let mut chosen = Vec::with_capacity(by.len());
    walk(&start, &per_facet, &mut chosen, &mut out);
    out
}

/// The values of a facet, sorted (goals in number order), each with its entries.
fn values(facets: &FacetBitmaps, facet: StatsFacet) -> Vec<(String, &RoaringBitmap)> {
    let terms = |facet: Facet| {
        facets.keys(facet).iter().map(ToString::to_string).zip(facets.terms(facet)).collect()
    };
    let mut values: Vec<(String, &RoaringBitmap)> = match facet {
        StatsFacet::Continent => terms(Facet::Continent),
        StatsFacet::Family => terms(Facet::Family),
        StatsFacet::Sector => terms(Facet::Sector),
        StatsFacet::Sdg => {
            return (1..=17u8).map(|g| (g.to_string(), facets.goal(g))).collect();
        }
        StatsFacet::Country => {
            facets.countries().iter().map(|(code, bits)| (code.to_string(), bits)).collect()
        }
    };
    values.sort_by(|a, b| a.0.cmp(&b.0));
    values
}

fn walk(
    current: &RoaringBitmap,
    facets: &[Vec<(String, &RoaringBitmap)>],
    values: &mut Vec<String>,
    out: &mut Vec<StatsRow>,
) {
    let Some((first, rest)) = facets.split_first() else {
        out.push(StatsRow { values: values.clone(), count: current.len() });
        return;
    };
    for (value, bitmap) in first {
        if rest.is_empty() {
            let count = current.intersection_len(bitmap);
            if count > 0 {
                values.push(value.clone());
                out.push(StatsRow { values: values.clone(), count });
                values.pop();
            }
        } else {
            let child = current & *bitmap;
            if !child.is_empty() {
                values.push(value.clone());
                walk(&child, rest, values, out);
                values.pop();
            }
        }
    }
}
