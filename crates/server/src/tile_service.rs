//! Turns an index query into vector tiles: no HTTP here, so that benches and
//! tests call it directly.

use impactmap_index::{Atlas, ClusterView, Filter, IndexError};
use impactmap_model::Facet;
use impactmap_tiles::{PointLayer, PropertyValue, TileCoord, encode_tile};

/// Units across a tile.
pub const EXTENT: u32 = 4096;
/// Units of buffer around a tile, so symbols at edges are not cut.
pub const BUFFER: u32 = 64;
/// From this zoom the `organisations` layer carries every lone organisation.
pub const ORGANISATIONS_MIN_ZOOM: u8 = 12;

/// Property names per taxonomy position, made once per Atlas shape.
#[derive(Debug)]
pub struct LayerKeys {
    counts: Vec<String>,
}

impl LayerKeys {
    /// `c_<continent>`, `f_<family>`, `n_<sector>` in the order of a cluster's counts.
    pub fn new(atlas: &Atlas) -> Self {
        let mut counts = Vec::new();
        for (prefix, facet) in [("c_", Facet::Continent), ("f_", Facet::Family), ("n_", Facet::Sector)] {
            counts.extend(atlas.keys(facet).iter().map(|k| format!("{prefix}{k}")));
        }
        Self { counts }
    }
}

/// Encodes the `clusters` and `organisations` layers of one tile; empty when
/// nothing lies in it.
///
/// # Errors
/// [`IndexError`] for a filter value the Atlas does not know.
pub fn render(atlas: &Atlas, keys: &LayerKeys, filter: &Filter, tile: TileCoord) -> Result<Vec<u8>, IndexError> {
    let pyramid = atlas.pyramid(filter)?;
    let b = tile.buffered_bounds(EXTENT, BUFFER);
    let views = pyramid.in_rect(atlas, tile.z(), b.min_x, b.min_y, b.max_x, b.max_y);
    let families = atlas.keys(Facet::Family);
    let continents = atlas.keys(Facet::Continent);
    let sectors = atlas.keys(Facet::Sector);
    let mut clusters = PointLayer::new("clusters", EXTENT);
    let mut organisations = PointLayer::new("organisations", EXTENT);
    let mut props: Vec<(&str, PropertyValue<'_>)> = Vec::with_capacity(48);
    let mut sector_list = String::new();
    for view in &views {
        let (x, y) = tile.to_tile_units(view.x, view.y, EXTENT);
        props.clear();
        props.push(("count", PropertyValue::Uint(u64::from(view.count))));
        if let Some(index) = view.entry {
            let e = atlas.entry(index);
            props.push(("cluster", PropertyValue::Bool(false)));
            props.push(("id", PropertyValue::Str(e.id.as_str())));
            props.push(("family", PropertyValue::Str(families[usize::from(e.family)].as_str())));
            clusters.add(Some(view.id), x, y, &props);
            if tile.z() >= ORGANISATIONS_MIN_ZOOM {
                sector_list.clear();
                for (_, key) in sectors.iter().enumerate().filter(|(bit, _)| e.sectors & (1 << bit) != 0) {
                    if !sector_list.is_empty() {
                        sector_list.push(';');
                    }
                    sector_list.push_str(key.as_str());
                }
                let display = [
                    ("id", PropertyValue::Str(e.id.as_str())),
                    ("name", PropertyValue::Str(&e.name)),
                    ("family", PropertyValue::Str(families[usize::from(e.family)].as_str())),
                    ("sectors", PropertyValue::Str(&sector_list)),
                    ("continent", PropertyValue::Str(continents[usize::from(e.continent)].as_str())),
                    ("country", PropertyValue::Str(e.country.as_str())),
                    ("city", PropertyValue::Str(&e.city)),
                ];
                organisations.add(Some(u64::from(index)), x, y, &display);
            }
        } else {
            cluster_properties(view, keys, &mut props);
            clusters.add(Some(view.id), x, y, &props);
        }
    }
    Ok(encode_tile(&[&clusters, &organisations]))
}

fn cluster_properties<'a>(view: &ClusterView, keys: &'a LayerKeys, props: &mut Vec<(&'a str, PropertyValue<'a>)>) {
    props.push(("cluster", PropertyValue::Bool(true)));
    props.push(("expansion_zoom", PropertyValue::Uint(u64::from(view.expansion_zoom.unwrap_or(0)))));
    for (name, value) in ["west", "south", "east", "north"].into_iter().zip(view.bbox) {
        props.push((name, PropertyValue::Double(value)));
    }
    for (key, &count) in keys.counts.iter().zip(&view.counts).filter(|(_, c)| **c > 0) {
        props.push((key.as_str(), PropertyValue::Uint(u64::from(count))));
    }
}
