//! Strict parsing of numeric query parameters: every refusal names the parameter.

use crate::ApiError;

use super::filter_query::clip;

/// A decimal number as people type it: no `NaN`, `inf`, hex or exponent overflow.
pub(crate) fn number(name: &str, text: &str) -> Result<f64, ApiError> {
    let t = text.trim();
    let plain = !t.is_empty()
        && t.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'));
    match t.parse::<f64>() {
        Ok(v) if plain && v.is_finite() => Ok(v),
        _ => Err(ApiError::bad(name, format!("'{}' is not a number", clip(text)))),
    }
}

/// A whole number within `min..=max`.
pub(crate) fn whole(name: &str, text: &str, min: u64, max: u64) -> Result<u64, ApiError> {
    let value = text
        .trim()
        .parse::<u64>()
        .map_err(|_| ApiError::bad(name, format!("'{}' is not a whole number", clip(text))))?;
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(ApiError::bad(name, format!("{value} is outside {min}-{max}")))
    }
}

/// The value of a parameter given once; a repeat is refused.
pub(crate) fn single<'a>(
    rest: &'a [(String, String)],
    name: &str,
) -> Result<Option<&'a str>, ApiError> {
    let mut found = rest.iter().filter(|(n, _)| n == name).map(|(_, v)| v.as_str());
    let first = found.next();
    if found.next().is_some() {
        return Err(ApiError::bad(name, "given more than once"));
    }
    Ok(first)
}

/// The pairs of a query string whose names are all in `allowed`.
///
/// # Errors
/// The first unknown parameter.
pub(crate) fn pairs(
    query: Option<&str>,
    allowed: &[&str],
) -> Result<Vec<(String, String)>, ApiError> {
    let pairs: Vec<(String, String)> =
        form_urlencoded::parse(query.unwrap_or("").as_bytes()).into_owned().collect();
    if let Some((name, _)) = pairs.iter().find(|(n, _)| !allowed.contains(&n.as_str())) {
        return Err(ApiError::bad(
            clip(name),
            format!("unknown parameter; use {}", allowed.join(", ")),
        ));
    }
    Ok(pairs)
}

/// Path parameters, like axum's `Path`; a path that does not decode
/// (broken percent-encoding, not UTF-8) is refused as a JSON 400 like every
/// other refusal, not with axum's plain-text one.
pub(crate) struct PathParams<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Send> axum::extract::FromRequestParts<S>
    for PathParams<T>
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Self(value)),
            Err(_) => {
                Err(ApiError::bad("path", "the path does not decode (percent-encoding or UTF-8)"))
            }
        }
    }
}
