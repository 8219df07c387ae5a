use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Every error a handler returns. 4xx bodies name the parameter or field;
/// 5xx bodies say nothing internal, and the cause is logged once here.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A query parameter or field was refused.
    #[error("{field}: {message}")]
    BadRequest { field: String, message: String },
    /// The thing asked for does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// A failure of ours; the detail goes to the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// A refused parameter or field.
    pub fn bad(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadRequest { field: field.into(), message: message.into() }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<impactmap_store::StoreError> for ApiError {
    fn from(error: impactmap_store::StoreError) -> Self {
        Self::Internal(error.to_string())
    }
}

impl From<impactmap_model::ModelError> for ApiError {
    fn from(error: impactmap_model::ModelError) -> Self {
        Self::Internal(error.to_string())
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(error: tokio::task::JoinError) -> Self {
        Self::Internal(error.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = match &self {
            Self::BadRequest { field, message } => json!({"error": message, "field": field}),
            Self::NotFound(what) => json!({"error": format!("not found: {what}")}),
            Self::Internal(detail) => {
                tracing::error!(%detail, "request failed");
                json!({"error": "internal error"})
            }
        };
        (status, Json(body)).into_response()
    }
}
