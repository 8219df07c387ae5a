//! Web Mercator in normalised units: the world is the square `0..1` both
//! ways, x east, y south. Coordinates called `x`/`y` here are always these.

/// Latitude beyond which Web Mercator is cut (the square's edge).
pub const MAX_MERC_LAT: f64 = 85.051_128_779_806_59;

/// A point in normalised Web Mercator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MercPoint {
    /// East, `0..1`.
    pub x: f64,
    /// South, `0..1`.
    pub y: f64,
}

impl MercPoint {
    /// Projects degrees; latitudes beyond ±85.05° are clamped to the edge.
    pub fn from_lon_lat(lon: f64, lat: f64) -> Self {
        Self { x: lon_to_merc_x(lon), y: lat_to_merc_y(lat) }
    }

    /// Projects a validated position.
    pub fn from_position(at: crate::LonLat) -> Self {
        Self::from_lon_lat(at.lon(), at.lat())
    }
}

/// A rectangle in normalised Web Mercator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MercRect {
    /// West edge.
    pub min_x: f64,
    /// North edge.
    pub min_y: f64,
    /// East edge.
    pub max_x: f64,
    /// South edge.
    pub max_y: f64,
}

impl MercRect {
    /// Whether the point lies inside or on the edge.
    pub fn contains(&self, x: f64, y: f64) -> bool {
        x >= self.min_x && x <= self.max_x && y >= self.min_y && y <= self.max_y
    }
}

/// Longitude in degrees to normalised x.
pub fn lon_to_merc_x(lon: f64) -> f64 {
    (lon + 180.0) / 360.0
}

/// Latitude in degrees to normalised y (clamped to the square).
pub fn lat_to_merc_y(lat: f64) -> f64 {
    let lat = lat.clamp(-MAX_MERC_LAT, MAX_MERC_LAT).to_radians();
    (0.5 - (std::f64::consts::FRAC_PI_4 + lat / 2.0).tan().ln() / (2.0 * std::f64::consts::PI))
        .clamp(0.0, 1.0)
}

/// Normalised y to latitude in degrees (the inverse of [`lat_to_merc_y`]
/// inside the square; beyond it, the latitude the projection would give).
pub fn merc_y_to_lat(y: f64) -> f64 {
    (std::f64::consts::PI * (1.0 - 2.0 * y)).sinh().atan().to_degrees()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projects_known_points() {
        assert_eq!(MercPoint::from_lon_lat(0.0, 0.0), MercPoint { x: 0.5, y: 0.5 });
        assert_eq!((lon_to_merc_x(-180.0), lon_to_merc_x(180.0)), (0.0, 1.0));
        assert!(lat_to_merc_y(MAX_MERC_LAT).abs() < 1e-12);
        assert!((lat_to_merc_y(-90.0) - 1.0).abs() < 1e-12);
        for lat in [-85.0, -48.85, 0.0, 12.5, 85.0] {
            assert!((merc_y_to_lat(lat_to_merc_y(lat)) - lat).abs() < 1e-9, "{lat}");
        }
        // Paris: tile 8/129/88 holds 2.35 E, 48.85 N.
        let p = MercPoint::from_lon_lat(2.35, 48.85);
        assert_eq!(((p.x * 256.0).floor(), (p.y * 256.0).floor()), (129.0, 88.0));
    }
}
