//! RELIABILITY A2, A9, P2 (differential): points with any ids, coordinates and
//! properties, written by our encoder, decode with mvt-reader — an
//! independent decoder — to exactly what was written, layer by layer.
#![no_main]

use std::collections::HashMap;

use arbitrary::Arbitrary;
use impactmap_tiles::{Layer, PropertyValue, encode_tile};
use libfuzzer_sys::fuzz_target;
use mvt_reader::feature::Value;

#[path = "../../crates/tiles/tests/property/mod.rs"]
mod property;

use property::Prop;

#[derive(Debug, Arbitrary)]
struct Point {
    id: Option<u64>,
    x: i32,
    y: i32,
    properties: Vec<(String, Prop)>,
}

/// NaN equals nothing, so a NaN property cannot be compared.
fn is_nan(prop: &Prop) -> bool {
    matches!(prop, Prop::Double(d) if d.is_nan()) || matches!(prop, Prop::Float(f) if f.is_nan())
}

fuzz_target!(|layers: Vec<Vec<Point>>| {
    let layers: Vec<Vec<Point>> = layers.into_iter().filter(|l| !l.is_empty()).take(4).collect();
    let mut encoded = Vec::new();
    for (index, points) in layers.iter().enumerate() {
        let mut layer = Layer::new(&format!("layer{index}"), 4096);
        for point in points {
            // A feature's properties are a map: the first value of a key is the
            // one; NaN equals nothing.
            let mut seen = std::collections::HashSet::new();
            let properties: Vec<(&str, PropertyValue<'_>)> = point
                .properties
                .iter()
                .filter(|(k, v)| seen.insert(k.as_str()) && !is_nan(v))
                .map(|(k, v)| (k.as_str(), v.as_value()))
                .collect();
            // Coordinates within what a tile and its buffer can hold, as our tiles write them.
            layer.add_point(point.id, point.x % (1 << 20), point.y % (1 << 20), &properties);
        }
        encoded.push(layer);
    }
    let bytes = encode_tile(&encoded.iter().collect::<Vec<_>>());
    let reader = mvt_reader::Reader::new(bytes).expect("mvt-reader reads our tile");
    assert_eq!(reader.get_layer_names().expect("layer names").len(), layers.len());
    for (index, points) in layers.iter().enumerate() {
        let decoded = reader.get_features_as::<i32>(index).expect("features");
        assert_eq!(decoded.len(), points.len());
        for (got, point) in decoded.iter().zip(points) {
            assert_eq!(got.id, point.id);
            let xy: Vec<(i32, i32)> = match &got.geometry {
                geo_types::Geometry::Point(p) => vec![(p.x(), p.y())],
                geo_types::Geometry::MultiPoint(m) => m.iter().map(|p| (p.x(), p.y())).collect(),
                other => panic!("not a point: {other:?}"),
            };
            assert_eq!(xy, vec![(point.x % (1 << 20), point.y % (1 << 20))]);
            let mut seen = std::collections::HashSet::new();
            let want: HashMap<String, Value> = point
                .properties
                .iter()
                .filter(|(k, v)| seen.insert(k.as_str()) && !is_nan(v))
                .map(|(k, v)| (k.clone(), v.decoded()))
                .collect();
            assert_eq!(got.properties.clone().unwrap_or_default(), want);
        }
    }
});
