use serde_json::Value;

use crate::{FormatError, Mapping, SourcePos};

use super::column::{Column, column_for};
use super::json::{Elements, Top};
use super::record::json_cell;
use super::{FileNotes, RawRecord};

/// An RFC 7946 FeatureCollection of points; properties map to our columns
/// by name, as CSV headers do, or as the source's mapping says.
#[derive(Debug)]
pub(crate) struct Features<'m> {
    mapping: &'m Mapping,
}

impl<'m> Features<'m> {
    /// Checks the top level of the file.
    pub fn new(file: &str, top: &Top, mapping: &'m Mapping) -> Result<Self, FormatError> {
        if top.member("type").and_then(Value::as_str) != Some("FeatureCollection") {
            return Err(FormatError::file(file, "is not a GeoJSON FeatureCollection"));
        }
        if !top.has_array("features") {
            return Err(FormatError::file(file, "FeatureCollection without a features array"));
        }
        Ok(Self { mapping })
    }
}

impl Elements for Features<'_> {
    fn key(&self) -> &'static str {
        "features"
    }

    fn notes(&self) -> FileNotes {
        FileNotes::default()
    }

    fn element(&self, pos: SourcePos, feature: &Value, notes: &mut FileNotes) -> Option<RawRecord> {
        let mut record = RawRecord::new(pos);
        if let Some(properties) = feature.get("properties").and_then(Value::as_object) {
            for (key, value) in properties {
                if let Some(lang) = key.strip_prefix("description:") {
                    if let Some(text) = value.as_str().filter(|t| !t.trim().is_empty()) {
                        record.description_translations.push((lang.to_owned(), text.to_owned()));
                    }
                    if !notes.translations.contains(key) {
                        notes.translations.push(key.clone());
                    }
                    continue;
                }
                match self.mapping.column(key, |key| column_for(key).or_else(|| osm_column(key))) {
                    Some(column) => {
                        if !notes.columns.contains(&column) {
                            notes.columns.push(column);
                        }
                        record.set_json(column, value);
                    }
                    None if self.mapping.leaves_out(key) => {
                        if !notes.left_out.contains(key) {
                            notes.left_out.push(key.clone());
                        }
                    }
                    None => notes.note_unused(key, &json_cell(value)),
                }
            }
        }
        if let Some(id) = feature.get("id").filter(|_| record.id.is_empty()) {
            record.set_json(Column::Id, id);
        }
        match feature.get("geometry") {
            Some(geometry) if geometry.get("type").and_then(Value::as_str) == Some("Point") => {
                let coordinates = geometry
                    .get("coordinates")
                    .and_then(Value::as_array)
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                if let [lon, lat, ..] = coordinates {
                    record.set_json(Column::Lon, lon);
                    record.set_json(Column::Lat, lat);
                }
            }
            Some(Value::Null) | None => {}
            Some(geometry) => {
                let kind = geometry.get("type").and_then(Value::as_str).unwrap_or("unknown");
                notes.warnings.push((
                    pos,
                    format!(
                        "geometry: a {kind} is not a Point; \
                         the feature's position is taken as missing"
                    ),
                ));
            }
        }
        Some(record)
    }

    fn finish(&self, notes: &mut FileNotes) {
        notes.columns.extend([Column::Lat, Column::Lon]);
    }
}

/// OpenStreetMap's keys for what we keep (`addr:city`, `contact:website`).
fn osm_column(key: &str) -> Option<Column> {
    Some(match key {
        "addr:city" | "addr:town" | "addr:village" => Column::City,
        "addr:country" => Column::Country,
        "contact:website" | "contact:url" => Column::Website,
        "contact:email" => Column::Email,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_points_and_properties() {
        let text = concat!(
            r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","id":"a1","geometry":{"type":"Point","coordinates":[-17.44,14.69]},
             "properties":{"name":"Coop","sectors":["food-agriculture","finance"],"#,
            r#""sdgs":[2,8],"phone":"1"}},
            {"type":"Feature","geometry":{"type":"Polygon","coordinates":[]},"#,
            r#""properties":{"name":"Area"}}]}"#
        );
        let mut records = Vec::new();
        let (_, notes) = super::super::json::read(
            "f.geojson",
            text,
            None,
            &Mapping::default(),
            &mut |_, record| {
                records.push(record);
            },
        )
        .unwrap();
        assert_eq!(records[0].id, "a1");
        assert_eq!((records[0].lon.as_str(), records[0].lat.as_str()), ("-17.44", "14.69"));
        assert_eq!(records[0].sectors, ["food-agriculture", "finance"]);
        assert_eq!(records[0].sdgs, "2;8");
        assert_eq!(notes.unused_names(), ["phone"]);
        assert_eq!(notes.unused[0].examples, ["1"]);
        assert_eq!(records[1].lon, "");
        assert_eq!(notes.warnings[0].0, SourcePos::Feature(2));
    }
}
