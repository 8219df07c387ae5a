//! The hand-written point encoder against an independent decoder (mvt-reader).

#![allow(
    clippy::unwrap_used,
    reason = "a test that cannot go on should stop loudly, helpers included"
)]

use std::collections::HashMap;

use impactmap_tiles::{Layer, PropertyValue, encode_tile};
use mvt_reader::Reader;
use mvt_reader::feature::Value;
use proptest::prelude::*;

mod property;

use property::Prop;

fn prop() -> impl Strategy<Value = Prop> {
    prop_oneof![
        "[a-z<>&\"é🌱 ]{0,12}".prop_map(Prop::Str),
        any::<u64>().prop_map(Prop::Uint),
        // Counts: the small integers the layer looks up in an array.
        (0u64..1100).prop_map(Prop::Uint),
        any::<i64>().prop_map(Prop::Int),
        (-1e12f64..1e12).prop_map(Prop::Double),
        (-1e6f32..1e6).prop_map(Prop::Float),
        any::<bool>().prop_map(Prop::Bool),
    ]
}

type Feature = (Option<u64>, i32, i32, Vec<(String, Prop)>);

fn feature() -> impl Strategy<Value = Feature> {
    (
        proptest::option::of(any::<u64>()),
        -5000i32..9000,
        -5000i32..9000,
        proptest::collection::vec(("[a-e]{1,2}", prop()), 0..6),
    )
        .prop_map(|(id, x, y, props)| {
            // One value per key, as a feature's properties are a map.
            let mut seen = std::collections::HashSet::new();
            let props = props.into_iter().filter(|(k, _)| seen.insert(k.clone())).collect();
            (id, x, y, props)
        })
}

fn encode(name: &str, features: &[Feature]) -> Layer {
    let mut layer = Layer::new(name, 4096);
    for (id, x, y, props) in features {
        let props: Vec<(&str, PropertyValue<'_>)> =
            props.iter().map(|(k, v)| (k.as_str(), v.as_value())).collect();
        layer.add_point(*id, *x, *y, &props);
    }
    layer
}

proptest! {
    /// RELIABILITY P2.
    #[test]
    fn every_feature_decodes_as_written(
        a in proptest::collection::vec(feature(), 1..40),
        b in proptest::collection::vec(feature(), 0..10),
    ) {
        let layers = [encode("clusters", &a), encode("organisations", &b)];
        let bytes = encode_tile(&[&layers[0], &layers[1]]);
        let reader = Reader::new(bytes).unwrap();
        let names = reader.get_layer_names().unwrap();
        let expected_names: Vec<&str> =
            if b.is_empty() { vec!["clusters"] } else { vec!["clusters", "organisations"] };
        prop_assert_eq!(names, expected_names);
        for (index, written) in [&a, &b].into_iter().enumerate().filter(|(_, f)| !f.is_empty()) {
            let meta = &reader.get_layer_metadata().unwrap()[index];
            prop_assert_eq!(
                (meta.version, meta.extent, meta.feature_count),
                (2, 4096, written.len())
            );
            let decoded = reader.get_features_as::<i32>(index).unwrap();
            for (got, (id, x, y, props)) in decoded.iter().zip(written.iter()) {
                prop_assert_eq!(got.id, *id);
                // mvt-reader hands single points back as one-point MultiPoints.
                let points: Vec<(i32, i32)> = match &got.geometry {
                    geo_types::Geometry::Point(p) => vec![(p.x(), p.y())],
                    geo_types::Geometry::MultiPoint(m) => {
                        m.iter().map(|p| (p.x(), p.y())).collect()
                    }
                    other => panic!("not a point: {other:?}"),
                };
                prop_assert_eq!(points, vec![(*x, *y)]);
                let want: HashMap<String, Value> =
                    props.iter().map(|(k, v)| (k.clone(), v.decoded())).collect();
                prop_assert_eq!(got.properties.clone().unwrap_or_default(), want);
            }
        }
    }
}

/// A feature as mvt-reader decodes it: id, point, properties.
type Decoded = (Option<u64>, (i32, i32), HashMap<String, Value>);

fn decode(layer: &Layer) -> Vec<Decoded> {
    let reader = Reader::new(encode_tile(&[layer])).unwrap();
    reader
        .get_features_as::<i32>(0)
        .unwrap()
        .into_iter()
        .map(|f| {
            let point = match &f.geometry {
                geo_types::Geometry::Point(p) => (p.x(), p.y()),
                geo_types::Geometry::MultiPoint(m) => (m.0[0].x(), m.0[0].y()),
                other => panic!("not a point: {other:?}"),
            };
            (f.id, point, f.properties.unwrap_or_default())
        })
        .collect()
}

proptest! {
    /// Keys declared once and used by id, in a layer cleared between tiles,
    /// decode exactly as keys given by name.
    #[test]
    fn declared_keys_decode_as_keys_by_name(
        tiles in proptest::collection::vec(proptest::collection::vec(feature(), 1..20), 1..4),
    ) {
        let mut by_id = Layer::new("clusters", 4096);
        let unused = by_id.declare_key("never-used");
        for features in &tiles {
            by_id.clear();
            for (id, x, y, props) in features {
                let props: Vec<_> =
                    props.iter().map(|(k, v)| (by_id.declare_key(k), v.as_value())).collect();
                by_id.add_point(*id, *x, *y, &props);
            }
            let by_name = encode("clusters", features);
            prop_assert_eq!(decode(&by_id), decode(&by_name));
            let bytes = encode_tile(&[&by_id]);
            prop_assert!(!bytes.windows(b"never-used".len()).any(|w| w == b"never-used"));
        }
        prop_assert_eq!(by_id.declare_key("never-used"), unused);
    }
}

proptest! {
    /// A layer cleared and used again writes each tile byte for byte as a new
    /// layer does: nothing of an earlier tile (keys, values, small integers,
    /// booleans) leaks into the next.
    #[test]
    fn a_cleared_layer_writes_as_a_new_one(
        tiles in proptest::collection::vec(proptest::collection::vec(feature(), 0..20), 1..5),
    ) {
        let mut reused = Layer::new("clusters", 4096);
        let declared: Vec<_> = ["a", "b", "c"].into_iter().map(|k| reused.declare_key(k)).collect();
        for features in &tiles {
            reused.clear();
            let mut fresh = Layer::new("clusters", 4096);
            for (id, x, y, props) in features {
                // Declared keys and keys by name, mixed as the tile service may.
                for layer in [&mut reused, &mut fresh] {
                    let by_name: Vec<(&str, PropertyValue<'_>)> =
                        props.iter().map(|(k, v)| (k.as_str(), v.as_value())).collect();
                    layer.add_point(*id, *x, *y, &by_name);
                }
                let counts: Vec<_> =
                    props.iter().zip(&declared).map(|((_, v), &k)| (k, v.as_value())).collect();
                reused.add_point(*id, *x, *y, &counts);
                let counts: Vec<_> = props
                    .iter()
                    .zip(["a", "b", "c"])
                    .map(|((_, v), k)| (k, v.as_value()))
                    .collect();
                fresh.add_point(*id, *x, *y, &counts);
            }
            prop_assert_eq!(encode_tile(&[&reused]), encode_tile(&[&fresh]));
        }
    }
}

#[test]
#[should_panic(expected = "another layer")]
fn a_key_of_another_layer_is_refused() {
    let mut one = Layer::new("a", 4096);
    let mut other = Layer::new("b", 4096);
    let key = one.declare_key("count");
    other.add_point(None, 1, 1, &[(key, PropertyValue::Uint(1))]);
}

#[test]
fn an_empty_tile_has_no_layers() {
    let layer = Layer::new("clusters", 4096);
    assert!(encode_tile(&[&layer]).is_empty());
}

#[test]
fn keys_and_values_are_stored_once() {
    let mut layer = Layer::new("clusters", 4096);
    for i in 0..100 {
        layer.add_point(
            Some(i),
            1,
            2,
            &[("family", PropertyValue::Str("cooperative")), ("count", PropertyValue::Uint(3))],
        );
    }
    let bytes = encode_tile(&[&layer]);
    assert_eq!(bytes.windows(b"cooperative".len()).filter(|w| *w == b"cooperative").count(), 1);
    assert_eq!(bytes.windows(b"family".len()).filter(|w| *w == b"family").count(), 1);
    // A key declared and a key given by name are one key.
    layer.clear();
    let family = layer.declare_key("family");
    layer.add_point(None, 1, 2, &[(family, PropertyValue::Str("mutual"))]);
    layer.add_point(None, 1, 2, &[("family", PropertyValue::Str("mutual"))]);
    let key = layer.declare_key("count");
    layer.add_point(None, 1, 2, &[("count", PropertyValue::Uint(1))]);
    layer.add_point(None, 1, 2, &[(key, PropertyValue::Uint(1))]);
    let bytes = encode_tile(&[&layer]);
    assert_eq!(bytes.windows(b"family".len()).filter(|w| *w == b"family").count(), 1);
    assert_eq!(bytes.windows(b"count".len()).filter(|w| *w == b"count").count(), 1);
    layer.clear();
    assert!(layer.is_empty());
}
