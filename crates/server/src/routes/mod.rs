//! The router: one module per group of routes, each with its own `router()`.

mod filter_query;
mod geojson;
mod health;
mod near;
mod ogc;
mod openapi;
mod organisations;
mod params;
mod search;
mod stats;
mod taxonomy;
mod tilejson;
mod tiles;
mod web;

use axum::Router;
use axum::http::Method;
use tower_http::cors::{Any, CorsLayer};
use tower_http::trace::TraceLayer;

use crate::{ApiError, AppState};

/// The whole service.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(health::router())
        .merge(organisations::router())
        .merge(tiles::router())
        .merge(tilejson::router())
        .merge(near::router())
        .merge(stats::router())
        .merge(search::router())
        .merge(ogc::router())
        .merge(openapi::router())
        .merge(taxonomy::router())
        .merge(web::router())
        .fallback(|| async { ApiError::NotFound("no such route".into()) })
        // Every route is a public read for now: any origin, no credentials.
        .layer(CorsLayer::new().allow_origin(Any).allow_methods([Method::GET, Method::HEAD]))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
