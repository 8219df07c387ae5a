use serde_json::{Map, Value};

use crate::{FormatError, SourcePos};

use super::column::{Column, column_for};
use super::json::{Elements, Top};
use super::record::json_cell;
use super::{FileNotes, RawRecord};

/// A GoGoCarto export (`docs/formats.md`), full (`gogofull`) or compact
/// (`gogocompact`). Only published elements (`status >= 1`) are read.
#[derive(Debug)]
pub(crate) struct Export {
    compact: bool,
    /// The compact export's names of its field values.
    mapping: Vec<String>,
}

impl Export {
    /// Checks the top level of the file and reads its ontology and mapping.
    pub fn new(file: &str, top: &Top) -> Result<Self, FormatError> {
        if !top.has_array("data") {
            return Err(FormatError::file(file, "GoGoCarto export without a data array"));
        }
        let compact = top.member("ontology").and_then(Value::as_str) == Some("gogocompact");
        let mapping = top
            .member("mapping")
            .and_then(Value::as_array)
            .map(|m| m.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default();
        Ok(Self { compact, mapping })
    }
}

impl Elements for Export {
    fn key(&self) -> &'static str {
        "data"
    }

    fn notes(&self) -> FileNotes {
        FileNotes {
            columns: vec![Column::Id, Column::Name, Column::Lat, Column::Lon],
            ..FileNotes::default()
        }
    }

    fn element(&self, pos: SourcePos, element: &Value, notes: &mut FileNotes) -> Option<RawRecord> {
        let record = if self.compact {
            compact_element(pos, element, &self.mapping, notes)
        } else {
            full_element(pos, element, notes)
        };
        if record.is_none() {
            notes.unpublished += 1;
        }
        record
    }

    fn finish(&self, notes: &mut FileNotes) {
        if self.compact {
            notes.warnings.push((
                SourcePos::File,
                "categories: a compact export holds option ids, not names; \
                 family and sectors are unclassified"
                    .to_owned(),
            ));
        } else {
            notes.columns.push(Column::Categories);
        }
    }
}

fn published(status: Option<&Value>) -> bool {
    status.and_then(Value::as_i64).is_none_or(|s| s >= 1)
}

fn full_element(pos: SourcePos, element: &Value, notes: &mut FileNotes) -> Option<RawRecord> {
    let element = element.as_object()?;
    if !published(element.get("status")) {
        return None;
    }
    let mut record = RawRecord::new(pos);
    for (key, value) in element {
        match key.as_str() {
            "geo" => {
                record.set_json(Column::Lat, value.get("latitude").unwrap_or(&Value::Null));
                record.set_json(Column::Lon, value.get("longitude").unwrap_or(&Value::Null));
            }
            "address" => address(&mut record, value.as_object(), notes),
            "email" if value.as_str() == Some("private") => {}
            "categoriesFull" | "status" | "moderationState" | "sourceKey" | "openHours"
            | "images" | "stamps" => {}
            _ => match column_for(key) {
                Some(column) => record.set_json(column, value),
                None => notes.note_unused(key, &json_cell(value)),
            },
        }
    }
    Some(record)
}

fn address(record: &mut RawRecord, address: Option<&Map<String, Value>>, notes: &mut FileNotes) {
    let Some(address) = address else { return };
    if let Some(city) = address.get("addressLocality") {
        record.set_json(Column::City, city);
        if !notes.columns.contains(&Column::City) {
            notes.columns.push(Column::City);
        }
    }
    if let Some(country) = address.get("addressCountry") {
        record.set_json(Column::Country, country);
        if !notes.columns.contains(&Column::Country) {
            notes.columns.push(Column::Country);
        }
    }
}

/// `[id, [fieldValues], lat, lng, [optionIds], status?, moderationState?]`,
/// the field values named by the export's `mapping`.
fn compact_element(
    pos: SourcePos,
    element: &Value,
    mapping: &[String],
    notes: &mut FileNotes,
) -> Option<RawRecord> {
    let parts = element.as_array()?;
    if !published(parts.get(5)) {
        return None;
    }
    let mut record = RawRecord::new(pos);
    record.set_json(Column::Id, parts.first().unwrap_or(&Value::Null));
    if let Some(values) = parts.get(1).and_then(Value::as_array) {
        for (name, value) in mapping.iter().zip(values) {
            match column_for(name) {
                Some(column) => record.set_json(column, value),
                None => notes.note_unused(name, &json_cell(value)),
            }
        }
    }
    record.set_json(Column::Lat, parts.get(2).unwrap_or(&Value::Null));
    record.set_json(Column::Lon, parts.get(3).unwrap_or(&Value::Null));
    Some(record)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Format, Mapping};

    fn read_all(text: &str) -> (Vec<RawRecord>, FileNotes) {
        let mut records = Vec::new();
        let (_, notes) = super::super::json::read(
            "g.json",
            text,
            Some(Format::GoGoCarto),
            &Mapping::default(),
            &mut |_, record| {
                records.push(record);
            },
        )
        .unwrap();
        (records, notes)
    }

    #[test]
    fn reads_full_elements_and_skips_unpublished() {
        let text = concat!(
            r#"{"licence":"https://opendatacommons.org/licenses/odbl/","#,
            r#""ontology":"gogofull","data":[
            {"id":"x1","name":"Ressourcerie","geo":{"latitude":45.76,"longitude":4.83},
             "address":{"addressLocality":"Lyon","addressCountry":"FR"},"#,
            r#""categories":["Réemploi","Association"],
             "status":1,"email":"private","website":"https://r.example.org"},
            {"id":"x2","name":"Pending","geo":{"latitude":45.7,"longitude":4.8},"status":0}]}"#
        );
        let (records, notes) = read_all(text);
        assert_eq!(records.len(), 1);
        assert_eq!(notes.unpublished, 1);
        let r = &records[0];
        assert_eq!(
            (r.id.as_str(), r.name.as_str(), r.city.as_str(), r.country.as_str()),
            ("x1", "Ressourcerie", "Lyon", "FR")
        );
        assert_eq!((r.lat.as_str(), r.lon.as_str()), ("45.76", "4.83"));
        assert_eq!(r.categories, ["Réemploi", "Association"]);
        assert_eq!(r.email, "");
    }

    #[test]
    fn reads_compact_elements_through_the_mapping() {
        let text = concat!(
            r#"{"ontology":"gogocompact","mapping":["name","description"],"data":[
            ["c1",["Amap du Val","Paniers"],47.2,-1.55,[12,40],1],"#,
            r#"["c2",["Refusée",""],47.0,-1.5,[],-2]]}"#
        );
        let (records, notes) = read_all(text);
        assert_eq!(records.len(), 1);
        assert_eq!(notes.unpublished, 1);
        assert_eq!(
            (records[0].id.as_str(), records[0].name.as_str(), records[0].description.as_str()),
            ("c1", "Amap du Val", "Paniers")
        );
        assert_eq!((records[0].lat.as_str(), records[0].lon.as_str()), ("47.2", "-1.55"));
    }
}
