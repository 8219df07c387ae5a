use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use impactmap_tiles::TileCoord;

use super::filter_query::{self, clip};
use super::params::{PathParams, single};
use crate::tile_cache::CachedTile;
use crate::tile_service::{Layers, render_layers};
use crate::{ApiError, AppState, MAX_SERVED_ZOOM};

const MVT: &str = "application/vnd.mapbox-vector-tile";
const CACHE_CONTROL: &str = "public, max-age=300";

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/tiles/{z}/{x}/{tile}", get(tile))
}

/// `GET /tiles/{z}/{x}/{y}.mvt` with filters, through the router: what the
/// fast lane ([`lane`]) leaves to it (HEAD, odd paths).
async fn tile(
    State(state): State<AppState>,
    PathParams((z, x, y)): PathParams<(String, String, String)>,
    request: Request,
) -> Result<Response, ApiError> {
    let (parts, _) = request.into_parts();
    answer(&state, parse_coord(&z, &x, &y)?, &parts).await
}

/// The tile a request asks for, when it is a `GET` of a plain tile path: the
/// fast lane takes those ahead of the router. `None` leaves the request to the
/// router: another route or method, a segment missing, empty or extra, or
/// percent-encoding that does not decode (the router refuses it in its words).
pub(super) fn plain_path(request: &Request) -> Option<Result<TileCoord, ApiError>> {
    fn decoded(segment: Option<&str>) -> Option<std::borrow::Cow<'_, str>> {
        segment
            .filter(|s| !s.is_empty())
            .and_then(|s| percent_encoding::percent_decode_str(s).decode_utf8().ok())
    }
    if request.method() != Method::GET {
        return None;
    }
    let mut segments = request.uri().path().strip_prefix("/tiles/")?.split('/');
    let (z, x, y) =
        (decoded(segments.next())?, decoded(segments.next())?, decoded(segments.next())?);
    if segments.next().is_some() {
        return None;
    }
    Some(parse_coord(&z, &x, &y))
}

/// The fast lane's answer to a request [`plain_path`] took: the router's
/// answer, with the header the router's CORS layer gives public reads.
pub(super) async fn lane(
    state: Arc<AppState>,
    coord: Result<TileCoord, ApiError>,
    request: Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let answer = match coord {
        Ok(coord) => answer(&state, coord, &parts).await,
        Err(refused) => Err(refused),
    };
    let mut response = answer.into_response();
    response
        .headers_mut()
        .insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    response
}

async fn answer(state: &AppState, coord: TileCoord, request: &Parts) -> Result<Response, ApiError> {
    let query = request.uri.query();
    let (filter, rest) = filter_query::parse(&state.reference, query, &["layers"])?;
    let layers = match single(&rest, "layers")? {
        Some(list) => Layers::parse(list).map_err(|name| {
            ApiError::bad(
                "layers",
                format!("'{}' is not one of countries, h3, clusters, organisations", clip(&name)),
            )
        })?,
        None => Layers::ALL,
    };
    let open = filter.is_open();
    let atlas = state.atlas.load_full();
    if let Some(hit) = state.tiles.get(atlas.generation(), &filter, layers, coord) {
        return Ok(respond(&hit, &request.headers));
    }
    let cache = state.tiles.clone();
    let maker = state.tile_maker.clone();
    let make = move || {
        cache.get_or_make(atlas.generation(), &filter, layers, coord, || {
            let raw = render_layers(&atlas, &maker, &filter, coord, layers)
                .map_err(|e| ApiError::bad("filter", e.to_string()))?;
            Ok::<_, ApiError>(CachedTile::new(raw, atlas.generation()))
        })
    };
    // Clusters of the open view come from a pyramid built with the Atlas: tens
    // of microseconds, cheaper to make here than to hand to a blocking thread.
    // A filtered pyramid (built on first use), H3 counts and country outlines
    // may take far longer, so they go to the blocking pool.
    let tile = if open && layers == Layers::CLUSTERS {
        make()?
    } else {
        tokio::task::spawn_blocking(make).await??
    };
    Ok(respond(&tile, &request.headers))
}

fn parse_coord(z: &str, x: &str, y: &str) -> Result<TileCoord, ApiError> {
    let Some(y) = y.strip_suffix(".mvt") else {
        return Err(ApiError::bad("y", format!("'{}': tiles are served as .mvt", clip(y))));
    };
    let number = |field: &'static str, text: &str| {
        text.parse::<u64>()
            .map_err(|_| ApiError::bad(field, format!("'{}' is not a tile number", clip(text))))
    };
    let (z, x, y) = (number("z", z)?, number("x", x)?, number("y", y)?);
    let z = u32::try_from(z).map_err(|_| ApiError::bad("z", format!("{z} is above 30")))?;
    let coord = TileCoord::new(z, x, y)
        .map_err(|e| ApiError::bad(if z > 30 { "z" } else { "x" }, e.to_string()))?;
    if coord.z() > MAX_SERVED_ZOOM {
        return Err(ApiError::NotFound(format!(
            "zoom {} is outside the served range 0-{MAX_SERVED_ZOOM}",
            coord.z()
        )));
    }
    Ok(coord)
}

fn respond(tile: &CachedTile, headers: &HeaderMap) -> Response {
    let matches = headers.get(header::IF_NONE_MATCH).is_some_and(|v| {
        v.as_bytes()
            .split(|&b| b == b',')
            .map(<[u8]>::trim_ascii)
            .any(|t| t == b"*" || t == tile.etag.as_bytes())
    });
    let gzip = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().split(';').next() == Some("gzip")));
    let (status, body) = if matches {
        (StatusCode::NOT_MODIFIED, Body::empty())
    } else if tile.raw.is_empty() {
        (StatusCode::NO_CONTENT, Body::empty())
    } else if gzip {
        (StatusCode::OK, Body::from(tile.gzip()))
    } else {
        (StatusCode::OK, Body::from(tile.raw.clone()))
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    // Room for these and the headers the middleware adds, so the map is never regrown.
    let out = response.headers_mut();
    out.reserve(12);
    out.insert(header::ETAG, tile.etag.clone());
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE_CONTROL));
    out.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    if status == StatusCode::OK {
        out.insert(header::CONTENT_TYPE, HeaderValue::from_static(MVT));
        if gzip {
            out.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
    }
    response
}
