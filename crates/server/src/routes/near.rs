use axum::Router;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use axum::routing::get;
use impactmap_model::LonLat;
use serde_json::{Value, json};

use super::filter_query;
use super::geojson::{EntryFeature, FeatureCollection};
use super::params::{number, single, whole};
use crate::{ApiError, AppState};

/// Half the Earth's circumference: no two points are farther apart.
pub(crate) const MAX_RADIUS_KM: f64 = 20_038.0;
/// The most neighbours one request returns.
pub(crate) const MAX_K: u64 = 1_000;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/near", get(near))
}

/// `GET /api/near?lat=&lon=&radius_km=&k=&<filters>`: organisations by
/// great-circle distance (haversine on the WGS84 mean radius), nearest
/// first, ties by id; each feature carries `distance_m`.
async fn near(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let (filter, rest) =
        filter_query::parse(&state.reference, query.as_deref(), &["lat", "lon", "radius_km", "k"])?;
    let lat = single(&rest, "lat")?.ok_or_else(|| ApiError::bad("lat", "missing"))?;
    let lon = single(&rest, "lon")?.ok_or_else(|| ApiError::bad("lon", "missing"))?;
    let at = LonLat::new(number("lon", lon)?, number("lat", lat)?)
        .map_err(|e| ApiError::bad(e.field, e.reason))?;
    let radius_km = single(&rest, "radius_km")?.map(|r| number("radius_km", r)).transpose()?;
    if let Some(r) = radius_km.filter(|r| !(0.0..=MAX_RADIUS_KM).contains(r)) {
        return Err(ApiError::bad("radius_km", format!("{r} is outside 0-{MAX_RADIUS_KM}")));
    }
    let k = single(&rest, "k")?.map(|k| whole("k", k, 1, MAX_K)).transpose()?;
    if radius_km.is_none() && k.is_none() {
        return Err(ApiError::bad("radius_km", "give radius_km, k, or both"));
    }
    let atlas = state.atlas.load_full();
    state
        .query(move || {
            let selection = atlas.select(&filter)?;
            #[expect(clippy::cast_possible_truncation, reason = "k is at most 1,000")]
            let hits =
                atlas.near(at, radius_km.map(|r| r * 1000.0), k.map(|k| k as usize), &selection)?;
            let distances: Vec<[(&str, Value); 1]> = hits
                .iter()
                .map(|h| [("distance_m", json!((h.distance_m * 10.0).round() / 10.0))])
                .collect();
            let features = hits
                .iter()
                .zip(&distances)
                .map(|(h, extra)| EntryFeature { atlas: &atlas, index: h.index, extra })
                .collect();
            FeatureCollection::new(features).encode("application/json")
        })
        .await
}
