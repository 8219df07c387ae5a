//! What a record means: text cells become an organisation, or the issues
//! that say why not. Countries, taxonomy terms, positions and their
//! fallbacks are decided here for every format alike.

use jiff::Timestamp;

use impactmap_model::{
    Facet, FieldError, Organisation, OrganisationDraft, Reference, SdgSet, Taxonomy, fold,
};

use crate::SourcePos;
use crate::import::{ImportOptions, Issue, Severity};
use crate::reader::{Column, FileNotes, RawRecord, repair_mojibake, strip_html};

/// Fields a row is kept without: one refused is dropped with a warning.
const OPTIONAL: [&str; 2] = ["website", "email"];

/// What a record means: the reference data, the file's notes and the
/// options an import runs with.
pub(crate) struct Resolver<'a> {
    pub(crate) reference: &'a Reference,
    pub(crate) notes: &'a FileNotes,
    pub(crate) options: &'a ImportOptions,
}

impl Resolver<'_> {
    pub(crate) fn notes_family_column(&self) -> bool {
        use Column as C;
        self.notes.has(C::Family) || self.notes.has(C::OrgStructure)
    }

    pub(crate) fn resolve(
        &self,
        record: RawRecord,
        issues: &mut Vec<Issue>,
        empty_family: &mut Vec<SourcePos>,
    ) -> Result<Organisation, Vec<Issue>> {
        let pos = record.pos;
        let reject = |field: &'static str, message: String| {
            vec![Issue { pos, field: Some(field), severity: Severity::Rejected, message }]
        };

        let name = Self::text(pos, "name", &record.name, true, issues);
        let mut description = Self::text(pos, "description", &record.description, false, issues);
        if description.is_empty() {
            description = Self::translated(pos, &record.description_translations, issues);
        }
        if record.description_html || description.contains("</") || description.contains("<br") {
            description = strip_html(&description);
        }
        let website = Self::website(pos, &record.website, issues);

        let location =
            self.location(&record, issues).map_err(|(field, message)| reject(field, message))?;
        let country = self
            .country(&record, location, issues)
            .map_err(|(field, message)| reject(field, message))?;

        let family = self.family(&record, issues, empty_family);
        let sectors = self.sectors(&record, &family, issues);
        let sdgs = SdgSet::parse(&record.sdgs).unwrap_or_else(|e| {
            issues.push(Issue::warn(pos, "sdgs", format!("{}; goals ignored", e.reason)));
            SdgSet::EMPTY
        });
        let created = Self::time(pos, "created", &record.created, issues);
        let updated = Self::time(pos, "updated", &record.updated, issues);
        let submitted = Self::time(pos, "submitted", &record.submitted, issues);
        let source = if record.source.is_empty() {
            self.options.source.clone()
        } else {
            record.source.clone()
        };
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
            submitted,
            sample: matches!(record.sample.to_ascii_lowercase().as_str(), "true" | "1" | "yes"),
        };
        Self::validate(pos, draft, self.reference, self.options.now, issues)
    }

    /// A description in another language for a record without one: English,
    /// French, Spanish or Portuguese first, else the first given; the report
    /// says which.
    fn translated(
        pos: SourcePos,
        translations: &[(String, String)],
        issues: &mut Vec<Issue>,
    ) -> String {
        let preferred = ["en", "fr", "es", "pt"]
            .iter()
            .find_map(|lang| translations.iter().find(|(l, _)| l == lang))
            .or_else(|| translations.first());
        let Some((lang, text)) = preferred else { return String::new() };
        issues.push(Issue::warn(
            pos,
            "description",
            format!("none of its own; description:{lang} used"),
        ));
        Self::text(pos, "description", text, false, issues)
    }

    /// The first address of a website cell, with `https://` when it has no
    /// scheme. A cell of several addresses, apart by spaces or line breaks
    /// (a `,` `;` or `|` after each allowed), keeps the first, and the
    /// report names the others. Only spaces part them: an address, once
    /// validated, holds none, so what is written reads back the same.
    fn website(pos: SourcePos, cell: &str, issues: &mut Vec<Issue>) -> String {
        let parts: Vec<&str> =
            cell.split_whitespace().map(|p| p.trim_end_matches([',', ';', '|'])).collect();
        let first = match parts[..] {
            [] => return String::new(),
            [first, _, ..] if parts.iter().all(|p| looks_like_address(p)) => {
                let others = parts[1..].join(" ");
                issues.push(Issue::warn(
                    pos,
                    "website",
                    format!("one address kept; also: {others}"),
                ));
                first
            }
            _ => cell.trim(),
        };
        if first.contains(':') { first.to_owned() } else { format!("https://{first}") }
    }

    /// Validates a draft. A refused optional field (website, e-mail) never
    /// costs the row: it is dropped with a warning naming it, and the rest
    /// validated again.
    fn validate(
        pos: SourcePos,
        mut draft: OrganisationDraft,
        reference: &Reference,
        now: Timestamp,
        issues: &mut Vec<Issue>,
    ) -> Result<Organisation, Vec<Issue>> {
        let rejected = |errors: Vec<FieldError>| {
            errors
                .into_iter()
                .map(|e| Issue {
                    pos,
                    field: Some(e.field),
                    severity: Severity::Rejected,
                    message: e.reason,
                })
                .collect()
        };
        let errors = match draft.validate_or_return(reference, now) {
            Ok(org) => return Ok(org),
            Err(refused) => {
                let (errors, returned) = *refused;
                draft = returned;
                errors
            }
        };
        let (optional, required): (Vec<FieldError>, Vec<FieldError>) =
            errors.into_iter().partition(|e| OPTIONAL.contains(&e.field));
        if !required.is_empty() {
            return Err(rejected(required.into_iter().chain(optional).collect()));
        }
        for e in optional {
            let value = match e.field {
                "website" => std::mem::take(&mut draft.website),
                _ => std::mem::take(&mut draft.email),
            };
            issues.push(Issue::warn(pos, e.field, format!("'{value}' dropped: {}", e.reason)));
        }
        draft.validate(reference, now).map_err(rejected)
    }

    /// The field's text as validation will see it (trimmed; a one-line
    /// field's runs of spaces folded), with text encoded twice repaired until
    /// it no longer is, so that reading our own export of it changes nothing.
    fn text(
        pos: SourcePos,
        field: &'static str,
        raw: &str,
        one_line: bool,
        issues: &mut Vec<Issue>,
    ) -> String {
        // A one-line field's line breaks and tabs (a spreadsheet cell typed
        // on two lines) become spaces; any other control character is left
        // for validation to refuse.
        let tidy = |text: &str| {
            if one_line && !text.chars().any(|c| c.is_control() && !c.is_whitespace()) {
                text.split_whitespace().collect::<Vec<_>>().join(" ")
            } else {
                text.trim().to_owned()
            }
        };
        let mut text = tidy(raw);
        if one_line && raw.trim().contains(['\n', '\r']) && !text.contains(['\n', '\r']) {
            issues.push(Issue::warn(pos, field, format!("lines joined into one: '{text}'")));
        }
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

    fn family(
        &self,
        record: &RawRecord,
        issues: &mut Vec<Issue>,
        empty_family: &mut Vec<SourcePos>,
    ) -> String {
        let taxonomy = &self.reference.taxonomy;
        // A standard code (ESSGlobal's Organisational Structure) wins over
        // a free-text family or legal form ("Company" for a co-operative),
        // though not over one of our own keys, as our export writes them.
        if !record.org_structure.trim().is_empty()
            && taxonomy.term(Facet::Family, record.family.trim()).is_none()
            && let Some(term) = taxonomy.resolve(Facet::Family, &record.org_structure)
        {
            return term.key.to_string();
        }
        let label =
            [&record.family, &record.org_structure].into_iter().find(|l| !l.trim().is_empty());
        if let Some(label) = label {
            if let Some(key) = self.options.mapping.term(Facet::Family, label) {
                return key.to_owned();
            }
            if let Some(term) = taxonomy.resolve(Facet::Family, label) {
                return term.key.to_string();
            }
            issues.push(Issue::warn(
                record.pos,
                "family",
                format!("unknown family '{label}'; recorded as unclassified"),
            ));
        } else if let Some(term) =
            record.categories.iter().find_map(|c| taxonomy.resolve(Facet::Family, c))
        {
            return term.key.to_string();
        } else if self.notes_family_column() {
            empty_family.push(record.pos);
        }
        Taxonomy::UNCLASSIFIED.to_owned()
    }

    fn sectors(&self, record: &RawRecord, family: &str, issues: &mut Vec<Issue>) -> Vec<String> {
        let taxonomy = &self.reference.taxonomy;
        // Standard activity codes win over free-text sectors when any of
        // them is known, though not over our own keys, as our export writes them.
        let ours = !record.sectors.is_empty()
            && record.sectors.iter().all(|s| taxonomy.term(Facet::Sector, s).is_some());
        let coded = !ours
            && !record.activities.is_empty()
            && record.activities.iter().any(|a| taxonomy.resolve(Facet::Sector, a).is_some());
        let labels =
            if coded || record.sectors.is_empty() { &record.activities } else { &record.sectors };
        let mut keys = Vec::new();
        for label in labels {
            if let Some(key) = self.options.mapping.term(Facet::Sector, label) {
                keys.push(key.to_owned());
                continue;
            }
            match taxonomy.resolve(Facet::Sector, label) {
                Some(term) => keys.push(term.key.to_string()),
                None => issues.push(Issue::warn(
                    record.pos,
                    "sectors",
                    format!("unknown sector '{label}'; ignored"),
                )),
            }
        }
        for category in &record.categories {
            match taxonomy.resolve(Facet::Sector, category) {
                Some(term) => keys.push(term.key.to_string()),
                None if taxonomy
                    .resolve(Facet::Family, category)
                    .is_some_and(|t| t.key.as_str() == family) => {}
                None => issues.push(Issue::warn(
                    record.pos,
                    "sectors",
                    format!("unknown category '{category}'; ignored"),
                )),
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

    fn time(
        pos: SourcePos,
        field: &'static str,
        text: &str,
        issues: &mut Vec<Issue>,
    ) -> Option<Timestamp> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let parsed = parse_time(text);
        if parsed.is_none() {
            let instead =
                if field == "submitted" { "left empty" } else { "the import time is used" };
            issues.push(Issue::warn(pos, field, format!("'{text}' is not a date; {instead}")));
        }
        parsed
    }
}

/// Whether a piece of a website cell starts as a web address does (a host
/// of letters, digits, dots and dashes, after an optional `http(s)://`):
/// the pieces of a cell of several addresses do; those of one address that
/// holds a `;` or spaces (`%20`) do not.
fn looks_like_address(piece: &str) -> bool {
    let rest = match piece.split_once("://") {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => rest,
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("https") => rest,
        Some(_) => return false,
        None => piece,
    };
    let host = rest.split(['/', '?', '#', ':']).next().unwrap_or("");
    host.contains('.')
        && !host.starts_with(['.', '-'])
        && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

/// A date as files write it: ISO 8601 (RFC 3339 or a plain date, UTC), or
/// as form tools export their timestamps — `2025/03/14 10:02:11 UTC+1`
/// (Google Forms), `2025-03-14 10:02:11` (LimeSurvey), `14/03/2025 10:02:11`
/// (a spreadsheet in a day-first locale; month first only where the day
/// cannot be, as in `3/14/2025`) — read as UTC unless an offset is given.
pub(crate) fn parse_time(text: &str) -> Option<Timestamp> {
    use jiff::civil::{Date, DateTime, Time};
    if let Ok(t) = text.parse::<Timestamp>() {
        return Some(t);
    }
    let (when, offset_hours) = match text.rsplit_once(" UTC").or_else(|| text.rsplit_once(" GMT")) {
        Some((when, "")) => (when, 0),
        Some((when, offset)) => (when, offset.parse::<i8>().ok()?),
        None => (text, 0),
    };
    let (date, time) = when.trim().split_once([' ', 'T']).unwrap_or((when.trim(), "00:00:00"));
    let numbers: Vec<i16> =
        date.split(['/', '-', '.']).map(|n| n.parse::<i16>().ok()).collect::<Option<_>>()?;
    let (year, month, day) = match numbers[..] {
        [y, m, d] if y > 31 => (y, m, d),
        [a, b, y] if b > 12 => (y, a, b),
        [d, m, y] => (y, m, d),
        _ => return None,
    };
    let year = if year < 100 { year + 2000 } else { year };
    let date = Date::new(year, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()?;
    let clock: Vec<i8> =
        time.trim().split(':').map(|n| n.parse::<i8>().ok()).collect::<Option<_>>()?;
    let time = match clock[..] {
        [h, m] => Time::new(h, m, 0, 0).ok()?,
        [h, m, s] => Time::new(h, m, s, 0).ok()?,
        _ => return None,
    };
    let zoned = DateTime::from_parts(date, time).to_zoned(jiff::tz::TimeZone::UTC).ok()?;
    zoned.timestamp().checked_sub(jiff::SignedDuration::from_hours(offset_hours.into())).ok()
}

#[cfg(test)]
mod tests {
    use super::parse_time;

    /// What starts as a web address, and what does not: the pieces of one
    /// address with spaces and `;` in it
    /// (fuzz/regressions/csv_import/website-with-a-semicolon*.csv).
    #[test]
    fn only_a_cell_of_several_addresses_is_split() {
        use super::looks_like_address as address;
        assert!(address("https://finsol.example") && address("www.coop.example/a?b"));
        assert!(address("coop.example") && address("HTTP://a-b.example:8080/x"));
        assert!(!address("%20not%20a%20real%20organisation."));
        assert!(!address("ftp://files.example") && !address("generated") && !address(".x"));
    }

    /// Each way files and form tools write a moment reads as the same UTC
    /// instant; what is no date reads as none.
    #[test]
    fn dates_of_files_and_form_exports_are_read() {
        let at = |text: &str| parse_time(text).map(|t| t.to_string());
        let morning = Some("2025-03-14T09:02:11Z".to_owned());
        assert_eq!(at("2025-03-14T09:02:11Z"), morning);
        assert_eq!(at("2025/03/14 10:02:11 UTC+1"), morning, "Google Forms");
        assert_eq!(at("2025-03-14 09:02:11"), morning, "LimeSurvey");
        assert_eq!(at("14/03/2025 09:02:11"), morning, "day first");
        assert_eq!(at("14/03/2025 9:02:11"), morning, "an hour of one digit");
        assert_eq!(at("3/14/2025 09:02:11"), morning, "month first where the day cannot be");
        assert_eq!(at("2025-03-14"), Some("2025-03-14T00:00:00Z".to_owned()));
        assert_eq!(at("04/05/2025"), Some("2025-05-04T00:00:00Z".to_owned()), "day first");
        for nothing in ["yesterday", "2025/13/40", "14/03", "n/a"] {
            assert_eq!(at(nothing), None, "{nothing}");
        }
    }
}
