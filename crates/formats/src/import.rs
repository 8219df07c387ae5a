use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;

use jiff::Timestamp;

use impactmap_model::{Facet, FieldError, LonLat, Organisation, OrganisationDraft, Placement, Reference, SdgSet, Taxonomy, fold};

use crate::reader::{Column, FileNotes, RawRecord, read_file_records, read_records, repair_mojibake, strip_html};
use crate::{Format, FormatError, SourcePos};

/// How many rows on one exact point make a pile worth flagging.
const PILE_UP: usize = 5;
/// How far from the nearest town, else off the nearest coast (in degrees,
/// about 55 km), a point without a country may lie and still take that
/// country, with a warning: 1:50m outlines miss small islands, and geocoders
/// and jittered data put harbour towns' points in the water.
const OFFSHORE_DEG: f64 = 0.5;

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
    fn warn(pos: SourcePos, field: &'static str, message: impl Into<String>) -> Self {
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
        self.issues.iter().filter(|i| i.severity == Severity::Rejected && i.pos != SourcePos::File).count()
    }
}

/// Reads and validates a file for import.
///
/// # Errors
/// [`FormatError::Io`] when it cannot be read, [`FormatError::File`] when it
/// cannot be imported at all. Rejected rows are issues in the report.
pub fn import_file(path: &Path, reference: &Reference, options: &ImportOptions) -> Result<ImportReport, FormatError> {
    let mut rows = Rows::default();
    let (format, notes) = read_file_records(path, options.format, &mut |notes, record| {
        rows.take(&Resolver { reference, notes, options }, record);
    })?;
    Ok(rows.report(&path.display().to_string(), format, &notes, &Resolver { reference, notes: &notes, options }))
}

/// Reads and validates a file's bytes for import; `file` names it in messages.
///
/// # Errors
/// As [`import_file`], except for I/O.
pub fn import_bytes(file: &str, bytes: &[u8], reference: &Reference, options: &ImportOptions) -> Result<ImportReport, FormatError> {
    let mut rows = Rows::default();
    let (format, notes) = read_records(file, bytes, options.format, &mut |notes, record| {
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
    fn report(mut self, file: &str, format: Format, notes: &FileNotes, resolver: &Resolver<'_>) -> ImportReport {
        let mut issues: Vec<Issue> = notes
            .warnings
            .iter()
            .map(|(pos, message)| Issue { pos: *pos, field: None, severity: Severity::Warning, message: message.clone() })
            .collect();
        let file_issues = issues.len();
        column_warnings(notes, &mut issues);
        issues.append(&mut self.issues);
        if !self.empty_family.is_empty() && resolver.notes_family_column() {
            issues.push(Issue::warn(
                SourcePos::File,
                "family",
                format!("empty on {} row(s) ({}); recorded as unclassified", self.empty_family.len(), sample_positions(&self.empty_family)),
            ));
        }
        reject_duplicates(&mut self.organisations, &mut self.positions, &mut issues);
        pile_ups(&self.positions, &self.organisations, &mut issues);
        issues[file_issues..].sort_by_key(|i| order(i.pos));
        ImportReport { file: file.to_owned(), format, organisations: self.organisations, issues, unpublished: notes.unpublished }
    }
}

/// Rejects each row whose (source, source id) an earlier row has, keeping
/// the first. Rows are sorted by a hash of their key and compared only
/// within a group of equal hashes, so a million rows need a few bytes each,
/// not a map of their keys.
fn reject_duplicates(organisations: &mut Vec<Organisation>, positions: &mut Vec<SourcePos>, issues: &mut Vec<Issue>) {
    let key = |i: usize| (&organisations[i].provenance.source, &organisations[i].provenance.source_id);
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
            if let Some(&(_, first)) = group[..n].iter().find(|&&(_, earlier)| key(earlier) == key(row)) {
                duplicate[row] = true;
                issues.push(Issue {
                    pos: positions[row],
                    field: Some("id"),
                    severity: Severity::Rejected,
                    message: format!("duplicate identifier '{}' (first at{})", key(row).1, positions[first]),
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
    let shown: Vec<String> = positions.iter().take(5).map(|pos| pos.to_string().trim_start_matches([':', ' ']).to_owned()).collect();
    let more = if positions.len() > 5 { ", ..." } else { "" };
    format!("{}{more}", shown.join(", "))
}

fn column_warnings(notes: &FileNotes, issues: &mut Vec<Issue>) {
    use Column as C;
    if !notes.has(C::Family) && !notes.has(C::OrgStructure) && !notes.has(C::Categories) {
        issues.push(Issue::warn(SourcePos::File, "family", "no family column; every organisation is unclassified"));
    }
    if !notes.has(C::Sectors) && !notes.has(C::Activities) && !notes.has(C::Categories) {
        issues.push(Issue::warn(SourcePos::File, "sectors", "no sector column; every organisation is unclassified"));
    }
    if !notes.has(C::Country) {
        issues.push(Issue::warn(SourcePos::File, "country", "no country column; each country is derived from the coordinates"));
    }
    if !notes.unused.is_empty() {
        issues.push(Issue {
            pos: SourcePos::File,
            field: None,
            severity: Severity::Warning,
            message: format!("columns not used: {}", notes.unused.join(", ")),
        });
    }
}

/// Flags each exact point that [`PILE_UP`] or more rows share, at its first row.
fn pile_ups(positions: &[SourcePos], organisations: &[Organisation], issues: &mut Vec<Issue>) {
    let point = |i: usize| (organisations[i].location.lon().to_bits(), organisations[i].location.lat().to_bits());
    let mut by_point: Vec<usize> = (0..organisations.len()).collect();
    by_point.sort_unstable_by_key(|&i| (point(i), i));
    let mut piles: Vec<&[usize]> = by_point.chunk_by(|&a, &b| point(a) == point(b)).filter(|rows| rows.len() >= PILE_UP).collect();
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

struct Resolver<'a> {
    reference: &'a Reference,
    notes: &'a FileNotes,
    options: &'a ImportOptions,
}

impl Resolver<'_> {
    fn notes_family_column(&self) -> bool {
        use Column as C;
        self.notes.has(C::Family) || self.notes.has(C::OrgStructure)
    }

    fn resolve(&self, record: RawRecord, issues: &mut Vec<Issue>, empty_family: &mut Vec<SourcePos>) -> Result<Organisation, Vec<Issue>> {
        let pos = record.pos;
        let reject = |field: &'static str, message: String| vec![Issue { pos, field: Some(field), severity: Severity::Rejected, message }];

        let name = Self::text(pos, "name", &record.name, true, issues);
        let mut description = Self::text(pos, "description", &record.description, false, issues);
        if record.description_html || description.contains("</") || description.contains("<br") {
            description = strip_html(&description);
        }
        let website = if record.website.is_empty() || record.website.contains(':') {
            record.website.clone()
        } else {
            format!("https://{}", record.website)
        };

        let location = self.location(&record, issues).map_err(|(field, message)| reject(field, message))?;
        let country = self.country(&record, location, issues).map_err(|(field, message)| reject(field, message))?;

        let family = self.family(&record, issues, empty_family);
        let sectors = self.sectors(&record, &family, issues);
        let sdgs = SdgSet::parse(&record.sdgs).unwrap_or_else(|e| {
            issues.push(Issue::warn(pos, "sdgs", format!("{}; goals ignored", e.reason)));
            SdgSet::EMPTY
        });
        let created = Self::time(pos, "created", &record.created, issues);
        let updated = Self::time(pos, "updated", &record.updated, issues);
        let source = if record.source.is_empty() { self.options.source.clone() } else { record.source.clone() };
        let source_id = [&record.source_id, &record.id]
            .into_iter()
            .find(|s| !s.is_empty())
            .cloned()
            .unwrap_or_else(|| format!("{}|{}|{}", fold(&name), fold(&record.city), country));

        let draft = OrganisationDraft {
            name,
            description,
            website,
            email: record.email,
            country,
            city: record.city,
            family,
            sectors,
            sdgs: sdgs.goals().collect(),
            lon: location.lon(),
            lat: location.lat(),
            source,
            source_id,
            created,
            updated,
            sample: matches!(record.sample.to_ascii_lowercase().as_str(), "true" | "1" | "yes"),
        };
        draft.validate(self.reference, self.options.now).map_err(|errors| {
            errors.into_iter().map(|e| Issue { pos, field: Some(e.field), severity: Severity::Rejected, message: e.reason }).collect()
        })
    }

    /// The field's text as validation will see it (trimmed; a one-line
    /// field's runs of spaces folded), with text encoded twice repaired until
    /// it no longer is, so that reading our own export of it changes nothing.
    fn text(pos: SourcePos, field: &'static str, raw: &str, one_line: bool, issues: &mut Vec<Issue>) -> String {
        let tidy = |text: &str| {
            if one_line && !text.chars().any(char::is_control) {
                text.split_whitespace().collect::<Vec<_>>().join(" ")
            } else {
                text.trim().to_owned()
            }
        };
        let mut text = tidy(raw);
        let mut repaired_any = false;
        while let Some(repaired) = repair_mojibake(&text) {
            text = tidy(&repaired);
            repaired_any = true;
        }
        if repaired_any {
            issues.push(Issue::warn(pos, field, format!("text was encoded twice; read '{text}'")));
        }
        text
    }

    /// The position: the row's own, else ESSGlobal's geocoded one, else the
    /// centre of its town. `0,0` counts as no position.
    fn location(&self, record: &RawRecord, issues: &mut Vec<Issue>) -> Result<LonLat, (&'static str, String)> {
        let comma = self.notes.decimal_comma;
        let given = |lon: &str, lat: &str| (!lon.trim().is_empty() || !lat.trim().is_empty()).then(|| LonLat::parse(lon, lat, comma));
        let zero = |e: &FieldError| e.reason.starts_with("0,0");
        let mut last_error = None;
        for (lon, lat) in [(&record.lon, &record.lat), (&record.geo_lon, &record.geo_lat)] {
            match given(lon, lat) {
                Some(Ok(at)) => return Ok(at),
                Some(Err(e)) if zero(&e) => {}
                Some(Err(e)) => {
                    last_error.get_or_insert(e);
                }
                None => {}
            }
        }
        if let Some(e) = last_error {
            return Err((e.field, e.reason));
        }
        let country = self.reference.countries.find(&record.country).map(|c| c.code.to_string()).unwrap_or_default();
        match self.reference.gazetteer.town(&country, &record.city) {
            Some(town) if !record.city.trim().is_empty() => {
                issues.push(Issue::warn(
                    record.pos,
                    "lat",
                    format!("no coordinates; placed at the centre of {} ({})", town.name, town.country),
                ));
                Ok(town.at)
            }
            _ => Err(("lat", "no coordinates, and no known town and country to place it".to_owned())),
        }
    }

    /// The country: as given (leniently matched), else from the coordinates.
    /// A point outside its stated country is flagged, not refused.
    fn country(&self, record: &RawRecord, at: LonLat, issues: &mut Vec<Issue>) -> Result<String, (&'static str, String)> {
        let row = record.pos;
        let boundaries = &self.reference.boundaries;
        let given = record.country.trim();
        let found = (!given.is_empty()).then(|| self.reference.countries.find(given)).flatten();
        let Some(country) = found else {
            let derived = if let Some(code) = boundaries.country_at(at) {
                code
            } else if let Some((town, distance_deg)) = self.reference.gazetteer.nearest(at, OFFSHORE_DEG) {
                issues.push(Issue::warn(
                    row,
                    "lat",
                    format!(
                        "the point {},{} lies in no drawn country; {} taken from the nearest town, {} ({:.0} km)",
                        at.lon(),
                        at.lat(),
                        town.country,
                        town.name,
                        distance_deg * 111.0
                    ),
                ));
                town.country
            } else if let Some((code, distance_deg)) = boundaries.nearest_country(at, OFFSHORE_DEG) {
                issues.push(Issue::warn(
                    row,
                    "lat",
                    format!(
                        "the point {},{} lies at sea, about {:.0} km off {code}; {code} taken as its country",
                        at.lon(),
                        at.lat(),
                        distance_deg * 111.0
                    ),
                ));
                code
            } else {
                return Err((
                    "country",
                    format!(
                        "{} and the point {},{} lies in no country",
                        if given.is_empty() { "missing".to_owned() } else { format!("'{given}' is not a known country") },
                        at.lon(),
                        at.lat()
                    ),
                ));
            };
            if !given.is_empty() {
                issues.push(Issue::warn(row, "country", format!("'{given}' is not a known country; {derived} taken from the coordinates")));
            } else if self.notes.has(Column::Country) {
                issues.push(Issue::warn(row, "country", format!("missing; {derived} taken from the coordinates")));
            }
            return Ok(derived.to_string());
        };
        if let Placement::Outside { distance_deg } = boundaries.placement(country.code, at) {
            let swapped = LonLat::new(at.lat(), at.lon()).ok().is_some_and(|s| boundaries.placement(country.code, s) == Placement::Inside);
            let message = if swapped {
                format!(
                    "the point {},{} lies outside {}; swapped it would be inside: are lat and lon swapped?",
                    at.lon(),
                    at.lat(),
                    country.code
                )
            } else if let Some(other) = boundaries.country_at(at) {
                format!("the point {},{} lies in {other}, not in {}", at.lon(), at.lat(), country.code)
            } else {
                format!("the point {},{} lies at sea, about {:.0} km from {}", at.lon(), at.lat(), distance_deg * 111.0, country.code)
            };
            issues.push(Issue::warn(row, "lat", message));
        }
        Ok(country.code.to_string())
    }

    fn family(&self, record: &RawRecord, issues: &mut Vec<Issue>, empty_family: &mut Vec<SourcePos>) -> String {
        let taxonomy = &self.reference.taxonomy;
        let label = [&record.family, &record.org_structure].into_iter().find(|l| !l.trim().is_empty());
        if let Some(label) = label {
            if let Some(term) = taxonomy.resolve(Facet::Family, label) {
                return term.key.to_string();
            }
            issues.push(Issue::warn(record.pos, "family", format!("unknown family '{label}'; recorded as unclassified")));
        } else if let Some(term) = record.categories.iter().find_map(|c| taxonomy.resolve(Facet::Family, c)) {
            return term.key.to_string();
        } else if self.notes_family_column() {
            empty_family.push(record.pos);
        }
        Taxonomy::UNCLASSIFIED.to_owned()
    }

    fn sectors(&self, record: &RawRecord, family: &str, issues: &mut Vec<Issue>) -> Vec<String> {
        let taxonomy = &self.reference.taxonomy;
        let labels = if record.sectors.is_empty() { &record.activities } else { &record.sectors };
        let mut keys = Vec::new();
        for label in labels {
            match taxonomy.resolve(Facet::Sector, label) {
                Some(term) => keys.push(term.key.to_string()),
                None => issues.push(Issue::warn(record.pos, "sectors", format!("unknown sector '{label}'; ignored"))),
            }
        }
        for category in &record.categories {
            match taxonomy.resolve(Facet::Sector, category) {
                Some(term) => keys.push(term.key.to_string()),
                None if taxonomy.resolve(Facet::Family, category).is_some_and(|t| t.key.as_str() == family) => {}
                None => issues.push(Issue::warn(record.pos, "sectors", format!("unknown category '{category}'; ignored"))),
            }
        }
        if keys.len() > 1 {
            keys.retain(|k| k != Taxonomy::UNCLASSIFIED);
        }
        keys.dedup();
        if keys.is_empty() {
            keys.push(Taxonomy::UNCLASSIFIED.to_owned());
        }
        keys
    }

    fn time(pos: SourcePos, field: &'static str, text: &str, issues: &mut Vec<Issue>) -> Option<Timestamp> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let parsed = text.parse::<Timestamp>().ok().or_else(|| {
            text.parse::<jiff::civil::Date>().ok().and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok()).map(|z| z.timestamp())
        });
        if parsed.is_none() {
            issues.push(Issue::warn(pos, field, format!("'{text}' is not an ISO 8601 date; the import time is used")));
        }
        parsed
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use crate::Exporter;

    /// Parsed once: the property test below imports hundreds of files.
    static REFERENCE: std::sync::LazyLock<Reference> = std::sync::LazyLock::new(crate::embedded_reference);

    fn import(file: &str, bytes: &[u8], format: Format) -> ImportReport {
        let options = ImportOptions { format: Some(format), source: "test".into(), now: Timestamp::UNIX_EPOCH };
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
    const POINTS: [(f64, f64, &str); 5] =
        [(13.405, 52.52, "DE"), (2.35, 48.85, "FR"), (-17.44, 14.69, "SN"), (36.82, -1.29, "KE"), (-58.38, -34.6, "AR")];

    proptest::proptest! {
        /// Duplicate identifiers and piles of rows on one point, as found
        /// by sorting, agree with the first-seen map and the count per
        /// point that a reader would write.
        #[test]
        fn duplicates_and_piles_agree_with_an_oracle(rows in proptest::collection::vec((0..12_u8, 0..5_usize), 0..60)) {
            let body = rows.iter().enumerate().map(|(n, (id, point))| {
                let (lon, lat, country) = POINTS[*point];
                format!("{id},Row {n},{lon},{lat},{country}\n")
            });
            let text: String = std::iter::once("id,name,lon,lat,country\n".to_owned()).chain(body).collect();
            let report = import("rows.csv", text.as_bytes(), Format::Csv);

            let mut first_line = std::collections::HashMap::new();
            let mut expected = Vec::new();
            let mut kept_at: std::collections::BTreeMap<usize, Vec<u64>> = std::collections::BTreeMap::new();
            for (n, (id, point)) in rows.iter().enumerate() {
                let line = n as u64 + 2;
                if let Some(first) = first_line.get(id) {
                    expected.push(format!("rows.csv:{line}: rejected: id: duplicate identifier '{id}' (first at:{first})"));
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
                    "rows.csv:{}: lat: {} rows share the point {lon},{lat} ({}{more}): a geocoder's fallback?",
                    lines[0],
                    lines.len(),
                    shown.join(", ")
                ));
            }
            let line_of = |issue: &str| issue.split(':').nth(1).and_then(|n| n.parse::<u64>().ok()).unwrap_or(0);
            expected.sort_by_key(|issue| line_of(issue));
            let found: Vec<String> = report.issues.iter().filter(|i| i.pos != SourcePos::File).map(|i| i.render("rows.csv")).collect();
            proptest::prop_assert_eq!(found, expected);
            proptest::prop_assert_eq!(report.organisations.len(), first_line.len());
        }
    }

    /// A file read from disk (a plain UTF-8 CSV streamed, any other read
    /// whole) gives the report its bytes give, or the same error.
    #[test]
    fn a_file_streamed_from_disk_reads_as_its_bytes() {
        let rows = (0..3_000)
            .map(|n| {
                format!("{n},\"Coopérative 𝄞 {n}\r\nsecond line\",{},{},FR,cooperative,finance\r\n", 2.35 + f64::from(n % 7) / 100.0, 48.85)
            })
            .collect::<Vec<_>>()
            .concat();
        let big = format!("\u{feff}id,name,lon,lat,country,family,sectors\r\n{rows}");
        let essglobal = "\n\nIdentifier,Name,Primary Activity,Latitude,Longitude\nA,Coop,AM10,48.85,2.35\n";
        let files: [(&str, Vec<u8>); 9] = [
            ("big.csv", big.into_bytes()),
            ("essglobal.csv", essglobal.as_bytes().to_vec()),
            ("semicolons.csv", "nom;lat;lon;pays\nCoop;43,6;1,44;FR\n1;2".as_bytes().to_vec()),
            ("latin1.csv", b"name,lat,lon,country\nCaf\xe9,48.85,2.35,FR\n".to_vec()),
            ("one-line.csv", b"name,lat,lon".to_vec()),
            ("points.geojson", br#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[2.35,48.85]},"properties":{"name":"A"}}]}"#.to_vec()),
            ("empty.csv", b"\xef\xbb\xbf \n".to_vec()),
            ("binary.csv", b"name\n\0\0".to_vec()),
            ("no-name.csv", b"phone,lat,lon\n1,2,3\n".to_vec()),
        ];
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes) in files {
            let path = dir.path().join(name);
            std::fs::write(&path, &bytes).unwrap();
            let options = ImportOptions { format: None, source: "test".into(), now: Timestamp::UNIX_EPOCH };
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
        let bytes = include_bytes!("../../../fuzz/regressions/geojson_import/not-utf8-encoded-twice.geojson");
        let report = import("input.geojson", bytes, Format::GeoJson);
        let names: Vec<&str> = report.organisations.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names, ["Fonds de réemploi de Oum el Bouaghi en Commun (sample)", "¯ÿÿÿa Learning Cooperative (sample)"]);
        let first = csv(&report.organisations);
        let again = import("export.csv", &first, Format::Csv);
        assert!(again.issues.is_empty(), "{:?}", again.issues);
        assert_eq!(String::from_utf8(csv(&again.organisations)).unwrap(), String::from_utf8(first).unwrap());
    }
}
