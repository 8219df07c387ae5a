//! Atlas entries as GeoJSON features (RFC 7946: lon, lat), serialised
//! straight from the Atlas: a page of a thousand features allocates no
//! intermediate JSON tree.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use impactmap_index::Atlas;
use impactmap_model::Facet;
use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq};
use serde_json::Value;

use crate::ApiError;

/// A GeoJSON FeatureCollection of Atlas entries; the OGC API's page fields
/// when set.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FeatureCollection<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_stamp: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number_matched: Option<usize>,
    number_returned: usize,
    features: Vec<EntryFeature<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Value>,
}

impl<'a> FeatureCollection<'a> {
    pub fn new(features: Vec<EntryFeature<'a>>) -> Self {
        Self {
            kind: "FeatureCollection",
            time_stamp: None,
            number_matched: None,
            number_returned: features.len(),
            features,
            links: Vec::new(),
        }
    }

    /// The collection as a response body of `content_type`, serialised once.
    pub fn encode(&self, content_type: &'static str) -> Result<Response, ApiError> {
        let bytes = serde_json::to_vec(self)
            .map_err(|e| ApiError::Internal(format!("feature collection: {e}")))?;
        Ok(([(header::CONTENT_TYPE, content_type)], bytes).into_response())
    }
}

/// The public feature of an entry, with extra properties appended.
pub(crate) struct EntryFeature<'a> {
    pub atlas: &'a Atlas,
    pub index: u32,
    pub extra: &'a [(&'a str, Value)],
}

impl<'a> EntryFeature<'a> {
    /// The entry at `index`, with no extra properties.
    pub fn new(atlas: &'a Atlas, index: u32) -> Self {
        Self { atlas, index, extra: &[] }
    }
}

impl Serialize for EntryFeature<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let e = self.atlas.entry(self.index);
        let mut feature = serializer.serialize_map(Some(4))?;
        feature.serialize_entry("type", "Feature")?;
        feature.serialize_entry("id", e.id)?;
        feature.serialize_entry("geometry", &Point([e.location.lon(), e.location.lat()]))?;
        feature.serialize_entry("properties", &Properties(self))?;
        feature.end()
    }
}

struct Point([f64; 2]);

impl Serialize for Point {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut point = serializer.serialize_map(Some(2))?;
        point.serialize_entry("type", "Point")?;
        point.serialize_entry("coordinates", &self.0)?;
        point.end()
    }
}

struct Properties<'a>(&'a EntryFeature<'a>);

impl Serialize for Properties<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let EntryFeature { atlas, index, extra } = *self.0;
        let e = atlas.entry(index);
        let mut properties = serializer.serialize_map(Some(7 + extra.len()))?;
        properties.serialize_entry("name", e.name)?;
        properties
            .serialize_entry("family", atlas.keys(Facet::Family)[usize::from(e.family)].as_str())?;
        properties.serialize_entry("sectors", &Sectors { atlas, bits: e.sectors })?;
        properties.serialize_entry("sdgs", &e.sdgs.goals().collect::<Vec<_>>())?;
        properties.serialize_entry(
            "continent",
            atlas.keys(Facet::Continent)[usize::from(e.continent)].as_str(),
        )?;
        properties.serialize_entry("country", e.country.as_str())?;
        properties.serialize_entry("city", e.city)?;
        for (key, value) in extra {
            properties.serialize_entry(key, value)?;
        }
        properties.end()
    }
}

struct Sectors<'a> {
    atlas: &'a Atlas,
    bits: u32,
}

impl Serialize for Sectors<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut list = serializer.serialize_seq(None)?;
        for (bit, key) in self.atlas.keys(Facet::Sector).iter().enumerate() {
            if self.bits & (1 << bit) != 0 {
                list.serialize_element(key.as_str())?;
            }
        }
        list.end()
    }
}
