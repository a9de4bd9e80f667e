//! Signed kiosk requests. A kiosk holds a secret (see
//! [`Keyring::kiosk_secret`](crate::domain::secrets::Keyring::kiosk_secret))
//! and sends with every request:
//!
//! | header | value |
//! | --- | --- |
//! | `x-kiosk-id` | the kiosk's id |
//! | `x-kiosk-timestamp` | unix seconds |
//! | `x-kiosk-nonce` | 32 lowercase hex characters, fresh per request |
//! | `x-kiosk-body-sha256` | lowercase hex SHA-256 of the body (of nothing for GET) |
//! | `x-kiosk-signature` | lowercase hex HMAC-SHA256 of the canonical string, keyed with the secret's UTF-8 bytes |
//!
//! The canonical string is `METHOD\nPATH\nTIMESTAMP\nNONCE\nBODY_SHA256`, the
//! path without the stage or `/api` prefix (`/kiosk/redeem`). A request is
//! accepted within [`REPLAY_WINDOW`] of its timestamp, and each nonce once
//! (the store remembers it until [`nonce_expires_at`]).

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq;

pub const KIOSK_ID: &str = "x-kiosk-id";
pub const TIMESTAMP: &str = "x-kiosk-timestamp";
pub const NONCE: &str = "x-kiosk-nonce";
pub const BODY_SHA256: &str = "x-kiosk-body-sha256";
pub const SIGNATURE: &str = "x-kiosk-signature";

/// How far a request's timestamp may be from the server's clock, either way.
pub const REPLAY_WINDOW: Duration = Duration::minutes(5);

/// The signature headers of one request, as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    pub kiosk_id: String,
    pub timestamp: i64,
    pub nonce: String,
    pub body_sha256: String,
    pub signature: String,
}

/// Why a request's signature is not accepted. Every case answers 401.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("header {0} is missing")]
    Missing(&'static str),
    #[error("header {0} is malformed")]
    Malformed(&'static str),
    #[error("the timestamp is outside the replay window")]
    Stale,
    #[error("the body does not match its hash")]
    BodyMismatch,
    #[error("the signature does not match")]
    BadSignature,
}

/// A kiosk id: 1 to 64 lowercase letters, digits and dashes (`olsztyn-hall-1`).
pub fn is_kiosk_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn is_lower_hex(value: &str, len: usize) -> bool {
    value.len() == len
        && value
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl SignedHeaders {
    /// Reads the headers through `get` (a case-insensitive header lookup).
    pub fn read<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Result<Self, SignatureError> {
        let need = |name: &'static str| {
            get(name)
                .map(str::trim)
                .ok_or(SignatureError::Missing(name))
        };
        let kiosk_id = need(KIOSK_ID)?;
        if !is_kiosk_id(kiosk_id) {
            return Err(SignatureError::Malformed(KIOSK_ID));
        }
        let timestamp = need(TIMESTAMP)?
            .parse::<i64>()
            .map_err(|_| SignatureError::Malformed(TIMESTAMP))?;
        let nonce = need(NONCE)?;
        if !is_lower_hex(nonce, 32) {
            return Err(SignatureError::Malformed(NONCE));
        }
        let body_sha256 = need(BODY_SHA256)?;
        if !is_lower_hex(body_sha256, 64) {
            return Err(SignatureError::Malformed(BODY_SHA256));
        }
        let signature = need(SIGNATURE)?;
        if !is_lower_hex(signature, 64) {
            return Err(SignatureError::Malformed(SIGNATURE));
        }
        Ok(Self {
            kiosk_id: kiosk_id.to_owned(),
            timestamp,
            nonce: nonce.to_owned(),
            body_sha256: body_sha256.to_owned(),
            signature: signature.to_owned(),
        })
    }

    /// Checks the timestamp against `now`, the body against its hash and the
    /// signature against `secret`. The nonce's first use is the store's check.
    pub fn verify(
        &self,
        secret: &str,
        method: &str,
        path: &str,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<(), SignatureError> {
        // abs_diff: any i64 a header carries, i64::MIN included, without overflow.
        let skew = now.timestamp().abs_diff(self.timestamp);
        if skew > REPLAY_WINDOW.num_seconds().unsigned_abs() {
            return Err(SignatureError::Stale);
        }
        if sha256_hex(body) != self.body_sha256 {
            return Err(SignatureError::BodyMismatch);
        }
        let expected = sign(
            secret,
            &canonical(method, path, self.timestamp, &self.nonce, &self.body_sha256),
        );
        if bool::from(expected.as_bytes().ct_eq(self.signature.as_bytes())) {
            Ok(())
        } else {
            Err(SignatureError::BadSignature)
        }
    }
}

/// The string a kiosk signs.
pub fn canonical(
    method: &str,
    path: &str,
    timestamp: i64,
    nonce: &str,
    body_sha256: &str,
) -> String {
    format!(
        "{}\n{path}\n{timestamp}\n{nonce}\n{body_sha256}",
        method.to_ascii_uppercase()
    )
}

/// Lowercase hex HMAC-SHA256 of `message`, keyed with the secret's bytes.
pub fn sign(secret: &str, message: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!());
    mac.update(message.as_bytes());
    hex(&mac.finalize().into_bytes())
}

pub fn sha256_hex(body: &[u8]) -> String {
    hex(&Sha256::digest(body))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Until when a nonce seen at `now` must be remembered: past that, its
/// timestamp is outside the window anyway.
pub fn nonce_expires_at(now: DateTime<Utc>) -> DateTime<Utc> {
    now + REPLAY_WINDOW + REPLAY_WINDOW
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::collections::HashMap;

    pub(crate) const SECRET: &str = "kiosk-secret-for-tests";

    /// The headers a kiosk sends for `body` at `at`.
    pub(crate) fn signed(
        method: &str,
        path: &str,
        body: &[u8],
        at: i64,
        nonce: &str,
    ) -> HashMap<String, String> {
        let body_sha256 = sha256_hex(body);
        let signature = sign(SECRET, &canonical(method, path, at, nonce, &body_sha256));
        HashMap::from([
            (KIOSK_ID.to_owned(), "olsztyn-hall-1".to_owned()),
            (TIMESTAMP.to_owned(), at.to_string()),
            (NONCE.to_owned(), nonce.to_owned()),
            (BODY_SHA256.to_owned(), body_sha256),
            (SIGNATURE.to_owned(), signature),
        ])
    }

    fn read(headers: &HashMap<String, String>) -> Result<SignedHeaders, SignatureError> {
        SignedHeaders::read(|name| headers.get(name).map(String::as_str))
    }

    const NONCE_A: &str = "0123456789abcdef0123456789abcdef";

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(seconds, 0).unwrap()
    }

    #[test]
    fn a_request_signed_with_the_secret_is_accepted() {
        let body = br#"{"code":"042917"}"#;
        let headers = signed("POST", "/kiosk/redeem", body, 1_800_000_000, NONCE_A);
        let parsed = read(&headers).unwrap();
        assert_eq!(parsed.kiosk_id, "olsztyn-hall-1");
        assert_eq!(
            parsed.verify(SECRET, "POST", "/kiosk/redeem", body, at(1_800_000_000)),
            Ok(())
        );
    }

    #[test]
    fn the_signature_matches_an_independent_computation() {
        // HMAC-SHA256 test vector (RFC 4231, case 2).
        assert_eq!(
            sign("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn a_wrong_secret_method_path_or_body_is_refused() {
        let body = br#"{"code":"042917"}"#;
        let now = at(1_800_000_000);
        let parsed = read(&signed(
            "POST",
            "/kiosk/redeem",
            body,
            now.timestamp(),
            NONCE_A,
        ))
        .unwrap();
        let bad = Err(SignatureError::BadSignature);
        assert_eq!(
            parsed.verify("another", "POST", "/kiosk/redeem", body, now),
            bad
        );
        assert_eq!(
            parsed.verify(SECRET, "PUT", "/kiosk/redeem", body, now),
            bad
        );
        assert_eq!(
            parsed.verify(SECRET, "POST", "/kiosk/walk-in", body, now),
            bad
        );
        assert_eq!(
            parsed.verify(
                SECRET,
                "POST",
                "/kiosk/redeem",
                br#"{"code":"000000"}"#,
                now
            ),
            Err(SignatureError::BodyMismatch)
        );
    }

    #[test]
    fn a_timestamp_outside_five_minutes_either_way_is_stale() {
        let sent = 1_800_000_000;
        let parsed = read(&signed("GET", "/kiosk/config", b"", sent, NONCE_A)).unwrap();
        let check = |now| parsed.verify(SECRET, "GET", "/kiosk/config", b"", at(now));
        assert_eq!(check(sent + 300), Ok(()));
        assert_eq!(check(sent - 300), Ok(()));
        assert_eq!(check(sent + 301), Err(SignatureError::Stale));
        assert_eq!(check(sent - 301), Err(SignatureError::Stale));
    }

    #[test]
    fn missing_or_malformed_headers_are_named() {
        let good = signed("GET", "/kiosk/config", b"", 1_800_000_000, NONCE_A);
        for name in [KIOSK_ID, TIMESTAMP, NONCE, BODY_SHA256, SIGNATURE] {
            let mut headers = good.clone();
            headers.remove(name);
            assert_eq!(read(&headers), Err(SignatureError::Missing(name)));
            headers.insert(name.to_owned(), "Not Valid!".to_owned());
            assert_eq!(read(&headers), Err(SignatureError::Malformed(name)));
        }
    }
}
