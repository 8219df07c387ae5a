/// Errors of tile maths.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TileError {
    /// The zoom is above what any tile scheme serves.
    #[error("zoom {z} is above {max}")]
    ZoomTooHigh { z: u32, max: u8 },
    /// x or y is outside the 2^z tiles of the zoom.
    #[error("tile {z}/{x}/{y} is outside the 2^{z} = {size} tiles of zoom {z}")]
    OutOfRange { z: u8, x: u64, y: u64, size: u64 },
}
