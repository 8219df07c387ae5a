use axum::Router;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use axum::routing::get;

use super::filter_query;
use super::geojson::{EntryFeature, FeatureCollection};
use super::params::{single, whole};
use crate::{ApiError, AppState};

/// The most results one search returns.
const MAX_LIMIT: u64 = 100;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/search", get(search))
}

/// `GET /api/search?q=&limit=&<filters>`: organisations whose name or town
/// has words starting with the query's words, or in a country a word names
/// (in English, French, Spanish or Portuguese), accents and case ignored, best first.
async fn search(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    // `q` is the search here, not a filter: read it apart.
    let (mut filter, rest) = filter_query::parse(&state.reference, query.as_deref(), &["limit"])?;
    let q = std::mem::take(&mut filter.text);
    if q.is_empty() {
        return Err(ApiError::bad("q", "missing"));
    }
    let limit = single(&rest, "limit")?.map_or(Ok(20), |l| whole("limit", l, 1, MAX_LIMIT))?;
    let limit = usize::try_from(limit).unwrap_or(20);
    let atlas = state.atlas.load_full();
    state
        .query(move || {
            let selection = atlas.select(&filter)?;
            let found = atlas.search(&q, &selection, limit);
            FeatureCollection::new(found.iter().map(|&i| EntryFeature::new(&atlas, i)).collect())
                .encode("application/json")
        })
        .await
}
