//! The router: one module per group of routes, each with its own `router()`.

mod admin;
mod filter_query;
mod geojson;
mod health;
mod json_body;
mod near;
mod ogc;
mod openapi;
mod organisations;
mod params;
mod search;
mod stats;
mod submissions;
mod taxonomy;
mod tilejson;
mod tiles;
mod web;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, Method, header};
use tower_http::cors::{Any, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use admin::ROUTES as ADMIN_ROUTES;

use crate::{ApiError, AppState};

/// The whole service.
pub fn app(state: AppState) -> Router {
    let body_limit = DefaultBodyLimit::max(state.config.limits.body_bytes);
    // Public reads: any origin may read them, never with credentials.
    let public = Router::new()
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
        .layer(CorsLayer::new().allow_origin(Any).allow_methods([Method::GET, Method::HEAD]));
    // Writes and moderation: same origin only (no CORS headers), bounded bodies, never cached.
    let private = Router::new()
        .merge(submissions::router())
        .merge(admin::router())
        .layer(body_limit)
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
    Router::new()
        .merge(public)
        .merge(private)
        .merge(web::router())
        .fallback(|| async { ApiError::NotFound("no such route".into()) })
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin")))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
