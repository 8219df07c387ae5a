//! A static k-d tree laid out in place, as in `kdbush`: the items themselves
//! are ordered so that every range of the slice is a subtree, which costs no
//! memory beyond the items. Two dimensions serve the cluster pyramid and the
//! H3 bins (normalised Web Mercator), three the unit vectors of the sphere.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Items small enough to scan rather than split.
const LEAF: usize = 64;

/// Something with a position in `D` dimensions.
pub(crate) trait Positioned<const D: usize> {
    fn at(&self) -> [f64; D];
}

/// Orders `items` as a k-d tree (first axis first).
pub(crate) fn build<const D: usize, T: Positioned<D>>(items: &mut [T]) {
    sort(items, 0);
}

fn sort<const D: usize, T: Positioned<D>>(items: &mut [T], axis: usize) {
    if items.len() <= LEAF {
        return;
    }
    let m = (items.len() - 1) / 2;
    items.select_nth_unstable_by(m, |a, b| a.at()[axis].total_cmp(&b.at()[axis]));
    let (left, rest) = items.split_at_mut(m);
    let next = (axis + 1) % D;
    sort(left, next);
    sort(&mut rest[1..], next);
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

/// Walks the subtrees that may hold points of the box: `visit(i, position)`
/// for each item of a leaf and for each subtree's median item.
fn walk<const D: usize, T: Positioned<D>>(
    items: &[T],
    lo: [f64; D],
    hi: [f64; D],
    mut visit: impl FnMut(usize, [f64; D]),
) {
    let mut stack = Stack::new(items.len());
    while let Some((start, end, axis)) = stack.pop() {
        if end - start <= LEAF {
            for (i, item) in items[start..end].iter().enumerate() {
                visit(start + i, item.at());
            }
            continue;
        }
        let m = start + (end - start - 1) / 2;
        let at = items[m].at();
        visit(m, at);
        let next = (axis + 1) % D;
        if lo[axis] <= at[axis] {
            stack.push(start, m, next);
        }
        if hi[axis] >= at[axis] {
            stack.push(m + 1, end, next);
        }
    }
}

/// Calls `found` with the index of every item in the box (faces included).
pub(crate) fn range<const D: usize, T: Positioned<D>>(
    items: &[T],
    lo: [f64; D],
    hi: [f64; D],
    mut found: impl FnMut(usize),
) {
    walk(items, lo, hi, |i, at| {
        if (0..D).all(|d| at[d] >= lo[d] && at[d] <= hi[d]) {
            found(i);
        }
    });
}

/// Calls `found` with the index of every item within Euclidean distance `r` of `centre`.
pub(crate) fn within<const D: usize, T: Positioned<D>>(
    items: &[T],
    centre: [f64; D],
    r: f64,
    mut found: impl FnMut(usize),
) {
    let (lo, hi) = (centre.map(|c| c - r), centre.map(|c| c + r));
    walk(items, lo, hi, |i, at| {
        if distance2(at, centre) <= r * r {
            found(i);
        }
    });
}

fn distance2<const D: usize>(a: [f64; D], b: [f64; D]) -> f64 {
    (0..D).map(|d| (a[d] - b[d]) * (a[d] - b[d])).sum()
}

/// What the nearest-first walk has yet to look at.
#[derive(Clone, Copy)]
enum Pending<const D: usize> {
    /// A subtree and the box its items lie in.
    Tree { start: usize, end: usize, axis: usize, lo: [f64; D], hi: [f64; D] },
    /// One item.
    Item(usize),
}

/// Pending work, nearest first: a heap of distances pointing into a list.
struct Frontier<const D: usize> {
    // Distances are never negative, so their bits order as they do.
    queue: BinaryHeap<(Reverse<u64>, usize)>,
    pending: Vec<Pending<D>>,
}

impl<const D: usize> Frontier<D> {
    fn push(&mut self, d2: f64, what: Pending<D>) {
        self.queue.push((Reverse(d2.to_bits()), self.pending.len()));
        self.pending.push(what);
    }

    fn pop(&mut self) -> Option<(f64, &Pending<D>)> {
        let (Reverse(d2), slot) = self.queue.pop()?;
        Some((f64::from_bits(d2), &self.pending[slot]))
    }
}

/// Items in order of their squared Euclidean distance from `centre` (ties in
/// no particular order): `visit(i, d2)` until it returns false or every item
/// has been visited. Subtrees are opened nearest box first, so only those
/// that may hold the next item are.
pub(crate) fn nearest<const D: usize, T: Positioned<D>>(
    items: &[T],
    centre: [f64; D],
    mut visit: impl FnMut(usize, f64) -> bool,
) {
    let mut frontier = Frontier { queue: BinaryHeap::new(), pending: Vec::new() };
    frontier.push(
        0.0,
        Pending::Tree {
            start: 0,
            end: items.len(),
            axis: 0,
            lo: [f64::NEG_INFINITY; D],
            hi: [f64::INFINITY; D],
        },
    );
    while let Some((d2, &what)) = frontier.pop() {
        match what {
            Pending::Item(i) => {
                if !visit(i, d2) {
                    return;
                }
            }
            Pending::Tree { start, end, .. } if end - start <= LEAF => {
                for (i, item) in (start..end).zip(&items[start..end]) {
                    frontier.push(distance2(item.at(), centre), Pending::Item(i));
                }
            }
            Pending::Tree { start, end, axis, lo, hi } => {
                let m = start + (end - start - 1) / 2;
                let at = items[m].at();
                frontier.push(distance2(at, centre), Pending::Item(m));
                let next = (axis + 1) % D;
                let (mut left_hi, mut right_lo) = (hi, lo);
                left_hi[axis] = at[axis];
                right_lo[axis] = at[axis];
                for (start, end, lo, hi) in [(start, m, lo, left_hi), (m + 1, end, right_lo, hi)] {
                    if start < end {
                        // How far the box is from the centre: its nearest
                        // face's, edge's or corner's distance.
                        let gap =
                            (0..D).map(|d| (lo[d] - centre[d]).max(centre[d] - hi[d]).max(0.0));
                        frontier.push(
                            gap.map(|g| g * g).sum(),
                            Pending::Tree { start, end, axis: next, lo, hi },
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    impl Positioned<2> for (f64, f64) {
        fn at(&self) -> [f64; 2] {
            [self.0, self.1]
        }
    }

    impl Positioned<3> for [f64; 3] {
        fn at(&self) -> [f64; 3] {
            *self
        }
    }

    proptest! {
        #[test]
        fn range_and_within_match_a_scan(
            points in proptest::collection::vec((0.0f64..1.0, 0.0f64..1.0), 0..600),
            q in (0.0f64..1.0, 0.0f64..1.0, 0.0f64..0.3),
        ) {
            let mut items = points.clone();
            build(&mut items);
            let (qx, qy, r) = q;
            let mut got: Vec<(u64, u64)> = Vec::new();
            range(&items, [qx - r, qy - r], [qx + r, qy + r], |i| {
                got.push((items[i].0.to_bits(), items[i].1.to_bits()));
            });
            let mut want: Vec<(u64, u64)> = points
                .iter()
                .filter(|p| p.0 >= qx - r && p.0 <= qx + r && p.1 >= qy - r && p.1 <= qy + r)
                .map(|p| (p.0.to_bits(), p.1.to_bits()))
                .collect();
            got.sort_unstable();
            want.sort_unstable();
            prop_assert_eq!(got, want);
            let mut got = Vec::new();
            within(&items, [qx, qy], r, |i| got.push((items[i].0.to_bits(), items[i].1.to_bits())));
            let mut want: Vec<(u64, u64)> = points
                .iter()
                .filter(|p| (p.0 - qx).powi(2) + (p.1 - qy).powi(2) <= r * r)
                .map(|p| (p.0.to_bits(), p.1.to_bits()))
                .collect();
            got.sort_unstable();
            want.sort_unstable();
            prop_assert_eq!(got, want);
        }

        /// Every item comes once, nearest first, with its squared distance;
        /// on a grid, so that many distances tie.
        #[test]
        fn nearest_visits_every_item_in_distance_order(
            points in proptest::collection::vec((0u8..8, 0u8..8, 0u8..8), 0..700),
            q in (0u8..8, 0u8..8, 0u8..8),
            stop in 0usize..800,
        ) {
            let mut items: Vec<[f64; 3]> =
                points.iter().map(|&(x, y, z)| [x, y, z].map(f64::from)).collect();
            build(&mut items);
            let centre = [q.0, q.1, q.2].map(f64::from);
            let mut got = Vec::new();
            nearest(&items, centre, |i, d2| {
                got.push((d2.to_bits(), items[i].map(f64::to_bits)));
                got.len() < stop
            });
            prop_assert!(got.windows(2).all(|w| w[0].0 <= w[1].0), "not nearest first");
            let mut want: Vec<(u64, [u64; 3])> = items
                .iter()
                .map(|&p| (distance2(p, centre).to_bits(), p.map(f64::to_bits)))
                .collect();
            want.sort_unstable();
            if stop > items.len() {
                // All visited: the very items, each once.
                got.sort_unstable();
                prop_assert_eq!(got, want);
            } else {
                // Cut short: the nearest distances (which of several tied items comes is free).
                let distances = |v: &[(u64, [u64; 3])]| v.iter().map(|p| p.0).collect::<Vec<_>>();
                prop_assert_eq!(distances(&got), distances(&want[..stop.max(1).min(want.len())]));
            }
        }
    }
}
