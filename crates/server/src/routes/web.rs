//! The viewer's files, built from web/ into the binary by build.rs.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use include_dir::{Dir, include_dir};

use crate::{ApiError, AppState};

static WEB: Dir<'static> = include_dir!("$OUT_DIR/web");

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(|headers: HeaderMap| async move { file("index.html", &headers) }))
        .route("/embed", get(|headers: HeaderMap| async move { file("embed.html", &headers) }))
        .route("/configure", get(|headers: HeaderMap| async move { file("configure.html", &headers) }))
        .route("/{name}", get(|Path(name): Path<String>, headers: HeaderMap| async move { file(&name, &headers) }))
        .route(
            "/vendor/{name}",
            get(|Path(name): Path<String>, headers: HeaderMap| async move { file(&format!("vendor/{name}"), &headers) }),
        )
}

fn media_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// A file of the viewer, with an ETag from its bytes. MapLibre's files change
/// only with its version, so they may be cached a day; ours are revalidated.
fn file(path: &str, headers: &HeaderMap) -> Result<Response, ApiError> {
    let found = WEB.get_file(path).ok_or_else(|| ApiError::NotFound("no such route".into()))?;
    let bytes = found.contents();
    let etag = format!("\"{:016x}\"", fx_hash(bytes));
    let cache = if path.starts_with("vendor/") { "public, max-age=86400" } else { "no-cache" };
    let etag_value = HeaderValue::from_str(&etag).unwrap_or_else(|_| HeaderValue::from_static("\"0\""));
    if headers.get(header::IF_NONE_MATCH).is_some_and(|v| v.as_bytes() == etag.as_bytes()) {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag_value)]).into_response());
    }
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(media_type(path))),
            (header::ETAG, etag_value),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        bytes,
    )
        .into_response())
}

fn fx_hash(bytes: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut hasher = rustc_hash::FxHasher::default();
    hasher.write(bytes);
    hasher.finish()
}
