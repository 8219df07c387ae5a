//! Counts per H3 cell (h3o), per resolution, for the selection of a view:
//! coarse resolutions built on first use and kept with the view, finer ones
//! counted per call.

use std::sync::OnceLock;

use h3o::{CellIndex, LatLng, Resolution};
use impactmap_model::{MercPoint, MercRect, merc_y_to_lat};

use crate::kd::{self, Positioned};
use crate::records::{Record, Records};

/// The finest resolution the Atlas keeps a cell of every organisation at.
pub const H3_MAX_RES: u8 = 10;

/// The finest resolution whose counts are kept with a view. Finer ones
/// hold about a bin per organisation (90–120 MB each at 1M): tiles count
/// them from the organisations near the tile, and the API per request.
pub const H3_KEPT_RES: u8 = 5;

/// Mean edge length of an H3 cell per resolution, in kilometres (H3's tables).
const EDGE_KM: [f64; 11] =
    [1107.71, 418.68, 158.24, 59.81, 22.61, 8.54, 3.23, 1.22, 0.461, 0.174, 0.0659];

/// The cell of a position at [`H3_MAX_RES`], as its 64-bit index.
fn finest_cell(lon: f64, lat: f64) -> u64 {
    LatLng::new(lat, lon).map_or(0, |ll| u64::from(ll.to_cell(Resolution::Ten)))
}

/// Each entry's cell at [`H3_MAX_RES`], found on first use: the counts of
/// every resolution are made from them.
#[derive(Debug, Default)]
pub(crate) struct Cells(OnceLock<Vec<u64>>);

impl Cells {
    /// Counts per cell at `res` of the entries given, and per each of
    /// `sectors` sectors.
    pub(crate) fn bins(
        &self,
        records: &Records,
        entries: impl IntoIterator<Item = u32>,
        res: u8,
        sectors: usize,
    ) -> H3Bins {
        let cells = self.0.get_or_init(|| {
            records.all().iter().map(|r| finest_cell(r.location.lon(), r.location.lat())).collect()
        });
        H3Bins::build(records.all(), cells, entries, res, sectors)
    }
}

/// One non-empty cell.
#[derive(Debug, Clone)]
pub struct H3Bin {
    /// The H3 index.
    pub cell: u64,
    /// Centre in normalised Web Mercator.
    x: f64,
    y: f64,
    /// Organisations in the cell.
    pub count: u32,
    /// Offset of its per-sector counts in [`H3Bins::sector_counts`].
    sectors_at: usize,
}

impl Positioned<2> for H3Bin {
    fn at(&self) -> [f64; 2] {
        [self.x, self.y]
    }
}

/// The non-empty cells of one resolution.
#[derive(Debug)]
pub struct H3Bins {
    res: u8,
    bins: Vec<H3Bin>,
    sectors: usize,
    sector_counts: Vec<u32>,
}

impl H3Bins {
    /// Counts the entries given (positions in `records`, whose cells at
    /// [`H3_MAX_RES`] are `cells`) per cell at `res`, and per each of
    /// `sectors` sectors; each cell a slot in flat arrays as it is first met
    /// (no allocation per cell).
    pub(crate) fn build(
        records: &[Record],
        cells: &[u64],
        entries: impl IntoIterator<Item = u32>,
        res: u8,
        sectors: usize,
    ) -> Self {
        let resolution = Resolution::try_from(res.min(H3_MAX_RES)).unwrap_or(Resolution::Zero);
        let mut slots: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
        let mut bins: Vec<H3Bin> = Vec::new();
        let mut sector_counts: Vec<u32> = Vec::new();
        for i in entries {
            let Some(cell) =
                CellIndex::try_from(cells[i as usize]).ok().and_then(|c| c.parent(resolution))
            else {
                continue;
            };
            let slot = *slots.entry(u64::from(cell)).or_insert_with(|| {
                let centre = LatLng::from(cell);
                let centre = MercPoint::from_lon_lat(centre.lng(), centre.lat());
                bins.push(H3Bin {
                    cell: u64::from(cell),
                    x: centre.x,
                    y: centre.y,
                    count: 0,
                    sectors_at: sector_counts.len(),
                });
                sector_counts.resize(sector_counts.len() + sectors, 0);
                bins.len() - 1
            });
            let bin = &mut bins[slot];
            bin.count += 1;
            let sector_bits = records[i as usize].sectors;
            for (bit, n) in
                sector_counts[bin.sectors_at..bin.sectors_at + sectors].iter_mut().enumerate()
            {
                *n += (sector_bits >> bit) & 1;
            }
        }
        kd::build(&mut bins);
        Self { res, bins, sectors, sector_counts }
    }

    /// How far from a rectangle (in normalised Web Mercator) the centre of
    /// a cell reaching into it may lie: a cell reaches about two edges from
    /// its centre, and Mercator stretches by 1/cos(lat).
    pub(crate) fn margin(res: u8, rect: MercRect) -> f64 {
        let widest = merc_y_to_lat(rect.min_y).abs().max(merc_y_to_lat(rect.max_y).abs()).min(85.0);
        2.5 * EDGE_KM[usize::from(res.min(H3_MAX_RES))] / 40_075.0 / widest.to_radians().cos()
    }

    /// How far on the ground the organisations of a cell that reaches into
    /// a rectangle may lie from it: the centre within `margin` (2.5
    /// mean edges), a member up to 2.5 more from its centre (H3 cells are
    /// up to about twice the mean size).
    pub fn reach_km(res: u8) -> f64 {
        5.0 * EDGE_KM[usize::from(res.min(H3_MAX_RES))]
    }

    /// The bins that may reach into a rectangle of normalised Web Mercator,
    /// as bins of their own.
    pub(crate) fn near(&self, rect: MercRect) -> Self {
        let margin = Self::margin(self.res, rect);
        let mut bins = Vec::new();
        let mut sector_counts = Vec::new();
        kd::range(
            &self.bins,
            [rect.min_x - margin, rect.min_y - margin],
            [rect.max_x + margin, rect.max_y + margin],
            |i| {
                let bin = &self.bins[i];
                bins.push(H3Bin { sectors_at: sector_counts.len(), ..bin.clone() });
                sector_counts.extend_from_slice(self.sector_counts(bin));
            },
        );
        Self { res: self.res, bins, sectors: self.sectors, sector_counts }
    }

    /// How many sectors each bin counts.
    pub fn sectors(&self) -> usize {
        self.sectors
    }

    /// The resolution.
    pub fn res(&self) -> u8 {
        self.res
    }

    /// Every non-empty cell.
    pub fn bins(&self) -> &[H3Bin] {
        &self.bins
    }

    /// A bin's counts per sector, in taxonomy order.
    pub fn sector_counts(&self, bin: &H3Bin) -> &[u32] {
        &self.sector_counts[bin.sectors_at..bin.sectors_at + self.sectors]
    }

    /// A cell's outline, in degrees (longitude, latitude).
    pub fn boundary(cell: u64) -> Vec<(f64, f64)> {
        CellIndex::try_from(cell)
            .map(|c| c.boundary().iter().map(|ll| (ll.lng(), ll.lat())).collect())
            .unwrap_or_default()
    }
}
