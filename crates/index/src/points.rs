//! The organisations' positions as unit vectors in a flat k-d tree (32 bytes
//! each): exact radius, k-nearest and box queries on the sphere.

use impactmap_model::LonLat;

use crate::kd::{self, Positioned};
use crate::records::Records;
use crate::sphere::{between_m, chord, enclosing_box, unit_vector};
use crate::{BBox, IndexError, Selection};

/// A proximity result: an entry and its great-circle distance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// Position of the entry in the Atlas.
    pub index: u32,
    /// Haversine distance in metres on the WGS84 mean radius.
    pub distance_m: f64,
}

/// An entry's position as a unit vector.
#[derive(Debug, Clone, Copy)]
struct Point3 {
    v: [f64; 3],
    index: u32,
}

impl Positioned<3> for Point3 {
    fn at(&self) -> [f64; 3] {
        self.v
    }
}

/// Every entry's unit vector, laid out as a k-d tree.
#[derive(Debug)]
pub(crate) struct Points(Vec<Point3>);

impl Points {
    pub(crate) fn build(records: &Records) -> Self {
        let mut points: Vec<Point3> = (0u32..)
            .zip(records.all())
            .map(|(index, r)| Point3 { v: unit_vector(r.location.lon(), r.location.lat()), index })
            .collect();
        kd::build(&mut points);
        Self(points)
    }

    /// The selected entries inside a box, in id order.
    pub(crate) fn in_box(&self, bbox: &BBox, records: &Records, selection: &Selection) -> Vec<u32> {
        let mut found = Vec::new();
        for (west, south, east, north) in bbox.parts() {
            let (lower, upper) = enclosing_box(west, south, east, north);
            kd::range(&self.0, lower, upper, |t| {
                let i = self.0[t].index;
                let at = records.get(i).location;
                if selection.contains(i) && bbox.contains(at.lon(), at.lat()) {
                    found.push(i);
                }
            });
        }
        found.sort_unstable();
        found.dedup();
        found
    }

    /// As [`crate::Atlas::near`], which hands its queries here.
    pub(crate) fn near(
        &self,
        centre: LonLat,
        radius_m: Option<f64>,
        k: Option<usize>,
        selection: &Selection,
    ) -> Result<Vec<Hit>, IndexError> {
        if radius_m.is_none() && k.is_none() {
            return Err(IndexError::BadQuery {
                parameter: "radius_m",
                message: "give a radius, k, or both".into(),
            });
        }
        if k == Some(0) {
            return Ok(Vec::new());
        }
        if let Some(r) = radius_m.filter(|r| !r.is_finite() || *r < 0.0) {
            return Err(IndexError::BadQuery {
                parameter: "radius_m",
                message: format!("{r} is not a distance"),
            });
        }
        let centre = unit_vector(centre.lon(), centre.lat());
        // A hit as one number that sorts by distance, then id (distances are
        // never negative, so their bits order as they do): sorting thousands
        // of them is the larger part of a wide radius query.
        let hit = |point: &Point3| {
            (u128::from(between_m(centre, point.v).to_bits()) << 32) | u128::from(point.index)
        };
        #[expect(clippy::cast_possible_truncation, reason = "the two halves of a hit's number")]
        let split =
            |key: u128| Hit { index: key as u32, distance_m: f64::from_bits((key >> 32) as u64) };
        let within = |key: &u128| radius_m.is_none_or(|r| split(*key).distance_m <= r);
        let mut hits: Vec<u128> = Vec::new();
        match k {
            None => {
                let r = radius_m.unwrap_or(f64::INFINITY);
                kd::within(&self.0, centre, chord(r) + 1e-9, |t| {
                    let point = &self.0[t];
                    if selection.contains(point.index) {
                        hits.push(hit(point));
                    }
                });
            }
            Some(k) => {
                let limit = radius_m.map(|r| chord(r) + 1e-9);
                let mut kth_chord = f64::INFINITY;
                kd::nearest(&self.0, centre, |t, d2| {
                    let d = d2.sqrt();
                    if limit.is_some_and(|l| d > l) || d > kth_chord + 1e-12 {
                        return false;
                    }
                    let point = &self.0[t];
                    if selection.contains(point.index) {
                        hits.push(hit(point));
                        if hits.len() == k {
                            // Ties with the k-th are still read, then cut by id.
                            kth_chord = d;
                        }
                    }
                    true
                });
            }
        }
        hits.retain(within);
        hits.sort_unstable();
        hits.truncate(k.unwrap_or(usize::MAX));
        Ok(hits.into_iter().map(split).collect())
    }
}
