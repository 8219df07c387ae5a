//! Atlas entries as GeoJSON features (RFC 7946: lon, lat).

use impactmap_index::Atlas;
use impactmap_model::Facet;
use serde_json::{Map, Value, json};

/// The public feature of an entry, with extra properties appended.
pub(crate) fn entry_feature(atlas: &Atlas, index: u32, extra: &[(&str, Value)]) -> Value {
    let e = atlas.entry(index);
    let sectors: Vec<&str> =
        atlas.keys(Facet::Sector).iter().enumerate().filter(|(bit, _)| e.sectors & (1 << bit) != 0).map(|(_, k)| k.as_str()).collect();
    let mut properties = Map::new();
    properties.insert("name".into(), json!(&*e.name));
    properties.insert("family".into(), json!(atlas.keys(Facet::Family)[usize::from(e.family)].as_str()));
    properties.insert("sectors".into(), json!(sectors));
    properties.insert("sdgs".into(), json!(e.sdgs.goals().collect::<Vec<_>>()));
    properties.insert("continent".into(), json!(atlas.keys(Facet::Continent)[usize::from(e.continent)].as_str()));
    properties.insert("country".into(), json!(e.country.as_str()));
    properties.insert("city".into(), json!(&*e.city));
    for (key, value) in extra {
        properties.insert((*key).to_owned(), value.clone());
    }
    json!({
        "type": "Feature",
        "id": e.id.as_str(),
        "geometry": {"type": "Point", "coordinates": [e.at.lon(), e.at.lat()]},
        "properties": properties,
    })
}
