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
}
