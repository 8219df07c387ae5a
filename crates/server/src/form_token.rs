//! Form tokens: the friction asked of each submission, with no third party.
//!
//! `GET /api/submissions/challenge` hands out `ISSUED.NONCE.MAC` (MAC:
//! HMAC-SHA-256 with this database's secret) and a difficulty; the form
//! sends the token back with a proof of work: a decimal `pow` such that
//! SHA-256(`token:pow`) starts with that many zero bits. A token sent sooner
//! than the minimum age marks a bot; a spent one, a replay.

use std::net::IpAddr;
use std::time::Duration;

use hmac::{Hmac, Mac};
use jiff::Timestamp;
use sha2::{Digest, Sha256};

use crate::ApiError;
use crate::config::Limits;

/// Issues and checks form tokens.
#[derive(Debug)]
pub struct FormTokens {
    secret: Vec<u8>,
    bits: u8,
    min_age: Duration,
    max_age: Duration,
}

/// A checked token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedToken {
    /// Single-use part: spending it twice is a replay.
    pub nonce: String,
    /// Sent sooner than a person fills a form.
    pub too_fast: bool,
}

impl FormTokens {
    /// Tokens signed with `secret`, asking the work and ages of `limits`.
    pub fn new(secret: &[u8], limits: &Limits) -> Self {
        Self {
            secret: secret.to_vec(),
            bits: limits.pow_bits,
            min_age: limits.form_min_age,
            max_age: limits.form_max_age,
        }
    }

    /// Leading zero bits asked.
    pub fn bits(&self) -> u8 {
        self.bits
    }

    /// A new token.
    ///
    /// # Errors
    /// The system's random source failed.
    pub fn issue(&self, now: Timestamp) -> Result<String, ApiError> {
        let nonce = random_hex(8)?;
        let body = format!("{}.{nonce}", now.as_second());
        Ok(format!("{body}.{}", self.mac(&body)?))
    }

    /// Checks a token and its proof of work.
    ///
    /// # Errors
    /// 422 naming `/form_token` (missing, forged, expired) or `/pow`.
    pub fn check(&self, token: &str, pow: &str, now: Timestamp) -> Result<CheckedToken, ApiError> {
        let refuse = |message: &str| ApiError::unprocessable("/form_token", message);
        if token.is_empty() {
            return Err(refuse("missing; fetch one from /api/submissions/challenge"));
        }
        let (body, mac) = token.rsplit_once('.').ok_or_else(|| refuse("not a form token"))?;
        let expected = self.mac(body)?;
        if !bool::from(subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), mac.as_bytes())) {
            return Err(refuse("not issued by this server"));
        }
        let (issued, nonce) = body.split_once('.').ok_or_else(|| refuse("not a form token"))?;
        let issued: i64 = issued.parse().map_err(|_| refuse("not a form token"))?;
        let age =
            Duration::from_secs(u64::try_from(now.as_second().saturating_sub(issued)).unwrap_or(0));
        if age > self.max_age {
            return Err(refuse("expired; reload the form"));
        }
        if !pow.bytes().all(|b| b.is_ascii_digit())
            || pow.is_empty()
            || pow.len() > 20
            || leading_zero_bits(token, pow) < self.bits
        {
            return Err(ApiError::unprocessable(
                "/pow",
                format!("not a proof of work of {} bits for this token", self.bits),
            ));
        }
        Ok(CheckedToken { nonce: nonce.to_owned(), too_fast: age < self.min_age })
    }

    /// A pseudonym of `client`'s network (what a rate limit counts), keyed
    /// with this database's secret: stored with a submission to cap how many
    /// one client keeps pending, without storing the address.
    ///
    /// # Errors
    /// Never in practice (HMAC takes any key).
    pub fn client_key(&self, client: IpAddr) -> Result<String, ApiError> {
        self.mac(&format!("client:{}", crate::rate_limit::bucket(client)))
    }

    fn mac(&self, body: &str) -> Result<String, ApiError> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret)
            .map_err(|e| ApiError::Internal(format!("form token key: {e}")))?;
        mac.update(body.as_bytes());
        Ok(hex(&mac.finalize().into_bytes()[..16]))
    }
}

/// The proof of work a form computes: the first counter whose hash has `bits` leading zeros.
pub fn solve(token: &str, bits: u8) -> String {
    (0..=u64::MAX)
        .map(|n| n.to_string())
        .find(|pow| leading_zero_bits(token, pow) >= bits)
        .unwrap_or_default()
}

fn leading_zero_bits(token: &str, pow: &str) -> u8 {
    let digest = Sha256::new()
        .chain_update(token.as_bytes())
        .chain_update(b":")
        .chain_update(pow.as_bytes())
        .finalize();
    let mut bits = 0u8;
    for byte in digest {
        if byte == 0 {
            bits += 8;
        } else {
            // At most 7 for a non-zero byte: fits a u8.
            bits += u8::try_from(byte.leading_zeros()).unwrap_or(0);
            break;
        }
    }
    bits
}

/// `n` random bytes as lowercase hex.
///
/// # Errors
/// The system's random source failed.
pub(crate) fn random_hex(n: usize) -> Result<String, ApiError> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::Internal(format!("random source: {e}")))?;
    Ok(hex(&bytes))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(bits: u8) -> FormTokens {
        let limits = crate::RawConfig::default().validate().unwrap().limits;
        FormTokens { bits, ..FormTokens::new(b"secret", &limits) }
    }

    #[test]
    fn a_solved_token_passes_once_old_enough() {
        let t = tokens(8);
        let issued = Timestamp::from_second(1_000_000).unwrap();
        let token = t.issue(issued).unwrap();
        let pow = solve(&token, 8);
        let later = Timestamp::from_second(1_000_010).unwrap();
        let checked = t.check(&token, &pow, later).unwrap();
        assert!(!checked.too_fast);
        assert_eq!(checked.nonce.len(), 16);
        assert!(t.check(&token, &pow, issued).unwrap().too_fast);
    }

    #[test]
    fn forged_expired_and_unworked_tokens_are_refused_by_field() {
        let t = tokens(8);
        let issued = Timestamp::from_second(1_000_000).unwrap();
        let token = t.issue(issued).unwrap();
        let pow = solve(&token, 8);
        let field = |e: ApiError| match e {
            ApiError::Unprocessable(errors) => errors[0].clone(),
            other => panic!("{other:?}"),
        };
        // The last hex digit changed (to 0, or to 1 when it was 0: the token is random).
        let forged = format!(
            "{}{}",
            &token[..token.len() - 1],
            if token.ends_with('0') { '1' } else { '0' }
        );
        assert_eq!(field(t.check(&forged, &pow, issued).unwrap_err()).0, "/form_token");
        let other_server = FormTokens { secret: b"other".to_vec(), ..tokens(8) };
        assert_eq!(
            field(other_server.check(&token, &pow, issued).unwrap_err()).1,
            "not issued by this server"
        );
        let late = Timestamp::from_second(1_000_000 + 121 * 60).unwrap();
        assert_eq!(field(t.check(&token, &pow, late).unwrap_err()).1, "expired; reload the form");
        let wrong = (0..=u64::MAX)
            .map(|n| n.to_string())
            .find(|p| leading_zero_bits(&token, p) < 8)
            .unwrap();
        assert_eq!(field(t.check(&token, &wrong, issued).unwrap_err()).0, "/pow");
        assert_eq!(field(t.check(&token, "-1", issued).unwrap_err()).0, "/pow");
        assert_eq!(field(t.check("", &pow, issued).unwrap_err()).0, "/form_token");
    }
}
