//! A filter's view of an Atlas: its selection, cluster pyramid and H3
//! counts, made together and handed out with the Atlas they were made from,
//! so that a pyramid is never read against another Atlas's entries.

use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use impactmap_model::{CountryCode, Facet, MercRect, merc_y_to_lat};

use crate::cluster::{ClusterOptions, Pyramid};
use crate::facets::FacetBitmaps;
use crate::h3::Cells;
use crate::points::Points;
use crate::records::Records;
use crate::{BBox, Cluster, Filter, H3_KEPT_RES, H3Bins, Selection};

/// Views of filters kept at most (the open view is kept apart).
const FILTERED_VIEWS: usize = 32;

/// The organisations a filter selects in one Atlas, ready for tiles: their
/// clusters at every zoom and their counts per H3 cell.
#[derive(Debug, Clone)]
pub struct View<'a> {
    records: &'a Records,
    points: &'a Points,
    facets: &'a FacetBitmaps,
    cells: &'a Cells,
    selected: Arc<Selected>,
}

/// What a view holds besides its Atlas, shared by every request for it.
#[derive(Debug)]
pub(crate) struct Selected {
    selection: Selection,
    pyramid: Pyramid,
    /// Counts per cell up to [`H3_KEPT_RES`], each made on first use.
    h3: [OnceLock<Arc<H3Bins>>; H3_KEPT_RES as usize + 1],
}

impl Selected {
    pub(crate) fn build(
        records: &Records,
        selection: Selection,
        dims: [usize; 3],
        options: &ClusterOptions,
    ) -> Self {
        let pyramid = Pyramid::build(records.all(), &selection, dims, options);
        Self { selection, pyramid, h3: Default::default() }
    }

    /// The memory held, in bytes (the H3 counts, made on demand and small
    /// beside the pyramid, left out).
    fn bytes(&self) -> usize {
        let selection = match &self.selection {
            Selection::All(_) => 0,
            Selection::Some(bits) => bits.serialized_size(),
        };
        self.pyramid.bytes() + selection
    }
}

/// The open view, made with the Atlas, and the views of filters, made on
/// first use and kept, the most recent first, within a memory budget.
#[derive(Debug)]
pub(crate) struct Views {
    open: Arc<Selected>,
    filtered: Mutex<Vec<(Filter, Arc<Selected>)>>,
    budget_bytes: usize,
}

impl Views {
    pub(crate) fn new(open: Selected, budget_bytes: usize) -> Self {
        Self { open: Arc::new(open), filtered: Mutex::new(Vec::new()), budget_bytes }
    }

    /// The view of `filter` (already canonical), made by `make` when not kept.
    pub(crate) fn get<E>(
        &self,
        filter: &Filter,
        make: impl FnOnce() -> Result<Selected, E>,
    ) -> Result<Arc<Selected>, E> {
        if filter.is_open() {
            return Ok(self.open.clone());
        }
        let kept = self
            .filtered
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .find(|(f, _)| f == filter)
            .map(|(_, s)| s.clone());
        if let Some(selected) = kept {
            return Ok(selected);
        }
        let selected = Arc::new(make()?);
        let mut cache = self.filtered.lock().unwrap_or_else(PoisonError::into_inner);
        cache.push((filter.clone(), selected.clone()));
        let mut bytes: usize = cache.iter().map(|(_, s)| s.bytes()).sum();
        while cache.len() > 1 && (cache.len() > FILTERED_VIEWS || bytes > self.budget_bytes) {
            bytes -= cache.remove(0).1.bytes();
        }
        Ok(selected)
    }
}

impl<'a> View<'a> {
    /// The view of `selected` over the parts of the Atlas it was made from.
    pub(crate) fn new(
        records: &'a Records,
        points: &'a Points,
        facets: &'a FacetBitmaps,
        cells: &'a Cells,
        selected: Arc<Selected>,
    ) -> Self {
        Self { records, points, facets, cells, selected }
    }

    /// Counts per cell at `res` of the entries given.
    fn bins(&self, entries: impl IntoIterator<Item = u32>, res: u8) -> H3Bins {
        self.cells.bins(self.records, entries, res, self.facets.keys(Facet::Sector).len())
    }

    /// The organisations selected.
    pub fn selection(&self) -> &Selection {
        &self.selected.selection
    }

    /// How many are selected.
    pub fn total(&self) -> u64 {
        self.selected.selection.len()
    }

    /// The clusters and lone organisations of a zoom whose position lies in
    /// a rectangle (it may reach past 0 or 1 at the antimeridian, where the
    /// other side's points are shifted in).
    pub fn clusters(&self, zoom: u8, rect: MercRect) -> Vec<Cluster<'_>> {
        self.selected.pyramid.in_rect(self.records.all(), zoom, rect)
    }

    /// How many selected organisations are in a country.
    pub fn count_in_country(&self, code: CountryCode) -> u64 {
        self.facets.count_in_country(code, self.selection())
    }

    /// Counts per H3 cell at a resolution (0 to [`crate::H3_MAX_RES`]) of
    /// the whole selection: up to [`H3_KEPT_RES`] built on first use and
    /// kept with the view, finer ones counted for this call.
    pub fn h3(&self, res: u8) -> Arc<H3Bins> {
        let build = || Arc::new(self.bins(self.selection(), res));
        match self.selected.h3.get(usize::from(res)) {
            Some(slot) => slot.get_or_init(build).clone(),
            None => build(),
        }
    }

    /// Counts per H3 cell at a resolution, of the cells that may reach into
    /// a rectangle (a tile's). A resolution finer than [`H3_KEPT_RES`] is
    /// counted from the selected entries near the rectangle: every entry of
    /// a cell that reaches into it lies within [`H3Bins::reach_km`] of it.
    pub fn h3_in(&self, res: u8, rect: MercRect) -> H3Bins {
        if res <= H3_KEPT_RES {
            return self.h3(res).near(rect);
        }
        let around = lon_lat_box_around(rect, H3Bins::reach_km(res));
        let near = self.points.in_box(&around, self.records, self.selection());
        self.bins(near, res).near(rect)
    }
}

/// The box of longitudes and latitudes that holds a rectangle and every
/// point within `reach_km` of it (on the ground, so the box widens towards
/// the poles): wrapped across the antimeridian, the whole world's longitudes
/// when it is that wide or touches a pole, to the pole when the rectangle
/// reaches the map's edge (points past 85° are drawn on it).
fn lon_lat_box_around(rect: MercRect, reach_km: f64) -> BBox {
    let reach_lat = reach_km / 111.0;
    let north =
        if rect.min_y <= 0.0 { 90.0 } else { (merc_y_to_lat(rect.min_y) + reach_lat).min(90.0) };
    let south =
        if rect.max_y >= 1.0 { -90.0 } else { (merc_y_to_lat(rect.max_y) - reach_lat).max(-90.0) };
    let poleward = north.abs().max(south.abs());
    let reach_lon =
        if poleward >= 89.9 { 360.0 } else { reach_km / (111.0 * poleward.to_radians().cos()) };
    let (west, east) = if (rect.max_x - rect.min_x) * 360.0 + 2.0 * reach_lon >= 360.0 {
        (-180.0, 180.0)
    } else {
        let lon = |degrees: f64| (degrees + 180.0).rem_euclid(360.0) - 180.0;
        (lon(rect.min_x * 360.0 - 180.0 - reach_lon), lon(rect.max_x * 360.0 - 180.0 + reach_lon))
    };
    BBox::new(west, south, east, north).unwrap_or_else(|_| BBox::world())
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::sync::Arc;

    use super::{Selected, Views};
    use crate::records::Records;
    use crate::records::tests::listing;
    use crate::{ClusterOptions, Filter, Selection};

    fn records(n: u32) -> Records {
        let mut records = Records::default();
        for i in 0..n {
            let (listing, keys) = listing(
                &format!("t-{i:04}"),
                format!("Org {i}"),
                "Lyon",
                f64::from(i % 40) * 4.0 - 79.0,
                f64::from(i / 40) * 5.0 - 20.0,
            );
            records.push(&listing, &keys);
        }
        records.finish()
    }

    /// Views of filters are kept while they fit the memory given them; past
    /// it the oldest go (and are made again when asked), the newest stays.
    #[test]
    fn filtered_views_are_kept_within_their_memory() {
        let records = records(400);
        let half = |odd: u32| {
            Selected::build(
                &records,
                Selection::Some((0..400).filter(|i| i % 2 == odd).collect()),
                [1, 1, 1],
                &ClusterOptions::default(),
            )
        };
        let filter = |n: u32| Filter { sdgs: vec![n], ..Filter::default() };
        let made = Cell::new(0);
        let get = |views: &Views, n: u32| {
            views
                .get(&filter(n), || {
                    made.set(made.get() + 1);
                    Ok::<_, ()>(half(n % 2))
                })
                .unwrap()
        };
        let roomy = Views::new(half(0), 1 << 30);
        let first = get(&roomy, 1);
        get(&roomy, 2);
        assert!(Arc::ptr_eq(&first, &get(&roomy, 1)), "kept while it fits");
        assert_eq!(made.get(), 2);

        let tight = Views::new(half(0), first.bytes() + 1);
        let first = get(&tight, 1);
        assert!(Arc::ptr_eq(&first, &get(&tight, 1)), "the newest is kept");
        let second = get(&tight, 2);
        assert!(!Arc::ptr_eq(&first, &get(&tight, 1)), "the oldest went to make room");
        assert!(!Arc::ptr_eq(&second, &get(&tight, 2)), "and came back in place of the other");
        assert_eq!(made.get(), 2 + 4);
    }

    /// The open filter is the view made with the Atlas, never made again.
    #[test]
    fn the_open_view_is_the_one_made_first() {
        let views = Views::new(
            Selected::build(
                &records(10),
                Selection::All(10),
                [1, 1, 1],
                &ClusterOptions::default(),
            ),
            0,
        );
        let a = views.get(&Filter::default(), || Err(())).unwrap();
        assert!(Arc::ptr_eq(&a, &views.get(&Filter::default(), || Err(())).unwrap()));
    }
}
