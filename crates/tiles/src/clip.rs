//! Clipping rings to a tile's buffered square (Sutherland–Hodgman: the
//! window is convex, so one pass per edge suffices) and the ring tidying MVT
//! asks for.

use crate::TileCoord;

/// A ring given in normalised Web Mercator, as it lands in a tile: in tile
/// units, clipped to the tile grown by `buffer`, without repeated points,
/// wound with positive area when `exterior` and negative otherwise. `None`
/// when nothing of it is left.
pub fn ring_in_tile(
    ring: &[(f64, f64)],
    tile: TileCoord,
    extent: u32,
    buffer: u32,
    exterior: bool,
) -> Option<Vec<(i32, i32)>> {
    let scale = tile.size() * f64::from(extent);
    let (origin_x, origin_y) =
        (f64::from(tile.x()) * f64::from(extent), f64::from(tile.y()) * f64::from(extent));
    let local: Vec<(f64, f64)> =
        ring.iter().map(|&(x, y)| (x * scale - origin_x, y * scale - origin_y)).collect();
    let (lo, hi) = (-f64::from(buffer), f64::from(extent + buffer));
    #[expect(clippy::cast_possible_truncation, reason = "clipped to the buffered tile")]
    let units: Vec<(i32, i32)> = clip_ring(&local, lo, hi)
        .into_iter()
        .map(|(x, y)| (x.round() as i32, y.round() as i32))
        .collect();
    let mut ring = tidy(units)?;
    if (signed_area(&ring) > 0) != exterior {
        ring.reverse();
    }
    Some(ring)
}

/// Clips a closed ring (first point not repeated at the end) to the
/// rectangle; the result may touch the rectangle's edges.
pub(crate) fn clip_ring(ring: &[(f64, f64)], min: f64, max: f64) -> Vec<(f64, f64)> {
    let mut points = ring.to_vec();
    for edge in 0..4 {
        if points.is_empty() {
            break;
        }
        let inside = |p: (f64, f64)| match edge {
            0 => p.0 >= min,
            1 => p.0 <= max,
            2 => p.1 >= min,
            _ => p.1 <= max,
        };
        let cross = |a: (f64, f64), b: (f64, f64)| {
            let (along_x, bound) = match edge {
                0 => (true, min),
                1 => (true, max),
                2 => (false, min),
                _ => (false, max),
            };
            if along_x {
                let t = (bound - a.0) / (b.0 - a.0);
                (bound, a.1 + t * (b.1 - a.1))
            } else {
                let t = (bound - a.1) / (b.1 - a.1);
                (a.0 + t * (b.0 - a.0), bound)
            }
        };
        let mut out = Vec::with_capacity(points.len() + 4);
        for i in 0..points.len() {
            let current = points[i];
            let previous = points[(i + points.len() - 1) % points.len()];
            match (inside(previous), inside(current)) {
                (true, true) => out.push(current),
                (true, false) => out.push(cross(previous, current)),
                (false, true) => {
                    out.push(cross(previous, current));
                    out.push(current);
                }
                (false, false) => {}
            }
        }
        points = out;
    }
    points
}

/// Twice the signed area by the surveyor's formula, in tile units (y down):
/// positive for a ring that runs clockwise on screen.
pub(crate) fn signed_area(ring: &[(i32, i32)]) -> i64 {
    let mut sum = 0i64;
    for i in 0..ring.len() {
        let (x1, y1) = ring[i];
        let (x2, y2) = ring[(i + 1) % ring.len()];
        sum += i64::from(x1) * i64::from(y2) - i64::from(x2) * i64::from(y1);
    }
    sum
}

/// Drops repeated points, then the ring if it has no area left.
pub(crate) fn tidy(ring: Vec<(i32, i32)>) -> Option<Vec<(i32, i32)>> {
    let mut out: Vec<(i32, i32)> = Vec::with_capacity(ring.len());
    for p in ring {
        if out.last() != Some(&p) {
            out.push(p);
        }
    }
    while out.len() > 1 && out.first() == out.last() {
        out.pop();
    }
    (out.len() >= 3 && signed_area(&out) != 0).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clips_a_square_to_the_window() {
        let square = [(-1.0, -1.0), (2.0, -1.0), (2.0, 2.0), (-1.0, 2.0)];
        let clipped = clip_ring(&square, 0.0, 1.0);
        // The same square, starting from another corner.
        assert_eq!(clipped, [(0.0, 1.0), (0.0, 0.0), (1.0, 0.0), (1.0, 1.0)]);
        assert!(clip_ring(&[(5.0, 5.0), (6.0, 5.0), (6.0, 6.0)], 0.0, 1.0).is_empty());
    }

    #[test]
    fn areas_and_tidying() {
        let clockwise_on_screen = vec![(0, 0), (10, 0), (10, 10), (0, 10)];
        assert_eq!(signed_area(&clockwise_on_screen), 200);
        assert_eq!(tidy(vec![(0, 0), (0, 0), (5, 0), (5, 0)]), None);
        assert_eq!(tidy(vec![(0, 0), (4, 0), (4, 4), (0, 0)]), Some(vec![(0, 0), (4, 0), (4, 4)]));
    }
}
