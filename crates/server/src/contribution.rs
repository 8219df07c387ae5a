//! What a submission holds and what moderators are told about it: the
//! submitted fields, their validation into an organisation, and the hints
//! (possible duplicates, a point outside the claimed country, spam signals).

use impactmap_formats::similar_names;
use impactmap_index::{Atlas, Filter};
use impactmap_model::{LonLat, OrgId, Organisation, OrganisationDraft, Placement, Reference};
use impactmap_store::Submission;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ApiError;
use crate::form_token::hex;

/// Channel of organisations that came in through the form.
pub(crate) const FORM_SOURCE: &str = "form";
/// Within this distance, a similar name is a possible duplicate.
pub(crate) const DUPLICATE_RADIUS_M: f64 = 200.0;
/// More links than this in a description is a spam signal.
const MAX_LINKS: usize = 3;

/// The fields of an organisation as the form sends them (and as a
/// submission keeps them, once normalised).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Fields {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub family: String,
    #[serde(default)]
    pub sectors: Vec<String>,
    #[serde(default)]
    pub sdgs: Vec<u32>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub website: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub lon: Option<f64>,
    #[serde(default)]
    pub lat: Option<f64>,
}

/// A moderator's changes to a submission: only the fields given change.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Edits {
    name: Option<String>,
    family: Option<String>,
    sectors: Option<Vec<String>>,
    sdgs: Option<Vec<u32>>,
    description: Option<String>,
    website: Option<String>,
    email: Option<String>,
    city: Option<String>,
    country: Option<String>,
    lon: Option<f64>,
    lat: Option<f64>,
}

impl Fields {
    /// The fields with a moderator's edits applied.
    pub fn edited(mut self, edits: Edits) -> Self {
        macro_rules! apply {
            ($($field:ident),*) => { $(if let Some(v) = edits.$field { self.$field = v; })* };
        }
        apply!(name, family, sectors, sdgs, description, city, country);
        if let Some(w) = edits.website {
            self.website = Some(w);
        }
        if let Some(e) = edits.email {
            self.email = Some(e);
        }
        self.lon = edits.lon.or(self.lon);
        self.lat = edits.lat.or(self.lat);
        self
    }

    /// Validates the fields into an organisation of `source_id` from the form.
    ///
    /// # Errors
    /// 422 naming every refused field by its JSON pointer.
    pub fn validate(
        &self,
        source_id: &str,
        reference: &Reference,
        now: Timestamp,
    ) -> Result<Organisation, ApiError> {
        let mut missing = Vec::new();
        for (pointer, value) in [("/lon", self.lon), ("/lat", self.lat)] {
            if value.is_none() {
                missing.push((pointer.to_owned(), "missing".to_owned()));
            }
        }
        let draft = OrganisationDraft {
            name: self.name.clone(),
            description: self.description.clone(),
            website: self.website.clone().unwrap_or_default(),
            email: self.email.clone().unwrap_or_default(),
            country: self.country.clone(),
            city: self.city.clone(),
            family: self.family.clone(),
            sectors: self.sectors.clone(),
            sdgs: self.sdgs.clone(),
            lon: self.lon.unwrap_or(0.0),
            lat: self.lat.unwrap_or(0.0),
            source: FORM_SOURCE.into(),
            source_id: source_id.into(),
            created: Some(now),
            updated: Some(now),
            submitted: None,
            sample: false,
        };
        let refused = match draft.validate(reference, now) {
            Ok(org) if missing.is_empty() => return Ok(org),
            Ok(_) => Vec::new(),
            Err(errors) => errors,
        };
        let mut errors: Vec<(String, String)> = refused
            .into_iter()
            // A missing coordinate stood in as 0; say "missing", not "0,0".
            .filter(|e| missing.is_empty() || !matches!(e.field, "lon" | "lat" | "location"))
            .map(|e| (format!("/{}", e.field), e.reason))
            .collect();
        errors.extend(missing);
        Err(ApiError::Unprocessable(errors))
    }

    /// The normalised fields of a validated organisation: what is stored and fingerprinted.
    pub fn of(org: &Organisation) -> Self {
        Self {
            name: org.name.clone(),
            family: org.family.to_string(),
            sectors: org.sectors.iter().map(ToString::to_string).collect(),
            sdgs: org.sdgs.goals().collect(),
            description: org.description.clone(),
            website: org.website.clone(),
            email: org.email.clone(),
            city: org.city.clone(),
            country: org.country.to_string(),
            lon: Some(org.location.lon()),
            lat: Some(org.location.lat()),
        }
    }

    /// A hash of the content and its target: equal submissions share it.
    pub fn fingerprint(&self, edit_of: Option<&OrgId>) -> String {
        let json = serde_json::to_string(&(self, edit_of.map(OrgId::as_str))).unwrap_or_default();
        hex(&Sha256::digest(json.as_bytes()))
    }
}

/// What moderators are told about a submission.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Hints {
    /// Published organisations and pending submissions nearby with a similar name.
    pub duplicates: Vec<Duplicate>,
    /// The point lies outside the claimed country.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<CountryHint>,
    /// Why the checks set it aside as spam.
    pub spam: Vec<String>,
}

/// A possible duplicate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Duplicate {
    /// `organisation` or `submission`.
    pub kind: String,
    pub id: String,
    pub name: String,
    pub distance_m: f64,
}

/// A point outside the country it claims.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct CountryHint {
    pub claimed: String,
    /// The country the point lies in, if any (none at sea).
    pub found: Option<String>,
}

impl Hints {
    /// The duplicate and country hints of a new submission; `not` holds what
    /// moderators said a submission of this name is not.
    pub fn of(
        org: &Organisation,
        edit_of: Option<&OrgId>,
        atlas: &Atlas,
        pending: &[Submission],
        not: &[String],
        reference: &Reference,
    ) -> Self {
        let at = org.location;
        let everyone = atlas.select(&Filter::default());
        let mut duplicates: Vec<Duplicate> = everyone
            .and_then(|all| atlas.near(at, Some(DUPLICATE_RADIUS_M), None, &all))
            .unwrap_or_default()
            .into_iter()
            .map(|hit| (hit, atlas.entry(hit.index)))
            .filter(|(_, e)| {
                edit_of.is_none_or(|id| id.as_str() != e.id) && similar_names(&org.name, e.name)
            })
            .map(|(hit, e)| Duplicate {
                kind: "organisation".into(),
                id: e.id.to_string(),
                name: e.name.to_string(),
                distance_m: hit.distance_m.round(),
            })
            .collect();
        for other in pending {
            let Ok(fields) = serde_json::from_str::<Fields>(&other.draft) else { continue };
            let (Some(lon), Some(lat)) = (fields.lon, fields.lat) else { continue };
            let Ok(there) = LonLat::new(lon, lat) else { continue };
            let distance_m =
                impactmap_index::haversine_m(at.lon(), at.lat(), there.lon(), there.lat());
            if distance_m <= DUPLICATE_RADIUS_M && similar_names(&org.name, &fields.name) {
                duplicates.push(Duplicate {
                    kind: "submission".into(),
                    id: other.id.clone(),
                    name: fields.name,
                    distance_m: distance_m.round(),
                });
            }
        }
        let country = match reference.boundaries.placement(org.country, at) {
            Placement::Outside { .. } => Some(CountryHint {
                claimed: org.country.to_string(),
                found: reference.boundaries.country_at(at).map(|c| c.to_string()),
            }),
            Placement::Inside | Placement::Unknown => None,
        };
        duplicates.retain(|d| !not.contains(&d.id));
        Self { duplicates, country, spam: Vec::new() }
    }
}

/// Links in a text: `http://`, `https://` and `www.` occurrences.
pub(crate) fn link_heavy(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let links = lower.matches("http://").count()
        + lower.matches("https://").count()
        + lower.matches("www.").count();
    links > MAX_LINKS
}
