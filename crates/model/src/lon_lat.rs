use crate::FieldError;

/// A WGS84 position in degrees: finite, `lon` in [-180, 180], `lat` in
/// [-90, 90], and never exactly `0,0` (the mark of an unknown place).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LonLat {
    lon: f64,
    lat: f64,
}

impl LonLat {
    /// Validates a position.
    ///
    /// # Errors
    /// A [`FieldError`] naming `lon` or `lat` when a value is not finite or
    /// out of range, or when the pair is `0,0`.
    pub fn new(lon: f64, lat: f64) -> Result<Self, FieldError> {
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err(FieldError::new("lat", format!("{lat} is not a latitude in [-90, 90]")));
        }
        if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
            return Err(FieldError::new("lon", format!("{lon} is not a longitude in [-180, 180]")));
        }
        if lon == 0.0 && lat == 0.0 {
            return Err(FieldError::new("lat", "0,0 marks an unknown place, not a location"));
        }
        Ok(Self { lon, lat })
    }

    /// Parses coordinates as people write them: `48.85`, ` 48.85 `, and with
    /// `decimal_comma`, `48,85`. `NaN`, `inf` and overflowing exponents are refused.
    ///
    /// # Errors
    /// A [`FieldError`] naming the field that does not hold a usable number.
    pub fn parse(lon: &str, lat: &str, decimal_comma: bool) -> Result<Self, FieldError> {
        let lon = parse_degrees("lon", lon, decimal_comma)?;
        let lat = parse_degrees("lat", lat, decimal_comma)?;
        Self::new(lon, lat)
    }

    /// Longitude in degrees.
    pub fn lon(self) -> f64 {
        self.lon
    }

    /// Latitude in degrees.
    pub fn lat(self) -> f64 {
        self.lat
    }
}

fn parse_degrees(field: &'static str, text: &str, decimal_comma: bool) -> Result<f64, FieldError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(FieldError::new(field, "missing"));
    }
    let owned;
    let number = if decimal_comma && trimmed.contains(',') {
        owned = trimmed.replace(',', ".");
        owned.as_str()
    } else {
        trimmed
    };
    // Rust parses "NaN", "inf" and "infinity"; people never mean them.
    let plain =
        number.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'));
    match number.parse::<f64>() {
        Ok(value) if plain && value.is_finite() => Ok(value),
        _ => Err(FieldError::new(field, format!("'{trimmed}' is not a number of degrees"))),
    }
}

#[cfg(test)]
mod tests {
    use super::LonLat;

    #[test]
    fn accepts_the_edges_of_the_world() {
        for (lon, lat) in [(-180.0, -90.0), (180.0, 90.0), (0.0, 1e-9), (179.999, -0.5)] {
            let p = LonLat::new(lon, lat).unwrap();
            assert_eq!((p.lon(), p.lat()), (lon, lat));
        }
    }

    #[test]
    fn refuses_non_finite_out_of_range_and_null_island() {
        let cases = [
            ("NaN", "1", "lon"),
            ("1", "nan", "lat"),
            ("inf", "1", "lon"),
            ("1", "-infinity", "lat"),
            ("1e999", "1", "lon"),
            ("180.0000001", "1", "lon"),
            ("1", "90.0000001", "lat"),
            ("1", "-91", "lat"),
            ("", "1", "lon"),
            ("0x10", "1", "lon"),
            ("48,85", "2", "lon"),
            ("0", "0", "lat"),
        ];
        for (lon, lat, field) in cases {
            let err = LonLat::parse(lon, lat, false).unwrap_err();
            assert_eq!(err.field, field, "{lon},{lat}");
        }
    }

    #[test]
    fn reads_decimal_commas_when_asked() {
        let p = LonLat::parse(" 2,35 ", "48,85", true).unwrap();
        assert_eq!((p.lon(), p.lat()), (2.35, 48.85));
    }
}
