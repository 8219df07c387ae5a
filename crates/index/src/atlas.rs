//! The façade: an [`Atlas`] holds its parts and hands each question to the
//! module that answers it.

use std::sync::OnceLock;

use impactmap_model::{CountryCode, Facet, Listing, LonLat, OrgId, Taxonomy, TermKey};
use roaring::RoaringBitmap;

use crate::cluster::ClusterOptions;
use crate::facets::FacetBitmaps;
use crate::h3::Cells;
use crate::points::Points;
use crate::records::{PerFacet, Records};
use crate::search::{WordIndex, ranked};
use crate::stats::{self, StatsFacet, StatsRow};
use crate::view::{Selected, Views};
use crate::{BBox, Entry, Filter, Hit, IndexError, Selection, TextQuery, View};

/// How to build an Atlas.
#[derive(Debug, Clone)]
pub struct AtlasOptions {
    /// Clustering parameters.
    pub clusters: ClusterOptions,
    /// Memory for the views of filters, in bytes: the oldest are let go past
    /// it, the newest always kept. At 1M organisations a broad filter's view
    /// takes some 35 MB.
    pub filtered_view_bytes: usize,
}

impl Default for AtlasOptions {
    fn default() -> Self {
        Self { clusters: ClusterOptions::default(), filtered_view_bytes: 128 << 20 }
    }
}

/// Turns listings into compact entries as they come; see [`Atlas::builder`].
#[derive(Debug)]
pub struct AtlasBuilder {
    keys: PerFacet<Vec<TermKey>>,
    options: AtlasOptions,
    records: Records,
}

impl AtlasBuilder {
    /// Adds one organisation; keys the taxonomy does not know count as its
    /// facet's first term.
    pub fn push(&mut self, listing: &Listing) {
        self.records.push(listing, &self.keys);
    }

    /// Builds the Atlas; `generation` tells snapshots apart (ETags use it).
    pub fn finish(self, generation: u64) -> Atlas {
        let records = self.records.finish();
        let dims = [Facet::Continent, Facet::Family, Facet::Sector].map(|f| self.keys.get(f).len());
        let keys = self.keys;
        // The open view's cluster pyramid takes longest; the facet bitmaps
        // and the k-d tree are made beside it on a second thread.
        let (open, (facets, points)) = std::thread::scope(|scope| {
            let others =
                scope.spawn(|| (FacetBitmaps::build(&records, keys), Points::build(&records)));
            let open = Selected::build(
                &records,
                Selection::All(records.len()),
                dims,
                &self.options.clusters,
            );
            (open, others.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
        });
        Atlas {
            generation,
            views: Views::new(open, self.options.filtered_view_bytes),
            records,
            points,
            facets,
            cells: Cells::default(),
            words: OnceLock::new(),
            options: self.options,
        }
    }
}

/// An immutable snapshot of every published organisation.
#[derive(Debug)]
pub struct Atlas {
    generation: u64,
    records: Records,
    points: Points,
    facets: FacetBitmaps,
    /// Each entry's H3 cell at [`crate::H3_MAX_RES`], made on first use.
    cells: Cells,
    /// The words of names and towns, made on the first text query.
    words: OnceLock<WordIndex>,
    views: Views,
    options: AtlasOptions,
}

impl Atlas {
    /// Builds the Atlas in one pass; `generation` tells snapshots apart (ETags use it).
    ///
    /// # Panics
    /// As [`Atlas::builder`].
    pub fn build(
        listings: impl IntoIterator<Item = Listing>,
        taxonomy: &Taxonomy,
        options: AtlasOptions,
        generation: u64,
    ) -> Self {
        let mut builder = Self::builder(taxonomy, options);
        for listing in listings {
            builder.push(&listing);
        }
        builder.finish(generation)
    }

    /// A builder to feed listings one at a time, so that a million of them
    /// never sit in memory beside the Atlas being made.
    ///
    /// # Panics
    /// If the taxonomy has more than 32 sectors or 255 families or continents
    /// (the shipped one has 16, 11 and 6).
    pub fn builder(taxonomy: &Taxonomy, options: AtlasOptions) -> AtlasBuilder {
        let keys =
            PerFacet::new(|f| taxonomy.terms(f).iter().map(|t| t.key.clone()).collect::<Vec<_>>());
        assert!(
            keys.sector.len() <= 32 && keys.continent.len() < 256 && keys.family.len() < 256,
            "taxonomy too large for the Atlas's bitsets"
        );
        AtlasBuilder { keys, options, records: Records::default() }
    }

    /// Which snapshot this is.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// How many organisations.
    pub fn len(&self) -> usize {
        self.records.all().len()
    }

    /// How many are generated sample organisations, not real ones.
    pub fn sample_count(&self) -> u32 {
        self.records.samples()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.records.all().is_empty()
    }

    /// The entry at a position.
    ///
    /// # Panics
    /// When there is no entry at `index`.
    pub fn entry(&self, index: u32) -> Entry<'_> {
        self.records.entry(index)
    }

    /// Where the entry at `index` stands, read without its texts (scans
    /// that need only positions stay out of the text buffer).
    ///
    /// # Panics
    /// When there is no entry at `index`.
    pub fn location(&self, index: u32) -> LonLat {
        self.records.get(index).location
    }

    /// The entry with an id, and its position.
    pub fn find(&self, id: &OrgId) -> Option<(u32, Entry<'_>)> {
        self.records.find(id).map(|index| (index, self.entry(index)))
    }

    /// The keys of a facet's terms, in the order entries refer to them.
    pub fn keys(&self, facet: Facet) -> &[TermKey] {
        self.facets.keys(facet)
    }

    /// The entries a filter selects.
    ///
    /// # Errors
    /// [`IndexError::UnknownValue`] for a key or goal the Atlas does not know.
    pub fn select(&self, filter: &Filter) -> Result<Selection, IndexError> {
        if filter.is_open() {
            return Ok(Selection::All(self.records.len()));
        }
        let by_facets = self.facets.select(filter)?;
        let selected = match (by_facets, filter.text.is_empty()) {
            (Some(bits), true) => bits,
            (Some(bits), false) => bits & self.matching(&filter.text),
            (None, _) => self.matching(&filter.text),
        };
        Ok(Selection::Some(selected))
    }

    /// The view of a filter: its selection, clusters and H3 counts, made on
    /// first use and kept within [`AtlasOptions::filtered_view_bytes`].
    ///
    /// # Errors
    /// As [`Atlas::select`].
    pub fn view(&self, filter: &Filter) -> Result<View<'_>, IndexError> {
        let filter = filter.clone().canonical();
        let dims = [Facet::Continent, Facet::Family, Facet::Sector].map(|f| self.keys(f).len());
        let selected = self.views.get(&filter, || {
            Ok(Selected::build(&self.records, self.select(&filter)?, dims, &self.options.clusters))
        })?;
        Ok(View::new(&self.records, &self.points, &self.facets, &self.cells, selected))
    }

    /// The selected entries a query matches (each word starting a word of
    /// the name or town, or naming the country: as [`Filter::text`]), best
    /// first: whole words over prefixes, names over towns and countries,
    /// then id order.
    pub fn search(&self, query: &TextQuery, selection: &Selection, limit: usize) -> Vec<u32> {
        if query.is_empty() || limit == 0 {
            return Vec::new();
        }
        ranked(&self.records, query, &self.matching(query), selection, limit)
    }

    /// The selected entries inside a box, in id order.
    pub fn bbox(&self, bbox: &BBox, selection: &Selection) -> Vec<u32> {
        self.points.in_box(bbox, &self.records, selection)
    }

    /// The selected entries nearest to `centre`: within `radius_m` metres
    /// when given, at most `k` when given, sorted by distance then id.
    ///
    /// # Errors
    /// [`IndexError::BadQuery`] when neither a radius nor `k` is given, or
    /// the radius is negative or not finite.
    pub fn near(
        &self,
        centre: LonLat,
        radius_m: Option<f64>,
        k: Option<usize>,
        selection: &Selection,
    ) -> Result<Vec<Hit>, IndexError> {
        self.points.near(centre, radius_m, k, selection)
    }

    /// How many selected organisations are in a country.
    pub fn count_in_country(&self, code: CountryCode, selection: &Selection) -> u64 {
        self.facets.count_in_country(code, selection)
    }

    /// Counts for every non-empty combination of the facets' values, ordered
    /// by value; a multi-valued facet counts an organisation once per value.
    pub fn stats(&self, selection: &Selection, by: &[StatsFacet]) -> Vec<StatsRow> {
        stats::rows(&self.facets, selection, by)
    }

    /// The entries a text query matches, the word index built on first use.
    fn matching(&self, query: &TextQuery) -> RoaringBitmap {
        self.words
            .get_or_init(|| WordIndex::build(&self.records))
            .matching(query, self.facets.countries())
    }
}
