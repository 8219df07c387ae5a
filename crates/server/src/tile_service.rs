//! Turns an index query into vector tiles: no HTTP here, so that benches and
//! tests call it directly.

use std::cell::RefCell;
use std::collections::HashMap;

use impactmap_index::{Atlas, Cluster, Filter, H3Bins, IndexError, View};
use impactmap_model::{CountryCode, Facet, MercPoint, Reference};
use impactmap_tiles::{
    BASEMAP_MAX_ZOOM, Basemap, KeyId, Layer, PropertyValue, TileCoord, encode_tile, ring_in_tile,
};

/// Units across a tile.
pub const EXTENT: u32 = 4096;
/// Units of buffer around a tile, so symbols at edges are not cut.
pub const BUFFER: u32 = 64;
/// From this zoom the `organisations` layer carries every lone organisation.
pub const ORGANISATIONS_MIN_ZOOM: u8 = 12;
/// The deepest zoom with an `h3` layer.
pub const H3_MAX_ZOOM: u8 = 15;
/// The H3 resolution shown at each zoom: cells some 20-60 px across.
const H3_RES_BY_ZOOM: [u8; 16] = [0, 0, 1, 1, 2, 3, 3, 4, 5, 5, 6, 7, 7, 8, 9, 10];

/// What every tile needs besides the Atlas, made once at start.
#[derive(Debug)]
pub struct TileMaker {
    /// `c_<continent>`, `f_<family>`, `n_<sector>` in the order of a cluster's counts.
    counts: Vec<String>,
    basemap: Basemap,
    country_names: HashMap<CountryCode, String>,
}

impl TileMaker {
    /// Property names from the taxonomy, country outlines and names from the reference data.
    pub fn new(reference: &Reference) -> Self {
        let mut counts = Vec::new();
        for (prefix, facet) in
            [("c_", Facet::Continent), ("f_", Facet::Family), ("n_", Facet::Sector)]
        {
            counts.extend(
                reference.taxonomy.terms(facet).iter().map(|t| format!("{prefix}{}", t.key)),
            );
        }
        let basemap = Basemap::new(reference.boundaries.polygons());
        let country_names =
            reference.countries.all().iter().map(|c| (c.code, c.name("en").to_owned())).collect();
        Self { counts, basemap, country_names }
    }
}

/// Which layers to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Layers {
    /// `countries`, z0-10.
    pub countries: bool,
    /// `h3`, z0-15.
    pub h3: bool,
    /// `clusters` (every zoom) and `organisations` (z12+), made together.
    pub clusters: bool,
}

impl Layers {
    /// Every layer: what the tile route serves by default.
    pub const ALL: Self = Self { countries: true, h3: true, clusters: true };
    /// `clusters` and `organisations` only.
    pub const CLUSTERS: Self = Self { countries: false, h3: false, clusters: true };

    /// Reads `countries,h3,clusters` (`clusters` and `organisations` come together).
    ///
    /// # Errors
    /// The name that is not a layer.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut layers = Self { countries: false, h3: false, clusters: false };
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            match name {
                "countries" => layers.countries = true,
                "h3" => layers.h3 = true,
                "clusters" | "organisations" => layers.clusters = true,
                other => return Err(other.to_owned()),
            }
        }
        Ok(layers)
    }
}

/// Encodes the `countries`, `h3`, `clusters` and `organisations` layers of
/// one tile; empty when nothing lies in it.
///
/// # Errors
/// [`IndexError`] for a filter value the Atlas does not know.
pub fn render(
    atlas: &Atlas,
    maker: &TileMaker,
    filter: &Filter,
    tile: TileCoord,
) -> Result<Vec<u8>, IndexError> {
    render_layers(atlas, maker, filter, tile, Layers::ALL)
}

/// [`render`], limited to some layers (benches measure them apart).
///
/// # Errors
/// [`IndexError`] for a filter value the Atlas does not know.
pub fn render_layers(
    atlas: &Atlas,
    maker: &TileMaker,
    filter: &Filter,
    tile: TileCoord,
    layers: Layers,
) -> Result<Vec<u8>, IndexError> {
    let view = atlas.view(filter)?;
    // Each thread keeps its four layers: clearing keeps their buffers and
    // hash tables, which making them anew per tile would grow again. The
    // clusters' keys are declared once per thread and taxonomy, not per tile.
    thread_local! {
        static LAYERS: RefCell<([Layer; 4], Option<ClusterKeys>)> = RefCell::new((
            ["countries", "h3", "clusters", "organisations"].map(|name| Layer::new(name, EXTENT)),
            None,
        ));
    }
    LAYERS.with(|cell| {
        let (built, keys) = &mut *cell.borrow_mut();
        for layer in built.iter_mut() {
            layer.clear();
        }
        let [countries, hexagons, clusters, organisations] = built;
        let keys = match keys {
            Some(keys) if keys.names == maker.counts => keys,
            slot => slot.insert(ClusterKeys::declare(clusters, &maker.counts)),
        };
        fill(
            &view,
            atlas,
            maker,
            tile,
            layers,
            keys,
            [countries, hexagons, clusters, organisations],
        );
        Ok(encode_tile(&[&built[0], &built[1], &built[2], &built[3]]))
    })
}

fn fill(
    view: &View<'_>,
    atlas: &Atlas,
    maker: &TileMaker,
    tile: TileCoord,
    layers: Layers,
    keys: &ClusterKeys,
    [countries, hexagons, clusters, organisations]: [&mut Layer; 4],
) {
    if layers.countries && tile.z() <= BASEMAP_MAX_ZOOM {
        for (code, rings) in maker.basemap.in_tile(tile, EXTENT, BUFFER) {
            let name = maker.country_names.get(&code).map_or("", String::as_str);
            let count = view.count_in_country(code);
            let props = [
                ("country", PropertyValue::Str(code.as_str())),
                ("name", PropertyValue::Str(name)),
                ("count", PropertyValue::Uint(count)),
            ];
            countries.add_polygon(None, &rings, &props);
        }
    }
    let found = if layers.clusters {
        view.clusters(tile.z(), tile.buffered_bounds(EXTENT, BUFFER))
    } else {
        Vec::new()
    };
    let families = atlas.keys(Facet::Family);
    let continents = atlas.keys(Facet::Continent);
    let sectors = atlas.keys(Facet::Sector);
    if layers.h3 && tile.z() <= H3_MAX_ZOOM {
        h3_layer(view, maker, tile, hexagons);
    }
    let mut props: Vec<(KeyId, PropertyValue<'_>)> = Vec::with_capacity(48);
    let mut sector_list = String::new();
    for cluster in &found {
        let (x, y) = tile.to_tile_units(cluster.x, cluster.y, EXTENT);
        props.clear();
        props.push((keys.count, PropertyValue::Uint(u64::from(cluster.count))));
        if let Some(index) = cluster.entry {
            let e = atlas.entry(index);
            props.push((keys.cluster, PropertyValue::Bool(false)));
            props.push((keys.id, PropertyValue::Str(e.id)));
            props.push((keys.family, PropertyValue::Str(families[usize::from(e.family)].as_str())));
            clusters.add_point(Some(cluster.id), x, y, &props);
            if tile.z() >= ORGANISATIONS_MIN_ZOOM {
                sector_list.clear();
                for (_, key) in
                    sectors.iter().enumerate().filter(|(bit, _)| e.sectors & (1 << bit) != 0)
                {
                    if !sector_list.is_empty() {
                        sector_list.push(';');
                    }
                    sector_list.push_str(key.as_str());
                }
                let display = [
                    ("id", PropertyValue::Str(e.id)),
                    ("name", PropertyValue::Str(e.name)),
                    ("family", PropertyValue::Str(families[usize::from(e.family)].as_str())),
                    ("sectors", PropertyValue::Str(&sector_list)),
                    (
                        "continent",
                        PropertyValue::Str(continents[usize::from(e.continent)].as_str()),
                    ),
                    ("country", PropertyValue::Str(e.country.as_str())),
                    ("city", PropertyValue::Str(e.city)),
                ];
                organisations.add_point(Some(u64::from(index)), x, y, &display);
            }
        } else {
            cluster_properties(cluster, keys, &mut props);
            clusters.add_point(Some(cluster.id), x, y, &props);
        }
    }
}

fn h3_layer(view: &View<'_>, maker: &TileMaker, tile: TileCoord, layer: &mut Layer) {
    let res = H3_RES_BY_ZOOM[usize::from(tile.z())];
    let bins = view.h3_in(res, tile.buffered_bounds(EXTENT, BUFFER));
    let sector_keys = &maker.counts[maker.counts.len() - bins.sectors()..];
    for bin in bins.bins() {
        let mut ring: Vec<(f64, f64)> = H3Bins::boundary(bin.cell)
            .into_iter()
            .map(|(lon, lat)| MercPoint::from_lon_lat(lon, lat))
            .map(|p| (p.x, p.y))
            .collect();
        // A cell across the antimeridian is drawn whole on the east side.
        if ring.iter().any(|p| p.0 < 0.25) && ring.iter().any(|p| p.0 > 0.75) {
            for p in &mut ring {
                if p.0 < 0.5 {
                    p.0 += 1.0;
                }
            }
        }
        let Some(ring) = ring_in_tile(&ring, tile, EXTENT, BUFFER, true) else { continue };
        let hex = format!("{:x}", bin.cell);
        let mut props: Vec<(&str, PropertyValue<'_>)> = Vec::with_capacity(24);
        props.push(("h3", PropertyValue::Str(&hex)));
        props.push(("count", PropertyValue::Uint(u64::from(bin.count))));
        for (key, &n) in sector_keys.iter().zip(bins.sector_counts(bin)).filter(|(_, n)| **n > 0) {
            props.push((key.as_str(), PropertyValue::Uint(u64::from(n))));
        }
        layer.add_polygon(Some(bin.cell), &[ring], &props);
    }
}

/// The keys of the `clusters` layer, declared for one tile.
struct ClusterKeys {
    count: KeyId,
    cluster: KeyId,
    id: KeyId,
    family: KeyId,
    expansion_zoom: KeyId,
    bbox: [KeyId; 4],
    /// `c_<continent>`, `f_<family>`, `n_<sector>` in the order of a cluster's counts.
    counts: Vec<KeyId>,
    /// The names of `counts`: what they were declared for.
    names: Vec<String>,
}

impl ClusterKeys {
    fn declare(layer: &mut Layer, counts: &[String]) -> Self {
        Self {
            count: layer.declare_key("count"),
            cluster: layer.declare_key("cluster"),
            id: layer.declare_key("id"),
            family: layer.declare_key("family"),
            expansion_zoom: layer.declare_key("expansion_zoom"),
            bbox: ["west", "south", "east", "north"].map(|name| layer.declare_key(name)),
            counts: counts.iter().map(|key| layer.declare_key(key)).collect(),
            names: counts.to_vec(),
        }
    }
}

fn cluster_properties(
    cluster: &Cluster,
    keys: &ClusterKeys,
    props: &mut Vec<(KeyId, PropertyValue<'_>)>,
) {
    props.push((keys.cluster, PropertyValue::Bool(true)));
    props.push((
        keys.expansion_zoom,
        PropertyValue::Uint(u64::from(cluster.expansion_zoom.unwrap_or(0))),
    ));
    for (&key, value) in keys.bbox.iter().zip(cluster.bbox) {
        // Stored as f32 in the pyramid: the same number, in half the bytes of a double.
        #[expect(clippy::cast_possible_truncation, reason = "read from an f32, so exact")]
        props.push((key, PropertyValue::Float(value as f32)));
    }
    for (dim, count) in cluster.counts() {
        props.push((keys.counts[dim], PropertyValue::Uint(u64::from(count))));
    }
}
