//! A static 2-D k-d tree laid out in place, as in `kdbush`: the items
//! themselves are ordered so that every range of the slice is a subtree,
//! which costs no memory beyond the items.

/// Items small enough to scan rather than split.
const LEAF: usize = 64;

/// Something with a position in normalised Web Mercator.
pub(crate) trait Positioned {
    fn xy(&self) -> (f64, f64);
}

/// Orders `items` as a k-d tree (x first).
pub(crate) fn build<T: Positioned>(items: &mut [T]) {
    if items.len() > LEAF {
        sort(items, 0);
    }
}

fn sort<T: Positioned>(items: &mut [T], axis: usize) {
    if items.len() <= LEAF {
        return;
    }
    let m = (items.len() - 1) / 2;
    let key = |t: &T| if axis == 0 { t.xy().0 } else { t.xy().1 };
    items.select_nth_unstable_by(m, |a, b| key(a).total_cmp(&key(b)));
    let (left, rest) = items.split_at_mut(m);
    sort(left, 1 - axis);
    sort(&mut rest[1..], 1 - axis);
}

/// Subtrees waiting to be visited: a depth-first walk holds at most one per
/// level plus one, and 64 levels of halving would take 2^64 items.
struct Stack {
    items: [(usize, usize, usize); 64],
    len: usize,
}

impl Stack {
    fn new(end: usize) -> Self {
        Self { items: [(0, end, 0); 64], len: 1 }
    }

    fn push(&mut self, start: usize, end: usize, axis: usize) {
        self.items[self.len] = (start, end, axis);
        self.len += 1;
    }

    fn pop(&mut self) -> Option<(usize, usize, usize)> {
        self.len = self.len.checked_sub(1)?;
        Some(self.items[self.len])
    }
}

/// Walks the subtrees that may hold points of the rectangle: `visit(i, x, y)` for
/// each item of a leaf and for each subtree's median item.
fn walk<T: Positioned>(items: &[T], min_x: f64, min_y: f64, max_x: f64, max_y: f64, mut visit: impl FnMut(usize, f64, f64)) {
    let mut stack = Stack::new(items.len());
    while let Some((start, end, axis)) = stack.pop() {
        if end - start <= LEAF {
            for (i, item) in items[start..end].iter().enumerate() {
                let (x, y) = item.xy();
                visit(start + i, x, y);
            }
            continue;
        }
        let m = start + (end - start - 1) / 2;
        let (x, y) = items[m].xy();
        visit(m, x, y);
        let v = if axis == 0 { x } else { y };
        let (lo, hi) = if axis == 0 { (min_x, max_x) } else { (min_y, max_y) };
        if lo <= v {
            stack.push(start, m, 1 - axis);
        }
        if hi >= v {
            stack.push(m + 1, end, 1 - axis);
        }
    }
}

/// Calls `found` with the index of every item in the rectangle (edges included).
pub(crate) fn range<T: Positioned>(items: &[T], min_x: f64, min_y: f64, max_x: f64, max_y: f64, mut found: impl FnMut(usize)) {
    walk(items, min_x, min_y, max_x, max_y, |i, x, y| {
        if x >= min_x && x <= max_x && y >= min_y && y <= max_y {
            found(i);
        }
    });
}

/// Calls `found` with the index of every item within `r` of (`x`, `y`).
pub(crate) fn within<T: Positioned>(items: &[T], x: f64, y: f64, r: f64, mut found: impl FnMut(usize)) {
    let r2 = r * r;
    walk(items, x - r, y - r, x + r, y + r, |i, ix, iy| {
        if (ix - x) * (ix - x) + (iy - y) * (iy - y) <= r2 {
            found(i);
        }
    });
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    impl Positioned for (f64, f64) {
        fn xy(&self) -> (f64, f64) {
            *self
        }
    }

    proptest! {
        #[test]
        fn range_and_within_match_a_scan(points in proptest::collection::vec((0.0f64..1.0, 0.0f64..1.0), 0..600), q in (0.0f64..1.0, 0.0f64..1.0, 0.0f64..0.3)) {
            let mut items = points.clone();
            build(&mut items);
            let (qx, qy, r) = q;
            let mut got: Vec<(u64, u64)> = Vec::new();
            range(&items, qx - r, qy - r, qx + r, qy + r, |i| got.push((items[i].0.to_bits(), items[i].1.to_bits())));
            let mut want: Vec<(u64, u64)> = points.iter().filter(|p| p.0 >= qx - r && p.0 <= qx + r && p.1 >= qy - r && p.1 <= qy + r).map(|p| (p.0.to_bits(), p.1.to_bits())).collect();
            got.sort_unstable();
            want.sort_unstable();
            prop_assert_eq!(got, want);
            let mut got = Vec::new();
            within(&items, qx, qy, r, |i| got.push((items[i].0.to_bits(), items[i].1.to_bits())));
            let mut want: Vec<(u64, u64)> = points.iter().filter(|p| (p.0 - qx).powi(2) + (p.1 - qy).powi(2) <= r * r).map(|p| (p.0.to_bits(), p.1.to_bits())).collect();
            got.sort_unstable();
            want.sort_unstable();
            prop_assert_eq!(got, want);
        }
    }
}
