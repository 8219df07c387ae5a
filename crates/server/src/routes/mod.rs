//! The router: one module per group of routes, each with its own `router()`.

mod filter_query;
mod health;
mod organisations;
mod tilejson;
mod tiles;

use axum::Router;
use tower_http::trace::TraceLayer;

use crate::{ApiError, AppState};

/// The whole service.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(health::router())
        .merge(organisations::router())
        .merge(tiles::router())
        .merge(tilejson::router())
        .fallback(|| async { ApiError::NotFound("no such route".into()) })
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
