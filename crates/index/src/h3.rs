//! Counts per H3 cell (h3o), per resolution, for the selection of a
//! pyramid: built on first use, then kept with the pyramid.

use h3o::{CellIndex, LatLng, Resolution};
use impactmap_model::MercPoint;

use crate::kd::{self, Positioned};
use crate::{Atlas, Selection};

/// The finest resolution the Atlas keeps a cell of every organisation at.
pub const H3_MAX_RES: u8 = 10;

/// Mean edge length of an H3 cell per resolution, in kilometres (H3's tables).
const EDGE_KM: [f64; 11] = [1107.71, 418.68, 158.24, 59.81, 22.61, 8.54, 3.23, 1.22, 0.461, 0.174, 0.0659];

/// The cell of a position at [`H3_MAX_RES`], as its 64-bit index.
pub(crate) fn finest_cell(lon: f64, lat: f64) -> u64 {
    LatLng::new(lat, lon).map_or(0, |ll| u64::from(ll.to_cell(Resolution::Ten)))
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
    pub(crate) fn build(atlas: &Atlas, cells: &[u64], selection: &Selection, res: u8) -> Self {
        let resolution = Resolution::try_from(res.min(H3_MAX_RES)).unwrap_or(Resolution::Zero);
        let sectors = atlas.keys(impactmap_model::Facet::Sector).len();
        let mut by_cell: std::collections::HashMap<u64, (u32, Vec<u32>)> = std::collections::HashMap::new();
        for i in selection {
            let Some(cell) = CellIndex::try_from(cells[i as usize]).ok().and_then(|c| c.parent(resolution)) else { continue };
            let entry = by_cell.entry(u64::from(cell)).or_insert_with(|| (0, vec![0; sectors]));
            entry.0 += 1;
            let bits = atlas.records()[i as usize].sectors;
            for (bit, n) in entry.1.iter_mut().enumerate() {
                if bits & (1 << bit) != 0 {
                    *n += 1;
                }
            }
        }
        let mut cells: Vec<(u64, (u32, Vec<u32>))> = by_cell.into_iter().collect();
        cells.sort_unstable_by_key(|(cell, _)| *cell);
        let mut sector_counts = Vec::with_capacity(cells.len() * sectors);
        let mut bins = Vec::with_capacity(cells.len());
        for (cell, (count, per_sector)) in cells {
            let centre = CellIndex::try_from(cell)
                .map(LatLng::from)
                .map_or(MercPoint { x: 0.0, y: 0.0 }, |ll| MercPoint::from_lon_lat(ll.lng(), ll.lat()));
            bins.push(H3Bin { cell, x: centre.x, y: centre.y, count, sectors_at: sector_counts.len() });
            sector_counts.extend(per_sector);
        }
        kd::build(&mut bins);
        Self { res, bins, sectors, sector_counts }
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

    /// The cells that may reach into a rectangle of normalised Web Mercator.
    pub fn near_rect(&self, min_x: f64, min_y: f64, max_x: f64, max_y: f64) -> Vec<&H3Bin> {
        // A cell reaches about two edges from its centre; Mercator stretches by 1/cos(lat).
        let lat = |y: f64| (std::f64::consts::PI * (1.0 - 2.0 * y)).sinh().atan();
        let widest = lat(min_y).abs().max(lat(max_y).abs()).min(85f64.to_radians());
        let margin = 2.5 * EDGE_KM[usize::from(self.res.min(H3_MAX_RES))] / 40_075.0 / widest.cos();
        let mut out = Vec::new();
        kd::range(&self.bins, [min_x - margin, min_y - margin], [max_x + margin, max_y + margin], |i| out.push(&self.bins[i]));
        out
    }

    /// A cell's outline, in degrees (longitude, latitude).
    pub fn boundary(cell: u64) -> Vec<(f64, f64)> {
        CellIndex::try_from(cell).map(|c| c.boundary().iter().map(|ll| (ll.lng(), ll.lat())).collect()).unwrap_or_default()
    }
}
