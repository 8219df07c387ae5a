use std::collections::HashSet;
use std::io::{BufRead, Read};

use crate::{Format, FormatError, Mapping, SourcePos};

use super::column::{Column, column_for_header};
use super::{FileNotes, RawRecord};

/// Reads a CSV file: our export, a spreadsheet's CSV or an ESSGlobal file,
/// as UTF-8 text from the start of its first line (after any BOM).
/// The delimiter (`,`, `;` or tab) is the one the header line uses most.
/// Each record goes to `each` as soon as it is read, with the notes so far
/// (its columns are all known by then).
pub(crate) fn read(
    file: &str,
    mut input: impl BufRead,
    format: Format,
    mapping: &Mapping,
    each: &mut dyn FnMut(&FileNotes, RawRecord),
) -> Result<FileNotes, FormatError> {
    let mut first_line = String::new();
    input.read_line(&mut first_line).map_err(|e| FormatError::file(file, e.to_string()))?;
    let header_line = first_line.lines().next().unwrap_or("");
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|&d| header_line.bytes().filter(|&b| b == d).count())
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(first_line.as_bytes().chain(input));
    let headers = reader.headers().map_err(|e| csv_error(file, &e, 0))?.clone();

    let mut notes = FileNotes { decimal_comma: delimiter == b';', ..FileNotes::default() };
    let mut columns = Vec::with_capacity(headers.len());
    let mut seen = HashSet::new();
    for header in &headers {
        let column = mapping
            .column(header, column_for_header)
            .filter(|c| c.accumulates() || seen.insert(*c));
        match column {
            Some(c) if !notes.columns.contains(&c) => notes.columns.push(c),
            None if mapping.leaves_out(header) => notes.left_out.push(header.trim().to_owned()),
            None if !header.trim().is_empty() => notes.note_unused(header.trim(), ""),
            _ => {}
        }
        columns.push(column);
    }
    // The columns whose first values the report shows.
    let unused: Vec<usize> = (0..headers.len())
        .filter(|&i| columns[i].is_none())
        .filter(|&i| !headers[i].trim().is_empty() && !mapping.leaves_out(&headers[i]))
        .collect();
    let written: Vec<String> = headers.iter().map(str::to_owned).collect();
    notes.warnings.extend(mapping.missing(&written));
    if !notes.has(Column::Name) {
        let found = if headers.len() == 1 {
            format!("one column '{}'; is the delimiter , ; or tab?", &headers[0])
        } else {
            format!("{} columns", headers.len())
        };
        return Err(FormatError::file_line(
            file,
            1,
            format!("no name column (name, nom, nombre, title...) among the headers ({found})"),
        ));
    }
    let has_place = (notes.has(Column::Lat) && notes.has(Column::Lon))
        || (notes.has(Column::GeoLat) && notes.has(Column::GeoLon))
        || notes.has(Column::City);
    if !has_place {
        return Err(FormatError::file_line(
            file,
            1,
            "no coordinate columns (lat/lon, latitude/longitude, y/x) \
             and no town column to look them up",
        ));
    }

    // csv-core counts lines by the `\n`s it has consumed, and a record ends
    // at the `\r` of a CRLF: its `\n` is read with the next record, after
    // that record's position was taken, one line short.
    let crlf_shift = u64::from(first_line.ends_with("\r\n"));
    let mut row = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut row) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(file, &e, crlf_shift)),
        }
        let line = row.position().map_or(0, csv::Position::line) + crlf_shift;
        if row.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        if row.len() != headers.len() {
            notes.warnings.push((
                SourcePos::Line(line),
                format!(
                    "{} cells where the header has {}; \
                     missing cells read as empty, extra ones ignored",
                    row.len(),
                    headers.len()
                ),
            ));
        }
        for &i in &unused {
            notes.note_unused(headers[i].trim(), row.get(i).unwrap_or(""));
        }
        let mut record = RawRecord::new(SourcePos::Line(line));
        record.description_html = format == Format::EssGlobal;
        for (cell, column) in row.iter().zip(&columns) {
            if let Some(column) = column {
                record.set(*column, unguard(cell));
            }
        }
        each(&notes, record);
    }
    Ok(notes)
}

/// Our exports prefix text cells that start with `= + - @` with `'` so that
/// spreadsheets do not run them; reading them back removes the guard.
fn unguard(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

/// The error at its line; `shift` as for records (see `read`).
fn csv_error(file: &str, error: &csv::Error, shift: u64) -> FormatError {
    match error.position() {
        Some(position) => FormatError::file_line(file, position.line() + shift, error.to_string()),
        None => FormatError::file(file, error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(text: &str) -> Result<(Vec<RawRecord>, FileNotes), FormatError> {
        let mut records = Vec::new();
        let notes =
            read("f.csv", text.as_bytes(), Format::Csv, &Mapping::default(), &mut |_, record| {
                records.push(record);
            })?;
        Ok((records, notes))
    }

    fn read_csv(text: &str) -> (Vec<RawRecord>, FileNotes) {
        read_all(text).unwrap()
    }

    /// A row's line is the same whether the file ends its lines with LF or
    /// CRLF, across cells that span lines.
    #[test]
    fn crlf_files_name_the_same_lines_as_lf_files() {
        let lf = "name,lat,lon\nA,1,1\n\"B\nb\",2,2\nC,3,3\n";
        let lines = |text: &str| -> Vec<SourcePos> {
            read_all(text).unwrap().0.into_iter().map(|r| r.pos).collect()
        };
        let want = [2, 3, 5].map(SourcePos::Line).to_vec();
        assert_eq!(lines(lf), want);
        assert_eq!(lines(&lf.replace('\n', "\r\n")), want);
    }

    #[test]
    fn reads_semicolons_decimal_commas_and_quoted_newlines() {
        let (records, notes) = read_csv(
            "Nom;Latitude;Longitude;Description;Pays\n\
             \"Coop; \"\"Sud\"\"\";43,6;1,44;\"two\nlines\";France\n",
        );
        assert!(notes.decimal_comma);
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].name, "Coop; \"Sud\"");
        assert_eq!((records[0].lat.as_str(), records[0].lon.as_str()), ("43,6", "1,44"));
        assert_eq!(records[0].description, "two\nlines");
        assert_eq!(records[0].pos, SourcePos::Line(2));
    }

    #[test]
    fn reports_ragged_rows_and_unused_columns() {
        let (records, notes) = read_csv("name,lat,lon,Twitter\nA,1,2\nB,3,4,@b,extra\n");
        assert_eq!(records.len(), 2);
        assert_eq!(notes.unused_names(), ["Twitter"]);
        assert_eq!(notes.unused[0].examples, ["@b"]);
        let lines: Vec<_> = notes.warnings.iter().map(|(pos, _)| *pos).collect();
        assert_eq!(lines, [SourcePos::Line(2), SourcePos::Line(3)]);
    }

    #[test]
    fn refuses_a_file_without_name_or_place() {
        let err = read_all("name|lat|lon\nA|1|2\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "f.csv:1: no name column (name, nom, nombre, title...) among the headers \
             (one column 'name|lat|lon'; is the delimiter , ; or tab?)"
        );
        let err = read_all("name,phone\nA,1\n").unwrap_err();
        assert!(err.to_string().starts_with("f.csv:1: no coordinate columns"), "{err}");
    }

    /// RELIABILITY E10.
    #[test]
    fn removes_our_formula_guard() {
        let (records, _) = read_csv("name,lat,lon\n'=cmd,1,2\n'plain,1,2\n");
        assert_eq!(records[0].name, "=cmd");
        assert_eq!(records[1].name, "'plain");
    }
}
