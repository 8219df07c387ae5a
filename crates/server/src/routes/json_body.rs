//! Request bodies of the write routes, read by one extractor: JSON only, at
//! most `limits.body_bytes`, and every refusal naming what was wrong — the
//! size (413), the media type (415), the syntax (400), or the field by its
//! JSON pointer (422).

use std::error::Error;

use axum::body::Bytes;
use axum::extract::{FromRequest, OptionalFromRequest, Request};
use axum::http::{HeaderMap, header};
use http_body_util::LengthLimitError;
use serde::de::DeserializeOwned;

use crate::{ApiError, AppState};

/// A JSON body parsed into `T`, or the refusal the module describes.
/// `Option<JsonBody<T>>` takes an empty body, whatever its media type, as `None`.
#[derive(Debug)]
pub(crate) struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        let (json, body) = read(request, state).await?;
        parse(json, &body).map(Self)
    }
}

impl<T: DeserializeOwned> OptionalFromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Option<Self>, ApiError> {
        let (json, body) = read(request, state).await?;
        if body.is_empty() { Ok(None) } else { parse(json, &body).map(|value| Some(Self(value))) }
    }
}

/// Whether the request says its body is JSON, and the body, read up to the
/// configured limit. The limit is applied here rather than by a layer, so
/// that a JSON route is bounded wherever it is mounted.
async fn read(request: Request, state: &AppState) -> Result<(bool, Bytes), ApiError> {
    let json = is_json(request.headers());
    let limit = state.config.limits.body_bytes;
    let body = axum::body::to_bytes(request.into_body(), limit).await.map_err(|e| {
        if e.source().is_some_and(<dyn Error>::is::<LengthLimitError>) {
            ApiError::TooLarge { limit }
        } else {
            // The words axum's own body extractor answers with.
            ApiError::bad("body", format!("Failed to buffer the request body: {e}"))
        }
    })?;
    Ok((json, body))
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"))
}

fn parse<T: DeserializeOwned>(json: bool, body: &[u8]) -> Result<T, ApiError> {
    if !json {
        return Err(ApiError::UnsupportedMediaType);
    }
    let deserializer = &mut serde_json::Deserializer::from_slice(body);
    let value: T = serde_path_to_error::deserialize(deserializer).map_err(|e| refusal(&e))?;
    let mut tail = serde_json::Deserializer::from_slice(body).into_iter::<serde::de::IgnoredAny>();
    tail.next();
    if tail.next().is_some() {
        return Err(ApiError::bad("body", "trailing characters after the JSON value"));
    }
    Ok(value)
}

fn refusal(error: &serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let pointer = pointer(error.path());
    let inner = error.inner();
    let message = strip_position(&inner.to_string());
    match inner.classify() {
        serde_json::error::Category::Data => {
            ApiError::unprocessable(pointer_or_field(&pointer, &message), message)
        }
        _ if pointer.is_empty() => ApiError::bad("body", format!("not JSON: {message}")),
        _ => ApiError::bad(pointer.trim_start_matches('/'), format!("not JSON: {message}")),
    }
}

/// `serde_path_to_error`'s path as a JSON pointer (RFC 6901): `/sectors/1`,
/// a key holding `/` or `~` escaped as `~1` and `~0`.
fn pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    path.iter()
        .map(|segment| match segment {
            Segment::Seq { index } => format!("/{index}"),
            Segment::Map { key } => reference_token(key),
            Segment::Enum { variant } => reference_token(variant),
            Segment::Unknown => "/?".to_owned(),
        })
        .collect()
}

/// One key of a JSON pointer, with its leading `/`.
fn reference_token(key: &str) -> String {
    format!("/{}", key.replace('~', "~0").replace('/', "~1"))
}

/// An unknown or duplicate field is named by the message, not the path.
fn pointer_or_field(pointer: &str, message: &str) -> String {
    if !pointer.is_empty() {
        return pointer.to_owned();
    }
    message.split('`').nth(1).map_or_else(|| "/".to_owned(), reference_token)
}

/// `serde_json`'s " at line 1 column 9" says nothing to a form.
fn strip_position(message: &str) -> String {
    message.split(" at line ").next().unwrap_or(message).to_owned()
}
