//! Country polygons as a basemap layer: projected once, simplified once per
//! zoom, then clipped to each tile and wound as MVT 2.1 asks.

use geo::{BoundingRect, MultiPolygon, Simplify};
use impactmap_model::{CountryCode, MercPoint};

use crate::TileCoord;
use crate::clip::ring_in_tile;

/// The deepest zoom with its own simplification; deeper tiles use it.
pub const BASEMAP_MAX_ZOOM: u8 = 10;

/// Rings in normalised Web Mercator; the first of each polygon is its exterior.
type Polygons = Vec<Vec<Vec<(f64, f64)>>>;

/// A country's rings in tile units, exteriors with positive area, holes negative.
pub type TileRings = Vec<Vec<(i32, i32)>>;

#[derive(Debug)]
struct Country {
    code: CountryCode,
    bounds: [f64; 4],
    /// `by_zoom[z]` for z in `0..=BASEMAP_MAX_ZOOM`.
    by_zoom: Vec<Polygons>,
}

/// Every country's outline, ready to cut into tiles.
#[derive(Debug)]
pub struct Basemap {
    countries: Vec<Country>,
}

impl Basemap {
    /// Projects and simplifies country outlines given in degrees.
    pub fn new<'a>(outlines: impl IntoIterator<Item = (CountryCode, &'a MultiPolygon)>) -> Self {
        let countries = outlines
            .into_iter()
            .map(|(code, polygon)| {
                let by_zoom = (0..=BASEMAP_MAX_ZOOM)
                    .map(|z| {
                        // A pixel of a 512-px tile at this zoom, in degrees at the equator:
                        // finer detail is not drawn, only sent and tessellated; islands
                        // smaller than that are left out at this zoom.
                        let epsilon = 360.0 / (512.0 * f64::from(1u32 << z));
                        let visible = polygon
                            .simplify(epsilon)
                            .into_iter()
                            .filter(|p| {
                                p.bounding_rect()
                                    .is_some_and(|r| r.width().max(r.height()) >= epsilon)
                            })
                            .collect::<MultiPolygon>();
                        project(&visible)
                    })
                    .collect::<Vec<_>>();
                let mut bounds =
                    [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
                for &(x, y) in by_zoom[usize::from(BASEMAP_MAX_ZOOM)].iter().flatten().flatten() {
                    bounds =
                        [bounds[0].min(x), bounds[1].min(y), bounds[2].max(x), bounds[3].max(y)];
                }
                Country { code, bounds, by_zoom }
            })
            .collect();
        Self { countries }
    }

    /// The countries that reach into the tile (with `buffer` units of margin),
    /// each as rings in tile units: exteriors with positive area, holes negative.
    pub fn in_tile(
        &self,
        tile: TileCoord,
        extent: u32,
        buffer: u32,
    ) -> Vec<(CountryCode, TileRings)> {
        let b = tile.buffered_bounds(extent, buffer);
        let level = usize::from(tile.z().min(BASEMAP_MAX_ZOOM));
        let mut out = Vec::new();
        for country in self.countries.iter().filter(|c| {
            c.bounds[0] <= b.max_x
                && c.bounds[2] >= b.min_x
                && c.bounds[1] <= b.max_y
                && c.bounds[3] >= b.min_y
        }) {
            let mut rings = Vec::new();
            for polygon in &country.by_zoom[level] {
                for (index, ring) in polygon.iter().enumerate() {
                    rings.extend(ring_in_tile(ring, tile, extent, buffer, index == 0));
                }
            }
            if !rings.is_empty() {
                out.push((country.code, rings));
            }
        }
        out
    }
}

fn project(polygon: &MultiPolygon) -> Polygons {
    let mut out: Polygons = Vec::new();
    for p in polygon {
        let rings: Vec<Vec<(f64, f64)>> = std::iter::once(p.exterior())
            .chain(p.interiors())
            .map(|ring| {
                // Natural Earth rings that cross the antimeridian jump from
                // 180 to -180; unwrap them so that no edge spans the world.
                let mut shift = 0.0;
                let mut previous: Option<f64> = None;
                let mut points: Vec<(f64, f64)> = ring
                    .coords()
                    .map(|c| {
                        if let Some(last) = previous {
                            if c.x - last > 180.0 {
                                shift -= 360.0;
                            } else if last - c.x > 180.0 {
                                shift += 360.0;
                            }
                        }
                        previous = Some(c.x);
                        let m = MercPoint::from_lon_lat(0.0, c.y);
                        ((c.x + shift + 180.0) / 360.0, m.y)
                    })
                    .collect();
                points.pop(); // geo repeats the first point at the end
                points
            })
            .collect();
        // A polygon reaching past either edge of the world is also drawn
        // shifted by one world, so tiles on the other side see their part.
        let (min_x, max_x) = rings
            .iter()
            .flatten()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| (lo.min(p.0), hi.max(p.0)));
        for offset in
            [(max_x > 1.0).then_some(-1.0), (min_x < 0.0).then_some(1.0)].into_iter().flatten()
        {
            out.push(
                rings.iter().map(|r| r.iter().map(|&(x, y)| (x + offset, y)).collect()).collect(),
            );
        }
        out.push(rings);
    }
    out
}
