//! Staff tokens on this machine, standing in for Cognito and the HttpApi JWT
//! authorizer: the demo staff accounts (`demo/staff.json`), tokens issued for
//! them (HS256, signed with a key derived from `HASH_KEY`), and the check the
//! authorizer makes before a staff route runs. The claims reach the function
//! exactly as API Gateway passes a verified JWT's claims (`sub`,
//! `cognito:groups` as `[a b]`), so the function's own code
//! (`termin::api::staff`) is the same here and in AWS.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use termin::domain::secrets::Keyring;

const ISSUER: &str = "termin-local";
const AUDIENCE: &str = "termin-staff";
/// A working day.
const LIFETIME_SECONDS: i64 = 8 * 3600;
const STAFF_JSON: &str = include_str!("../demo/staff.json");

/// A demo account: its user name and its `{role}:{office}` groups.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct DemoStaff {
    pub user: String,
    pub groups: Vec<String>,
}

pub fn demo_staff() -> Result<Vec<DemoStaff>, serde_json::Error> {
    serde_json::from_str(STAFF_JSON)
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    #[serde(rename = "cognito:groups")]
    groups: Vec<String>,
    iss: String,
    aud: String,
    iat: i64,
    exp: i64,
}

/// Issues and checks the local staff tokens.
#[derive(Clone)]
pub struct StaffTokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl StaffTokens {
    pub fn new(keyring: &Keyring) -> Self {
        let key = keyring.local_staff_token_key();
        Self {
            encoding: EncodingKey::from_secret(&key),
            decoding: DecodingKey::from_secret(&key),
        }
    }

    /// A token for a demo account, valid for a working day from `now` (unix seconds).
    pub fn issue(
        &self,
        staff: &DemoStaff,
        now: i64,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let claims = Claims {
            sub: staff.user.clone(),
            groups: staff.groups.clone(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: now,
            exp: now + LIFETIME_SECONDS,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    /// The claims of a valid `Authorization: Bearer …` value, as API Gateway
    /// passes them to the function; `None` for anything else (answered 401).
    pub fn verify(&self, authorization: Option<&str>) -> Option<HashMap<String, String>> {
        let token = authorization?.strip_prefix("Bearer ")?.trim();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).ok()?;
        Some(HashMap::from([
            ("sub".to_owned(), data.claims.sub),
            (
                "cognito:groups".to_owned(),
                format!("[{}]", data.claims.groups.join(" ")),
            ),
        ]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(key: u8) -> StaffTokens {
        StaffTokens::new(&Keyring::new(&[key; 32]).unwrap())
    }

    #[test]
    fn a_token_issued_here_verifies_into_the_claims_api_gateway_passes() {
        let clerk = &demo_staff().unwrap()[0];
        let now = chrono::Utc::now().timestamp();
        let token = tokens(1).issue(clerk, now).unwrap();
        let claims = tokens(1).verify(Some(&format!("Bearer {token}"))).unwrap();
        assert_eq!(claims["sub"], "clerk.olsztyn");
        assert_eq!(claims["cognito:groups"], "[clerk:olsztyn]");
    }

    #[test]
    fn a_missing_foreign_tampered_or_expired_token_is_refused() {
        let clerk = &demo_staff().unwrap()[0];
        let now = chrono::Utc::now().timestamp();
        let token = tokens(1).issue(clerk, now).unwrap();
        assert!(tokens(1).verify(None).is_none());
        assert!(
            tokens(1).verify(Some(&token)).is_none(),
            "not a Bearer value"
        );
        assert!(tokens(2).verify(Some(&format!("Bearer {token}"))).is_none());
        let mut tampered = token.clone();
        tampered.insert(token.len() / 2, 'x');
        assert!(
            tokens(1)
                .verify(Some(&format!("Bearer {tampered}")))
                .is_none()
        );
        let old = tokens(1).issue(clerk, now - 9 * 3600).unwrap();
        assert!(tokens(1).verify(Some(&format!("Bearer {old}"))).is_none());
    }
}
