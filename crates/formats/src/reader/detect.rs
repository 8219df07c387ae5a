use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use impactmap_model::fold;

use crate::{Format, FormatError, Mapping};

use super::{FileNotes, RawRecord, json, tabular, text};

/// Decodes a file and hands its records, in file order, to `each` with what
/// is known of the file: in the given format or the one its content shows.
/// A CSV's records are handed over as they are read, a JSON file's as its
/// elements are walked ([`json::read`]), so a large file is never held as
/// records.
/// Returns the format and what was learnt of the file as a whole.
pub(crate) fn read_records(
    file: &str,
    bytes: &[u8],
    format: Option<Format>,
    mapping: &Mapping,
    each: &mut dyn FnMut(&FileNotes, RawRecord),
) -> Result<(Format, FileNotes), FormatError> {
    let (text, encoding_warning) = text::decode(file, bytes)?;
    let trimmed = text.trim_start();
    let json = matches!(format, Some(Format::GeoJson | Format::GoGoCarto))
        || (format.is_none() && (trimmed.starts_with('{') || trimmed.starts_with('[')));
    let (format, mut notes) = if json {
        json::read(file, &text, format, mapping, each)?
    } else {
        let format =
            format.unwrap_or(if is_essglobal_header(trimmed.lines().next().unwrap_or("")) {
                Format::EssGlobal
            } else {
                Format::Csv
            });
        (format, tabular::read(file, text.as_bytes(), format, mapping, each)?)
    };
    notes.warnings.splice(0..0, encoding_warning);
    Ok((format, notes))
}

/// Reads a file's records as [`read_records`] reads its bytes. A plain UTF-8
/// CSV ([`text::is_plain_utf8`]) is read in two passes over the disk, never
/// held whole; any other file is read into memory and decoded.
pub(crate) fn read_file_records(
    path: &Path,
    format: Option<Format>,
    mapping: &Mapping,
    each: &mut dyn FnMut(&FileNotes, RawRecord),
) -> Result<(Format, FileNotes), FormatError> {
    let file = path.display().to_string();
    let io = |source| FormatError::Io { path: path.to_owned(), source };
    let open = || File::open(path).map(|f| BufReader::with_capacity(1 << 16, f)).map_err(io);
    let json_asked = matches!(format, Some(Format::GeoJson | Format::GoGoCarto));
    if !json_asked && text::is_plain_utf8(open()?).map_err(io)? {
        let mut input = open()?;
        let start = input.fill_buf().map_err(io)?;
        let bom = if start.starts_with(text::BOM) { text::BOM.len() } else { 0 };
        let start = &start[bom..];
        let valid = std::str::from_utf8(start)
            .unwrap_or_else(|e| std::str::from_utf8(&start[..e.valid_up_to()]).unwrap_or_default());
        let trimmed = valid.trim_start();
        // The first line whole, and not JSON: else the file is read whole below.
        if trimmed.contains('\n') && !trimmed.starts_with(['{', '[']) {
            let first_line = trimmed.lines().next().unwrap_or("");
            let format = format.unwrap_or(if is_essglobal_header(first_line) {
                Format::EssGlobal
            } else {
                Format::Csv
            });
            input.consume(bom);
            return Ok((format, tabular::read(&file, input, format, mapping, each)?));
        }
    }
    let bytes = std::fs::read(path).map_err(io)?;
    read_records(&file, &bytes, format, mapping, each)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_line_and_column_of_broken_json() {
        let err = read_records(
            "f.geojson",
            b"{\"type\":\n\"FeatureCollection\",\n\"features\":[1e999]}",
            None,
            &Mapping::default(),
            &mut |_, _| {},
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "f.geojson:3: column 17: invalid JSON: number out of range");
    }

    #[test]
    fn tells_formats_from_content() {
        let format = |bytes: &[u8]| {
            read_records("f", bytes, None, &Mapping::default(), &mut |_, _| {}).map(|(f, _)| f)
        };
        assert_eq!(format(b"name,lat,lon\nA,1,2\n").unwrap(), Format::Csv);
        assert_eq!(
            format(b"Identifier,Name,Primary Activity,Latitude,Longitude\nA,B,AM10,1,2\n").unwrap(),
            Format::EssGlobal
        );
        assert_eq!(
            format(b" {\"type\":\"FeatureCollection\",\"features\":[]}").unwrap(),
            Format::GeoJson
        );
        assert_eq!(format(b"{\"ontology\":\"gogofull\",\"data\":[]}").unwrap(), Format::GoGoCarto);
    }
}
