use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use impactmap_model::Facet;
use serde_json::{Value, json};

use crate::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/taxonomy", get(taxonomy))
}

/// `GET /api/taxonomy`: families, sectors and continents with their labels
/// in English, French and Spanish, in the order tiles and filters use.
async fn taxonomy(State(state): State<AppState>) -> Json<Value> {
    let facet = |facet: Facet| {
        state
            .reference
            .taxonomy
            .terms(facet)
            .iter()
            .map(|t| json!({"key": t.key.as_str(), "en": t.en, "fr": t.fr, "es": t.es}))
            .collect::<Vec<_>>()
    };
    Json(json!({"families": facet(Facet::Family), "sectors": facet(Facet::Sector), "continents": facet(Facet::Continent)}))
}
