use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;

use jiff::Timestamp;

use impactmap_model::{Organisation, Reference};

use crate::reader::{Column, FileNotes, RawRecord, read_file_records, read_records};
use crate::resolve::Resolver;
use crate::{Format, FormatError, Mapping, SourcePos};

/// How many rows on one exact point make a pile worth flagging.
const PILE_UP: usize = 5;
/// How serious an issue is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The row was imported; something about it deserves a look.
    Warning,
    /// The row was not imported.
    Rejected,
}

/// One thing an import has to say about a row or the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// Where.
    pub pos: SourcePos,
    /// The field concerned, as named in the organisation model.
    pub field: Option<&'static str>,
    /// Imported with a warning, or rejected.
    pub severity: Severity,
    /// For a person to read.
    pub message: String,
}

impl Issue {
    pub(crate) fn warn(pos: SourcePos, field: &'static str, message: impl Into<String>) -> Self {
        Self { pos, field: Some(field), severity: Severity::Warning, message: message.into() }
    }

    /// The issue as one line: `file:line: field: message`.
    pub fn render(&self, file: &str) -> String {
        let field = self.field.map(|f| format!("{f}: ")).unwrap_or_default();
        let kind = if self.severity == Severity::Rejected { "rejected: " } else { "" };
        format!("{file}{}: {kind}{field}{}", self.pos, self.message)
    }
}

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The format, or `None` to tell it from the content.
    pub format: Option<Format>,
    /// Source name for records that do not name theirs (default: the file's stem).
    pub source: String,
    /// The time stamped on new records that carry none.
    pub now: Timestamp,
    /// The source's own columns and labels, mapped to ours.
    pub mapping: Mapping,
}

impl ImportOptions {
    /// Options for a file of `source` read at `now`: its format told from
    /// its content, no mapping.
    pub fn new(source: impl Into<String>, now: Timestamp) -> Self {
        Self { format: None, source: source.into(), now, mapping: Mapping::default() }
    }
}

/// What an import found: the organisations to store and every issue.
#[derive(Debug)]
pub struct ImportReport {
    /// The file as named to the user.
    pub file: String,
    /// The format read.
    pub format: Format,
    /// Valid organisations, in file order.
    pub organisations: Vec<Organisation>,
    /// Warnings and rejections, in file order, file-level ones first.
    pub issues: Vec<Issue>,
    /// Records the file marks as unpublished, not read.
    pub unpublished: usize,
}

impl ImportReport {
    /// How many rows were rejected.
    pub fn rejected(&self) -> usize {
        self.issues
            .iter()
            .filter(|i| i.severity == Severity::Rejected && i.pos != SourcePos::File)
            .count()
    }
}

/// Reads and validates a file for import.
///
/// # Errors
/// [`FormatError::Io`] when it cannot be read, [`FormatError::File`] when it
/// cannot be imported at all. Rejected rows are issues in the report.
pub fn import_file(
    path: &Path,
    reference: &Reference,
    options: &ImportOptions,
) -> Result<ImportReport, FormatError> {
    let mut rows = Rows::default();
    let (format, notes) =
        read_file_records(path, options.format, &options.mapping, &mut |notes, record| {
            rows.take(&Resolver { reference, notes, options }, record);
        })?;
    Ok(rows.report(
        &path.display().to_string(),
        format,
        &notes,
        &Resolver { reference, notes: &notes, options },
    ))
}

/// Reads and validates a file's bytes for import; `file` names it in messages.
///
/// # Errors
/// As [`import_file`], except for I/O.
pub fn import_bytes(
    file: &str,
    bytes: &[u8],
    reference: &Reference,
    options: &ImportOptions,
) -> Result<ImportReport, FormatError> {
    let mut rows = Rows::default();
    let (format, notes) =
        read_records(file, bytes, options.format, &options.mapping, &mut |notes, record| {
            rows.take(&Resolver { reference, notes, options }, record);
        })?;
    Ok(rows.report(file, format, &notes, &Resolver { reference, notes: &notes, options }))
}

/// The rows of a file as they are resolved, one by one.
#[derive(Default)]
struct Rows {
    /// Valid organisations, in file order.
    organisations: Vec<Organisation>,
    /// Where each of them is in the file.
    positions: Vec<SourcePos>,
    /// The rows' issues, in file order.
    issues: Vec<Issue>,
    /// Rows whose family cell is empty.
    empty_family: Vec<SourcePos>,
}

impl Rows {
    fn take(&mut self, resolver: &Resolver<'_>, record: RawRecord) {
        let pos = record.pos;
        match resolver.resolve(record, &mut self.issues, &mut self.empty_family) {
            Ok(org) => {
                self.organisations.push(org);
                self.positions.push(pos);
            }
            Err(errors) => self.issues.extend(errors),
        }
    }

    /// The report once every row is taken: file-level notes first, then the
    /// rows' issues and the per-file checks', in file order.
    fn report(
        mut self,
        file: &str,
        format: Format,
        notes: &FileNotes,
        resolver: &Resolver<'_>,
    ) -> ImportReport {
        let mut issues: Vec<Issue> = notes
            .warnings
            .iter()
            .map(|(pos, message)| Issue {
                pos: *pos,
                field: None,
                severity: Severity::Warning,
                message: message.clone(),
            })
            .collect();
        let file_issues = issues.len();
        column_warnings(notes, &mut issues);
        issues.append(&mut self.issues);
        if !self.empty_family.is_empty() && resolver.notes_family_column() {
            issues.push(Issue::warn(
                SourcePos::File,
                "family",
                format!(
                    "empty on {} row(s) ({}); recorded as unclassified",
                    self.empty_family.len(),
                    sample_positions(&self.empty_family)
                ),
            ));
        }
        reject_duplicates(&mut self.organisations, &mut self.positions, &mut issues);
        pile_ups(&self.positions, &self.organisations, &mut issues);
        issues[file_issues..].sort_by_key(|i| order(i.pos));
        ImportReport {
            file: file.to_owned(),
            format,
            organisations: self.organisations,
            issues,
            unpublished: notes.unpublished,
        }
    }
}

/// Rejects each row whose (source, source id) an earlier row has, keeping
/// the first. Rows are sorted by a hash of their key and compared only
/// within a group of equal hashes, so a million rows need a few bytes each,
/// not a map of their keys.
fn reject_duplicates(
    organisations: &mut Vec<Organisation>,
    positions: &mut Vec<SourcePos>,
    issues: &mut Vec<Issue>,
) {
    let key =
        |i: usize| (&organisations[i].provenance.source, &organisations[i].provenance.source_id);
    let mut by_hash: Vec<(u64, usize)> = (0..organisations.len())
        .map(|i| {
            let mut hasher = DefaultHasher::new();
            key(i).hash(&mut hasher);
            (hasher.finish(), i)
        })
        .collect();
    by_hash.sort_unstable();
    let mut duplicate = vec![false; organisations.len()];
    for group in by_hash.chunk_by(|a, b| a.0 == b.0).filter(|group| group.len() > 1) {
        for (n, &(_, row)) in group.iter().enumerate() {
            if let Some(&(_, first)) =
                group[..n].iter().find(|&&(_, earlier)| key(earlier) == key(row))
            {
                duplicate[row] = true;
                issues.push(Issue {
                    pos: positions[row],
                    field: Some("id"),
                    severity: Severity::Rejected,
                    message: format!(
                        "duplicate identifier '{}' (first at{})",
                        key(row).1,
                        positions[first]
                    ),
                });
            }
        }
    }
    let mut row = 0..;
    organisations.retain(|_| row.next().is_some_and(|i| !duplicate[i]));
    let mut row = 0..;
    positions.retain(|_| row.next().is_some_and(|i| !duplicate[i]));
}

fn order(pos: SourcePos) -> (u8, u64) {
    match pos {
        SourcePos::File => (0, 0),
        SourcePos::Line(n) => (1, n),
        SourcePos::Feature(n) => (1, n as u64),
    }
}

fn sample_positions(positions: &[SourcePos]) -> String {
    let shown: Vec<String> = positions
        .iter()
        .take(5)
        .map(|pos| pos.to_string().trim_start_matches([':', ' ']).to_owned())
        .collect();
    let more = if positions.len() > 5 { ", ..." } else { "" };
    format!("{}{more}", shown.join(", "))
}

fn column_warnings(notes: &FileNotes, issues: &mut Vec<Issue>) {
    use Column as C;
    if !notes.has(C::Family) && !notes.has(C::OrgStructure) && !notes.has(C::Categories) {
        issues.push(Issue::warn(
            SourcePos::File,
            "family",
            "no family column; every organisation is unclassified",
        ));
    }
    if !notes.has(C::Sectors) && !notes.has(C::Activities) && !notes.has(C::Categories) {
        issues.push(Issue::warn(
            SourcePos::File,
            "sectors",
            "no sector column; every organisation is unclassified",
        ));
    }
    if !notes.has(C::Country) {
        issues.push(Issue::warn(
            SourcePos::File,
            "country",
            "no country column; each country is derived from the coordinates",
        ));
    }
    if !notes.translations.is_empty() {
        issues.push(Issue::warn(
            SourcePos::File,
            "description",
            format!(
                "translations not kept: {} (one stands in where a record has no description)",
                notes.translations.join(", ")
            ),
        ));
    }
    if !notes.left_out.is_empty() {
        issues.push(Issue {
            pos: SourcePos::File,
            field: None,
            severity: Severity::Warning,
            message: format!("columns left out by the mapping: {}", notes.left_out.join(", ")),
        });
    }
    if !notes.unused.is_empty() {
        issues.push(Issue {
            pos: SourcePos::File,
            field: None,
            severity: Severity::Warning,
            message: format!(
                "columns not used: {}",
                notes
                    .unused
                    .iter()
                    .map(|u| if u.examples.is_empty() {
                        u.name.clone()
                    } else {
                        format!("{} (e.g. {})", u.name, u.examples.join(" | "))
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
}

/// Flags each exact point that [`PILE_UP`] or more rows share, at its first row.
fn pile_ups(positions: &[SourcePos], organisations: &[Organisation], issues: &mut Vec<Issue>) {
    let point = |i: usize| {
        (organisations[i].location.lon().to_bits(), organisations[i].location.lat().to_bits())
    };
    let mut by_point: Vec<usize> = (0..organisations.len()).collect();
    by_point.sort_unstable_by_key(|&i| (point(i), i));
    let mut piles: Vec<&[usize]> = by_point
        .chunk_by(|&a, &b| point(a) == point(b))
        .filter(|rows| rows.len() >= PILE_UP)
        .collect();
    piles.sort_by_key(|rows| rows[0]);
    for rows in piles {
        let (lon, lat) = point(rows[0]);
        let pile: Vec<SourcePos> = rows.iter().map(|&i| positions[i]).collect();
        let message = format!(
            "{} rows share the point {},{} ({}): a geocoder's fallback?",
            rows.len(),
            f64::from_bits(lon),
            f64::from_bits(lat),
            sample_positions(&pile)
        );
        issues.push(Issue::warn(pile[0], "lat", message));
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use crate::Exporter;

    /// Parsed once: the property test below imports hundreds of files.
    static REFERENCE: std::sync::LazyLock<Reference> =
        std::sync::LazyLock::new(crate::embedded_reference);

    fn import(file: &str, bytes: &[u8], format: Format) -> ImportReport {
        let options = ImportOptions {
            format: Some(format),
            ..ImportOptions::new("test", Timestamp::UNIX_EPOCH)
        };
        import_bytes(file, bytes, &REFERENCE, &options).unwrap()
    }

    fn csv(organisations: &[Organisation]) -> Vec<u8> {
        let mut exporter = Exporter::new(Format::Csv, &REFERENCE, Vec::new()).unwrap();
        for org in organisations {
            exporter.write(org).unwrap();
        }
        exporter.finish().unwrap().0
    }

    /// Five towns, each an exact point rows may pile up on.
    const POINTS: [(f64, f64, &str); 5] = [
        (13.405, 52.52, "DE"),
        (2.35, 48.85, "FR"),
        (-17.44, 14.69, "SN"),
        (36.82, -1.29, "KE"),
        (-58.38, -34.6, "AR"),
    ];

    proptest::proptest! {
        /// Duplicate identifiers and piles of rows on one point, as found
        /// by sorting, agree with the first-seen map and the count per
        /// point that a reader would write.
        #[test]
        fn duplicates_and_piles_agree_with_an_oracle(
            rows in proptest::collection::vec((0..12_u8, 0..5_usize), 0..60),
        ) {
            let body = rows.iter().enumerate().map(|(n, (id, point))| {
                let (lon, lat, country) = POINTS[*point];
                format!("{id},Row {n},{lon},{lat},{country}\n")
            });
            let text: String =
                std::iter::once("id,name,lon,lat,country\n".to_owned()).chain(body).collect();
            let report = import("rows.csv", text.as_bytes(), Format::Csv);

            let mut first_line = std::collections::HashMap::new();
            let mut expected = Vec::new();
            let mut kept_at: std::collections::BTreeMap<usize, Vec<u64>> =
                std::collections::BTreeMap::new();
            for (n, (id, point)) in rows.iter().enumerate() {
                let line = n as u64 + 2;
                if let Some(first) = first_line.get(id) {
                    expected.push(format!(
                        "rows.csv:{line}: rejected: id: duplicate identifier '{id}' \
                         (first at:{first})"
                    ));
                } else {
                    first_line.insert(*id, line);
                    kept_at.entry(*point).or_default().push(line);
                }
            }
            for (point, lines) in kept_at.iter().filter(|(_, lines)| lines.len() >= PILE_UP) {
                let (lon, lat, _) = POINTS[*point];
                let shown: Vec<String> = lines.iter().take(5).map(u64::to_string).collect();
                let more = if lines.len() > 5 { ", ..." } else { "" };
                expected.push(format!(
                    "rows.csv:{}: lat: {} rows share the point {lon},{lat} ({}{more}): \
                     a geocoder's fallback?",
                    lines[0],
                    lines.len(),
                    shown.join(", ")
                ));
            }
            let line_of = |issue: &str| {
                issue.split(':').nth(1).and_then(|n| n.parse::<u64>().ok()).unwrap_or(0)
            };
            expected.sort_by_key(|issue| line_of(issue));
            let found: Vec<String> = report
                .issues
                .iter()
                .filter(|i| i.pos != SourcePos::File)
                .map(|i| i.render("rows.csv"))
                .collect();
            proptest::prop_assert_eq!(found, expected);
            proptest::prop_assert_eq!(report.organisations.len(), first_line.len());
        }
    }

    /// In an ESSGlobal file, the standard codes win over free text: a
    /// co-operative whose legal form is "Company", a sector written as a
    /// label beside its activity code. Without a known code the text is read.
    #[test]
    fn standard_codes_win_over_free_text() {
        let file = "Identifier,Name,Legal Form,Organisational Structure,Sector,Primary Activity,\
                    Latitude,Longitude,Country ID\n\
                    1,Coop A,Company,OS115,Retail,AM100,51.5,-0.12,GB\n\
                    2,Coop B,Cooperative,,Health,,51.5,-0.13,GB\n";
        let report = import("e.csv", file.as_bytes(), Format::EssGlobal);
        let classes: Vec<(&str, Vec<&str>)> = report
            .organisations
            .iter()
            .map(|o| {
                (
                    o.family.as_str(),
                    o.sectors.iter().map(impactmap_model::TermKey::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            classes,
            [("cooperative", vec!["finance"]), ("cooperative", vec!["health-social"])],
            "{:#?}",
            report.issues
        );
    }

    /// A file read from disk (a plain UTF-8 CSV streamed, any other read
    /// whole) gives the report its bytes give, or the same error.
    #[test]
    fn a_file_streamed_from_disk_reads_as_its_bytes() {
        let rows = (0..3_000)
            .map(|n| {
                format!(
                    "{n},\"Coopérative 𝄞 {n}\r\nsecond line\",{},{},FR,cooperative,finance\r\n",
                    2.35 + f64::from(n % 7) / 100.0,
                    48.85
                )
            })
            .collect::<Vec<_>>()
            .concat();
        let big = format!("\u{feff}id,name,lon,lat,country,family,sectors\r\n{rows}");
        let essglobal =
            "\n\nIdentifier,Name,Primary Activity,Latitude,Longitude\nA,Coop,AM10,48.85,2.35\n";
        let geojson = concat!(
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","#,
            r#""geometry":{"type":"Point","coordinates":[2.35,48.85]},"#,
            r#""properties":{"name":"A"}}]}"#
        );
        let files: [(&str, Vec<u8>); 9] = [
            ("big.csv", big.into_bytes()),
            ("essglobal.csv", essglobal.as_bytes().to_vec()),
            ("semicolons.csv", "nom;lat;lon;pays\nCoop;43,6;1,44;FR\n1;2".as_bytes().to_vec()),
            ("latin1.csv", b"name,lat,lon,country\nCaf\xe9,48.85,2.35,FR\n".to_vec()),
            ("one-line.csv", b"name,lat,lon".to_vec()),
            ("points.geojson", geojson.as_bytes().to_vec()),
            ("empty.csv", b"\xef\xbb\xbf \n".to_vec()),
            ("binary.csv", b"name\n\0\0".to_vec()),
            ("no-name.csv", b"phone,lat,lon\n1,2,3\n".to_vec()),
        ];
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes) in files {
            let path = dir.path().join(name);
            std::fs::write(&path, &bytes).unwrap();
            let options = ImportOptions::new("test", Timestamp::UNIX_EPOCH);
            let streamed = import_file(&path, &REFERENCE, &options);
            let whole = import_bytes(&path.display().to_string(), &bytes, &REFERENCE, &options);
            assert_eq!(format!("{streamed:?}"), format!("{whole:?}"), "{name}");
        }
    }

    /// Found by fuzzing (`fuzz/regressions/geojson_import`): a file that is
    /// not UTF-8 is read as Windows-1252, which turns its UTF-8 `é` into `Ã©`
    /// beside a lone no-break space. The repair used to give up on that name,
    /// and reading our own export (where the space is folded) repaired it:
    /// the round trip changed the name.
    #[test]
    fn text_encoded_twice_is_repaired_as_validation_will_see_it() {
        let bytes = include_bytes!(
            "../../../fuzz/regressions/geojson_import/not-utf8-encoded-twice.geojson"
        );
        let report = import("input.geojson", bytes, Format::GeoJson);
        let names: Vec<&str> = report.organisations.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Fonds de réemploi de Oum el Bouaghi en Commun (sample)",
                "¯ÿÿÿa Learning Cooperative (sample)"
            ]
        );
        let first = csv(&report.organisations);
        let again = import("export.csv", &first, Format::Csv);
        assert!(again.issues.is_empty(), "{:?}", again.issues);
        assert_eq!(
            String::from_utf8(csv(&again.organisations)).unwrap(),
            String::from_utf8(first).unwrap()
        );
    }
}
