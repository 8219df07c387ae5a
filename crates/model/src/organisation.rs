use jiff::Timestamp;

use crate::{CountryCode, Facet, FieldError, LonLat, OrgId, Reference, SdgSet, TermKey};

const NAME_MAX: usize = 200;
const DESCRIPTION_MAX: usize = 5_000;
const CITY_MAX: usize = 120;
const URL_MAX: usize = 2_000;
const EMAIL_MAX: usize = 254;
const SOURCE_MAX: usize = 100;
const SECTORS_MAX: usize = 8;

/// Where an organisation came from: a source (a dataset, `form`, the sample)
/// and its id there. The pair is unique in the store, so re-imports update.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Provenance {
    /// Name of the dataset or channel.
    pub source: String,
    /// The organisation's id in that dataset.
    pub source_id: String,
}

/// A validated organisation of the map.
#[derive(Debug, Clone, PartialEq)]
pub struct Organisation {
    /// Public, URL-safe id, derived from the provenance.
    pub id: OrgId,
    /// Name, one line of plain text.
    pub name: String,
    /// Plain text; HTML from imports has been stripped.
    pub description: String,
    /// `http` or `https` URL.
    pub website: Option<String>,
    /// Contact address; never shown or exported publicly.
    pub email: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: CountryCode,
    /// Town.
    pub city: String,
    /// Derived from the country.
    pub continent: TermKey,
    /// One family of the taxonomy.
    pub family: TermKey,
    /// One or more sectors of the taxonomy, in the order given, without repeats.
    pub sectors: Vec<TermKey>,
    /// Sustainable Development Goals.
    pub sdgs: SdgSet,
    /// Where it is.
    pub location: LonLat,
    /// Where the record came from.
    pub provenance: Provenance,
    /// First stored.
    pub created: Timestamp,
    /// Last changed.
    pub updated: Timestamp,
    /// When the source says it was submitted or recorded (a form's
    /// timestamp), apart from when the map first stored it.
    pub submitted: Option<Timestamp>,
    /// Generated sample data, not a real organisation.
    pub sample: bool,
}

impl Organisation {
    /// Whether two records say the same thing, ignoring when they were stored.
    pub fn same_content(&self, other: &Self) -> bool {
        Self { created: other.created, updated: other.updated, ..self.clone() } == *other
    }
}

/// What maps, lists and queries show of an organisation: a validated
/// organisation without its description, contact, provenance or history.
/// The Atlas is built from these, so that a million of them stay light.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing {
    /// See [`Organisation::id`].
    pub id: OrgId,
    /// See [`Organisation::name`].
    pub name: String,
    /// See [`Organisation::city`].
    pub city: String,
    /// See [`Organisation::country`].
    pub country: CountryCode,
    /// See [`Organisation::continent`].
    pub continent: TermKey,
    /// See [`Organisation::family`].
    pub family: TermKey,
    /// See [`Organisation::sectors`].
    pub sectors: Vec<TermKey>,
    /// See [`Organisation::sdgs`].
    pub sdgs: SdgSet,
    /// See [`Organisation::location`].
    pub location: LonLat,
    /// See [`Organisation::sample`].
    pub sample: bool,
}

impl From<Organisation> for Listing {
    fn from(org: Organisation) -> Self {
        Self {
            id: org.id,
            name: org.name,
            city: org.city,
            country: org.country,
            continent: org.continent,
            family: org.family,
            sectors: org.sectors,
            sdgs: org.sdgs,
            location: org.location,
            sample: org.sample,
        }
    }
}

/// An organisation as given, before validation: every field as plain values.
#[derive(Debug, Clone, Default)]
pub struct OrganisationDraft {
    /// See [`Organisation::name`].
    pub name: String,
    /// See [`Organisation::description`].
    pub description: String,
    /// See [`Organisation::website`]; empty means none.
    pub website: String,
    /// See [`Organisation::email`]; empty means none.
    pub email: String,
    /// ISO alpha-2 code.
    pub country: String,
    /// See [`Organisation::city`].
    pub city: String,
    /// Family key.
    pub family: String,
    /// Sector keys.
    pub sectors: Vec<String>,
    /// Goal numbers.
    pub sdgs: Vec<u32>,
    /// Degrees.
    pub lon: f64,
    /// Degrees.
    pub lat: f64,
    /// See [`Provenance::source`].
    pub source: String,
    /// See [`Provenance::source_id`].
    pub source_id: String,
    /// Defaults to now when `None`.
    pub created: Option<Timestamp>,
    /// Defaults to `created` when `None`.
    pub updated: Option<Timestamp>,
    /// See [`Organisation::submitted`].
    pub submitted: Option<Timestamp>,
    /// See [`Organisation::sample`].
    pub sample: bool,
}

impl OrganisationDraft {
    /// Validates every field and derives the id and continent.
    ///
    /// # Errors
    /// Every refused field, each naming itself, in the model's field order.
    pub fn validate(
        self,
        reference: &Reference,
        now: Timestamp,
    ) -> Result<Organisation, Vec<FieldError>> {
        self.validate_or_return(reference, now).map_err(|refused| refused.0)
    }

    /// As [`OrganisationDraft::validate`], handing the draft back with the
    /// refusals, so that a caller may mend it and try again without keeping
    /// a copy of every draft.
    ///
    /// # Errors
    /// As [`OrganisationDraft::validate`], with the draft.
    pub fn validate_or_return(
        self,
        reference: &Reference,
        now: Timestamp,
    ) -> Result<Organisation, Box<(Vec<FieldError>, Self)>> {
        let mut errors: Vec<FieldError> = Vec::new();
        macro_rules! keep {
            ($result:expr) => {
                $result.map_err(|e| errors.push(e)).ok()
            };
        }

        let name = keep!(one_line("name", &self.name, NAME_MAX, true));
        let description = keep!(text_block("description", &self.description, DESCRIPTION_MAX));
        let website = keep!(website(&self.website));
        let email = keep!(email(&self.email));
        let country = keep!(reference.countries.code(&self.country));
        let city = keep!(one_line("city", &self.city, CITY_MAX, false));
        let family = keep!(reference.taxonomy.key(Facet::Family, self.family.trim()));
        let sectors = keep!(sectors(reference, &self.sectors));
        let sdgs = keep!(SdgSet::from_goals(self.sdgs.iter().copied()));
        let location = keep!(LonLat::new(self.lon, self.lat));
        let source = keep!(one_line("source", &self.source, SOURCE_MAX, true));
        let source_id = keep!(one_line("source_id", &self.source_id, NAME_MAX, true));

        let (
            Some(name),
            Some(description),
            Some(website),
            Some(email),
            Some(country),
            Some(city),
            Some(family),
            Some(sectors),
            Some(sdgs),
            Some(location),
            Some(source),
            Some(source_id),
        ) = (
            name,
            description,
            website,
            email,
            country,
            city,
            family,
            sectors,
            sdgs,
            location,
            source,
            source_id,
        )
        else {
            return Err(Box::new((errors, self)));
        };
        let continent =
            reference.countries.get(country.as_str()).map(|c| c.continent.clone()).ok_or_else(
                || (vec![FieldError::new("country", "has no continent")], self.clone()),
            )?;
        let created = self.created.unwrap_or(now);
        Ok(Organisation {
            id: OrgId::from_provenance(&source, &source_id),
            name,
            description,
            website,
            email,
            country,
            city,
            continent,
            family,
            sectors,
            sdgs,
            location,
            provenance: Provenance { source, source_id },
            created,
            updated: self.updated.unwrap_or(created).max(created),
            submitted: self.submitted,
            sample: self.sample,
        })
    }
}

/// Characters that reorder or hide text: a name holding them can display as
/// something else than it is.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}'
    )
}

fn one_line(
    field: &'static str,
    text: &str,
    max: usize,
    required: bool,
) -> Result<String, FieldError> {
    let text = text.trim();
    if required && text.is_empty() {
        return Err(FieldError::new(field, "missing"));
    }
    if let Some(c) = text.chars().find(|&c| c.is_control() || is_bidi_control(c)) {
        return Err(FieldError::new(
            field,
            format!("holds the control character U+{:04X}", u32::from(c)),
        ));
    }
    let length = text.chars().count();
    if length > max {
        return Err(FieldError::new(field, format!("{length} characters; at most {max}")));
    }
    Ok(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn text_block(field: &'static str, text: &str, max: usize) -> Result<String, FieldError> {
    let text = text.trim().replace("\r\n", "\n");
    if let Some(c) =
        text.chars().find(|&c| (c.is_control() && c != '\n' && c != '\t') || is_bidi_control(c))
    {
        return Err(FieldError::new(
            field,
            format!("holds the control character U+{:04X}", u32::from(c)),
        ));
    }
    let length = text.chars().count();
    if length > max {
        return Err(FieldError::new(field, format!("{length} characters; at most {max}")));
    }
    Ok(text)
}

fn website(text: &str) -> Result<Option<String>, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.len() > URL_MAX {
        return Err(FieldError::new("website", format!("longer than {URL_MAX} bytes")));
    }
    let url = url::Url::parse(text)
        .map_err(|e| FieldError::new("website", format!("'{text}' is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(FieldError::new(
            "website",
            format!("'{text}' is not an http or https address"),
        ));
    }
    // Non-ASCII characters are percent-encoded: up to nine bytes for one.
    if url.as_str().len() > URL_MAX {
        return Err(FieldError::new(
            "website",
            format!("longer than {URL_MAX} bytes once percent-encoded"),
        ));
    }
    Ok(Some(url.to_string()))
}

fn email(text: &str) -> Result<Option<String>, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let valid = text.len() <= EMAIL_MAX
        && text.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !text
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';'));
    if valid {
        Ok(Some(text.to_owned()))
    } else {
        Err(FieldError::new("email", format!("'{text}' is not an e-mail address")))
    }
}

fn sectors(reference: &Reference, keys: &[String]) -> Result<Vec<TermKey>, FieldError> {
    let mut out: Vec<TermKey> = Vec::new();
    for key in keys {
        let key = reference.taxonomy.key(Facet::Sector, key.trim())?;
        if !out.contains(&key) {
            out.push(key);
        }
    }
    if out.is_empty() {
        return Err(FieldError::new("sectors", "at least one sector is needed"));
    }
    if out.len() > SECTORS_MAX {
        return Err(FieldError::new(
            "sectors",
            format!("{} sectors; at most {SECTORS_MAX}", out.len()),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> OrganisationDraft {
        OrganisationDraft {
            name: "  Mutuelle   de santé de Thiès ".into(),
            description: "Soins de proximité.\r\nDepuis 1998.".into(),
            website: "https://example.org/mutuelle".into(),
            email: "contact@example.org".into(),
            country: "SN".into(),
            city: "Thiès".into(),
            family: "mutual".into(),
            sectors: vec!["health-social".into(), "finance".into(), "health-social".into()],
            sdgs: vec![3, 1],
            lon: -16.93,
            lat: 14.79,
            source: "test".into(),
            source_id: "1".into(),
            ..OrganisationDraft::default()
        }
    }

    fn now() -> Timestamp {
        "2026-05-01T00:00:00Z".parse().unwrap()
    }

    #[test]
    fn validates_and_derives() {
        let r = crate::reference::test_reference();
        let org = draft().validate(&r, now()).unwrap();
        assert_eq!(org.name, "Mutuelle de santé de Thiès");
        assert_eq!(org.description, "Soins de proximité.\nDepuis 1998.");
        assert_eq!(org.continent.as_str(), "africa");
        assert_eq!(
            org.sectors.iter().map(TermKey::as_str).collect::<Vec<_>>(),
            ["health-social", "finance"]
        );
        assert_eq!(org.sdgs.to_string(), "1;3");
        assert_eq!(org.id, OrgId::from_provenance("test", "1"));
        assert_eq!((org.created, org.updated), (now(), now()));
    }

    #[test]
    fn names_every_bad_field() {
        let r = crate::reference::test_reference();
        let bad = OrganisationDraft {
            name: "Evil\u{202e}gnp.exe".into(),
            description: "x".repeat(DESCRIPTION_MAX + 1),
            website: "javascript:alert(1)".into(),
            email: "not-an-address".into(),
            country: "XX".into(),
            city: "a\u{0}b".into(),
            family: "guild".into(),
            sectors: vec![],
            sdgs: vec![18],
            lon: f64::NAN,
            lat: 1.0,
            source: String::new(),
            source_id: "1".into(),
            ..OrganisationDraft::default()
        };
        let fields: Vec<_> =
            bad.validate(&r, now()).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "name",
                "description",
                "website",
                "email",
                "country",
                "city",
                "family",
                "sectors",
                "sdgs",
                "lon",
                "source"
            ]
        );
    }

    #[test]
    fn refuses_websites_that_are_not_http() {
        let r = crate::reference::test_reference();
        for site in ["data:text/html,<script>", "ftp://example.org", "https://", "example.org"] {
            let errors = OrganisationDraft { website: site.into(), ..draft() }
                .validate(&r, now())
                .unwrap_err();
            assert_eq!(errors[0].field, "website", "{site}");
        }
    }

    /// Found by fuzzing (`fuzz/regressions/geojson_import`): 1,800 bytes of
    /// `ø` passed the length check, then grew to 5,400 once percent-encoded,
    /// and our own export of that address was refused on the way back in.
    #[test]
    fn a_website_is_measured_as_stored() {
        let r = crate::reference::test_reference();
        let long = format!("https://example.org/{}", "ø".repeat(900));
        assert!(long.len() <= URL_MAX);
        let errors =
            OrganisationDraft { website: long, ..draft() }.validate(&r, now()).unwrap_err();
        assert_eq!(
            (errors[0].field, errors[0].reason.as_str()),
            ("website", "longer than 2000 bytes once percent-encoded")
        );
        let fits = format!("https://example.org/{}", "ø".repeat(300));
        let org = OrganisationDraft { website: fits, ..draft() }.validate(&r, now()).unwrap();
        assert!(org.website.unwrap().len() <= URL_MAX);
    }

    #[test]
    fn keeps_every_script_byte_exact() {
        let r = crate::reference::test_reference();
        for name in ["جمعية التضامن", "合作社 联盟", "Coop 🌱 Solidaire", "Ñandú Cooperativa"]
        {
            let org =
                OrganisationDraft { name: name.into(), ..draft() }.validate(&r, now()).unwrap();
            assert_eq!(org.name, name);
        }
    }
}
