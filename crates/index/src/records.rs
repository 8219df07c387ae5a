//! The entries of an Atlas as stored: 40-byte records sorted by id, their
//! ids, names and towns one after another in a single text buffer.

use impactmap_model::{CountryCode, Facet, LonLat, OrgId, SdgSet, TermKey};

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
    /// Where it stands.
    pub location: LonLat,
    /// Generated sample data, not a real organisation.
    pub sample: bool,
}

/// An entry as stored, 40 bytes: its id, name and town follow each other in
/// the text buffer, from `text`, so a million of them cost no allocation each.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Record {
    pub(crate) location: LonLat,
    text: u32,
    pub(crate) sectors: u32,
    pub(crate) sdgs: SdgSet,
    name_len: u16,
    city_len: u16,
    pub(crate) country: CountryCode,
    pub(crate) continent: u8,
    pub(crate) family: u8,
    id_len: u8,
    sample: bool,
}

/// One value per facet of the taxonomy, read by [`Facet`] rather than by
/// position.
#[derive(Debug, Clone, Default)]
pub(crate) struct PerFacet<T> {
    pub(crate) continent: T,
    pub(crate) family: T,
    pub(crate) sector: T,
}

impl<T> PerFacet<T> {
    pub(crate) fn new(mut make: impl FnMut(Facet) -> T) -> Self {
        Self {
            continent: make(Facet::Continent),
            family: make(Facet::Family),
            sector: make(Facet::Sector),
        }
    }

    pub(crate) fn get(&self, facet: Facet) -> &T {
        match facet {
            Facet::Continent => &self.continent,
            Facet::Family => &self.family,
            Facet::Sector => &self.sector,
        }
    }
}

/// Every record, sorted by id, and the text buffer they point into.
#[derive(Debug, Default)]
pub(crate) struct Records {
    list: Vec<Record>,
    texts: String,
    /// How many are sample organisations.
    samples: u32,
}

impl Records {
    /// Appends an organisation; keys the taxonomy does not know count as its
    /// facet's first term, and each text is cut (at a character) to what its
    /// length field holds, far past what validation lets through.
    ///
    /// # Panics
    /// When the texts of all records together pass 4 GiB.
    pub(crate) fn push(
        &mut self,
        listing: &impactmap_model::Listing,
        keys: &PerFacet<Vec<TermKey>>,
    ) {
        let position = |facet: Facet, key: &TermKey| keys.get(facet).iter().position(|k| k == key);
        let sectors = listing
            .sectors
            .iter()
            .filter_map(|s| position(Facet::Sector, s))
            .fold(0u32, |bits, i| bits | (1 << i));
        let text = u32::try_from(self.texts.len())
            .expect("an Atlas holds at most 4 GiB of ids, names and towns");
        let id = clipped(listing.id.as_str(), u8::MAX.into());
        let (name, city) =
            (clipped(&listing.name, u16::MAX.into()), clipped(&listing.city, u16::MAX.into()));
        for part in [id, name, city] {
            self.texts.push_str(part);
        }
        #[expect(
            clippy::cast_possible_truncation,
            reason = "positions checked below 256 in Atlas::builder, texts clipped above"
        )]
        self.list.push(Record {
            continent: position(Facet::Continent, &listing.continent).unwrap_or(0) as u8,
            family: position(Facet::Family, &listing.family).unwrap_or(0) as u8,
            sectors,
            text,
            id_len: id.len() as u8,
            name_len: name.len() as u16,
            city_len: city.len() as u16,
            country: listing.country,
            sdgs: listing.sdgs,
            location: listing.location,
            sample: listing.sample,
        });
        self.samples += u32::from(listing.sample);
    }

    /// The records in id order, their memory trimmed to what they hold.
    pub(crate) fn finish(mut self) -> Self {
        self.list.shrink_to_fit();
        self.texts.shrink_to_fit();
        let texts = &self.texts;
        let list = sorted_by_bytes(self.list, |r| id_of(texts, r).as_bytes());
        Self { list, texts: self.texts, samples: self.samples }
    }

    pub(crate) fn len(&self) -> u32 {
        u32::try_from(self.list.len()).unwrap_or(u32::MAX)
    }

    pub(crate) fn samples(&self) -> u32 {
        self.samples
    }

    pub(crate) fn all(&self) -> &[Record] {
        &self.list
    }

    /// The record at a position.
    ///
    /// # Panics
    /// When there is none.
    pub(crate) fn get(&self, index: u32) -> &Record {
        &self.list[index as usize]
    }

    /// The entry at a position, its texts borrowed from the buffer.
    ///
    /// # Panics
    /// When there is none.
    pub(crate) fn entry(&self, index: u32) -> Entry<'_> {
        let r = self.get(index);
        let id_end = r.text as usize + usize::from(r.id_len);
        let name_end = id_end + usize::from(r.name_len);
        Entry {
            id: &self.texts[r.text as usize..id_end],
            name: &self.texts[id_end..name_end],
            city: &self.texts[name_end..name_end + usize::from(r.city_len)],
            country: r.country,
            continent: r.continent,
            family: r.family,
            sectors: r.sectors,
            sdgs: r.sdgs,
            location: r.location,
            sample: r.sample,
        }
    }

    /// The position of the record with an id.
    pub(crate) fn find(&self, id: &OrgId) -> Option<u32> {
        let index = self.list.binary_search_by(|r| id_of(&self.texts, r).cmp(id.as_str())).ok()?;
        u32::try_from(index).ok()
    }
}

/// A record's id alone, for sorting and finding by id.
fn id_of<'t>(texts: &'t str, r: &Record) -> &'t str {
    &texts[r.text as usize..r.text as usize + usize::from(r.id_len)]
}

/// The longest start of `text` of at most `max` bytes that ends at a character.
fn clipped(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
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
    let mut order: Vec<(u64, usize)> =
        items.iter().enumerate().map(|(i, item)| (prefix(item), i)).collect();
    order.sort_unstable_by(|a, b| {
        a.0.cmp(&b.0).then_with(|| key(&items[a.1]).cmp(key(&items[b.1])))
    });
    order.iter().map(|&(_, i)| items[i]).collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use impactmap_model::{CountryCode, Listing, LonLat, OrgId, SdgSet, TermKey};
    use proptest::prelude::*;

    use super::{PerFacet, Records};

    /// A one-term taxonomy's keys, and a listing of it at a point.
    pub(crate) fn listing(
        id: &str,
        name: String,
        city: &str,
        lon: f64,
        lat: f64,
    ) -> (Listing, PerFacet<Vec<TermKey>>) {
        let keys = PerFacet::new(|_| vec![TermKey::try_from("x".to_owned()).unwrap()]);
        let listing = Listing {
            id: OrgId::parse(id).unwrap(),
            name,
            city: city.into(),
            country: CountryCode::parse("SN").unwrap(),
            continent: keys.continent[0].clone(),
            family: keys.family[0].clone(),
            sectors: Vec::new(),
            sdgs: SdgSet::default(),
            location: LonLat::new(lon, lat).unwrap(),
            sample: false,
        };
        (listing, keys)
    }

    /// A million records cost 40 MB: the sample flag lives in what was padding.
    #[test]
    fn a_record_is_forty_bytes() {
        assert_eq!(std::mem::size_of::<super::Record>(), 40);
    }

    /// A text longer than its length field is cut at the last whole character that fits.
    #[test]
    fn long_texts_are_cut_at_a_character() {
        let (listing, keys) = listing("a-b", "é".repeat(40_000), "Dakar", -17.4, 14.7);
        let mut records = Records::default();
        records.push(&listing, &keys);
        let e = records.entry(0);
        assert_eq!((e.id, e.name.len(), e.city), ("a-b", 65_534, "Dakar"));
        assert_eq!(records.texts, format!("a-b{}Dakar", "é".repeat(32_767)));
        assert_eq!(super::clipped("aé", 2), "a");
        assert_eq!(super::clipped("aé", 3), "aé");
    }

    proptest! {
        /// Ids sharing long prefixes, of every length, with and without
        /// trailing zero bytes, come out as a plain sort orders them.
        #[test]
        fn sorting_by_prefix_then_whole_key_is_a_plain_sort(
            keys in proptest::collection::vec(
                proptest::collection::vec(prop_oneof![Just(0u8), Just(b'a'), Just(b'b')], 0..12),
                0..200,
            ),
        ) {
            let mut want = keys.clone();
            want.sort();
            let order = super::sorted_by_bytes((0..keys.len()).collect(), |&i| keys[i].as_slice());
            prop_assert_eq!(order.into_iter().map(|i| keys[i].clone()).collect::<Vec<_>>(), want);
        }
    }
}
