use std::sync::OnceLock;

use geo::{BoundingRect, Line, LinesIter, MultiPolygon, Point, Rect};
use rstar::{AABB, PointDistance, RTree};

use crate::{CountryCode, LonLat, ModelError};

/// How far outside its drawn coast (in degrees, about 11 km at the equator) a
/// point may lie and still count as in the country: the 1:50m polygons cut
/// off harbours, small islands and spits.
const COAST_TOLERANCE_DEG: f64 = 0.1;

#[derive(Debug)]
struct Shape {
    code: CountryCode,
    bounds: Rect,
    polygon: MultiPolygon,
    /// Every edge of the polygon's rings, indexed on first use: a 1:50m
    /// country has up to tens of thousands, and an import asks of each row.
    edges: OnceLock<RTree<Line>>,
}

impl Shape {
    fn edges(&self) -> &RTree<Line> {
        self.edges.get_or_init(|| RTree::bulk_load(self.polygon.lines_iter().collect()))
    }

    /// Whether the point lies inside: the rings' edges that a ray from it to
    /// the east crosses, counted even-odd (holes and islands alike).
    fn holds(&self, point: Point) -> bool {
        if !covers(self.bounds, point, 0.0) {
            return false;
        }
        let ray = AABB::from_corners(point, Point::new(self.bounds.max().x, point.y()));
        let crossings = self
            .edges()
            .locate_in_envelope_intersecting(&ray)
            .filter(|edge| crosses_east_of(edge, point))
            .count();
        crossings % 2 == 1
    }

    /// Degrees from the point to the polygon: 0 inside, else to its nearest edge.
    fn distance(&self, point: Point) -> f64 {
        if self.holds(point) {
            return 0.0;
        }
        // Not `nearest_neighbor`: its pruning takes every object to touch each
        // face of its envelope, which a slanted edge does not, and it answered
        // 29.91 degrees where the nearest edge lies at 29.83 (found by the
        // property test below). The iterator orders by true distance.
        self.edges()
            .nearest_neighbor_iter(&point)
            .next()
            .map_or(f64::INFINITY, |edge| edge.distance_2(&point).sqrt())
    }
}

/// Whether the edge crosses the horizontal line through `point` east of it;
/// an edge's lower end counts and its upper end does not, so that a ray
/// through a vertex is counted once.
fn crosses_east_of(edge: &Line, point: Point) -> bool {
    let (a, b) = (edge.start, edge.end);
    (a.y > point.y()) != (b.y > point.y())
        && point.x() < a.x + (point.y() - a.y) * (b.x - a.x) / (b.y - a.y)
}

/// Country polygons (Natural Earth 1:50m, public domain) for point-in-country
/// checks and, later, the basemap.
#[derive(Debug)]
pub struct Boundaries {
    shapes: Vec<Shape>,
}

/// Where a point lies relative to a country.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Placement {
    /// Inside the polygon, or within the coast tolerance of it.
    Inside,
    /// Outside; the distance to the country's polygon in degrees.
    Outside { distance_deg: f64 },
    /// We have no polygon for the country (a tiny island territory).
    Unknown,
}

impl Boundaries {
    /// Takes each country's outline (shipped in `data/boundaries.geojson`).
    ///
    /// # Errors
    /// [`ModelError::EmptyOutline`] for an outline without a point.
    pub fn new(
        outlines: impl IntoIterator<Item = (CountryCode, MultiPolygon)>,
    ) -> Result<Self, ModelError> {
        let shapes = outlines
            .into_iter()
            .map(|(code, polygon)| {
                let bounds =
                    polygon.bounding_rect().ok_or(ModelError::EmptyOutline { country: code })?;
                Ok(Shape { code, bounds, polygon, edges: OnceLock::new() })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { shapes })
    }

    /// The country whose polygon holds the point, or failing that the nearest
    /// one within the coast tolerance.
    pub fn country_at(&self, at: LonLat) -> Option<CountryCode> {
        let point = Point::new(at.lon(), at.lat());
        if let Some(shape) = self.shapes.iter().find(|s| s.holds(point)) {
            return Some(shape.code);
        }
        self.nearest_country(at, COAST_TOLERANCE_DEG).map(|(code, _)| code)
    }

    /// The country nearest to a point that lies in none, if one is within
    /// `within_deg`, with its distance in degrees.
    pub fn nearest_country(&self, at: LonLat, within_deg: f64) -> Option<(CountryCode, f64)> {
        let point = Point::new(at.lon(), at.lat());
        self.shapes
            .iter()
            .filter(|s| covers(s.bounds, point, within_deg))
            .map(|s| (s.code, s.distance(point)))
            .filter(|&(_, d)| d <= within_deg)
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// Where the point lies relative to the country's polygon.
    pub fn placement(&self, code: CountryCode, at: LonLat) -> Placement {
        let Some(shape) = self.shapes.iter().find(|s| s.code == code) else {
            return Placement::Unknown;
        };
        let point = Point::new(at.lon(), at.lat());
        let distance_deg = shape.distance(point);
        if distance_deg <= COAST_TOLERANCE_DEG {
            Placement::Inside
        } else {
            Placement::Outside { distance_deg }
        }
    }

    /// Each country's polygon.
    pub fn polygons(&self) -> impl Iterator<Item = (CountryCode, &MultiPolygon)> {
        self.shapes.iter().map(|s| (s.code, &s.polygon))
    }
}

fn covers(bounds: Rect, point: Point, margin: f64) -> bool {
    point.x() >= bounds.min().x - margin
        && point.x() <= bounds.max().x + margin
        && point.y() >= bounds.min().y - margin
        && point.y() <= bounds.max().y + margin
}

#[cfg(test)]
mod tests {
    use std::sync::LazyLock;

    use geo::{LinesIter, MultiPolygon, Point};

    use super::{Boundaries, Placement};
    use crate::{CountryCode, LonLat};

    /// The outlines shipped in `data/`, read with `geojson` as the formats
    /// crate reads them: that crate depends on this one, so its reader is out
    /// of reach here, and these checks need real coasts.
    static SHIPPED: LazyLock<Boundaries> = LazyLock::new(|| {
        let collection: geojson::FeatureCollection =
            include_str!("../../../data/boundaries.geojson").parse().unwrap();
        Boundaries::new(collection.features.into_iter().map(|feature| {
            let code =
                CountryCode::parse(feature.property("iso2").and_then(|v| v.as_str()).unwrap())
                    .unwrap();
            (code, MultiPolygon::try_from(feature.geometry.unwrap()).unwrap())
        }))
        .unwrap()
    });

    #[test]
    fn places_points_in_their_countries() {
        let at =
            |lon, lat| SHIPPED.country_at(LonLat::new(lon, lat).unwrap()).map(|c| c.to_string());
        assert_eq!(at(2.35, 48.85).as_deref(), Some("FR")); // Paris
        assert_eq!(at(-17.44, 14.69).as_deref(), Some("SN")); // Dakar, on the coast
        assert_eq!(at(55.45, -20.88).as_deref(), Some("RE")); // Saint-Denis, split out of France
        assert_eq!(at(-43.2, -22.9).as_deref(), Some("BR")); // Rio
        assert_eq!(at(178.44, -18.14).as_deref(), Some("FJ")); // Suva, near the antimeridian
        assert_eq!(at(-30.0, 30.0), None); // mid-Atlantic
    }

    #[test]
    fn finds_the_nearest_country_of_a_point_at_sea() {
        let near = |lon, lat, within| {
            SHIPPED
                .nearest_country(LonLat::new(lon, lat).unwrap(), within)
                .map(|(c, d)| (c.to_string(), d))
        };
        // In the Rio de la Plata off Buenos Aires: Argentina, some 0.1-0.3 degrees away.
        let (code, distance) = near(-58.185_288, -34.556_927, 0.5).unwrap();
        assert_eq!(code, "AR");
        assert!(distance > 0.1 && distance < 0.5, "{distance}");
        assert_eq!(near(-58.185_288, -34.556_927, 0.05), None);
        assert_eq!(near(-30.0, 30.0, 0.5), None); // mid-Atlantic, far from every coast
    }

    #[test]
    fn swapped_coordinates_fall_outside_their_country() {
        let fr = CountryCode::parse("FR").unwrap();
        assert_eq!(SHIPPED.placement(fr, LonLat::new(2.35, 48.85).unwrap()), Placement::Inside);
        assert!(matches!(
            SHIPPED.placement(fr, LonLat::new(48.85, 2.35).unwrap()),
            Placement::Outside { distance_deg } if distance_deg > 10.0
        ));
    }

    /// The edge index against geo's own point-in-polygon and distance, for
    /// every country within a degree of the point (the reach of every caller):
    /// at points anywhere, and at points near a coast (a vertex of some
    /// country, moved by up to a third of a degree), where rays graze
    /// vertices and the nearest edge is a close call. Antarctica is left out:
    /// its outline runs along the bottom of the world and back, and there
    /// geo's winding number and the even-odd count part ways.
    fn agrees_with_geo(point: Point) -> Result<(), proptest::test_runner::TestCaseError> {
        use geo::{Contains, Distance, Euclidean};
        for shape in SHIPPED
            .shapes
            .iter()
            .filter(|s| super::covers(s.bounds, point, 1.0) && s.code.to_string() != "AQ")
        {
            let inside = shape.polygon.contains(&point);
            proptest::prop_assert_eq!(shape.holds(point), inside, "{} at {:?}", shape.code, point);
            let expected = if inside { 0.0 } else { Euclidean.distance(&point, &shape.polygon) };
            let distance = shape.distance(point);
            proptest::prop_assert!(
                (distance - expected).abs() <= 1e-9 * expected.max(1.0),
                "{} at {:?}: {distance} against {expected}",
                shape.code,
                point
            );
        }
        Ok(())
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(64))]
        #[test]
        fn the_edge_index_agrees_with_geo_anywhere(lon in -180.0f64..180.0, lat in -85.0f64..85.0) {
            agrees_with_geo(Point::new(lon, lat))?;
        }

        #[test]
        fn the_edge_index_agrees_with_geo_near_coasts(
            pick in 0usize..1_000_000,
            dx in -0.33f64..0.33,
            dy in -0.33f64..0.33,
        ) {
            let shape = &SHIPPED.shapes[pick % SHIPPED.shapes.len()];
            let vertices: Vec<_> = shape.polygon.lines_iter().map(|l| l.start).collect();
            let v = vertices[pick % vertices.len()];
            agrees_with_geo(Point::new(v.x + dx, v.y + dy))?;
        }
    }
}
