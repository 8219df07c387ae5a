//! Moderation: the queue and the acts on it, behind a moderator's token.
//! Every act is one store transaction with its audit row; a publication
//! rebuilds the Atlas before the answer, so the map shows it at once.

use axum::Json;
use axum::Router;
use axum::extract::{FromRequestParts, RawQuery, State};
use axum::http::request::Parts;
use axum::routing::{get, post};
use impactmap_formats::feature;
use impactmap_model::{OrgId, Organisation, fold};
use impactmap_store::{Decision, Store, Submission, SubmissionStatus};
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::json_body::JsonBody;
use super::params::{PathParams, pairs, single, whole};
use crate::auth::Moderator;
use crate::contribution::{Edits, Fields, Hints};
use crate::{ApiError, AppState};

/// Longest rejection reason.
const REASON_MAX: usize = 500;

/// A submission pending longer than this is flagged `pending_too_long`.
const PENDING_TOO_LONG: SignedDuration = SignedDuration::from_hours(15 * 24);

/// Every admin route; a test checks each refuses requests without a token.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/admin/me"),
    ("GET", "/api/admin/submissions"),
    ("POST", "/api/admin/submissions/{id}/approve"),
    ("POST", "/api/admin/submissions/{id}/reject"),
    ("POST", "/api/admin/submissions/{id}/merge"),
    ("POST", "/api/admin/submissions/{id}/not-duplicate"),
    ("GET", "/api/admin/audit"),
];

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/admin/me", get(me))
        .route("/api/admin/submissions", get(list))
        .route("/api/admin/submissions/{id}/approve", post(approve))
        .route("/api/admin/submissions/{id}/reject", post(reject))
        .route("/api/admin/submissions/{id}/merge", post(merge))
        .route("/api/admin/submissions/{id}/not-duplicate", post(not_duplicate))
        .route("/api/admin/audit", get(audit))
}

/// `GET /api/admin/me`: who the token belongs to.
async fn me(Moderator(name): Moderator) -> Json<Value> {
    Json(json!({"name": name}))
}

/// `GET /api/admin/submissions?status=pending|approved|rejected|spam&limit=`:
/// oldest first, each with its fields, hints, and for a proposed change the
/// published version it would replace.
async fn list(
    Moderator(_): Moderator,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let pairs = pairs(query.as_deref(), &["status", "limit"])?;
    let status = match single(&pairs, "status")? {
        None => SubmissionStatus::Pending,
        Some(s) => SubmissionStatus::parse(s)
            .ok_or_else(|| ApiError::bad("status", "use pending, approved, rejected or spam"))?,
    };
    let limit = usize::try_from(
        single(&pairs, "limit")?.map_or(Ok(200), |l| whole("limit", l, 1, 10_000))?,
    )
    .unwrap_or(200);
    let store = state.store.clone();
    let body = tokio::task::spawn_blocking(move || -> Result<Value, ApiError> {
        let items = store
            .submissions(status, limit)?
            .into_iter()
            .map(|s| {
                let current =
                    s.edit_of.as_ref().map(|id| store.organisation(id)).transpose()?.flatten();
                Ok(describe(&s, current.as_ref()))
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        let counts: Map<String, Value> = store
            .submission_counts()?
            .into_iter()
            .map(|(s, n)| (s.as_str().to_owned(), n.into()))
            .collect();
        Ok(json!({"status": status.as_str(), "counts": counts, "submissions": items}))
    })
    .await??;
    Ok(Json(body))
}

fn describe(s: &Submission, current: Option<&Organisation>) -> Value {
    let parse = |text: &str| serde_json::from_str::<Value>(text).unwrap_or(Value::Null);
    json!({
        "id": s.id,
        "status": s.status.as_str(),
        "created": s.created.to_string(),
        "pending_too_long": s.status == SubmissionStatus::Pending
            && Timestamp::now().duration_since(s.created) > PENDING_TOO_LONG,
        "fields": parse(&s.draft),
        "hints": parse(&s.hints),
        "edit_of": s.edit_of.as_ref().map(OrgId::as_str),
        "current": current.map(|o| serde_json::to_value(Fields::of(o)).unwrap_or(Value::Null)),
        "decided": s.decided.map(|t| t.to_string()),
        "decided_by": s.decided_by,
        "reason": s.reason,
        "organisation": s.organisation.as_ref().map(OrgId::as_str),
    })
}

/// Who acts on which submission: the moderator of the token, checked first,
/// and the submission the path's `{id}` names.
struct OnSubmission {
    actor: String,
    id: String,
}

impl FromRequestParts<AppState> for OnSubmission {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Moderator(actor) = Moderator::from_request_parts(parts, state).await?;
        let PathParams(id) = PathParams::from_request_parts(parts, state).await?;
        Ok(Self { actor, id })
    }
}

/// `POST /api/admin/submissions/{id}/approve` with optional edits: publishes
/// a new organisation, or for a proposed change the new version of it.
async fn approve(
    State(state): State<AppState>,
    on: OnSubmission,
    edits: Option<JsonBody<Edits>>,
) -> Result<Json<Value>, ApiError> {
    let edits = edits.map(|JsonBody(edits)| edits).unwrap_or_default();
    publish(state, on, move |submission, fields, state, now| {
        let fields = fields.edited(edits);
        let proposed = fields.validate(&submission.id, &state.reference, now)?;
        match &submission.edit_of {
            None => Ok((proposed, None, "approve")),
            Some(target) => {
                let existing = state.store.organisation(target)?.ok_or_else(|| {
                    ApiError::Conflict(format!("organisation '{target}' is no longer published"))
                })?;
                Ok((new_version(&existing, proposed, now), Some(existing), "approve-edit"))
            }
        }
    })
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MergeBody {
    into: String,
}

/// `POST /api/admin/submissions/{id}/merge` `{"into": ORG_ID}`: the
/// submission updates an existing organisation, which keeps its id; fields
/// the submission leaves empty keep their published values.
async fn merge(
    State(state): State<AppState>,
    on: OnSubmission,
    JsonBody(body): JsonBody<MergeBody>,
) -> Result<Json<Value>, ApiError> {
    let into = OrgId::parse(&body.into)
        .map_err(|_| ApiError::unprocessable("/into", "not an organisation id"))?;
    publish(state, on, move |submission, fields, state, now| {
        let existing = state
            .store
            .organisation(&into)?
            .ok_or_else(|| ApiError::unprocessable("/into", format!("no organisation '{into}'")))?;
        let mut fields = fields;
        let published = Fields::of(&existing);
        if fields.description.is_empty() {
            fields.description = published.description;
        }
        fields.website = fields.website.filter(|w| !w.is_empty()).or(published.website);
        fields.email = fields.email.filter(|e| !e.is_empty()).or(published.email);
        if fields.sdgs.is_empty() {
            fields.sdgs = published.sdgs;
        }
        let proposed = fields.validate(&submission.id, &state.reference, now)?;
        Ok((new_version(&existing, proposed, now), Some(existing), "merge"))
    })
    .await
}

/// The steps every publication shares: load the open submission, let
/// `make` make the organisation, write it with its audit row, rebuild the Atlas.
async fn publish(
    state: AppState,
    OnSubmission { actor, id }: OnSubmission,
    make: impl FnOnce(
        &Submission,
        Fields,
        &AppState,
        Timestamp,
    ) -> Result<(Organisation, Option<Organisation>, &'static str), ApiError>
    + Send
    + 'static,
) -> Result<Json<Value>, ApiError> {
    let body = tokio::task::spawn_blocking(move || -> Result<Value, ApiError> {
        let now = Timestamp::now();
        let (submission, fields) = open_submission(&state.store, &id)?;
        let (organisation, before, act) = make(&submission, fields, &state, now)?;
        let detail = changes(before.as_ref(), &organisation);
        let decision = Decision::Publish { organisation: Box::new(organisation.clone()), act };
        let decided = state.store.decide(&id, &decision, &detail.to_string(), &actor, now)?;
        // Published either way; if the rebuild fails, the watcher tries again.
        if let Err(e) = state.refresh() {
            tracing::error!("rebuilding the atlas after publishing {}: {e}", organisation.id);
        }
        Ok(json!({"submission": describe(&decided, None), "organisation": feature(&organisation)}))
    })
    .await??;
    Ok(Json(body))
}

/// The submission `id` while it awaits a decision, with its submitted fields.
///
/// # Errors
/// 404 when there is no such submission, 409 once it is decided.
fn open_submission(store: &Store, id: &str) -> Result<(Submission, Fields), ApiError> {
    let submission =
        store.submission(id)?.ok_or_else(|| ApiError::NotFound(format!("submission '{id}'")))?;
    if !submission.status.is_open() {
        return Err(ApiError::Conflict(format!(
            "submission '{id}' is already {}",
            submission.status.as_str()
        )));
    }
    let fields = serde_json::from_str(&submission.draft)
        .map_err(|e| ApiError::Internal(format!("submission {id}: {e}")))?;
    Ok((submission, fields))
}

/// `proposed` as the new version of `existing`: same id, provenance,
/// creation and source date; the sample mark stays with the record it labels.
fn new_version(existing: &Organisation, proposed: Organisation, now: Timestamp) -> Organisation {
    Organisation {
        id: existing.id.clone(),
        provenance: existing.provenance.clone(),
        created: existing.created,
        updated: now.max(existing.updated),
        submitted: existing.submitted,
        sample: existing.sample,
        email: proposed.email.clone().or_else(|| existing.email.clone()),
        ..proposed
    }
}

/// The audit's "what changed": each changed field with its old and new value.
fn changes(before: Option<&Organisation>, after: &Organisation) -> Value {
    let fields = |o: &Organisation| match serde_json::to_value(Fields::of(o)) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    let after_fields = fields(after);
    let Some(before) = before else {
        return json!({"organisation": after.id.as_str(), "created": after_fields});
    };
    let before_fields = fields(before);
    let changed: Map<String, Value> = after_fields
        .into_iter()
        .filter(|(k, v)| before_fields.get(k) != Some(v))
        .map(|(k, v)| {
            let old = before_fields.get(&k).cloned().unwrap_or(Value::Null);
            (k, json!([old, v]))
        })
        .collect();
    json!({"organisation": after.id.as_str(), "changed": changed})
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RejectBody {
    reason: String,
}

/// `POST /api/admin/submissions/{id}/reject` `{"reason": ...}`.
async fn reject(
    State(state): State<AppState>,
    on: OnSubmission,
    JsonBody(body): JsonBody<RejectBody>,
) -> Result<Json<Value>, ApiError> {
    let reason = body.reason.trim().to_owned();
    if reason.is_empty()
        || reason.chars().count() > REASON_MAX
        || reason.chars().any(char::is_control)
    {
        return Err(ApiError::unprocessable(
            "/reason",
            format!("give a reason of 1-{REASON_MAX} characters on one line"),
        ));
    }
    let store = state.store.clone();
    let decided = tokio::task::spawn_blocking(move || {
        let detail = json!({"reason": reason}).to_string();
        store.decide(&on.id, &Decision::Reject { reason }, &detail, &on.actor, Timestamp::now())
    })
    .await??;
    Ok(Json(json!({"submission": describe(&decided, None)})))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NotDuplicateBody {
    of: String,
}

/// `POST /api/admin/submissions/{id}/not-duplicate` `{"of": ID}`: the
/// submission is not the organisation or submission `ID` its hints name.
/// The hint goes, and later submissions under the same name are never
/// flagged against `ID` again.
async fn not_duplicate(
    State(state): State<AppState>,
    OnSubmission { actor, id }: OnSubmission,
    JsonBody(body): JsonBody<NotDuplicateBody>,
) -> Result<Json<Value>, ApiError> {
    let store = state.store.clone();
    let updated = tokio::task::spawn_blocking(move || -> Result<Submission, ApiError> {
        let (submission, fields) = open_submission(&store, &id)?;
        let mut hints: Hints = serde_json::from_str(&submission.hints)
            .map_err(|e| ApiError::Internal(format!("submission {id}: {e}")))?;
        let before = hints.duplicates.len();
        hints.duplicates.retain(|d| d.id != body.of);
        if hints.duplicates.len() == before {
            return Err(ApiError::unprocessable(
                "/of",
                "not among this submission's possible duplicates",
            ));
        }
        let hints = serde_json::to_string(&hints).map_err(|e| ApiError::Internal(e.to_string()))?;
        let detail = json!({"not_duplicate_of": body.of}).to_string();
        Ok(store.not_duplicate(
            &id,
            (&fold(&fields.name), &body.of),
            &hints,
            &detail,
            &actor,
            Timestamp::now(),
        )?)
    })
    .await??;
    Ok(Json(json!({"submission": describe(&updated, None)})))
}

/// `GET /api/admin/audit?limit=`: the latest moderation acts, newest first.
async fn audit(
    Moderator(_): Moderator,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let pairs = pairs(query.as_deref(), &["limit"])?;
    let limit = usize::try_from(
        single(&pairs, "limit")?.map_or(Ok(100), |l| whole("limit", l, 1, 10_000))?,
    )
    .unwrap_or(100);
    let store = state.store.clone();
    let rows = tokio::task::spawn_blocking(move || store.audit_log(limit)).await??;
    let acts: Vec<Value> = rows
        .into_iter()
        .map(|a| {
            json!({
                "seq": a.seq, "at": a.at, "actor": a.actor, "act": a.act,
                "submission": a.submission, "organisation": a.organisation,
                "detail": serde_json::from_str::<Value>(&a.detail).unwrap_or(Value::Null),
            })
        })
        .collect();
    Ok(Json(json!({"audit": acts})))
}
