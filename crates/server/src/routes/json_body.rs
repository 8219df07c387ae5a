//! Request bodies of the write routes: JSON only, bounded, and every
//! refusal naming what was wrong — the media type (415), the size (413), the
//! syntax (400), or the field by its JSON pointer (422).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};
use serde::de::DeserializeOwned;

use crate::ApiError;

/// Reads a JSON body, or `None` when there is no body at all.
///
/// # Errors
/// As the module says.
pub(crate) fn optional<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    limit: usize,
) -> Result<Option<T>, ApiError> {
    let body = bytes(body, limit)?;
    if body.is_empty() { Ok(None) } else { parse(headers, &body).map(Some) }
}

/// Reads a JSON body.
///
/// # Errors
/// As the module says.
pub(crate) fn required<T: DeserializeOwned>(headers: &HeaderMap, body: Result<Bytes, BytesRejection>, limit: usize) -> Result<T, ApiError> {
    parse(headers, &bytes(body, limit)?)
}

fn bytes(body: Result<Bytes, BytesRejection>, limit: usize) -> Result<Bytes, ApiError> {
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge { limit }
        } else {
            ApiError::bad("body", rejection.body_text())
        }
    })
}

fn parse<T: DeserializeOwned>(headers: &HeaderMap, body: &[u8]) -> Result<T, ApiError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
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
        serde_json::error::Category::Data => ApiError::unprocessable(pointer_or_field(&pointer, &message), message),
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
