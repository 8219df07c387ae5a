use std::fmt;
use std::str::FromStr;

use crate::{ModelError, fold};

use super::{FileNotes, RawRecord, geojson, gogocarto, tabular, text};

/// The formats impactmap reads (FORMATS.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A spreadsheet's CSV: a name, coordinates or a town, `,` or `;`.
    Csv,
    /// RFC 7946 FeatureCollection of points.
    GeoJson,
    /// ESSGlobal / DCAP-SSE standard CSV.
    EssGlobal,
    /// GoGoCarto elements JSON, full or compact.
    GoGoCarto,
}

impl Format {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::GeoJson => "geojson",
            Self::EssGlobal => "essglobal",
            Self::GoGoCarto => "gogocarto",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        [Self::Csv, Self::GeoJson, Self::EssGlobal, Self::GoGoCarto]
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(text))
            .ok_or_else(|| format!("unknown format '{text}' (csv, geojson, essglobal, gogocarto)"))
    }
}

/// Decodes a file and reads its records, in the given format or the one its content shows.
pub(crate) fn read_records(
    file: &str,
    bytes: &[u8],
    format: Option<Format>,
) -> Result<(Format, Vec<RawRecord>, FileNotes), ModelError> {
    let (text, encoding_warning) = text::decode(file, bytes)?;
    let trimmed = text.trim_start();
    let looks_json = trimmed.starts_with('{') || trimmed.starts_with('[');
    let format = match format {
        Some(format) => format,
        None if looks_json => json_flavour(file, &text)?,
        None if is_essglobal_header(trimmed.lines().next().unwrap_or("")) => Format::EssGlobal,
        None => Format::Csv,
    };
    let (records, mut notes) = match format {
        Format::Csv | Format::EssGlobal => tabular::read(file, &text, format)?,
        Format::GeoJson => geojson::read(file, &text)?,
        Format::GoGoCarto => gogocarto::read(file, &text)?,
    };
    notes.warnings.splice(0..0, encoding_warning);
    Ok((format, records, notes))
}

fn json_flavour(file: &str, text: &str) -> Result<Format, ModelError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        ModelError::at_line(
            file,
            e.line() as u64,
            format!("column {}: invalid JSON: {e}", e.column()),
        )
    })?;
    match &value {
        serde_json::Value::Object(map)
            if map.get("type").and_then(|t| t.as_str()) == Some("FeatureCollection") =>
        {
            Ok(Format::GeoJson)
        }
        serde_json::Value::Object(map)
            if map.get("data").is_some_and(serde_json::Value::is_array) =>
        {
            Ok(Format::GoGoCarto)
        }
        _ => Err(ModelError::file(
            file,
            "JSON that is neither a GeoJSON FeatureCollection nor a GoGoCarto export",
        )),
    }
}

fn is_essglobal_header(line: &str) -> bool {
    let headers: Vec<String> = line.split([',', ';', '\t']).map(fold).collect();
    let has = |h: &str| headers.iter().any(|x| x == h);
    has("identifier")
        && (has("organisationalstructure")
            || has("primaryactivity")
            || has("geocontainer")
            || has("geocontainerlatitude"))
}
