//! The viewer's files, built from web/ into the binary by build.rs.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use include_dir::{Dir, include_dir};

use super::params::PathParams;
use crate::{ApiError, AppState};

static WEB: Dir<'static> = include_dir!("$OUT_DIR/web");

/// What every page may load: our own files, workers and images made in the
/// page (MapLibre), nothing else; who may frame it is added per page.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
                   img-src 'self' data: blob:; worker-src 'self' blob:; \
                   connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'";

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/", page_route("index.html", "'self'"))
        .route(
            "/embed",
            get(|State(state): State<AppState>, headers: HeaderMap| async move {
                page(&state, "embed.html", &headers, &state.config.embed_ancestors)
            }),
        )
        .route("/configure", page_route("configure.html", "'self'"))
        .route("/contribute", page_route("contribute.html", "'self'"))
        .route("/admin", page_route("admin.html", "'none'"))
        // Scripts and styles under the build's version: kept a year, a new
        // build has a new address.
        .route(
            "/v/{version}/{*path}",
            get(
                |PathParams((version, path)): PathParams<(String, String)>,
                 headers: HeaderMap| async move {
                    let asset = std::path::Path::new(&path).extension().is_some_and(|e| {
                        ["js", "mjs", "css"].iter().any(|x| e.eq_ignore_ascii_case(x))
                    });
                    if version == asset_version() && asset {
                        file(&path, &headers, "public, max-age=31536000, immutable")
                    } else {
                        Err(ApiError::NotFound("no such route".into()))
                    }
                },
            ),
        )
}

/// The version the build gave the assets (a hash of their bytes).
/// `GET` of a page whose frames may be embedded by `frame_ancestors`.
fn page_route(file: &'static str, frame_ancestors: &'static str) -> MethodRouter<AppState> {
    get(move |State(state): State<AppState>, headers: HeaderMap| async move {
        page(&state, file, &headers, frame_ancestors)
    })
}

fn asset_version() -> &'static str {
    WEB.get_file("ASSET_VERSION").and_then(|f| f.contents_utf8()).unwrap_or_default()
}

/// A page with its content security policy; `/admin` may not be framed at all.
/// A page, with its Content-Security-Policy. While no sample organisation is
/// published, a page that says the map shows generated ones is sent without
/// that notice (its `.no-sample.html` twin, made by `web/build.mjs`).
fn page(
    state: &AppState,
    path: &str,
    headers: &HeaderMap,
    frame_ancestors: &str,
) -> Result<Response, ApiError> {
    let without_notice = path.replace(".html", ".no-sample.html");
    let path = if state.atlas.load().sample_count() == 0 && WEB.contains(&without_notice) {
        &without_notice
    } else {
        path
    };
    let mut response = file(path, headers, "no-cache")?;
    let policy = format!("{CSP}; frame-ancestors {frame_ancestors}");
    let response_headers = response.headers_mut();
    response_headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_str(&policy).map_err(|e| ApiError::Internal(e.to_string()))?,
    );
    if frame_ancestors == "'none'" {
        response_headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        response_headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(response)
}

fn media_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// A file of the viewer, with an ETag from its bytes. Pages are revalidated
/// (`no-cache`); versioned assets are immutable and come precompressed
/// (brotli, else gzip) when the client accepts it.
fn file(path: &str, headers: &HeaderMap, cache: &'static str) -> Result<Response, ApiError> {
    let accepts = |coding: &str| {
        headers
            .get_all(header::ACCEPT_ENCODING)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|c| {
                let mut parts = c.split(';');
                let named =
                    parts.next().is_some_and(|name| name.trim().eq_ignore_ascii_case(coding));
                // `q=0` refuses a coding; any other weight accepts it.
                let refused = parts
                    .filter_map(|p| p.trim().strip_prefix("q="))
                    .any(|q| q.trim().parse::<f32>().is_ok_and(|q| q <= 0.0));
                named && !refused
            })
    };
    let compressed =
        [("br", "br"), ("gzip", "gz")].into_iter().filter(|(coding, _)| accepts(coding)).find_map(
            |(coding, suffix)| WEB.get_file(format!("{path}.{suffix}")).map(|f| (Some(coding), f)),
        );
    let (coding, found) = match compressed {
        Some(found) => found,
        None => {
            (None, WEB.get_file(path).ok_or_else(|| ApiError::NotFound("no such route".into()))?)
        }
    };
    let bytes = found.contents();
    let etag = format!("\"{:016x}\"", fx_hash(bytes));
    let etag_value =
        HeaderValue::from_str(&etag).unwrap_or_else(|_| HeaderValue::from_static("\"0\""));
    if headers.get(header::IF_NONE_MATCH).is_some_and(|v| v.as_bytes() == etag.as_bytes()) {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag_value)]).into_response());
    }
    let mut response = (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(media_type(path))),
            (header::ETAG, etag_value),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
            (header::VARY, HeaderValue::from_static("accept-encoding")),
        ],
        bytes,
    )
        .into_response();
    if let Some(coding) = coding {
        response.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
    }
    Ok(response)
}

fn fx_hash(bytes: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut hasher = rustc_hash::FxHasher::default();
    hasher.write(bytes);
    hasher.finish()
}
