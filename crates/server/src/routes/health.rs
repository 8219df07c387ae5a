use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::{ApiError, AppState};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(health))
}

/// Liveness and a sign of the data: the store answers and how much it holds.
async fn health(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let store = state.store.clone();
    let organisations = tokio::task::spawn_blocking(move || store.count()).await??;
    Ok(Json(json!({"status": "ok", "organisations": organisations})))
}
