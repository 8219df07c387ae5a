use rustc_hash::FxHashMap;

use crate::protobuf::{self, FIXED32, FIXED64, LEN, VARINT};

/// A property value of a feature.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PropertyValue<'a> {
    /// A string.
    Str(&'a str),
    /// An unsigned integer (counts, zooms).
    Uint(u64),
    /// A signed integer.
    Int(i64),
    /// A double.
    Double(f64),
    /// A single-precision float: half the bytes of a double.
    Float(f32),
    /// A boolean.
    Bool(bool),
}

/// One MVT layer, built feature by feature. Keys and values are
/// deduplicated as they come; `clear` keeps the buffers for the next tile.
#[derive(Debug)]
pub struct Layer {
    name: String,
    extent: u32,
    features: Vec<u8>,
    count: usize,
    keys: Vec<u8>,
    key_count: u32,
    /// Keys given as strings; declared keys keep their index in `declared`.
    key_index: FxHashMap<String, u32>,
    values: Vec<u8>,
    value_count: u32,
    strings: FxHashMap<String, u32>,
    numbers: FxHashMap<(u8, u64), u32>,
    /// Floats apart: clusters' bboxes, four a cluster, are most of the numbers.
    floats: FxHashMap<u32, u32>,
    /// Value index of each small unsigned integer seen (`u32::MAX`: not yet).
    small_uints: Vec<u32>,
    /// The small integers seen in this tile, to forget them on `clear`.
    small_seen: Vec<u16>,
    /// Value index of `false` and `true` (`u32::MAX`: not yet).
    bools: [u32; 2],
    /// Declared keys, with their index in this tile's table once a feature used them.
    declared: Vec<(String, Option<u32>)>,
    declared_slots: FxHashMap<String, u32>,
    /// Which layer this is, so that a key declared for another is caught.
    identity: u32,
    tags: Vec<u8>,
    geometry: Vec<u8>,
}

/// Unsigned integers below this are looked up in an array, not a hash map.
const SMALL_UINTS: usize = 1024;

/// A key declared with [`Layer::declare_key`], for that layer only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyId {
    slot: u32,
    layer: u32,
}

/// Gives each layer its identity.
static LAYERS_MADE: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// A property key: a string, looked up in the layer's key table, or a
/// [`KeyId`] declared once per tile and found without hashing.
pub trait PropertyKey: Copy {
    /// The key's index in the layer's key table, added on first use.
    fn index_in(self, layer: &mut Layer) -> u32;
}

impl PropertyKey for &str {
    fn index_in(self, layer: &mut Layer) -> u32 {
        layer.key(self)
    }
}

impl PropertyKey for KeyId {
    #[inline]
    fn index_in(self, layer: &mut Layer) -> u32 {
        assert_eq!(self.layer, layer.identity, "a KeyId declared for another layer");
        match layer.declared[self.slot as usize].1 {
            Some(index) => index,
            None => layer.first_use(self.slot as usize),
        }
    }
}

const POINT: u64 = 1;
const POLYGON: u64 = 3;

impl Layer {
    /// An empty layer called `name`, with `extent` units across a tile.
    pub fn new(name: &str, extent: u32) -> Self {
        Self {
            name: name.to_owned(),
            extent,
            features: Vec::new(),
            count: 0,
            keys: Vec::new(),
            key_count: 0,
            key_index: FxHashMap::default(),
            values: Vec::new(),
            value_count: 0,
            strings: FxHashMap::default(),
            numbers: FxHashMap::default(),
            floats: FxHashMap::default(),
            small_uints: vec![u32::MAX; SMALL_UINTS],
            small_seen: Vec::new(),
            bools: [u32::MAX; 2],
            declared: Vec::new(),
            declared_slots: FxHashMap::default(),
            identity: LAYERS_MADE.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            tags: Vec::new(),
            geometry: Vec::new(),
        }
    }

    /// Empties the layer, keeping its buffers.
    pub fn clear(&mut self) {
        for &n in &self.small_seen {
            self.small_uints[usize::from(n)] = u32::MAX;
        }
        self.small_seen.clear();
        self.bools = [u32::MAX; 2];
        self.features.clear();
        self.count = 0;
        self.keys.clear();
        self.key_count = 0;
        self.key_index.clear();
        self.values.clear();
        self.value_count = 0;
        self.strings.clear();
        self.numbers.clear();
        self.floats.clear();
        for declared in &mut self.declared {
            declared.1 = None;
        }
    }

    /// Declares a key: properties given by the returned id skip the key
    /// table's hashing. It enters a tile's table only when a feature of that
    /// tile uses it. Declarations outlive [`Layer::clear`]; declaring a key
    /// again returns the same id.
    pub fn declare_key(&mut self, key: &str) -> KeyId {
        let layer = self.identity;
        if let Some(&slot) = self.declared_slots.get(key) {
            return KeyId { slot, layer };
        }
        let slot = u32::try_from(self.declared.len()).unwrap_or(u32::MAX);
        self.declared.push((key.to_owned(), None));
        self.declared_slots.insert(key.to_owned(), slot);
        KeyId { slot, layer }
    }

    /// Features added so far.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether no feature was added.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Adds a point at (`x`, `y`) in tile units, with an optional id and properties.
    pub fn add_point<K: PropertyKey>(
        &mut self,
        id: Option<u64>,
        x: i32,
        y: i32,
        properties: &[(K, PropertyValue<'_>)],
    ) {
        let mut geometry = [0u8; 15];
        let len = {
            let mut cursor = ArrayWriter { buf: &mut geometry, len: 0 };
            cursor.varint(9); // MoveTo, one point
            cursor.varint(u64::from(protobuf::zigzag(x)));
            cursor.varint(u64::from(protobuf::zigzag(y)));
            cursor.len
        };
        self.add_feature(id, POINT, &geometry[..len], properties);
    }

    /// Adds a polygon given as rings in tile units, exterior rings wound
    /// with positive area (clockwise on screen) and holes negative, without
    /// the closing point; rings of fewer than three points are skipped.
    pub fn add_polygon<K: PropertyKey>(
        &mut self,
        id: Option<u64>,
        rings: &[Vec<(i32, i32)>],
        properties: &[(K, PropertyValue<'_>)],
    ) {
        let mut geometry = std::mem::take(&mut self.geometry);
        geometry.clear();
        let (mut cx, mut cy) = (0i32, 0i32);
        for ring in rings.iter().filter(|r| r.len() >= 3) {
            let command = |id: u32, count: usize| u64::from(id) | (count as u64) << 3;
            protobuf::varint(&mut geometry, command(1, 1));
            protobuf::varint(&mut geometry, u64::from(protobuf::zigzag(ring[0].0 - cx)));
            protobuf::varint(&mut geometry, u64::from(protobuf::zigzag(ring[0].1 - cy)));
            (cx, cy) = ring[0];
            protobuf::varint(&mut geometry, command(2, ring.len() - 1));
            for &(x, y) in &ring[1..] {
                protobuf::varint(&mut geometry, u64::from(protobuf::zigzag(x - cx)));
                protobuf::varint(&mut geometry, u64::from(protobuf::zigzag(y - cy)));
                (cx, cy) = (x, y);
            }
            protobuf::varint(&mut geometry, command(7, 1));
        }
        if !geometry.is_empty() {
            self.add_feature(id, POLYGON, &geometry, properties);
        }
        self.geometry = geometry;
    }

    fn add_feature<K: PropertyKey>(
        &mut self,
        id: Option<u64>,
        kind: u64,
        geometry: &[u8],
        properties: &[(K, PropertyValue<'_>)],
    ) {
        let mut tags = std::mem::take(&mut self.tags);
        tags.clear();
        for &(key, value) in properties {
            let k = key.index_in(self);
            let v = self.value(value);
            protobuf::varint(&mut tags, u64::from(k));
            protobuf::varint(&mut tags, u64::from(v));
        }
        self.tags = tags;
        // Written straight into the layer, its length reckoned first.
        let id_len = id.map_or(0, |id| 1 + protobuf::varint_len(id));
        let tags_len = if self.tags.is_empty() { 0 } else { protobuf::bytes_len(self.tags.len()) };
        // The geometry type takes two bytes: its key and a kind below 0x80.
        let length = id_len + tags_len + 2 + protobuf::bytes_len(geometry.len());
        let feature = &mut self.features;
        protobuf::key(feature, 2, LEN);
        protobuf::varint(feature, length as u64);
        if let Some(id) = id {
            protobuf::key(feature, 1, VARINT);
            protobuf::varint(feature, id);
        }
        if !self.tags.is_empty() {
            protobuf::bytes(feature, 2, &self.tags);
        }
        protobuf::key(feature, 3, VARINT);
        protobuf::varint(feature, kind);
        protobuf::bytes(feature, 4, geometry);
        self.count += 1;
    }

    /// A declared key's first use in this tile: enters it in the key table.
    #[cold]
    fn first_use(&mut self, slot: usize) -> u32 {
        protobuf::bytes(&mut self.keys, 3, self.declared[slot].0.as_bytes());
        let index = self.key_count;
        self.key_count += 1;
        self.declared[slot].1 = Some(index);
        index
    }

    /// A key given as a string; a declared one is found in its slot, so that
    /// the table holds each key once however it is given.
    fn key(&mut self, key: &str) -> u32 {
        if let Some(&index) = self.key_index.get(key) {
            return index;
        }
        if let Some(&slot) = self.declared_slots.get(key) {
            return KeyId { slot, layer: self.identity }.index_in(self);
        }
        protobuf::bytes(&mut self.keys, 3, key.as_bytes());
        let index = self.key_count;
        self.key_count += 1;
        self.key_index.insert(key.to_owned(), index);
        index
    }

    /// The value's index in the tile's table. A small integer seen before in
    /// this tile (most of a cluster's counts) is found here, inlined into the
    /// feature's loop; anything else goes to [`Layer::enter_value`].
    #[inline]
    fn value(&mut self, value: PropertyValue<'_>) -> u32 {
        if let PropertyValue::Uint(n) = value
            && let Some(&index) = self.small_uints.get(usize::try_from(n).unwrap_or(usize::MAX))
            && index != u32::MAX
        {
            return index;
        }
        self.enter_value(value)
    }

    /// Finds a value [`Layer::value`] did not, or enters it in the table.
    #[inline(never)]
    fn enter_value(&mut self, value: PropertyValue<'_>) -> u32 {
        let next = self.value_count;
        let (index, fresh) = match value {
            PropertyValue::Str(s) => match self.strings.get(s) {
                Some(&i) => (i, false),
                None => {
                    self.strings.insert(s.to_owned(), next);
                    (next, true)
                }
            },
            PropertyValue::Uint(n) if n < SMALL_UINTS as u64 => {
                #[expect(
                    clippy::cast_possible_truncation,
                    reason = "below SMALL_UINTS, which fits in u16"
                )]
                let n = n as u16;
                let slot = &mut self.small_uints[usize::from(n)];
                if *slot == u32::MAX {
                    *slot = next;
                    self.small_seen.push(n);
                    (next, true)
                } else {
                    (*slot, false)
                }
            }
            PropertyValue::Uint(n) => number_slot(&mut self.numbers, 0, n, next),
            #[expect(clippy::cast_sign_loss, reason = "the bits are the key")]
            PropertyValue::Int(n) => number_slot(&mut self.numbers, 1, n as u64, next),
            PropertyValue::Double(d) => number_slot(&mut self.numbers, 2, d.to_bits(), next),
            PropertyValue::Float(f) => {
                let index = *self.floats.entry(f.to_bits()).or_insert(next);
                (index, index == next)
            }
            PropertyValue::Bool(b) => {
                let slot = &mut self.bools[usize::from(b)];
                if *slot == u32::MAX {
                    *slot = next;
                    (next, true)
                } else {
                    (*slot, false)
                }
            }
        };
        if fresh {
            // A Value message, written straight into the layer, its length reckoned first.
            let values = &mut self.values;
            protobuf::key(values, 4, LEN);
            match value {
                PropertyValue::Str(s) => {
                    protobuf::varint(values, protobuf::bytes_len(s.len()) as u64);
                    protobuf::bytes(values, 1, s.as_bytes());
                }
                PropertyValue::Float(f) => {
                    protobuf::varint(values, 5);
                    protobuf::key(values, 2, FIXED32);
                    values.extend_from_slice(&f.to_le_bytes());
                }
                PropertyValue::Double(d) => {
                    protobuf::varint(values, 9);
                    protobuf::key(values, 3, FIXED64);
                    values.extend_from_slice(&d.to_le_bytes());
                }
                PropertyValue::Int(n) => {
                    #[expect(clippy::cast_sign_loss, reason = "zigzag of a sint64")]
                    let zigzag = ((n << 1) ^ (n >> 63)) as u64;
                    protobuf::varint(values, (1 + protobuf::varint_len(zigzag)) as u64);
                    protobuf::key(values, 6, VARINT);
                    protobuf::varint(values, zigzag);
                }
                PropertyValue::Uint(n) => {
                    protobuf::varint(values, (1 + protobuf::varint_len(n)) as u64);
                    protobuf::key(values, 5, VARINT);
                    protobuf::varint(values, n);
                }
                PropertyValue::Bool(b) => {
                    protobuf::varint(values, 2);
                    protobuf::key(values, 7, VARINT);
                    protobuf::varint(values, u64::from(b));
                }
            }
            self.value_count += 1;
        }
        index
    }

    /// Appends the layer as field 3 of a Tile message.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        let length = 2
            + protobuf::bytes_len(self.name.len())
            + self.features.len()
            + self.keys.len()
            + self.values.len()
            + 1
            + protobuf::varint_len(u64::from(self.extent));
        out.reserve(length + 1 + protobuf::varint_len(length as u64));
        protobuf::key(out, 3, LEN);
        protobuf::varint(out, length as u64);
        protobuf::key(out, 15, VARINT);
        protobuf::varint(out, 2);
        protobuf::bytes(out, 1, self.name.as_bytes());
        out.extend_from_slice(&self.features);
        out.extend_from_slice(&self.keys);
        out.extend_from_slice(&self.values);
        protobuf::key(out, 5, VARINT);
        protobuf::varint(out, u64::from(self.extent));
    }
}

/// The value index of a number, and whether it is new (one hash either way).
fn number_slot(map: &mut FxHashMap<(u8, u64), u32>, kind: u8, bits: u64, next: u32) -> (u32, bool) {
    let index = *map.entry((kind, bits)).or_insert(next);
    (index, index == next)
}

/// Varints into a fixed array: a point's geometry is at most 15 bytes.
struct ArrayWriter<'a> {
    buf: &'a mut [u8; 15],
    len: usize,
}

impl ArrayWriter<'_> {
    fn varint(&mut self, mut value: u64) {
        while value >= 0x80 {
            #[expect(clippy::cast_possible_truncation, reason = "the low 7 bits, masked")]
            let byte = (value as u8 & 0x7f) | 0x80;
            self.buf[self.len] = byte;
            self.len += 1;
            value >>= 7;
        }
        #[expect(clippy::cast_possible_truncation, reason = "below 0x80 here")]
        let byte = value as u8;
        self.buf[self.len] = byte;
        self.len += 1;
    }
}

/// A Tile message holding the non-empty layers, in order.
pub fn encode_tile(layers: &[&Layer]) -> Vec<u8> {
    let mut out = Vec::new();
    for layer in layers.iter().filter(|l| !l.is_empty()) {
        layer.write_to(&mut out);
    }
    out
}
