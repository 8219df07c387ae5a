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
use axum::response::{IntoResponse, Response};
use tower_http::catch_panic::CatchPanicLayer;
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
        .layer(CatchPanicLayer::custom(panic_to_500))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// A panic ends its own request with a plain 500; the server and every other
/// request go on. What panicked goes to the log only.
#[expect(clippy::needless_pass_by_value, reason = "the signature CatchPanicLayer calls")]
fn panic_to_500(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = panic.downcast_ref::<String>().map(String::as_str).or_else(|| panic.downcast_ref::<&str>().copied()).unwrap_or("?");
    ApiError::Internal(format!("a handler panicked: {what}")).into_response()
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use axum::routing::get;
    use tower::ServiceExt;

    use super::*;

    async fn boom() -> &'static str {
        panic!("secret detail at src/x.rs")
    }

    #[tokio::test]
    async fn a_panic_is_one_plain_500_and_the_next_request_is_served() {
        let router =
            Router::new().route("/boom", get(boom)).route("/fine", get(|| async { "ok" })).layer(CatchPanicLayer::custom(panic_to_500));
        let response = router.clone().oneshot(Request::get("/boom").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        assert_eq!(&body[..], br#"{"error":"internal error"}"#);
        let response = router.oneshot(Request::get("/fine").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
}
