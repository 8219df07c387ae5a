//! Server-side clustering in the manner of supercluster: per zoom, from the
//! most detailed level up, each point greedily absorbs its unclaimed
//! neighbours within a radius in screen pixels. Every cluster keeps its
//! counts per continent, family and sector, its bounding box and the zoom at
//! which it splits.

use impactmap_model::{MercPoint, MercRect};

use crate::Selection;
use crate::kd::{self, Positioned};
use crate::records::Record;

/// Clustering parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterOptions {
    /// Cluster radius in pixels of a tile `tile_px` wide.
    pub radius_px: f64,
    /// Tile width in pixels the radius is measured in (512 for MapLibre's vector tiles).
    pub tile_px: f64,
    /// The most detailed zoom that has clusters; above it every organisation stands alone.
    pub max_zoom: u8,
    /// Fewest points that make a cluster.
    pub min_points: u32,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        Self { radius_px: 50.0, tile_px: 512.0, max_zoom: 16, min_points: 2 }
    }
}

/// A point of one level: a lone organisation or a cluster, 16 bytes.
#[derive(Debug, Clone, Copy)]
struct Node {
    /// Position in normalised Web Mercator in units of 2^-32 (a centimetre
    /// at the equator, a sixteenth of a tile pixel at zoom 16 and extent
    /// 4096): half the memory of two `f64`s.
    x: u32,
    y: u32,
    count: u32,
    /// The entry position when `count == 1`, else the cluster's offset in the arena.
    data: u32,
}

/// Units of a [`Node`]'s position per unit of normalised Web Mercator.
const FIXED: f64 = 4_294_967_296.0;

impl Node {
    fn new([x, y]: [f64; 2], count: u32, data: u32) -> Self {
        // Rounded to the nearest unit; `as` saturates, so 1.0 (the
        // antimeridian's east side) stays in range.
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "saturating on purpose, see above"
        )]
        let fixed = |v: f64| (v * FIXED).round() as u32;
        Self { x: fixed(x), y: fixed(y), count, data }
    }
}

impl Positioned<2> for Node {
    fn at(&self) -> [f64; 2] {
        [f64::from(self.x) / FIXED, f64::from(self.y) / FIXED]
    }
}

/// The clusters of every zoom for one selection of organisations; only a
/// [`crate::View`] holds one, with the Atlas and selection it was made from.
#[derive(Debug)]
pub(crate) struct Pyramid {
    /// `levels[z]` for z in `0..=max_zoom`, then the lone points at `max_zoom + 1`;
    /// each level is ordered as a k-d tree.
    levels: Vec<Vec<Node>>,
    /// Per cluster: expansion zoom, bbox (4 × f32, lon/lat), then its
    /// non-zero counts as (dimension, varint) pairs ended by 0xff.
    arena: Vec<u8>,
    dims: [usize; 3],
}

/// One cluster or lone organisation as a tile shows it, its counts read in
/// place from the pyramid.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster<'a> {
    /// Position in normalised Web Mercator.
    pub x: f64,
    /// Position in normalised Web Mercator.
    pub y: f64,
    /// Organisations inside.
    pub count: u32,
    /// Stable within this pyramid: the entry position for a lone
    /// organisation, `2^40 + zoom·2^32 + position` for a cluster.
    pub id: u64,
    /// For a lone organisation, its entry position.
    pub entry: Option<u32>,
    /// The zoom at which the cluster splits (for a lone organisation: none).
    pub expansion_zoom: Option<u8>,
    /// West, south, east, north of its organisations, in degrees.
    pub bbox: [f64; 4],
    counts: CountsIter<'a>,
}

impl Cluster<'_> {
    /// The non-zero counts as (dimension, count), dimensions laid out as
    /// continents, then families, then sectors, in taxonomy order, ascending.
    pub fn counts(&self) -> CountsIter<'_> {
        self.counts.clone()
    }
}

/// The non-zero counts of a [`Cluster`], read in place as they are asked
/// for: from a cluster's stored pairs, or a lone organisation's own record.
#[derive(Debug, Clone, PartialEq)]
pub struct CountsIter<'a>(Reading<'a>);

#[derive(Debug, Clone, PartialEq)]
enum Reading<'a> {
    /// (dimension, varint) pairs ended by 0xff.
    Stored(&'a [u8]),
    /// One each for the continent and the family, then the sector bits left.
    Lone { first: [Option<usize>; 2], sectors: u32, base: usize },
}

impl Iterator for CountsIter<'_> {
    type Item = (usize, u32);

    #[inline]
    fn next(&mut self) -> Option<(usize, u32)> {
        match &mut self.0 {
            Reading::Stored(bytes) => {
                let (&dim, mut rest) = bytes.split_first().filter(|(dim, _)| **dim != 0xff)?;
                let (mut n, mut shift) = (0u32, 0);
                while let Some((&byte, after)) = rest.split_first() {
                    rest = after;
                    n |= u32::from(byte & 0x7f) << shift;
                    shift += 7;
                    if byte < 0x80 {
                        break;
                    }
                }
                *bytes = rest;
                Some((usize::from(dim), n))
            }
            Reading::Lone { first, sectors, base } => {
                if let Some(dim) = first.iter_mut().find_map(Option::take) {
                    return Some((dim, 1));
                }
                let bit = (*sectors != 0).then(|| sectors.trailing_zeros())?;
                *sectors &= *sectors - 1;
                Some((*base + bit as usize, 1))
            }
        }
    }
}

impl Pyramid {
    /// Clusters the selected organisations at every zoom.
    pub(crate) fn build(
        records: &[Record],
        selection: &Selection,
        dims: [usize; 3],
        options: &ClusterOptions,
    ) -> Self {
        let mut points: Vec<Node> = selection
            .iter()
            .map(|i| {
                let p = MercPoint::from_position(records[i as usize].location);
                Node::new([p.x, p.y], 1, i)
            })
            .collect();
        kd::build(&mut points);
        let mut pyramid = Self { levels: Vec::new(), arena: Vec::new(), dims };
        let mut levels = vec![points];
        for zoom in (0..=options.max_zoom).rev() {
            let radius = options.radius_px / (options.tile_px * f64::from(1u32 << zoom));
            let Some(below) = levels.last() else { break };
            let mut level = pyramid.cluster(records, below, zoom, radius, options.min_points);
            kd::build(&mut level);
            levels.push(level);
        }
        levels.reverse();
        pyramid.levels = levels;
        pyramid
    }

    fn total_dims(&self) -> usize {
        self.dims.iter().sum()
    }

    fn cluster(
        &mut self,
        records: &[Record],
        below: &[Node],
        zoom: u8,
        radius: f64,
        min_points: u32,
    ) -> Vec<Node> {
        let mut claimed = vec![false; below.len()];
        let mut level = Vec::new();
        let mut members = Vec::new();
        let mut counts = vec![0u32; self.total_dims()];
        for i in 0..below.len() {
            if claimed[i] {
                continue;
            }
            claimed[i] = true;
            let node = below[i];
            members.clear();
            kd::within(below, node.at(), radius, |j| {
                if !claimed[j] {
                    members.push(j);
                }
            });
            let total: u32 = node.count + members.iter().map(|&j| below[j].count).sum::<u32>();
            if members.is_empty() || total < min_points {
                level.push(node);
                continue;
            }
            counts.fill(0);
            let mut bbox = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
            let (mut wx, mut wy) = (0.0, 0.0);
            for &j in members.iter().chain(std::iter::once(&i)) {
                claimed[j] = true;
                let member = below[j];
                let [x, y] = member.at();
                wx += x * f64::from(member.count);
                wy += y * f64::from(member.count);
                self.add_counts(records, member, &mut counts, &mut bbox);
            }
            let offset = u32::try_from(self.arena.len()).unwrap_or(u32::MAX);
            self.push_cluster(zoom + 1, bbox, &counts);
            level.push(Node::new([wx / f64::from(total), wy / f64::from(total)], total, offset));
        }
        level
    }

    fn add_counts(&self, records: &[Record], node: Node, counts: &mut [u32], bbox: &mut [f64; 4]) {
        if node.count == 1 {
            let e = &records[node.data as usize];
            self.count_entry(e, counts);
            let (lon, lat) = (e.location.lon(), e.location.lat());
            *bbox = [bbox[0].min(lon), bbox[1].min(lat), bbox[2].max(lon), bbox[3].max(lat)];
        } else {
            let (_, child_bbox) = self.add_cluster(node.data, counts);
            *bbox = [
                bbox[0].min(child_bbox[0]),
                bbox[1].min(child_bbox[1]),
                bbox[2].max(child_bbox[2]),
                bbox[3].max(child_bbox[3]),
            ];
        }
    }

    fn push_cluster(&mut self, expansion_zoom: u8, bbox: [f64; 4], counts: &[u32]) {
        self.arena.push(expansion_zoom);
        for (i, v) in bbox.iter().enumerate() {
            // Outward rounding keeps every member inside the stored box.
            #[expect(clippy::cast_possible_truncation, reason = "degrees fit f32; rounded outward")]
            let mut f = *v as f32;
            if i < 2 && f64::from(f) > *v {
                f = f.next_down();
            } else if i >= 2 && f64::from(f) < *v {
                f = f.next_up();
            }
            self.arena.extend_from_slice(&f.to_le_bytes());
        }
        for (dim, &count) in counts.iter().enumerate().filter(|(_, c)| **c > 0) {
            #[expect(
                clippy::cast_possible_truncation,
                reason = "fewer than 255 dimensions, checked when the Atlas is built"
            )]
            self.arena.push(dim as u8);
            let mut n = count;
            while n >= 0x80 {
                #[expect(clippy::cast_possible_truncation, reason = "low 7 bits")]
                self.arena.push((n as u8 & 0x7f) | 0x80);
                n >>= 7;
            }
            #[expect(clippy::cast_possible_truncation, reason = "below 0x80")]
            self.arena.push(n as u8);
        }
        self.arena.push(0xff);
    }

    /// Adds the stored cluster's counts to `counts`; its expansion zoom and bbox.
    fn add_cluster(&self, offset: u32, counts: &mut [u32]) -> (u8, [f64; 4]) {
        let (expansion, bbox, stored) = self.read_cluster(offset);
        for (dim, n) in CountsIter(Reading::Stored(stored)) {
            counts[dim] += n;
        }
        (expansion, bbox)
    }

    /// The stored cluster's expansion zoom, bbox, and the bytes of its counts.
    fn read_cluster(&self, offset: u32) -> (u8, [f64; 4], &[u8]) {
        let mut at = offset as usize;
        let expansion = self.arena[at];
        at += 1;
        let mut bbox = [0.0; 4];
        for v in &mut bbox {
            let bytes: [u8; 4] = self.arena[at..at + 4].try_into().unwrap_or_default();
            *v = f64::from(f32::from_le_bytes(bytes));
            at += 4;
        }
        (expansion, bbox, &self.arena[at..])
    }

    /// The memory the pyramid holds, in bytes.
    pub(crate) fn bytes(&self) -> usize {
        self.levels.iter().map(|l| l.capacity() * std::mem::size_of::<Node>()).sum::<usize>()
            + self.arena.capacity()
    }

    /// The deepest level: zooms above it show the same lone organisations.
    fn points_zoom(&self) -> u8 {
        u8::try_from(self.levels.len().saturating_sub(1)).unwrap_or(u8::MAX)
    }

    /// The clusters and lone organisations of a zoom whose position lies in
    /// the rectangle (it may reach past 0 or 1 at the antimeridian, where the
    /// other side's points are shifted in); `records` are those the pyramid
    /// was built from.
    pub(crate) fn in_rect<'a>(
        &'a self,
        records: &[Record],
        zoom: u8,
        rect: MercRect,
    ) -> Vec<Cluster<'a>> {
        let z = usize::from(zoom.min(self.points_zoom()));
        let level = &self.levels[z];
        let mut out = Vec::new();
        let mut query = |shift: f64, lo_x: f64, hi_x: f64| {
            kd::range(level, [lo_x, rect.min_y], [hi_x, rect.max_y], |i| {
                out.push(self.cluster_at(records, level[i], z, i, shift));
            });
        };
        query(0.0, rect.min_x, rect.max_x);
        if rect.min_x < 0.0 {
            query(-1.0, rect.min_x + 1.0, 1.0);
        }
        if rect.max_x > 1.0 {
            query(1.0, 0.0, rect.max_x - 1.0);
        }
        out
    }

    fn cluster_at(
        &self,
        records: &[Record],
        node: Node,
        zoom: usize,
        position: usize,
        shift: f64,
    ) -> Cluster<'_> {
        let [x, y] = node.at();
        if node.count == 1 {
            let e = &records[node.data as usize];
            let [continents, families, sectors] = self.dims;
            // The record's sector bits, kept to the taxonomy's sectors.
            let valid = u32::MAX
                .checked_shl(u32::try_from(sectors).unwrap_or(u32::MAX))
                .map_or(u32::MAX, |high| !high);
            let counts = CountsIter(Reading::Lone {
                first: [Some(usize::from(e.continent)), Some(continents + usize::from(e.family))],
                sectors: e.sectors & valid,
                base: continents + families,
            });
            let bbox = [e.location.lon(), e.location.lat(), e.location.lon(), e.location.lat()];
            Cluster {
                x: x + shift,
                y,
                count: 1,
                id: u64::from(node.data),
                entry: Some(node.data),
                expansion_zoom: None,
                bbox,
                counts,
            }
        } else {
            let (expansion, bbox, stored) = self.read_cluster(node.data);
            let counts = CountsIter(Reading::Stored(stored));
            let id = (1u64 << 40) + ((zoom as u64) << 32) + position as u64;
            Cluster {
                x: x + shift,
                y,
                count: node.count,
                id,
                entry: None,
                expansion_zoom: Some(expansion),
                bbox,
                counts,
            }
        }
    }

    /// Adds one organisation to counts laid out as continents, families, sectors.
    fn count_entry(&self, e: &Record, counts: &mut [u32]) {
        counts[usize::from(e.continent)] += 1;
        counts[self.dims[0] + usize::from(e.family)] += 1;
        for bit in 0..self.dims[2] {
            if e.sectors & (1 << bit) != 0 {
                counts[self.dims[0] + self.dims[1] + bit] += 1;
            }
        }
    }
}
