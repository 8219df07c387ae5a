//! The public form's API: a challenge to solve, then `POST /api/submissions`.
//! A `201` is sent only once the submission is committed.

use std::time::Instant;

use axum::Json;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use impactmap_model::{OrgId, fold};
use impactmap_store::{NewSubmission, Received, SubmissionStatus};
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::{Value, json};

use super::json_body::JsonBody;
use super::params::{pairs, single, whole};
use crate::client_ip::ClientIp;
use crate::contribution::{Fields, Hints, link_heavy};
use crate::form_token::random_hex;
use crate::{ApiError, AppState};

/// What the contributor is told: the same for every accepted submission, spam included.
const NEXT: &str = "Thank you. The alliance reviews every submission; \
                    you will see the organisation on the map once it is approved.";

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/submissions", post(submit))
        .route("/api/submissions/challenge", get(challenge))
        .route("/api/places", get(places))
}

/// The body of `POST /api/submissions`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SubmissionBody {
    #[serde(default)]
    name: String,
    #[serde(default)]
    family: String,
    #[serde(default)]
    sectors: Vec<String>,
    #[serde(default)]
    sdgs: Vec<u32>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    website: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    city: String,
    #[serde(default)]
    country: String,
    #[serde(default)]
    lon: Option<f64>,
    #[serde(default)]
    lat: Option<f64>,
    #[serde(default)]
    consent: bool,
    /// A published organisation this submission proposes to change.
    #[serde(default)]
    edit_of: Option<String>,
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    pow: String,
    /// Hidden in the form: people leave it empty, form-filling bots do not.
    #[serde(default)]
    homepage: String,
}

/// `GET /api/submissions/challenge`: a form token and the work it asks.
async fn challenge(State(state): State<AppState>) -> Result<Response, ApiError> {
    let token = state.form_tokens.issue(Timestamp::now())?;
    let body = json!({"token": token, "bits": state.form_tokens.bits()});
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(body)).into_response())
}

/// `POST /api/submissions`.
async fn submit(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    JsonBody(body): JsonBody<SubmissionBody>,
) -> Result<Response, ApiError> {
    let now = Timestamp::now();
    let id = random_hex(8)?;
    let fields = Fields {
        name: body.name,
        family: body.family,
        sectors: body.sectors,
        sdgs: body.sdgs,
        description: body.description,
        website: body.website,
        email: body.email,
        city: body.city,
        country: body.country,
        lon: body.lon,
        lat: body.lat,
    };
    let mut errors = Vec::new();
    let org = fields
        .validate(&id, &state.reference, now)
        .map_err(|e| errors.extend(unprocessable(e)))
        .ok();
    if !body.consent {
        errors.push((
            "/consent".into(),
            "must be true: the contributor agrees to publication once approved".into(),
        ));
    }
    let atlas = state.atlas.load_full();
    let edit_of = match body.edit_of.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => None,
        Some(text) => match OrgId::parse(text).ok().filter(|id| atlas.find(id).is_some()) {
            Some(id) => Some(id),
            None => {
                errors.push(("/edit_of".into(), "no published organisation has this id".into()));
                None
            }
        },
    };
    let token = state
        .form_tokens
        .check(&body.form_token, &body.pow, now)
        .map_err(|e| errors.extend(unprocessable(e)))
        .ok();
    let (Some(org), Some(token), true) = (org, token, errors.is_empty()) else {
        return Err(ApiError::Unprocessable(errors));
    };
    state
        .submit_limiter
        .acquire(client, Instant::now())
        .map_err(|retry_after| ApiError::TooManyRequests { retry_after })?;

    let normalised = Fields::of(&org);
    let store = state.store.clone();
    let reference = state.reference.clone();
    let caps = state.config.limits.pending;
    let client_key = state.form_tokens.client_key(client)?;
    let received = tokio::task::spawn_blocking(move || -> Result<Received, ApiError> {
        let not = store.not_duplicates(&fold(&org.name))?;
        let pending = store.pending_submissions()?;
        let mut hints = Hints::of(&org, edit_of.as_ref(), &atlas, &pending, &not, &reference);
        let signals = [
            (!body.homepage.is_empty(), "honeypot"),
            (token.too_fast, "too-fast"),
            (store.form_token_used(&token.nonce)?, "replayed-token"),
            (link_heavy(&org.description), "links"),
        ];
        hints.spam =
            signals.iter().filter(|(on, _)| *on).map(|(_, name)| (*name).to_owned()).collect();
        let status =
            if hints.spam.is_empty() { SubmissionStatus::Pending } else { SubmissionStatus::Spam };
        let new = NewSubmission {
            id,
            fingerprint: normalised.fingerprint(edit_of.as_ref()),
            status,
            draft: serde_json::to_string(&normalised)
                .map_err(|e| ApiError::Internal(e.to_string()))?,
            edit_of,
            hints: serde_json::to_string(&hints).map_err(|e| ApiError::Internal(e.to_string()))?,
            created: now,
            nonce: token.nonce,
            client: client_key,
        };
        if status == SubmissionStatus::Spam {
            tracing::info!(
                submission = %new.id,
                signals = ?hints.spam,
                "submission set aside as spam"
            );
        }
        Ok(store.receive_submission(&new, caps)?)
    })
    .await??;
    let (status, id) = match received {
        Received::New(id) => (StatusCode::CREATED, id),
        Received::Again(id) => (StatusCode::OK, id),
    };
    Ok((status, Json(json!({"id": id, "status": "pending", "message": NEXT}))).into_response())
}

fn unprocessable(error: ApiError) -> Vec<(String, String)> {
    match error {
        ApiError::Unprocessable(errors) => errors,
        other => vec![("/".into(), other.to_string())],
    }
}

/// `GET /api/places?q=&limit=`: towns of the shipped gazetteer whose name
/// starts with `q` (accents and case ignored), most populous first — the
/// form's offline place search.
async fn places(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let pairs = pairs(query.as_deref(), &["q", "limit"])?;
    let q = single(&pairs, "q")?.ok_or_else(|| ApiError::bad("q", "missing"))?;
    let limit = single(&pairs, "limit")?.map_or(Ok(10), |l| whole("limit", l, 1, 50))?;
    let towns = state.reference.gazetteer.search(q, usize::try_from(limit).unwrap_or(10));
    let places: Vec<Value> = towns
        .iter()
        .map(|t| {
            let country = state.reference.countries.get(t.country.as_str());
            json!({
                "name": t.name,
                "country": t.country.as_str(),
                "country_name": country.map_or("", |c| c.name("en")),
                "lon": t.location.lon(),
                "lat": t.location.lat(),
                "population": t.population,
            })
        })
        .collect();
    Ok(Json(json!({"places": places})))
}
