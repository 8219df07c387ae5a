use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::{ApiError, AppState};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(health))
}

/// Liveness and a sign of the data: how many organisations the store holds,
/// and how many the Atlas being served holds, of which generation.
async fn health(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let store = state.store.clone();
    let organisations = tokio::task::spawn_blocking(move || store.count()).await??;
    let atlas = state.atlas.load();
    Ok(Json(json!({
        "status": "ok",
        "organisations": organisations,
        "atlas": {"organisations": atlas.len(), "generation": atlas.generation()}
    })))
}
