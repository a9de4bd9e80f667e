//! Typed configuration, read once at cold start. A missing or bad value stops
//! the function before it serves anything.

use crate::domain::secrets::{Keyring, WeakKey};
use base64::Engine;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {0} is not set")]
    Missing(&'static str),
    #[error("environment variable {0} is not valid base64")]
    Encoding(&'static str),
    #[error("environment variable {0}: {1}")]
    Weak(&'static str, #[source] WeakKey),
    #[error("environment variable {0} is not valid: {1}")]
    Invalid(&'static str, &'static str),
}

/// What every function needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The single DynamoDB table.
    pub table_name: String,
    /// HMAC key for person keys and token digests (base64, ≥ 32 bytes).
    pub keyring: Keyring,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads from any lookup, so tests need not touch the process environment.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let table_name = get("TABLE_NAME").ok_or(ConfigError::Missing("TABLE_NAME"))?;
        let raw_key = get("HASH_KEY").ok_or(ConfigError::Missing("HASH_KEY"))?;
        let key = base64::engine::general_purpose::STANDARD
            .decode(raw_key.trim())
            .map_err(|_| ConfigError::Encoding("HASH_KEY"))?;
        let keyring = Keyring::new(&key).map_err(|e| ConfigError::Weak("HASH_KEY", e))?;
        Ok(Self {
            table_name,
            keyring,
        })
    }
}

/// What the notify function needs besides [`Config`].
#[derive(Debug, Clone)]
pub struct NotifyConfig {
    /// The verified SES sender, e.g. `Termin <termin@urzad.example.pl>`.
    pub email_from: String,
    /// Where the citizen pages live, for links in messages (no trailing slash).
    pub public_base_url: String,
}

impl NotifyConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let email_from = get("EMAIL_FROM").ok_or(ConfigError::Missing("EMAIL_FROM"))?;
        if !email_from.contains('@') {
            return Err(ConfigError::Invalid("EMAIL_FROM", "an email address"));
        }
        let base = get("PUBLIC_BASE_URL").ok_or(ConfigError::Missing("PUBLIC_BASE_URL"))?;
        let public_base_url = base.trim().trim_end_matches('/').to_owned();
        if !(public_base_url.starts_with("https://") || public_base_url.starts_with("http://")) {
            return Err(ConfigError::Invalid("PUBLIC_BASE_URL", "an http(s) URL"));
        }
        Ok(Self {
            email_from,
            public_base_url,
        })
    }
}

/// How long before a visit its reminder goes out (`REMINDER_LEAD_HOURS`, default 24).
pub fn reminder_lead_from_lookup(
    get: impl Fn(&str) -> Option<String>,
) -> Result<chrono::Duration, ConfigError> {
    match get("REMINDER_LEAD_HOURS") {
        None => Ok(chrono::Duration::hours(24)),
        Some(raw) => raw
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|h| (1..=168).contains(h))
            .map(|h| chrono::Duration::hours(h.into()))
            .ok_or(ConfigError::Invalid(
                "REMINDER_LEAD_HOURS",
                "whole hours, 1 to 168",
            )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_refuses_missing_and_weak_keys() {
        let env = |table: Option<&str>, key: Option<&str>| {
            let (table, key) = (table.map(str::to_owned), key.map(str::to_owned));
            Config::from_lookup(move |n| {
                if n == "TABLE_NAME" {
                    table.clone()
                } else {
                    key.clone()
                }
            })
        };
        assert!(matches!(
            env(None, Some("x")),
            Err(ConfigError::Missing("TABLE_NAME"))
        ));
        assert!(matches!(
            env(Some("t"), None),
            Err(ConfigError::Missing("HASH_KEY"))
        ));
        assert!(matches!(
            env(Some("t"), Some("%%")),
            Err(ConfigError::Encoding(_))
        ));
        assert!(matches!(
            env(Some("t"), Some("c2hvcnQ=")),
            Err(ConfigError::Weak(..))
        ));
        let key = base64::engine::general_purpose::STANDARD.encode([9u8; 32]);
        assert_eq!(env(Some("t"), Some(&key)).unwrap().table_name, "t");
    }

    #[test]
    fn notify_config_needs_a_sender_and_an_absolute_base_url() {
        let env = |from: &'static str, base: &'static str| {
            NotifyConfig::from_lookup(move |n| match n {
                "EMAIL_FROM" => Some(from.to_owned()),
                "PUBLIC_BASE_URL" => Some(base.to_owned()),
                _ => None,
            })
        };
        let ok = env("termin@urzad.example.pl", "https://termin.example.pl/").unwrap();
        assert_eq!(ok.public_base_url, "https://termin.example.pl");
        assert!(env("nobody", "https://termin.example.pl").is_err());
        assert!(env("termin@urzad.example.pl", "termin.example.pl").is_err());
    }

    #[test]
    fn the_reminder_lead_defaults_to_a_day_and_refuses_nonsense() {
        assert_eq!(
            reminder_lead_from_lookup(|_| None).unwrap(),
            chrono::Duration::hours(24)
        );
        assert_eq!(
            reminder_lead_from_lookup(|_| Some("3".into())).unwrap(),
            chrono::Duration::hours(3)
        );
        assert!(reminder_lead_from_lookup(|_| Some("0".into())).is_err());
        assert!(reminder_lead_from_lookup(|_| Some("soon".into())).is_err());
    }
}
