use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use impactmap_model::{ExportFormat, Exporter};

use crate::{ApiError, AppState};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/organisations", get(all))
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
