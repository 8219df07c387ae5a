use geo::{BoundingRect, Contains, Distance, Euclidean, MultiPolygon, Point, Rect};

use crate::{Countries, CountryCode, LonLat, ModelError};

/// How far outside its drawn coast (in degrees, about 11 km at the equator) a
/// point may lie and still count as in the country: the 1:50m polygons cut
/// off harbours, small islands and spits.
const COAST_TOLERANCE_DEG: f64 = 0.1;

#[derive(Debug)]
struct Shape {
    code: CountryCode,
    bounds: Rect,
    polygon: MultiPolygon,
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
    /// Parses `data/boundaries.geojson`: one feature per country, `properties.iso2`.
    ///
    /// # Errors
    /// [`ModelError::Reference`] when the file is not such a collection.
    pub fn from_geojson(text: &str, countries: &Countries) -> Result<Self, ModelError> {
        let bad = |message: String| ModelError::Reference { name: "boundaries.geojson", message };
        let collection: geojson::FeatureCollection = text.parse().map_err(|e: geojson::Error| bad(e.to_string()))?;
        let mut shapes = Vec::with_capacity(collection.features.len());
        for feature in collection.features {
            let iso2 = feature.property("iso2").and_then(|v| v.as_str()).ok_or_else(|| bad("a feature has no iso2".into()))?.to_owned();
            let code = countries.code(&iso2).map_err(|e| bad(e.to_string()))?;
            let geometry = feature.geometry.ok_or_else(|| bad(format!("{iso2} has no geometry")))?;
            let polygon = MultiPolygon::try_from(geometry).map_err(|e| bad(format!("{iso2}: {e}")))?;
            let bounds = polygon.bounding_rect().ok_or_else(|| bad(format!("{iso2} is empty")))?;
            shapes.push(Shape { code, bounds, polygon });
        }
        Ok(Self { shapes })
    }

    /// The country whose polygon holds the point, or failing that the nearest
    /// one within the coast tolerance.
    pub fn country_at(&self, at: LonLat) -> Option<CountryCode> {
        let point = Point::new(at.lon(), at.lat());
        if let Some(shape) = self.shapes.iter().find(|s| covers(s.bounds, point, 0.0) && s.polygon.contains(&point)) {
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
            .map(|s| (s.code, Euclidean.distance(&point, &s.polygon)))
            .filter(|&(_, d)| d <= within_deg)
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// Where the point lies relative to the country's polygon.
    pub fn placement(&self, code: CountryCode, at: LonLat) -> Placement {
        let Some(shape) = self.shapes.iter().find(|s| s.code == code) else {
            return Placement::Unknown;
        };
        let point = Point::new(at.lon(), at.lat());
        if covers(shape.bounds, point, 0.0) && shape.polygon.contains(&point) {
            return Placement::Inside;
        }
        let distance_deg = Euclidean.distance(&point, &shape.polygon);
        if distance_deg <= COAST_TOLERANCE_DEG { Placement::Inside } else { Placement::Outside { distance_deg } }
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
    use super::Placement;
    use crate::{LonLat, Reference};

    #[test]
    fn places_points_in_their_countries() {
        let r = Reference::embedded();
        let at = |lon, lat| r.boundaries.country_at(LonLat::new(lon, lat).unwrap()).map(|c| c.to_string());
        assert_eq!(at(2.35, 48.85).as_deref(), Some("FR")); // Paris
        assert_eq!(at(-17.44, 14.69).as_deref(), Some("SN")); // Dakar, on the coast
        assert_eq!(at(55.45, -20.88).as_deref(), Some("RE")); // Saint-Denis, split out of France
        assert_eq!(at(-43.2, -22.9).as_deref(), Some("BR")); // Rio
        assert_eq!(at(178.44, -18.14).as_deref(), Some("FJ")); // Suva, near the antimeridian
        assert_eq!(at(-30.0, 30.0), None); // mid-Atlantic
    }

    #[test]
    fn finds_the_nearest_country_of_a_point_at_sea() {
        let r = Reference::embedded();
        let near = |lon, lat, within| r.boundaries.nearest_country(LonLat::new(lon, lat).unwrap(), within).map(|(c, d)| (c.to_string(), d));
        // In the Rio de la Plata off Buenos Aires: Argentina, some 0.1-0.3 degrees away.
        let (code, distance) = near(-58.185_288, -34.556_927, 0.5).unwrap();
        assert_eq!(code, "AR");
        assert!(distance > 0.1 && distance < 0.5, "{distance}");
        assert_eq!(near(-58.185_288, -34.556_927, 0.05), None);
        assert_eq!(near(-30.0, 30.0, 0.5), None); // mid-Atlantic, far from every coast
    }

    #[test]
    fn swapped_coordinates_fall_outside_their_country() {
        let r = Reference::embedded();
        let fr = r.countries.code("FR").unwrap();
        assert_eq!(r.boundaries.placement(fr, LonLat::new(2.35, 48.85).unwrap()), Placement::Inside);
        assert!(
            matches!(r.boundaries.placement(fr, LonLat::new(48.85, 2.35).unwrap()), Placement::Outside { distance_deg } if distance_deg > 10.0)
        );
    }
}
