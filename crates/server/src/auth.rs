//! Moderators' tokens: `NAME.SECRET`, 256 random bits of secret, stored only
//! as an argon2id hash (OWASP parameters: 19 MiB, 2 passes, 1 lane). Admin
//! routes take them as `Authorization: Bearer`, never from the query string
//! or a cookie, so a forged cross-site request carries no credentials.

use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use crate::client_ip::ClientIp;
use crate::form_token::random_hex;
use crate::{ApiError, AppState};

/// Failed logins allowed per client address and window before 429.
pub(crate) const FAILURES_ALLOWED: u32 = 10;
/// The window of [`FAILURES_ALLOWED`].
pub(crate) const FAILURE_WINDOW: Duration = Duration::from_mins(15);

/// A moderator's name is plain: lowercase letters, digits and `-`, 1 to 32 of them.
///
/// # Errors
/// Why the name is refused.
pub fn check_name(name: &str) -> Result<(), String> {
    let plain = !name.is_empty()
        && name.len() <= 32
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if plain { Ok(()) } else { Err(format!("'{name}': use 1-32 lowercase letters, digits or '-'")) }
}

/// A new token for `name` and the hash to store; the token is shown once.
///
/// # Errors
/// A refused name, or a failure of the random source or the hasher.
pub fn new_token(name: &str) -> Result<(String, String), String> {
    check_name(name)?;
    let secret = random_hex(32).map_err(|e| e.to_string())?;
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| format!("random source: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    let hash =
        argon2().hash_password(secret.as_bytes(), &salt).map_err(|e| e.to_string())?.to_string();
    Ok((format!("{name}.{secret}"), hash))
}

/// Whether `secret` matches a stored hash (in constant time, by argon2's own comparison).
pub fn verify(secret: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .is_ok_and(|hash| argon2().verify_password(secret.as_bytes(), &hash).is_ok())
}

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The moderator a request is made by; extracting it refuses everyone else with 401.
#[derive(Debug, Clone)]
pub struct Moderator(pub String);

impl FromRequestParts<AppState> for Moderator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Ok(ClientIp(client)) = ClientIp::from_request_parts(parts, state).await;
        let presented = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .and_then(|t| t.trim().split_once('.'))
            .map(|(name, secret)| (name.to_owned(), secret.to_owned()));
        let verified = match presented {
            Some((name, secret)) if check_name(&name).is_ok() => {
                let store = state.store.clone();
                tokio::task::spawn_blocking(move || {
                    let stored = store.admin_secret_hash(&name)?;
                    Ok::<_, ApiError>(stored.filter(|hash| verify(&secret, hash)).map(|_| name))
                })
                .await??
            }
            _ => None,
        };
        match verified {
            Some(name) => Ok(Self(name)),
            None => match state.auth_failures.acquire(client, Instant::now()) {
                Ok(()) => Err(ApiError::Unauthorized),
                Err(retry_after) => Err(ApiError::TooManyRequests { retry_after }),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_stored_as_argon2id_and_verify_only_themselves() {
        let (token, hash) = new_token("ana").unwrap();
        let (name, secret) = token.split_once('.').unwrap();
        assert_eq!((name, secret.len()), ("ana", 64));
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(!hash.contains(secret));
        assert!(verify(secret, &hash));
        assert!(!verify(&secret.replace('a', "b"), &hash));
        assert!(!verify(secret, "not a hash"));
        assert!(new_token("Ana Smith").is_err());
    }
}
