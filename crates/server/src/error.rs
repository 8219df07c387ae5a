use std::time::Duration;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use impactmap_index::IndexError;
use impactmap_store::StoreError;
use serde_json::json;

/// Every error a handler returns. 4xx bodies name the parameter or field;
/// 5xx bodies say nothing internal, and the cause is logged once here.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A query parameter or field was refused.
    #[error("{field}: {message}")]
    BadRequest { field: String, message: String },
    /// A request body was understood but its values refused; each field is
    /// named by a JSON pointer (`/name`, `/sectors/1`).
    #[error("{}", .0.first().map_or(String::new(), |(f, m)| format!("{f}: {m}")))]
    Unprocessable(Vec<(String, String)>),
    /// The body is not of the media type the route takes.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// The body is larger than the route takes.
    #[error("body too large")]
    TooLarge { limit: usize },
    /// No, missing or wrong credentials: one answer for every case.
    #[error("unauthorized")]
    Unauthorized,
    /// Too many requests from this client; try again after the delay.
    #[error("too many requests")]
    TooManyRequests { retry_after: Duration },
    /// This client's earlier submissions fill its share of the moderation queue.
    #[error("too many pending")]
    TooManyPending { cap: usize },
    /// The thing asked for does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The route does not take this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The request conflicts with the current state (decided already, say).
    #[error("conflict: {0}")]
    Conflict(String),
    /// A write cannot be taken now (storage or queue full); reads go on.
    #[error("{code}")]
    Unavailable { code: &'static str, message: &'static str },
    /// The server is at its limit of requests at once, or this one took too
    /// long: try again in a second.
    #[error("{code}")]
    Busy { code: &'static str, message: &'static str },
    /// A failure of ours; the detail goes to the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// A refused parameter or field.
    pub fn bad(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadRequest { field: field.into(), message: message.into() }
    }

    /// One refused body field, named by its JSON pointer.
    pub fn unprocessable(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Unprocessable(vec![(pointer.into(), message.into())])
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::TooManyRequests { .. } | Self::TooManyPending { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Unavailable { .. } | Self::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Full => {
                tracing::error!("the database is full: submissions and moderation wait for space");
                Self::Unavailable {
                    code: "storage_full",
                    message: "storage is full; try again later",
                }
            }
            StoreError::QueueFull { .. } => Self::Unavailable {
                code: "queue_full",
                message: "the moderation queue is full; try again later",
            },
            StoreError::ClientQueueFull { cap } => Self::TooManyPending { cap },
            StoreError::NoSuchSubmission(id) => Self::NotFound(format!("submission '{id}'")),
            StoreError::AlreadyDecided { id, status } => {
                Self::Conflict(format!("submission '{id}' is already {status}"))
            }
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<IndexError> for ApiError {
    /// A refused filter or query names its parameter: the facet of an
    /// unknown value (`sector`), or the parameter a query was refused for.
    fn from(error: IndexError) -> Self {
        match error {
            IndexError::UnknownValue { facet, value } => {
                Self::bad(facet, format!("unknown value '{value}'"))
            }
            IndexError::BadQuery { parameter, message } => Self::bad(parameter, message),
        }
    }
}

impl From<impactmap_formats::FormatError> for ApiError {
    fn from(error: impactmap_formats::FormatError) -> Self {
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
            Self::Unprocessable(errors) => {
                let list: Vec<_> =
                    errors.iter().map(|(f, m)| json!({"field": f, "error": m})).collect();
                let (field, message) =
                    errors.first().map_or(("", "invalid"), |(f, m)| (f.as_str(), m.as_str()));
                json!({"error": message, "field": field, "errors": list})
            }
            Self::UnsupportedMediaType => {
                json!({"error": "send the body as application/json", "field": "Content-Type"})
            }
            Self::TooLarge { limit } => {
                json!({"error": format!("the body is larger than {limit} bytes")})
            }
            Self::Unauthorized => json!({"error": "unauthorized"}),
            Self::TooManyRequests { retry_after } => {
                json!({
                    "error": format!(
                        "too many requests; try again in {} s",
                        retry_after.as_secs().max(1)
                    )
                })
            }
            Self::TooManyPending { cap } => json!({
                "error": "too_many_pending",
                "message": format!(
                    "{cap} submissions from your network are waiting for a moderator; \
                     send more once they are decided"
                ),
            }),
            Self::NotFound(what) => json!({"error": format!("not found: {what}")}),
            Self::MethodNotAllowed => json!({"error": "method not allowed"}),
            Self::Conflict(what) => json!({"error": what}),
            Self::Unavailable { code, message } | Self::Busy { code, message } => {
                json!({"error": code, "message": message})
            }
            Self::Internal(detail) => {
                tracing::error!(%detail, "request failed");
                json!({"error": "internal error"})
            }
        };
        let mut response = (status, Json(body)).into_response();
        let headers = response.headers_mut();
        match &self {
            Self::Unauthorized => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            Self::TooManyRequests { retry_after } => {
                headers
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after.as_secs().max(1)));
            }
            Self::TooManyPending { .. } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("3600"));
            }
            Self::Unavailable { .. } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
            }
            Self::Busy { .. } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
                // A client told to come back later gives its connection back too:
                // under overload, refusing costs the server one answer, not a
                // stream of immediate retries on a kept-alive connection.
                headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            _ => {}
        }
        response
    }
}
