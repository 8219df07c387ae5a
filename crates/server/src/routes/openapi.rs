use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::AppState;

/// The API description, written by hand and checked against the router by tests.
pub(crate) const OPENAPI: &str = include_str!("openapi.json");

pub(super) fn router() -> Router<AppState> {
    Router::new().route(
        "/openapi.json",
        get(|| async {
            ([(header::CONTENT_TYPE, "application/vnd.oai.openapi+json;version=3.0")], OPENAPI)
                .into_response()
        }),
    )
}
