//! Typed configuration, read once at cold start. A missing or bad value stops
//! the function before it serves anything.

use crate::domain::secrets::{Keyring, KeyringError};
use std::future::Future;

/// A failure to read the HMAC key's secret from Secrets Manager.
pub type SecretError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {0} is not set")]
    Missing(&'static str),
    #[error("neither HASH_KEY nor HASH_KEY_SECRET_ARN is set")]
    NoHashKey,
    #[error("the hashing key (HASH_KEY or its secret): {0}")]
    Key(#[source] KeyringError),
    #[error("environment variable {0} is not valid: {1}")]
    Invalid(&'static str, &'static str),
    #[error("could not read the secret that HASH_KEY_SECRET_ARN names ({arn})")]
    Secret {
        arn: String,
        #[source]
        source: SecretError,
    },
}

/// What every function needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The single DynamoDB table.
    pub table_name: String,
    /// HMAC keys for person keys and token digests: one base64 key of at
    /// least 32 bytes, or `id:base64` entries, the current first (see
    /// [`Keyring::parse`]).
    pub keyring: Keyring,
}

impl Config {
    /// Reads the configuration from the environment; the HMAC key from
    /// `HASH_KEY` when it is set (local runs, tests), else from the Secrets
    /// Manager secret `HASH_KEY_SECRET_ARN` names (Lambda), fetched once here.
    /// Nothing is fetched, and no client built, while `HASH_KEY` is set.
    pub async fn load(aws: &aws_config::SdkConfig) -> Result<Self, ConfigError> {
        Self::load_with(
            |name| std::env::var(name).ok(),
            |arn| fetch_secret_string(aws, arn),
        )
        .await
    }

    /// [`Config::load`] with the environment and the secret fetch passed in,
    /// so the choice between them is tested without AWS.
    pub async fn load_with<F, Fut>(
        get: impl Fn(&str) -> Option<String>,
        fetch: F,
    ) -> Result<Self, ConfigError>
    where
        F: FnOnce(String) -> Fut,
        Fut: Future<Output = Result<String, SecretError>>,
    {
        if get("HASH_KEY").is_some() {
            return Self::from_lookup(get);
        }
        let arn = get("HASH_KEY_SECRET_ARN").ok_or(ConfigError::NoHashKey)?;
        // Checked before the network is touched, like every other variable.
        get("TABLE_NAME").ok_or(ConfigError::Missing("TABLE_NAME"))?;
        let secret = fetch(arn.clone())
            .await
            .map_err(|source| ConfigError::Secret { arn, source })?;
        Self::from_lookup(|name| match name {
            "HASH_KEY" => Some(secret.clone()),
            _ => get(name),
        })
    }

    /// Reads `TABLE_NAME` and `HASH_KEY` only (no Secrets Manager), for
    /// local tools that always have the key at hand.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads from any lookup, so tests need not touch the process environment.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let table_name = get("TABLE_NAME").ok_or(ConfigError::Missing("TABLE_NAME"))?;
        let raw_key = get("HASH_KEY").ok_or(ConfigError::Missing("HASH_KEY"))?;
        let keyring = Keyring::parse(&raw_key).map_err(ConfigError::Key)?;
        Ok(Self {
            table_name,
            keyring,
        })
    }
}

/// The table's name (`TABLE_NAME`), all a function that never hashes needs:
/// it gets no key and reads none.
pub fn table_name_from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<String, ConfigError> {
    get("TABLE_NAME").ok_or(ConfigError::Missing("TABLE_NAME"))
}

/// The string value of a Secrets Manager secret.
async fn fetch_secret_string(
    aws: &aws_config::SdkConfig,
    arn: String,
) -> Result<String, SecretError> {
    let out = aws_sdk_secretsmanager::Client::new(aws)
        .get_secret_value()
        .secret_id(arn)
        .send()
        .await?;
    out.secret_string()
        .map(str::to_owned)
        .ok_or_else(|| "the secret has no string value".into())
}

/// What the notify function needs besides [`Config`].
#[derive(Debug, Clone)]
pub struct NotifyConfig {
    /// The verified SES sender, e.g. `Termin <termin@urzad.example.pl>`.
    pub email_from: String,
    /// Where the citizen pages live, for links in messages (no trailing slash).
    pub public_base_url: String,
    /// The SES configuration set whose events report bounces and complaints
    /// (`SES_CONFIGURATION_SET`; none locally).
    pub configuration_set: Option<String>,
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
        let configuration_set = get("SES_CONFIGURATION_SET").filter(|s| !s.trim().is_empty());
        Ok(Self {
            email_from,
            public_base_url,
            configuration_set,
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
    use crate::domain::secrets::Purpose;

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
            Err(ConfigError::Key(KeyringError::Encoding))
        ));
        assert!(matches!(
            env(Some("t"), Some("c2hvcnQ=")),
            Err(ConfigError::Key(KeyringError::Weak(_)))
        ));
        use base64::Engine;
        let key = base64::engine::general_purpose::STANDARD.encode([9u8; 32]);
        assert_eq!(env(Some("t"), Some(&key)).unwrap().table_name, "t");
        let during_rotation = format!("k2:{key},k1:{KEY}");
        let config = env(Some("t"), Some(&during_rotation)).unwrap();
        assert_eq!(config.keyring.current_id(), "k2");
    }

    fn env(pairs: &[(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let pairs = pairs.to_vec();
        move |name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    const KEY: &str = "CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=";
    const OTHER_KEY: &str = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=";

    async fn never_fetched(arn: String) -> Result<String, SecretError> {
        panic!("fetched {arn} although HASH_KEY is set")
    }

    #[tokio::test]
    async fn a_hash_key_in_the_environment_wins_and_nothing_is_fetched() {
        let get = env(&[
            ("TABLE_NAME", "t"),
            ("HASH_KEY", KEY),
            (
                "HASH_KEY_SECRET_ARN",
                "arn:aws:secretsmanager:eu-central-1:1:secret:k",
            ),
        ]);
        let config = Config::load_with(get, never_fetched).await.unwrap();
        let expected = Config::from_lookup(env(&[("TABLE_NAME", "t"), ("HASH_KEY", KEY)])).unwrap();
        assert_eq!(
            config.keyring.digest(Purpose::Phone, "x"),
            expected.keyring.digest(Purpose::Phone, "x")
        );
    }

    #[tokio::test]
    async fn without_a_hash_key_the_secret_the_arn_names_is_fetched_once() {
        let arn = "arn:aws:secretsmanager:eu-central-1:1:secret:termin-hash-key";
        let get = env(&[("TABLE_NAME", "t"), ("HASH_KEY_SECRET_ARN", arn)]);
        let asked = std::cell::RefCell::new(Vec::new());
        let config = Config::load_with(get, |a| {
            asked.borrow_mut().push(a);
            async { Ok(format!("{OTHER_KEY}\n")) }
        })
        .await
        .unwrap();
        assert_eq!(*asked.borrow(), [arn.to_owned()]);
        let from_secret =
            Config::from_lookup(env(&[("TABLE_NAME", "t"), ("HASH_KEY", OTHER_KEY)])).unwrap();
        assert_eq!(config.table_name, "t");
        assert_eq!(
            config.keyring.digest(Purpose::Phone, "x"),
            from_secret.keyring.digest(Purpose::Phone, "x")
        );
    }

    #[tokio::test]
    async fn neither_a_hash_key_nor_a_secret_arn_is_a_clear_error() {
        let err = Config::load_with(env(&[("TABLE_NAME", "t")]), never_fetched)
            .await
            .unwrap_err();
        assert!(matches!(err, ConfigError::NoHashKey));
        assert_eq!(
            err.to_string(),
            "neither HASH_KEY nor HASH_KEY_SECRET_ARN is set"
        );
    }

    #[tokio::test]
    async fn a_failed_fetch_or_a_weak_secret_stops_the_start() {
        let arn = "arn:aws:secretsmanager:eu-central-1:1:secret:k";
        let get = || env(&[("TABLE_NAME", "t"), ("HASH_KEY_SECRET_ARN", arn)]);
        let failed = Config::load_with(get(), |_| async { Err("access denied".into()) }).await;
        assert!(matches!(failed, Err(ConfigError::Secret { arn: a, .. }) if a == arn));
        let weak = Config::load_with(get(), |_| async { Ok("c2hvcnQ=".to_owned()) }).await;
        assert!(matches!(weak, Err(ConfigError::Key(KeyringError::Weak(_)))));
        let no_table = Config::load_with(env(&[("HASH_KEY_SECRET_ARN", arn)]), never_fetched).await;
        assert!(matches!(no_table, Err(ConfigError::Missing("TABLE_NAME"))));
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
