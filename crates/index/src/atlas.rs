use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use impactmap_model::{CountryCode, Facet, Listing, LonLat, OrgId, SdgSet, Taxonomy, TermKey, fold};
use roaring::RoaringBitmap;

use crate::cluster::{ClusterOptions, Pyramid};
use crate::h3::{H3Bins, finest_cell};
use crate::kd::{self, Positioned};
use crate::search::{WordIndex, words};
use crate::sphere::{between_m, chord, enclosing_box, unit_vector};
use crate::stats::StatsFacet;
use crate::{BBox, Filter, IndexError, Selection};

/// Pyramids kept for filtered views at most (the open view's is kept apart).
const FILTERED_PYRAMIDS: usize = 32;

/// How to build an Atlas.
#[derive(Debug, Clone)]
pub struct AtlasOptions {
    /// Clustering parameters.
    pub clusters: ClusterOptions,
    /// Memory for the pyramids of filtered views, in bytes: the oldest are
    /// let go past it, the newest always kept. At 1M organisations a broad
    /// filter's pyramid takes some 35 MB.
    pub filtered_pyramid_bytes: usize,
}

impl Default for AtlasOptions {
    fn default() -> Self {
        Self { clusters: ClusterOptions::default(), filtered_pyramid_bytes: 128 << 20 }
    }
}

/// One organisation as the Atlas shows it: what maps, lists and queries read.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    /// Public id.
    pub id: &'a str,
    /// Name.
    pub name: &'a str,
    /// Town.
    pub city: &'a str,
    /// Country.
    pub country: CountryCode,
    /// Position of the continent among the taxonomy's continents.
    pub continent: u8,
    /// Position of the family among the taxonomy's families.
    pub family: u8,
    /// Bit n set for the taxonomy's n-th sector.
    pub sectors: u32,
    /// Goals.
    pub sdgs: SdgSet,
    /// Position.
    pub at: LonLat,
}

/// An entry as stored, 40 bytes: its id, name and town follow each other in
/// the Atlas's one text buffer, from `text`, so a million of them cost no
/// allocation each.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Record {
    pub(crate) at: LonLat,
    text: u32,
    pub(crate) sectors: u32,
    sdgs: SdgSet,
    name_len: u16,
    city_len: u16,
    country: CountryCode,
    pub(crate) continent: u8,
    pub(crate) family: u8,
    id_len: u8,
}

/// The ids, names and towns of every record, one after another.
#[derive(Debug, Default)]
pub(crate) struct Texts(String);

impl Texts {
    /// Appends a record's texts; each is cut (at a character) to what its
    /// length field holds, far past what validation lets through.
    ///
    /// # Panics
    /// When the texts of all records together pass 4 GiB.
    fn push(&mut self, id: &str, name: &str, city: &str) -> (u32, u8, u16, u16) {
        let start = u32::try_from(self.0.len()).expect("an Atlas holds at most 4 GiB of ids, names and towns");
        let (id, name, city) = (clipped(id, u8::MAX.into()), clipped(name, u16::MAX.into()), clipped(city, u16::MAX.into()));
        for part in [id, name, city] {
            self.0.push_str(part);
        }
        #[expect(clippy::cast_possible_truncation, reason = "clipped to fit above")]
        (start, id.len() as u8, name.len() as u16, city.len() as u16)
    }

    /// A record's id alone, for sorting and finding by id.
    fn id(&self, r: &Record) -> &str {
        &self.0[r.text as usize..r.text as usize + usize::from(r.id_len)]
    }

    /// A record's id, name and town.
    fn of(&self, r: &Record) -> (&str, &str, &str) {
        let id_end = r.text as usize + usize::from(r.id_len);
        let name_end = id_end + usize::from(r.name_len);
        (&self.0[r.text as usize..id_end], &self.0[id_end..name_end], &self.0[name_end..name_end + usize::from(r.city_len)])
    }
}

/// The longest start of `text` of at most `max` bytes that ends at a character.
fn clipped(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// A proximity result: an entry and its great-circle distance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// Position of the entry in the Atlas.
    pub index: u32,
    /// Haversine distance in metres on the WGS84 mean radius.
    pub distance_m: f64,
}

/// An entry's position as a unit vector, for exact queries on the sphere;
/// kept in a flat k-d tree, 32 bytes each.
#[derive(Debug, Clone, Copy)]
struct Point3 {
    v: [f64; 3],
    index: u32,
}

impl Positioned<3> for Point3 {
    fn at(&self) -> [f64; 3] {
        self.v
    }
}

/// Turns listings into compact entries as they come; see [`Atlas::builder`].
#[derive(Debug)]
pub struct AtlasBuilder {
    keys: [Vec<TermKey>; 3],
    options: AtlasOptions,
    records: Vec<Record>,
    texts: Texts,
}

impl AtlasBuilder {
    /// Adds one organisation; keys the taxonomy does not know count as its first term.
    pub fn push(&mut self, listing: &Listing) {
        let position = |facet: usize, key: &TermKey| self.keys[facet].iter().position(|k| k == key);
        let sectors = listing.sectors.iter().filter_map(|s| position(2, s)).fold(0u32, |bits, i| bits | (1 << i));
        let (text, id_len, name_len, city_len) = self.texts.push(listing.id.as_str(), &listing.name, &listing.city);
        #[expect(clippy::cast_possible_truncation, reason = "positions checked below 256 in Atlas::builder")]
        let (continent, family) = (position(0, &listing.continent).unwrap_or(0) as u8, position(1, &listing.family).unwrap_or(0) as u8);
        self.records.push(Record {
            continent,
            family,
            sectors,
            text,
            id_len,
            name_len,
            city_len,
            country: listing.country,
            sdgs: listing.sdgs,
            at: listing.location,
        });
    }

    /// Builds the Atlas; `generation` tells snapshots apart (ETags use it).
    pub fn finish(self, generation: u64) -> Atlas {
        Atlas::from_records(self.records, self.texts, self.keys, self.options, generation)
    }
}

/// An immutable snapshot of every published organisation.
#[derive(Debug)]
pub struct Atlas {
    generation: u64,
    records: Vec<Record>,
    texts: Texts,
    /// Each entry's H3 cell at the finest resolution kept, made on first use.
    cells: std::sync::OnceLock<Vec<u64>>,
    tree: Vec<Point3>,
    continents: Vec<RoaringBitmap>,
    families: Vec<RoaringBitmap>,
    sectors: Vec<RoaringBitmap>,
    sdgs: Vec<RoaringBitmap>,
    countries: HashMap<CountryCode, RoaringBitmap>,
    keys: [Vec<TermKey>; 3],
    options: AtlasOptions,
    open_pyramid: Arc<Pyramid>,
    filtered: Mutex<Vec<(Filter, Arc<Pyramid>)>>,
    words: std::sync::OnceLock<WordIndex>,
}

impl Atlas {
    /// Builds the Atlas in one pass; `generation` tells snapshots apart (ETags use it).
    ///
    /// # Panics
    /// As [`Atlas::builder`].
    pub fn build(listings: impl IntoIterator<Item = Listing>, taxonomy: &Taxonomy, options: AtlasOptions, generation: u64) -> Self {
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
            [Facet::Continent, Facet::Family, Facet::Sector].map(|f| taxonomy.terms(f).iter().map(|t| t.key.clone()).collect::<Vec<_>>());
        assert!(keys[2].len() <= 32 && keys[0].len() < 256 && keys[1].len() < 256, "taxonomy too large for the Atlas's bitsets");
        AtlasBuilder { keys, options, records: Vec::new(), texts: Texts::default() }
    }

    fn from_records(mut records: Vec<Record>, mut texts: Texts, keys: [Vec<TermKey>; 3], options: AtlasOptions, generation: u64) -> Self {
        records.shrink_to_fit();
        texts.0.shrink_to_fit();
        let records = sorted_by_bytes(records, |r| texts.id(r).as_bytes());

        // The cluster pyramid takes longest; the facet bitmaps and the k-d tree
        // are made beside it on a second thread.
        let (open_pyramid, (facets, tree)) = std::thread::scope(|scope| {
            let facets = scope.spawn(|| FacetBitmaps::build(&records, &keys));
            let pyramid = Pyramid::build(&records, &Selection::All(len_u32(&records)), keys.each_ref().map(Vec::len), &options.clusters);
            (Arc::new(pyramid), facets.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
        });
        let FacetBitmaps { continents, families, sectors, sdgs, countries } = facets;
        Self {
            generation,
            tree,
            records,
            texts,
            cells: std::sync::OnceLock::new(),
            continents,
            families,
            sectors,
            sdgs,
            countries,
            keys,
            options,
            open_pyramid,
            filtered: Mutex::new(Vec::new()),
            words: std::sync::OnceLock::new(),
        }
    }

    /// Which snapshot this is.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// How many organisations.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The entry at a position.
    ///
    /// # Panics
    /// When there is no entry at `index`.
    pub fn entry(&self, index: u32) -> Entry<'_> {
        let r = &self.records[index as usize];
        let (id, name, city) = self.texts.of(r);
        Entry { id, name, city, country: r.country, continent: r.continent, family: r.family, sectors: r.sectors, sdgs: r.sdgs, at: r.at }
    }

    /// Where the entry at `index` stands, read without its texts (scans
    /// that need only positions stay out of the text buffer).
    ///
    /// # Panics
    /// When there is no entry at `index`.
    pub fn location(&self, index: u32) -> LonLat {
        self.records[index as usize].at
    }

    /// The entry with an id, and its position.
    pub fn find(&self, id: &OrgId) -> Option<(u32, Entry<'_>)> {
        let index = u32::try_from(self.records.binary_search_by(|r| self.texts.id(r).cmp(id.as_str())).ok()?).ok()?;
        Some((index, self.entry(index)))
    }

    /// The stored records, for the pyramid and the other indexes built from them.
    pub(crate) fn records(&self) -> &[Record] {
        &self.records
    }

    /// The keys of a facet's terms, in the order entries refer to them.
    pub fn keys(&self, facet: Facet) -> &[TermKey] {
        match facet {
            Facet::Continent => &self.keys[0],
            Facet::Family => &self.keys[1],
            Facet::Sector => &self.keys[2],
        }
    }

    /// The entries a filter selects.
    ///
    /// # Errors
    /// [`IndexError::UnknownValue`] for a key, goal or country the Atlas does not know.
    pub fn select(&self, filter: &Filter) -> Result<Selection, IndexError> {
        if filter.is_open() {
            return Ok(Selection::All(len_u32(&self.records)));
        }
        let mut result: Option<RoaringBitmap> = None;
        let mut and = |bits: RoaringBitmap| {
            result = Some(match result.take() {
                Some(r) => r & bits,
                None => bits,
            });
        };
        for (facet, field, wanted) in
            [(0, "continent", &filter.continents), (1, "family", &filter.families), (2, "sector", &filter.sectors)]
        {
            if wanted.is_empty() {
                continue;
            }
            let mut any = RoaringBitmap::new();
            for key in wanted {
                let position = self.keys[facet]
                    .iter()
                    .position(|k| k == key)
                    .ok_or_else(|| IndexError::UnknownValue { facet: field, value: key.to_string() })?;
                let bitmap = [&self.continents, &self.families, &self.sectors][facet];
                any |= &bitmap[position];
            }
            and(any);
        }
        if !filter.sdgs.is_empty() {
            let mut any = RoaringBitmap::new();
            for &goal in &filter.sdgs {
                let bitmap = self
                    .sdgs
                    .get(goal as usize)
                    .filter(|_| goal >= 1)
                    .ok_or_else(|| IndexError::UnknownValue { facet: "sdg", value: goal.to_string() })?;
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
        let mut selected = result.unwrap_or_else(|| (0..len_u32(&self.records)).collect());
        if let Some(text) = filter.text.as_deref().filter(|t| !t.is_empty()) {
            let words: Vec<String> = text.split_whitespace().map(fold).filter(|w| !w.is_empty()).collect();
            selected = selected
                .iter()
                .filter(|&i| {
                    let e = self.entry(i);
                    let haystack = format!("{}|{}|{}", fold(e.name), fold(e.city), e.country.as_str().to_ascii_lowercase());
                    words.iter().all(|w| haystack.contains(w.as_str()))
                })
                .collect();
        }
        Ok(Selection::Some(selected))
    }

    /// The cluster pyramid of a filtered view, built on first use and kept
    /// for the most recent filters.
    ///
    /// # Errors
    /// As [`Atlas::select`].
    pub fn pyramid(&self, filter: &Filter) -> Result<Arc<Pyramid>, IndexError> {
        if filter.is_open() {
            return Ok(self.open_pyramid.clone());
        }
        let filter = filter.clone().canonical();
        if let Some((_, p)) = self.filtered.lock().unwrap_or_else(std::sync::PoisonError::into_inner).iter().find(|(f, _)| *f == filter) {
            return Ok(p.clone());
        }
        let selection = self.select(&filter)?;
        let pyramid = Arc::new(Pyramid::build(&self.records, &selection, self.keys.each_ref().map(Vec::len), &self.options.clusters));
        let mut cache = self.filtered.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        cache.push((filter, pyramid.clone()));
        let mut bytes: usize = cache.iter().map(|(_, p)| p.bytes()).sum();
        while cache.len() > 1 && (cache.len() > FILTERED_PYRAMIDS || bytes > self.options.filtered_pyramid_bytes) {
            bytes -= cache.remove(0).1.bytes();
        }
        Ok(pyramid)
    }

    /// Counts per H3 cell at a resolution (0 to [`crate::H3_MAX_RES`]) for a
    /// pyramid's selection: up to [`crate::H3_KEPT_RES`] built on first use
    /// and kept with the pyramid, finer ones counted for this call.
    pub fn h3(&self, pyramid: &Pyramid, res: u8) -> Arc<H3Bins> {
        let build = || Arc::new(H3Bins::build(self, self.cells(), pyramid.selection(), res));
        if res <= crate::H3_KEPT_RES { pyramid.h3_slot(res).get_or_init(build).clone() } else { build() }
    }

    /// Counts per H3 cell at a resolution for a pyramid's selection, of the
    /// cells that may reach into a rectangle of normalised Web Mercator (a
    /// tile's). A resolution finer than [`crate::H3_KEPT_RES`] is counted from
    /// the selected entries near the rectangle: every entry of a cell that
    /// reaches into it lies within [`H3Bins::reach_km`] of it.
    pub fn h3_near(&self, pyramid: &Pyramid, res: u8, min_x: f64, min_y: f64, max_x: f64, max_y: f64) -> H3Bins {
        if res <= crate::H3_KEPT_RES {
            return self.h3(pyramid, res).near(min_x, min_y, max_x, max_y);
        }
        let around = mercator_box(min_x, min_y, max_x, max_y, H3Bins::reach_km(res));
        H3Bins::build(self, self.cells(), self.bbox(&around, pyramid.selection()), res).near(min_x, min_y, max_x, max_y)
    }

    /// Each entry's cell at [`crate::H3_MAX_RES`], found on first use.
    fn cells(&self) -> &[u64] {
        self.cells.get_or_init(|| self.records.iter().map(|e| finest_cell(e.at.lon(), e.at.lat())).collect())
    }

    /// The selected entries whose name or town has a word starting with
    /// each word of `query` (accents, case and punctuation ignored), or that
    /// lie in the country a word names (`country_of`), best first: whole
    /// words over prefixes, names over towns and countries, then id order.
    /// The word index is built on the first search.
    pub fn search(&self, query: &str, selection: &Selection, limit: usize, country_of: impl Fn(&str) -> Option<CountryCode>) -> Vec<u32> {
        let wanted: Vec<String> = words(query).collect();
        if wanted.is_empty() || limit == 0 {
            return Vec::new();
        }
        let index = self.words.get_or_init(|| WordIndex::build(self));
        let mut found: Option<RoaringBitmap> = None;
        for word in &wanted {
            let mut bits = index.prefixed(word);
            if let Some(country) = country_of(word).and_then(|c| self.countries.get(&c)) {
                bits |= country;
            }
            found = Some(match found {
                Some(f) => f & bits,
                None => bits,
            });
        }
        // A country of several words ("Afrique du Sud") is named by the whole query.
        let mut found = found.unwrap_or_default();
        if let Some(country) = country_of(query).and_then(|c| self.countries.get(&c)) {
            found |= country;
        }
        let mut scored: Vec<(u32, u32)> = found
            .iter()
            .filter(|&i| selection.contains(i))
            .map(|i| {
                let e = self.entry(i);
                let name: Vec<String> = words(e.name).collect();
                let city: Vec<String> = words(e.city).collect();
                let score = wanted
                    .iter()
                    .map(|w| {
                        if name.iter().any(|n| n == w) {
                            4
                        } else if name.iter().any(|n| n.starts_with(w.as_str())) {
                            3
                        } else if city.iter().any(|c| c == w) {
                            2
                        } else {
                            1
                        }
                    })
                    .sum::<u32>()
                    + u32::from(name.first() == wanted.first());
                (score, i)
            })
            .collect();
        scored.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.into_iter().take(limit).map(|(_, i)| i).collect()
    }

    /// The values of a facet, sorted, each with its entries.
    pub(crate) fn facet_values(&self, facet: StatsFacet) -> Vec<(String, &RoaringBitmap)> {
        let mut values: Vec<(String, &RoaringBitmap)> = match facet {
            StatsFacet::Continent => self.keys[0].iter().map(ToString::to_string).zip(&self.continents).collect(),
            StatsFacet::Family => self.keys[1].iter().map(ToString::to_string).zip(&self.families).collect(),
            StatsFacet::Sector => self.keys[2].iter().map(ToString::to_string).zip(&self.sectors).collect(),
            StatsFacet::Sdg => (1..=17).map(|g: usize| (g.to_string(), &self.sdgs[g])).collect(),
            StatsFacet::Country => self.countries.iter().map(|(code, bits)| (code.to_string(), bits)).collect(),
        };
        if facet == StatsFacet::Sdg {
            return values;
        }
        values.sort_by(|a, b| a.0.cmp(&b.0));
        values
    }

    /// How many selected organisations are in a country.
    pub fn count_in_country(&self, code: CountryCode, selection: &Selection) -> u64 {
        match (self.countries.get(&code), selection) {
            (None, _) => 0,
            (Some(bits), Selection::All(_)) => bits.len(),
            (Some(bits), Selection::Some(selected)) => bits.intersection_len(selected),
        }
    }

    /// The selected entries inside a box, in id order.
    pub fn bbox(&self, bbox: &BBox, selection: &Selection) -> Vec<u32> {
        let mut found = Vec::new();
        for (west, south, east, north) in bbox.parts() {
            let (lower, upper) = enclosing_box(west, south, east, north);
            kd::range(&self.tree, lower, upper, |t| {
                let i = self.tree[t].index;
                let at = self.records[i as usize].at;
                if selection.contains(i) && bbox.contains(at.lon(), at.lat()) {
                    found.push(i);
                }
            });
        }
        found.sort_unstable();
        found.dedup();
        found
    }

    /// The selected entries nearest to `at`: within `radius_m` when given,
    /// at most `k` when given, sorted by distance then id.
    ///
    /// # Errors
    /// [`IndexError::BadQuery`] when neither a radius nor `k` is given, or the radius is negative or not finite.
    pub fn near(&self, at: LonLat, radius_m: Option<f64>, k: Option<usize>, selection: &Selection) -> Result<Vec<Hit>, IndexError> {
        if radius_m.is_none() && k.is_none() {
            return Err(IndexError::BadQuery { parameter: "radius_km", message: "give a radius, k, or both".into() });
        }
        if k == Some(0) {
            return Ok(Vec::new());
        }
        if let Some(r) = radius_m.filter(|r| !r.is_finite() || *r < 0.0) {
            return Err(IndexError::BadQuery { parameter: "radius_km", message: format!("{r} is not a distance") });
        }
        let centre = unit_vector(at.lon(), at.lat());
        // A hit as one number that sorts by distance, then id (distances are
        // never negative, so their bits order as they do): sorting thousands
        // of them is the larger part of a wide radius query.
        let hit = |point: &Point3| (u128::from(between_m(centre, point.v).to_bits()) << 32) | u128::from(point.index);
        #[expect(clippy::cast_possible_truncation, reason = "the two halves of a hit's number")]
        let split = |key: u128| Hit { index: key as u32, distance_m: f64::from_bits((key >> 32) as u64) };
        let within = |key: &u128| radius_m.is_none_or(|r| split(*key).distance_m <= r);
        let mut hits: Vec<u128> = match (radius_m, k) {
            (Some(r), None) => {
                let mut hits = Vec::new();
                kd::within(&self.tree, centre, chord(r) + 1e-9, |t| {
                    let point = &self.tree[t];
                    if selection.contains(point.index) {
                        hits.push(hit(point));
                    }
                });
                hits.retain(within);
                hits
            }
            (radius, Some(k)) => {
                let limit = radius.map(|r| chord(r) + 1e-9);
                let mut hits = Vec::new();
                let mut kth_chord = f64::INFINITY;
                kd::nearest(&self.tree, centre, |t, d2| {
                    let d = d2.sqrt();
                    if limit.is_some_and(|l| d > l) || d > kth_chord + 1e-12 {
                        return false;
                    }
                    let point = &self.tree[t];
                    if selection.contains(point.index) {
                        hits.push(hit(point));
                        if hits.len() == k {
                            // Ties with the k-th are still read, then cut by id.
                            kth_chord = d;
                        }
                    }
                    true
                });
                hits.retain(within);
                hits
            }
            (None, None) => unreachable!("refused above"),
        };
        hits.sort_unstable();
        hits.truncate(k.unwrap_or(usize::MAX));
        Ok(hits.into_iter().map(split).collect())
    }
}

fn len_u32<T>(items: &[T]) -> u32 {
    u32::try_from(items.len()).unwrap_or(u32::MAX)
}

/// Items in the order of their keys. Records arrive from the store in id
/// order, which is checked first; otherwise the keys' first eight bytes, read
/// as a big-endian number, order nearly all pairs and the whole keys break
/// the rare ties, so the keys are rarely followed into the text.
fn sorted_by_bytes<'k, T: Copy>(items: Vec<T>, key: impl Fn(&T) -> &'k [u8]) -> Vec<T> {
    if items.is_sorted_by(|a, b| key(a) <= key(b)) {
        return items;
    }
    let prefix = |item: &T| {
        let mut bytes = [0u8; 8];
        let key = key(item);
        let n = key.len().min(8);
        bytes[..n].copy_from_slice(&key[..n]);
        u64::from_be_bytes(bytes)
    };
    let mut order: Vec<(u64, usize)> = items.iter().enumerate().map(|(i, item)| (prefix(item), i)).collect();
    order.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| key(&items[a.1]).cmp(key(&items[b.1]))));
    order.iter().map(|&(_, i)| items[i]).collect()
}

/// Per facet value, the positions of the entries that have it.
struct FacetBitmaps {
    continents: Vec<RoaringBitmap>,
    families: Vec<RoaringBitmap>,
    sectors: Vec<RoaringBitmap>,
    sdgs: Vec<RoaringBitmap>,
    countries: HashMap<CountryCode, RoaringBitmap>,
}

impl FacetBitmaps {
    /// The bitmaps of entries sorted by id, and the k-d tree of their unit vectors.
    fn build(entries: &[Record], keys: &[Vec<TermKey>; 3]) -> (Self, Vec<Point3>) {
        let bitmaps = |n: usize| vec![RoaringBitmap::new(); n];
        let mut facets = Self {
            continents: bitmaps(keys[0].len()),
            families: bitmaps(keys[1].len()),
            sectors: bitmaps(keys[2].len()),
            sdgs: bitmaps(18),
            countries: HashMap::new(),
        };
        let mut points = Vec::with_capacity(entries.len());
        for (index, e) in (0u32..).zip(entries) {
            // Positions rise, so every bitmap is appended to (`push`), never searched.
            facets.continents[usize::from(e.continent)].try_push(index).ok();
            facets.families[usize::from(e.family)].try_push(index).ok();
            let mut bits = e.sectors;
            while bits != 0 {
                facets.sectors[bits.trailing_zeros() as usize].try_push(index).ok();
                bits &= bits - 1;
            }
            for goal in e.sdgs.goals() {
                facets.sdgs[goal as usize].try_push(index).ok();
            }
            facets.countries.entry(e.country).or_default().try_push(index).ok();
            points.push(Point3 { v: unit_vector(e.at.lon(), e.at.lat()), index });
        }
        kd::build(&mut points);
        (facets, points)
    }
}

/// The box of longitudes and latitudes that holds a rectangle of normalised
/// Web Mercator and every point within `reach_km` of it (on the ground, so
/// the box widens towards the poles): wrapped across the antimeridian, the
/// whole world's longitudes when it is that wide or touches a pole, to the
/// pole when the rectangle reaches the map's edge (points past 85° are drawn
/// on it).
fn mercator_box(min_x: f64, min_y: f64, max_x: f64, max_y: f64, reach_km: f64) -> BBox {
    let lat = impactmap_model::merc_y_to_lat;
    let reach_lat = reach_km / 111.0;
    let north = if min_y <= 0.0 { 90.0 } else { (lat(min_y) + reach_lat).min(90.0) };
    let south = if max_y >= 1.0 { -90.0 } else { (lat(max_y) - reach_lat).max(-90.0) };
    let poleward = north.abs().max(south.abs());
    let reach_lon = if poleward >= 89.9 { 360.0 } else { reach_km / (111.0 * poleward.to_radians().cos()) };
    let (west, east) = if (max_x - min_x) * 360.0 + 2.0 * reach_lon >= 360.0 {
        (-180.0, 180.0)
    } else {
        let lon = |degrees: f64| (degrees + 180.0).rem_euclid(360.0) - 180.0;
        (lon(min_x * 360.0 - 180.0 - reach_lon), lon(max_x * 360.0 - 180.0 + reach_lon))
    };
    BBox::new(west, south, east, north).unwrap_or_else(|_| BBox::world())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    /// A text longer than its length field is cut at the last whole character that fits.
    #[test]
    fn long_texts_are_cut_at_a_character() {
        let mut texts = super::Texts::default();
        let name = "é".repeat(40_000);
        let (start, id_len, name_len, city_len) = texts.push("a-b", &name, "Dakar");
        assert_eq!((start, id_len, usize::from(name_len), city_len), (0, 3, 65_534, 5));
        assert_eq!(texts.0, format!("a-b{}Dakar", "é".repeat(32_767)));
        assert_eq!(super::clipped("aé", 2), "a");
        assert_eq!(super::clipped("aé", 3), "aé");
    }

    proptest! {
        /// Ids sharing long prefixes, of every length, with and without
        /// trailing zero bytes, come out as a plain sort orders them.
        #[test]
        fn sorting_by_prefix_then_whole_key_is_a_plain_sort(keys in proptest::collection::vec(proptest::collection::vec(prop_oneof![Just(0u8), Just(b'a'), Just(b'b')], 0..12), 0..200)) {
            let mut want = keys.clone();
            want.sort();
            let order = super::sorted_by_bytes((0..keys.len()).collect(), |&i| keys[i].as_slice());
            prop_assert_eq!(order.into_iter().map(|i| keys[i].clone()).collect::<Vec<_>>(), want);
        }
    }
}
