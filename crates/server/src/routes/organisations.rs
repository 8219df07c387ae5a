use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use impactmap_model::{ExportFormat, Exporter, OrgId, feature};

use super::filter_query::clip;

use crate::{ApiError, AppState};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/organisations", get(all)).route("/api/organisations/{id}", get(one))
}

/// `GET /api/organisations/{id}`: the full public record as a GeoJSON Feature.
async fn one(State(state): State<AppState>, Path(id): Path<String>) -> Result<impl IntoResponse, ApiError> {
    let id = OrgId::parse(&id).map_err(|_| ApiError::NotFound(format!("organisation '{}'", clip(&id))))?;
    let store = state.store.clone();
    let lookup = id.clone();
    let org = tokio::task::spawn_blocking(move || store.organisation(&lookup))
        .await??
        .ok_or_else(|| ApiError::NotFound(format!("organisation '{id}'")))?;
    Ok(([(header::CONTENT_TYPE, ExportFormat::GeoJson.media_type())], Json(feature(&org))))
}

/// Every published organisation as a GeoJSON FeatureCollection.
async fn all(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let body = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, ApiError> {
        let mut exporter = Exporter::new(ExportFormat::GeoJson, &state.reference, Vec::new())?;
        state.store.each_organisation(|org| exporter.write(&org).map_err(ApiError::from))?;
        let (body, _) = exporter.finish()?;
        Ok(body)
    })
    .await??;
    Ok(([(header::CONTENT_TYPE, ExportFormat::GeoJson.media_type())], body))
}
