use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::{Format, FormatError, Mapping, SourcePos};

use super::{FileNotes, RawRecord, geojson, gogocarto};

/// A JSON format whose organisations are the elements of one top-level array.
pub(crate) trait Elements {
    /// The top-level member holding the elements.
    fn key(&self) -> &'static str;
    /// What is known of a file before its first element.
    fn notes(&self) -> FileNotes;
    /// Reads one element; `None` for one not to import (noted in `notes`).
    fn element(&self, pos: SourcePos, element: &Value, notes: &mut FileNotes) -> Option<RawRecord>;
    /// Completes the notes once every element is read.
    fn finish(&self, notes: &mut FileNotes);
}

/// The members of a JSON file that hold arrays of elements.
const ARRAYS: [&str; 2] = ["features", "data"];

/// What a walk through a JSON file saw at its top level.
#[derive(Debug, Default)]
pub(crate) struct Top {
    /// The top-level object's members, but for those in [`ARRAYS`]; `None`
    /// when the file is not an object.
    pub members: Option<Map<String, Value>>,
    /// The members of [`ARRAYS`] that are arrays.
    pub arrays: Vec<&'static str>,
}

impl Top {
    pub fn has_array(&self, key: &str) -> bool {
        self.arrays.contains(&key)
    }

    pub fn member(&self, key: &str) -> Option<&Value> {
        self.members.as_ref().and_then(|m| m.get(key))
    }
}

/// Reads a GeoJSON or GoGoCarto file, in the given format or the one its top
/// level shows. The elements are parsed one at a time, never the file as a
/// whole: a first walk reads the top level (its members may come in any
/// order), a second the elements' notes (which columns the file has, which
/// the resolver must know before the first row), a third hands the records
/// to `each` with those notes.
pub(crate) fn read(
    file: &str,
    text: &str,
    format: Option<Format>,
    mapping: &Mapping,
    each: &mut dyn FnMut(&FileNotes, RawRecord),
) -> Result<(Format, FileNotes), FormatError> {
    let top = walk(file, text, None, &mut |_, _| {})?;
    let format = match format {
        Some(format) => format,
        None => flavour(file, &top)?,
    };
    let notes = if format == Format::GeoJson {
        stream(file, text, &geojson::Features::new(file, &top, mapping)?, each)?
    } else {
        stream(file, text, &gogocarto::Export::new(file, &top)?, each)?
    };
    Ok((format, notes))
}

fn stream(
    file: &str,
    text: &str,
    reader: &impl Elements,
    each: &mut dyn FnMut(&FileNotes, RawRecord),
) -> Result<FileNotes, FormatError> {
    let pos = |index: usize| SourcePos::Feature(index + 1);
    let mut notes = reader.notes();
    walk(file, text, Some(reader.key()), &mut |index, element| {
        reader.element(pos(index), &element, &mut notes);
    })?;
    reader.finish(&mut notes);
    let mut again = reader.notes();
    walk(file, text, Some(reader.key()), &mut |index, element| {
        if let Some(record) = reader.element(pos(index), &element, &mut again) {
            each(&notes, record);
        }
    })?;
    Ok(notes)
}

fn flavour(file: &str, top: &Top) -> Result<Format, FormatError> {
    if top.member("type").and_then(Value::as_str) == Some("FeatureCollection") {
        Ok(Format::GeoJson)
    } else if top.has_array("data") {
        Ok(Format::GoGoCarto)
    } else {
        Err(FormatError::file(
            file,
            "JSON that is neither a GeoJSON FeatureCollection nor a GoGoCarto export",
        ))
    }
}

/// Parses the file, handing each element of the top-level array `stream` to
/// `each` and skipping the other arrays of elements; names the line and
/// column of a syntax error.
fn walk(
    file: &str,
    text: &str,
    stream: Option<&str>,
    each: &mut dyn FnMut(usize, Value),
) -> Result<Top, FormatError> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let top = de::Deserializer::deserialize_any(&mut deserializer, Walk { stream, each }).and_then(
        |top| {
            deserializer.end()?;
            Ok(top)
        },
    );
    top.map_err(|e| {
        let message = e.to_string();
        let message = message.split(" at line ").next().unwrap_or(&message);
        FormatError::file_line(
            file,
            e.line() as u64,
            format!("column {}: invalid JSON: {message}", e.column()),
        )
    })
}

/// A visitor's answer to every JSON scalar (booleans, numbers, strings,
/// null): none of them is what it looks for.
macro_rules! scalars_are {
    ($answer:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($answer)
        }

        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($answer)
        }

        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($answer)
        }

        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($answer)
        }

        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok($answer)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($answer)
        }
    };
}

/// The top level of a file.
struct Walk<'a> {
    stream: Option<&'a str>,
    each: &'a mut dyn FnMut(usize, Value),
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = Top;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON document")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top, A::Error> {
        let mut top = Top { members: Some(Map::new()), arrays: Vec::new() };
        while let Some(key) = map.next_key::<String>()? {
            if let Some(&array) = ARRAYS.iter().find(|&&a| a == key) {
                if top.has_array(array) {
                    return Err(de::Error::custom(format!("the member '{key}' comes twice")));
                }
                let each = (self.stream == Some(array)).then_some(&mut *self.each);
                if map.next_value_seed(Array { each })? {
                    top.arrays.push(array);
                }
            } else {
                let value = map.next_value::<Value>()?;
                top.members.get_or_insert_default().insert(key, value);
            }
        }
        Ok(top)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Top, A::Error> {
        while seq.next_element::<Value>()?.is_some() {}
        Ok(Top::default())
    }

    scalars_are!(Top::default());
}

/// A member that should hold elements: `true` when it is an array, whose
/// elements go to `each` if given.
struct Array<'b, 'a> {
    each: Option<&'b mut (dyn FnMut(usize, Value) + 'a)>,
}

impl<'de> DeserializeSeed<'de> for Array<'_, '_> {
    type Value = bool;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Array<'_, '_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of elements")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        match self.each {
            Some(each) => {
                let mut index = 0;
                while let Some(element) = seq.next_element::<Value>()? {
                    each(index, element);
                    index += 1;
                }
            }
            // Parsed as values, not skipped: a broken file gives the error, and the
            // column, that a whole parse would.
            None => while seq.next_element::<Value>()?.is_some() {},
        }
        Ok(true)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        while map.next_entry::<String, Value>()?.is_some() {}
        Ok(false)
    }

    scalars_are!(false);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::Column;

    fn read_all(
        text: &str,
        format: Option<Format>,
    ) -> Result<(Format, Vec<RawRecord>, FileNotes), FormatError> {
        let mut records = Vec::new();
        let (format, notes) =
            read("f.json", text, format, &Mapping::default(), &mut |_, record| {
                records.push(record);
            })?;
        Ok((format, records, notes))
    }

    /// The resolver must know every column before the first row: a column
    /// first met in the last element is known when the first is handed over,
    /// and the members of the top level may come in any order.
    #[test]
    fn every_record_comes_with_the_notes_of_the_whole_file() {
        let text = concat!(
            r#"{"features":[
            {"type":"Feature","geometry":{"type":"Point","coordinates":[2.35,48.85]},"#,
            r#""properties":{"name":"A"}},
            {"type":"Feature","geometry":null,"properties":{"name":"B","country":"FR"}}],
            "type":"FeatureCollection"}"#
        );
        let mut seen = Vec::new();
        let (format, notes) =
            read("f.json", text, None, &Mapping::default(), &mut |notes, record| {
                seen.push((record.name, notes.has(Column::Country)));
            })
            .unwrap();
        assert_eq!(format, Format::GeoJson);
        assert_eq!(seen, [("A".to_owned(), true), ("B".to_owned(), true)]);
        assert!(notes.has(Column::Lat));
    }

    #[test]
    fn tells_what_is_wrong_with_the_top_level() {
        for (text, format, message) in [
            (
                "[1,2]",
                None,
                "f.json: JSON that is neither a GeoJSON FeatureCollection nor a GoGoCarto export",
            ),
            (
                r#"{"type":"FeatureCollection","features":{}}"#,
                None,
                "f.json: FeatureCollection without a features array",
            ),
            (
                r#"{"type":"Feature"}"#,
                Some(Format::GeoJson),
                "f.json: is not a GeoJSON FeatureCollection",
            ),
            (
                r#"{"data":3}"#,
                Some(Format::GoGoCarto),
                "f.json: GoGoCarto export without a data array",
            ),
            (
                r#"{"data":[],"data":[]}"#,
                None,
                "f.json:1: column 17: invalid JSON: the member 'data' comes twice",
            ),
            (
                r#"{"type":"FeatureCollection","features":[]} x"#,
                None,
                "f.json:1: column 44: invalid JSON: trailing characters",
            ),
        ] {
            assert_eq!(read_all(text, format).unwrap_err().to_string(), message, "{text}");
        }
    }
}
