use std::fmt;

use impactmap_model::MercRect;

use crate::TileError;

/// The highest zoom a tile coordinate may have; `2^30` tiles fit a `u32`.
pub const MAX_ZOOM: u8 = 30;

/// A tile of the Web Mercator pyramid (XYZ scheme, y down), checked so that
/// x and y are below `2^z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileCoord {
    z: u8,
    x: u32,
    y: u32,
}

impl TileCoord {
    /// Checks a coordinate; the checks come before any shift, so no input overflows.
    ///
    /// # Errors
    /// [`TileError::ZoomTooHigh`] above [`MAX_ZOOM`], [`TileError::OutOfRange`]
    /// when x or y is at least `2^z`.
    pub fn new(z: u32, x: u64, y: u64) -> Result<Self, TileError> {
        let zoom = u8::try_from(z)
            .ok()
            .filter(|&z| z <= MAX_ZOOM)
            .ok_or(TileError::ZoomTooHigh { z, max: MAX_ZOOM })?;
        let size = 1u64 << zoom;
        if x >= size || y >= size {
            return Err(TileError::OutOfRange { z: zoom, x, y, size });
        }
        // Both below 2^30, checked just above.
        Ok(Self {
            z: zoom,
            x: u32::try_from(x).unwrap_or(u32::MAX),
            y: u32::try_from(y).unwrap_or(u32::MAX),
        })
    }

    /// Zoom.
    pub fn z(self) -> u8 {
        self.z
    }

    /// Column, from the west.
    pub fn x(self) -> u32 {
        self.x
    }

    /// Row, from the north.
    pub fn y(self) -> u32 {
        self.y
    }

    /// Tiles on one side at this zoom.
    pub fn size(self) -> f64 {
        f64::from(1u32 << self.z)
    }

    /// The tile's square in normalised Web Mercator (`0..1` both ways, y down).
    pub fn bounds(self) -> MercRect {
        let size = self.size();
        MercRect {
            min_x: f64::from(self.x) / size,
            min_y: f64::from(self.y) / size,
            max_x: f64::from(self.x + 1) / size,
            max_y: f64::from(self.y + 1) / size,
        }
    }

    /// The tile's square grown by `buffer` units of a tile of `extent` units on every side.
    pub fn buffered_bounds(self, extent: u32, buffer: u32) -> MercRect {
        let pad = f64::from(buffer) / f64::from(extent) / self.size();
        let b = self.bounds();
        MercRect {
            min_x: b.min_x - pad,
            min_y: b.min_y - pad,
            max_x: b.max_x + pad,
            max_y: b.max_y + pad,
        }
    }

    /// Where a Mercator point falls in this tile's `extent` grid (may lie outside `0..extent`).
    pub fn to_tile_units(self, x_merc: f64, y_merc: f64, extent: u32) -> (i32, i32) {
        let scale = self.size() * f64::from(extent);
        #[expect(
            clippy::cast_possible_truncation,
            reason = "buffered points lie within a few tiles, far from i32 limits"
        )]
        let project = |v: f64, origin: u32| {
            ((v * scale) - f64::from(origin) * f64::from(extent)).round() as i32
        };
        (project(x_merc, self.x), project(y_merc, self.y))
    }
}

impl fmt::Display for TileCoord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.z, self.x, self.y)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// RELIABILITY A1.
    #[test]
    fn refuses_impossible_tiles_before_shifting() {
        assert_eq!(TileCoord::new(31, 0, 0), Err(TileError::ZoomTooHigh { z: 31, max: 30 }));
        assert_eq!(
            TileCoord::new(u32::MAX, 0, 0),
            Err(TileError::ZoomTooHigh { z: u32::MAX, max: 30 })
        );
        assert_eq!(
            TileCoord::new(2, 4, 0),
            Err(TileError::OutOfRange { z: 2, x: 4, y: 0, size: 4 })
        );
        assert_eq!(
            TileCoord::new(0, 0, u64::MAX).unwrap_err().to_string(),
            "tile 0/0/18446744073709551615 is outside the 2^0 = 1 tiles of zoom 0"
        );
        assert_eq!(TileCoord::new(30, (1 << 30) - 1, 0).unwrap().x(), (1 << 30) - 1);
    }

    #[test]
    fn bounds_of_known_tiles() {
        let t = TileCoord::new(1, 1, 0).unwrap();
        assert_eq!(t.bounds(), MercRect { min_x: 0.5, min_y: 0.0, max_x: 1.0, max_y: 0.5 });
        assert_eq!(t.to_tile_units(0.75, 0.25, 4096), (2048, 2048));
        assert_eq!(t.to_tile_units(0.5, 0.0, 4096), (0, 0));
    }

    proptest! {
        /// P1: every valid coordinate is accepted, its bounds nest in its parent's,
        /// and its own corner maps to tile unit 0.
        #[test]
        fn children_nest_in_parents(z in 0u32..=30, xf in 0.0f64..1.0, yf in 0.0f64..1.0) {
            let size = 1u64 << z;
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                clippy::cast_precision_loss,
                reason = "test maths"
            )]
            let (x, y) = (
                ((xf * size as f64) as u64).min(size - 1),
                ((yf * size as f64) as u64).min(size - 1),
            );
            let tile = TileCoord::new(z, x, y).unwrap();
            let b = tile.bounds();
            prop_assert_eq!(tile.to_tile_units(b.min_x, b.min_y, 4096), (0, 0));
            if z > 0 {
                let parent = TileCoord::new(z - 1, x / 2, y / 2).unwrap().bounds();
                prop_assert!(
                    parent.min_x <= b.min_x
                        && b.max_x <= parent.max_x
                        && parent.min_y <= b.min_y
                        && b.max_y <= parent.max_y
                );
            }
            prop_assert!(TileCoord::new(z, size, y).is_err());
            prop_assert!(TileCoord::new(z, x, size).is_err());
        }
    }
}
