//! RELIABILITY A2, A9, P2 (differential): points with any ids, coordinates and
//! properties, written by our encoder, decode with mvt-reader — an
//! independent decoder — to exactly what was written, layer by layer.
#![no_main]

use std::collections::HashMap;

use arbitrary::Arbitrary;
use impactmap_tiles::{Layer, PropertyValue, encode_tile};
use libfuzzer_sys::fuzz_target;
use mvt_reader::feature::Value;

#[derive(Debug, Arbitrary)]
enum Prop {
    Str(String),
    Uint(u64),
    Int(i64),
    Double(f64),
    Float(f32),
    Bool(bool),
}

#[derive(Debug, Arbitrary)]
struct Point {
    id: Option<u64>,
    x: i32,
    y: i32,
    properties: Vec<(String, Prop)>,
}

impl Prop {
    fn as_value(&self) -> PropertyValue<'_> {
        match self {
            Self::Str(s) => PropertyValue::Str(s),
            Self::Uint(n) => PropertyValue::Uint(*n),
            Self::Int(n) => PropertyValue::Int(*n),
            Self::Double(d) => PropertyValue::Double(*d),
            Self::Float(f) => PropertyValue::Float(*f),
            Self::Bool(b) => PropertyValue::Bool(*b),
        }
    }

    fn is_nan(&self) -> bool {
        matches!(self, Self::Double(d) if d.is_nan()) || matches!(self, Self::Float(f) if f.is_nan())
    }

    fn decoded(&self) -> Value {
        match self {
            Self::Str(s) => Value::String(s.clone()),
            Self::Uint(n) => Value::UInt(*n),
            Self::Int(n) => Value::SInt(*n),
            Self::Double(d) => Value::Double(*d),
            Self::Float(f) => Value::Float(*f),
            Self::Bool(b) => Value::Bool(*b),
        }
    }
}

fuzz_target!(|layers: Vec<Vec<Point>>| {
    let layers: Vec<Vec<Point>> = layers.into_iter().filter(|l| !l.is_empty()).take(4).collect();
    let mut encoded = Vec::new();
    for (index, points) in layers.iter().enumerate() {
        let mut layer = Layer::new(&format!("layer{index}"), 4096);
        for point in points {
            // A feature's properties are a map: the first value of a key is the one; NaN equals nothing.
            let mut seen = std::collections::HashSet::new();
            let properties: Vec<(&str, PropertyValue<'_>)> = point
                .properties
                .iter()
                .filter(|(k, v)| seen.insert(k.as_str()) && !v.is_nan())
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
                .filter(|(k, v)| seen.insert(k.as_str()) && !v.is_nan())
                .map(|(k, v)| (k.clone(), v.decoded()))
                .collect();
            assert_eq!(got.properties.clone().unwrap_or_default(), want);
        }
    }
});
