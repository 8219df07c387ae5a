use serde_json::Value;

use crate::{Location, ModelError};

use super::column::{Column, column_for};
use super::{FileNotes, RawRecord};

/// Reads an RFC 7946 FeatureCollection of points; properties map to our
/// columns by name, as CSV headers do.
pub(crate) fn read(file: &str, value: &Value) -> Result<(Vec<RawRecord>, FileNotes), ModelError> {
    if value.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        return Err(ModelError::file(file, "is not a GeoJSON FeatureCollection"));
    }
    let features = value
        .get("features")
        .and_then(Value::as_array)
        .ok_or_else(|| ModelError::file(file, "FeatureCollection without a features array"))?;
    let mut notes = FileNotes::default();
    let mut records = Vec::with_capacity(features.len());
    for (index, feature) in features.iter().enumerate() {
        let at = Location::Feature(index + 1);
        let mut record = RawRecord::new(at);
        if let Some(properties) = feature.get("properties").and_then(Value::as_object) {
            for (key, value) in properties {
                match column_for(key) {
                    Some(column) => {
                        if !notes.columns.contains(&column) {
                            notes.columns.push(column);
                        }
                        record.set_json(column, value);
                    }
                    None if !notes.unused.contains(key) => notes.unused.push(key.clone()),
                    None => {}
                }
            }
        }
        if let Some(id) = feature.get("id").filter(|_| record.id.is_empty()) {
            record.set_json(Column::Id, id);
        }
        match feature.get("geometry") {
            Some(geometry) if geometry.get("type").and_then(Value::as_str) == Some("Point") => {
                let coordinates = geometry.get("coordinates").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
                if let [lon, lat, ..] = coordinates {
                    record.set_json(Column::Lon, lon);
                    record.set_json(Column::Lat, lat);
                }
            }
            Some(Value::Null) | None => {}
            Some(geometry) => {
                let kind = geometry.get("type").and_then(Value::as_str).unwrap_or("unknown");
                notes.warnings.push((at, format!("geometry: a {kind} is not a Point; the feature's position is taken as missing")));
            }
        }
        records.push(record);
    }
    notes.columns.extend([Column::Lat, Column::Lon]);
    Ok((records, notes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_points_and_properties() {
        let text = r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","id":"a1","geometry":{"type":"Point","coordinates":[-17.44,14.69]},
             "properties":{"name":"Coop","sectors":["food-agriculture","finance"],"sdgs":[2,8],"phone":"1"}},
            {"type":"Feature","geometry":{"type":"Polygon","coordinates":[]},"properties":{"name":"Area"}}]}"#;
        let (records, notes) = read("f.geojson", &serde_json::from_str(text).unwrap()).unwrap();
        assert_eq!(records[0].id, "a1");
        assert_eq!((records[0].lon.as_str(), records[0].lat.as_str()), ("-17.44", "14.69"));
        assert_eq!(records[0].sectors, ["food-agriculture", "finance"]);
        assert_eq!(records[0].sdgs, "2;8");
        assert_eq!(notes.unused, ["phone"]);
        assert_eq!(records[1].lon, "");
        assert_eq!(notes.warnings[0].0, Location::Feature(2));
    }
}
