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
/// in English, French and Spanish, in the order tiles and filters use; and
/// the countries with their names and a representative point.
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
    let countries: Vec<Value> = state
        .reference
        .countries
        .all()
        .iter()
        .map(|c| {
            json!({
                "code": c.code.as_str(),
                "en": c.name("en"), "fr": c.name("fr"), "es": c.name("es"),
                "lon": c.lon, "lat": c.lat
            })
        })
        .collect();
    Json(json!({
        "families": facet(Facet::Family),
        "sectors": facet(Facet::Sector),
        "continents": facet(Facet::Continent),
        "countries": countries,
    }))
}
