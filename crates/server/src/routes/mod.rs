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

use std::convert::Infallible;
use std::sync::Arc;

use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use axum::routing::future::RouteFuture;
use futures_util::FutureExt as _;
use futures_util::future::{BoxFuture, Either};
use tower::limit::GlobalConcurrencyLimitLayer;
use tower::util::BoxCloneSyncService;
use tower::{Service, ServiceBuilder};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use admin::ROUTES as ADMIN_ROUTES;

use crate::{ApiError, AppState};

/// The whole service, cloned once per request by the connection.
pub type App = BoxCloneSyncService<Request, Response, Infallible>;

/// The whole service: the routes, and around them, once, the middleware every
/// answer passes through. Put on with `Router::layer` instead, each layer
/// would wrap every route in a box of its own, and every request cloned that
/// chain of boxes (a fifth of the instructions of a cached tile's answer).
pub fn app(state: AppState) -> App {
    let guard = overload_guard(state.config.limits.in_flight, state.config.limits.request_timeout);
    // Public reads: any origin may read them, never with credentials. The
    // answer is the same whatever the Origin or preflight headers, so it adds
    // no `Vary` (by default each answer would build one).
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
        .layer(
            CorsLayer::new().allow_origin(Any).allow_methods([Method::GET, Method::HEAD]).vary([]),
        );
    // Writes and moderation: same origin only (no CORS headers), never cached;
    // their bodies are read by `JsonBody`, which bounds them.
    let private = Router::new().merge(submissions::router()).merge(admin::router()).layer(
        SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ),
    );
    let router = Router::new()
        .merge(public)
        .merge(private)
        .merge(web::router())
        .fallback(|| async { ApiError::NotFound("no such route".into()) })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .with_state(state.clone());
    BoxCloneSyncService::new(
        ServiceBuilder::new()
            .layer(guard)
            .map_response(IntoResponse::into_response)
            .layer(TraceLayer::new_for_http())
            .layer(CatchPanicLayer::custom(panic_to_500))
            .layer(SetResponseHeaderLayer::overriding(
                header::REFERRER_POLICY,
                HeaderValue::from_static("strict-origin-when-cross-origin"),
            ))
            .layer(SetResponseHeaderLayer::overriding(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ))
            .service(TileLane { state: Arc::new(state), router }),
    )
}

/// A `GET` of a plain tile path goes straight to the tile handler, ahead of
/// the router; everything else goes through the router, which has the same
/// route for what the lane leaves (see `tiles::plain_path`). Tiles are most
/// of what a map asks for, and matching them in the router (path parameters
/// decoded into the request's extensions, its route's box cloned) cost over
/// a quarter of a cached tile's instructions.
#[derive(Clone)]
struct TileLane {
    state: Arc<AppState>,
    router: Router,
}

impl tower::Service<Request> for TileLane {
    type Response = Response;
    type Error = Infallible;
    type Future = Either<BoxFuture<'static, Result<Response, Infallible>>, RouteFuture<Infallible>>;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Infallible>> {
        tower::Service::<Request>::poll_ready(&mut self.router, cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        match tiles::plain_path(&request) {
            Some(coord) => {
                Either::Left(Box::pin(tiles::lane(self.state.clone(), coord, request).map(Ok)))
            }
            None => Either::Right(self.router.call(request)),
        }
    }
}

/// At most `in_flight` requests at once, each answered within `timeout`: the
/// rest get 503 with `Retry-After` at once instead of waiting in a queue
/// (RELIABILITY D5). Outside the trace layer, so a flood of refusals costs no
/// log line each.
fn overload_guard<S>(
    in_flight: usize,
    timeout: std::time::Duration,
) -> impl tower::Layer<
    S,
    Service = impl Service<Request, Response = Response, Error = Infallible, Future = impl Send>
              + Clone
              + Send
              + Sync
              + 'static,
> + Clone
where
    S: tower::Service<Request, Response = Response, Error = Infallible>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send,
{
    tower::ServiceBuilder::new()
        .layer(HandleErrorLayer::new(refuse_overload))
        .load_shed()
        .layer(GlobalConcurrencyLimitLayer::new(in_flight))
        .timeout(timeout)
}

async fn refuse_overload(error: tower::BoxError) -> ApiError {
    if error.is::<tower::timeout::error::Elapsed>() {
        tracing::warn!("a request took longer than the request timeout");
        ApiError::Busy { code: "timed_out", message: "the answer took too long; try again" }
    } else if error.is::<tower::load_shed::error::Overloaded>() {
        ApiError::Busy { code: "overloaded", message: "the server is busy; try again in a second" }
    } else {
        ApiError::Internal(error.to_string())
    }
}

/// A panic ends its own request with a plain 500; the server and every other
/// request go on. What panicked goes to the log only.
#[expect(clippy::needless_pass_by_value, reason = "the signature CatchPanicLayer calls")]
fn panic_to_500(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("?");
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

    /// RELIABILITY C10.
    #[tokio::test]
    async fn a_panic_is_one_plain_500_and_the_next_request_is_served() {
        let router = Router::new()
            .route("/boom", get(boom))
            .route("/fine", get(|| async { "ok" }))
            .layer(CatchPanicLayer::custom(panic_to_500));
        let response = router
            .clone()
            .oneshot(Request::get("/boom").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        assert_eq!(&body[..], br#"{"error":"internal error"}"#);
        let response =
            router.oneshot(Request::get("/fine").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }

    /// Status, `Retry-After` and body of a refusal, which also closes its connection.
    async fn refusal(response: Response) -> (StatusCode, Option<String>, serde_json::Value) {
        let status = response.status();
        assert_eq!(response.headers()[header::CONNECTION], "close");
        let retry =
            response.headers().get(header::RETRY_AFTER).map(|v| v.to_str().unwrap().to_owned());
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, retry, serde_json::from_slice(&body).unwrap())
    }

    /// RELIABILITY D5: past the limit of requests at once, the next is refused
    /// at once with 503 and `Retry-After`, not queued; once the first is done,
    /// requests are served again.
    #[tokio::test]
    async fn requests_past_the_in_flight_limit_are_refused_not_queued() {
        let release = std::sync::Arc::new(tokio::sync::Notify::new());
        let held = release.clone();
        let router = Router::new()
            .route("/slow", get(move || async move { held.notified().await }))
            .route("/fine", get(|| async { "ok" }))
            .layer(overload_guard(1, std::time::Duration::from_mins(1)));
        let slow = tokio::spawn(
            router.clone().oneshot(Request::get("/slow").body(Body::empty()).unwrap()),
        );
        // Until the slow request holds the one place, "/fine" may be served;
        // then it must be refused.
        let mut refused = None;
        for _ in 0..1000 {
            let response = router
                .clone()
                .oneshot(Request::get("/fine").body(Body::empty()).unwrap())
                .await
                .unwrap();
            if response.status() != StatusCode::OK {
                refused = Some(refusal(response).await);
                break;
            }
            tokio::task::yield_now().await;
        }
        let (status, retry, body) = refused.expect("a request past the limit was served");
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(retry.as_deref(), Some("1"));
        assert_eq!(body["error"], "overloaded");
        release.notify_one();
        assert_eq!(slow.await.unwrap().unwrap().status(), StatusCode::OK);
        let response =
            router.oneshot(Request::get("/fine").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }

    /// RELIABILITY D5.
    #[tokio::test]
    async fn a_request_past_its_time_is_a_503_naming_the_timeout() {
        let router = Router::new()
            .route("/stuck", get(std::future::pending::<&'static str>))
            .layer(overload_guard(8, std::time::Duration::from_millis(20)));
        let response =
            router.oneshot(Request::get("/stuck").body(Body::empty()).unwrap()).await.unwrap();
        let (status, retry, body) = refusal(response).await;
        assert_eq!((status, retry.as_deref()), (StatusCode::SERVICE_UNAVAILABLE, Some("1")));
        assert_eq!(body["error"], "timed_out");
    }
}
