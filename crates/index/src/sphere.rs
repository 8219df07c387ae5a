//! Geometry on the sphere: unit vectors, great-circle distances, and the
//! box in 3-D space that encloses a longitude/latitude box.

use crate::IndexError;

/// The mean radius of the WGS84 ellipsoid, in metres: the sphere on which
/// every distance here is measured.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// The unit vector of a position in degrees.
pub(crate) fn unit_vector(lon: f64, lat: f64) -> [f64; 3] {
    let (lon, lat) = (lon.to_radians(), lat.to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

/// Great-circle distance in metres on [`EARTH_RADIUS_M`]: the haversine
/// formula, with its half-chord read off the two positions' unit vectors.
pub fn haversine_m(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    between_m(unit_vector(lon1, lat1), unit_vector(lon2, lat2))
}

/// Great-circle distance in metres between two unit vectors. The haversine
/// of the angle is the square of half the chord between them, so the index,
/// which holds unit vectors, measures distances with no trigonometry but one
/// arcsine, and bit for bit as [`haversine_m`] does.
pub(crate) fn between_m(a: [f64; 3], b: [f64; 3]) -> f64 {
    let chord_2 = (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2);
    2.0 * EARTH_RADIUS_M * (chord_2.sqrt() / 2.0).min(1.0).asin()
}

/// The straight-line distance through the unit sphere of a great-circle distance.
pub(crate) fn chord(distance_m: f64) -> f64 {
    2.0 * (distance_m / EARTH_RADIUS_M / 2.0).min(std::f64::consts::FRAC_PI_2).sin()
}

/// A box in degrees. `west > east` means the box crosses the antimeridian.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BBox {
    west: f64,
    south: f64,
    east: f64,
    north: f64,
}

impl BBox {
    /// Checks a box given as `minLon, minLat, maxLon, maxLat` (OGC order).
    ///
    /// # Errors
    /// [`IndexError::BadQuery`] naming `bbox` for a value that is not finite
    /// or out of range, or `south > north`.
    pub fn new(west: f64, south: f64, east: f64, north: f64) -> Result<Self, IndexError> {
        let bad = |message: String| IndexError::BadQuery { parameter: "bbox", message };
        for (name, value, limit) in [
            ("west", west, 180.0),
            ("east", east, 180.0),
            ("south", south, 90.0),
            ("north", north, 90.0),
        ] {
            if !value.is_finite() || value.abs() > limit {
                return Err(bad(format!("{name} {value} is outside [-{limit}, {limit}]")));
            }
        }
        if south > north {
            return Err(bad(format!("south {south} is above north {north}")));
        }
        Ok(Self { west, south, east, north })
    }

    /// The whole world.
    pub fn world() -> Self {
        Self { west: -180.0, south: -90.0, east: 180.0, north: 90.0 }
    }

    /// Whether a position lies inside or on the edge.
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        let in_lon = if self.west <= self.east {
            lon >= self.west && lon <= self.east
        } else {
            lon >= self.west || lon <= self.east
        };
        in_lon && lat >= self.south && lat <= self.north
    }

    /// The box as one or two boxes that do not cross the antimeridian.
    pub(crate) fn parts(&self) -> Vec<(f64, f64, f64, f64)> {
        if self.west <= self.east {
            vec![(self.west, self.south, self.east, self.north)]
        } else {
            vec![
                (self.west, self.south, 180.0, self.north),
                (-180.0, self.south, self.east, self.north),
            ]
        }
    }
}

/// Corners of the 3-D box that holds every unit vector of a box that does
/// not cross the antimeridian, grown by a hair for rounding.
pub(crate) fn enclosing_box(west: f64, south: f64, east: f64, north: f64) -> ([f64; 3], [f64; 3]) {
    let range = |values: &[f64]| {
        values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)))
    };
    let (s, n) = (south.to_radians(), north.to_radians());
    let (w, e) = (west.to_radians(), east.to_radians());
    let mut cos_lat = vec![s.cos(), n.cos()];
    if south <= 0.0 && north >= 0.0 {
        cos_lat.push(1.0);
    }
    let mut cos_lon = vec![w.cos(), e.cos()];
    let mut sin_lon = vec![w.sin(), e.sin()];
    for (deg, c, si) in [
        (0.0, 1.0, 0.0),
        (90.0, 0.0, 1.0),
        (-90.0, 0.0, -1.0),
        (180.0, -1.0, 0.0),
        (-180.0, -1.0, 0.0),
    ] {
        if west <= deg && deg <= east {
            cos_lon.push(c);
            sin_lon.push(si);
        }
    }
    let (c_lo, c_hi) = range(&cos_lat);
    let product = |(a_lo, a_hi): (f64, f64), (b_lo, b_hi): (f64, f64)| {
        range(&[a_lo * b_lo, a_lo * b_hi, a_hi * b_lo, a_hi * b_hi])
    };
    let (x_lo, x_hi) = product((c_lo, c_hi), range(&cos_lon));
    let (y_lo, y_hi) = product((c_lo, c_hi), range(&sin_lon));
    let eps = 1e-9;
    ([x_lo - eps, y_lo - eps, s.sin() - eps], [x_hi + eps, y_hi + eps, n.sin() + eps])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_distances() {
        // Paris to London, about 343.5 km; a quarter meridian.
        let d = haversine_m(2.3522, 48.8566, -0.1276, 51.5072);
        assert!((d - 343_500.0).abs() < 1_000.0, "{d}");
        let quarter = haversine_m(0.0, 0.0, 0.0, 90.0);
        assert!((quarter - EARTH_RADIUS_M * std::f64::consts::FRAC_PI_2).abs() < 1e-6);
        assert!((chord(EARTH_RADIUS_M * std::f64::consts::PI) - 2.0).abs() < 1e-12);
    }

    /// The textbook haversine, with sines and cosines of the coordinates.
    fn haversine_by_trigonometry(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
        let (phi1, phi2) = (lat1.to_radians(), lat2.to_radians());
        let a = ((phi2 - phi1) / 2.0).sin().powi(2)
            + phi1.cos() * phi2.cos() * ((lon2 - lon1).to_radians() / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
    }

    #[test]
    fn the_half_chord_is_the_haversine() {
        // Pairs from a metre apart to nearly antipodal, across the antimeridian and the poles.
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |range: f64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            #[expect(clippy::cast_precision_loss, reason = "a random fraction")]
            let unit = (state >> 11) as f64 / (1u64 << 53) as f64;
            (unit * 2.0 - 1.0) * range
        };
        for _ in 0..10_000 {
            let (lon, lat) = (next(180.0), next(90.0));
            let step = 10f64.powf(next(1.0) * 5.0 - 5.0);
            let (lon2, lat2) =
                ((lon + next(step)).clamp(-180.0, 180.0), (lat + next(step)).clamp(-90.0, 90.0));
            for (x, y) in [(lon2, lat2), (next(180.0), next(90.0))] {
                let (ours, textbook) =
                    (haversine_m(lon, lat, x, y), haversine_by_trigonometry(lon, lat, x, y));
                // Both lose precision only near the antipode, where the arcsine is steep.
                let tolerance = if textbook < 19_000_000.0 { 1e-6 } else { 0.5 };
                assert!(
                    (ours - textbook).abs() < tolerance,
                    "({lon}, {lat}) to ({x}, {y}): {ours} vs {textbook}"
                );
            }
        }
    }

    #[test]
    fn boxes_are_checked_and_split() {
        assert!(BBox::new(0.0, 10.0, 1.0, 5.0).is_err());
        assert!(BBox::new(f64::NAN, 0.0, 1.0, 1.0).is_err());
        assert!(BBox::new(-181.0, 0.0, 1.0, 1.0).is_err());
        let wrap = BBox::new(170.0, -10.0, -170.0, 10.0).unwrap();
        assert!(
            wrap.contains(175.0, 0.0) && wrap.contains(-175.0, 0.0) && !wrap.contains(0.0, 0.0)
        );
        assert_eq!(wrap.parts().len(), 2);
    }
}
