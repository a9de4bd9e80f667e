//! The use cases: list, book, confirm, cancel, inbound SMS, reminders,
//! sending messages. They take the inputs of [`input`], answer the views of
//! [`views`] or a [`ServiceError`], and join the pure rules of
//! [`crate::domain`] with the [`Store`] and the [`crate::senders`]; time and
//! randomness come from [`App`].
//!
//! Layers run one way: functions → `api` (HTTP edge) → `service` → `store`,
//! `messages`, `senders` → `domain`.

pub mod admin;
pub mod admission;
mod book;
pub mod bounces;
mod cancel;
mod catalog;
pub mod clerk;
mod confirm;
#[cfg(feature = "files")]
pub mod documents;
pub mod error;
mod inbound_sms;
pub mod input;
pub mod kiosk;
pub mod notify;
pub mod person;
pub mod queue;
mod reminders;
mod slots;
pub mod statistics;
pub mod sweeper;
mod transitions;
pub mod views;
pub mod warm;

pub use book::{BookOutcome, book, book_for_caller};
pub use cancel::{CancelOutcome, cancel_with_token, request_cancel_link, view_with_token};
pub use catalog::{list_offices, office_catalog};
pub use confirm::{ConfirmOutcome, confirm};
pub use error::{FieldError, ServiceError};
pub use inbound_sms::{SmsOutcome, handle_inbound_sms};
pub use reminders::queue_reminders;
pub use slots::{free_slots, next_free_slots};

use crate::config::Config;
use crate::domain::audit::{AuditAction, AuditEntry};
use crate::domain::booking::Booking;
use crate::domain::catalog::{Catalog, Department, Office, Service};
use crate::domain::clock::{Clock, FixedClock, SystemClock};
use crate::domain::codes::{Entropy, OsEntropy, new_ulid};
use crate::domain::ids::{OfficeId, OutboxId, ServiceId};
use crate::domain::schedule;
use crate::domain::secrets::Keyring;
use crate::domain::staff::Staff;
#[cfg(feature = "files")]
use crate::files::Files;
use crate::store::Store;
use chrono::NaiveDate;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// What every handler has: the store, the clock, randomness and the warm
/// cache. A function that never hashes (list-slots, queue) has only this, and
/// so never holds the key.
#[derive(Clone)]
pub struct Base {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub entropy: Arc<dyn Entropy>,
    /// Catalogs and kiosks kept between requests, for a bounded age.
    pub warm: Arc<warm::WarmCache>,
}

impl Base {
    /// Production wiring without a key: the system clock, a keyless store.
    pub fn new(table_name: &str, aws: &aws_config::SdkConfig) -> Self {
        Self {
            store: Store::keyless(aws_sdk_dynamodb::Client::new(aws), table_name),
            clock: Arc::new(SystemClock),
            entropy: Arc::new(OsEntropy),
            warm: Arc::default(),
        }
    }

    /// A fresh audit entry of `staff` doing `action` to `target` at `office`,
    /// now (no changes, no note: the caller adds them).
    pub(crate) fn audit_entry(
        &self,
        staff: &Staff,
        office: &OfficeId,
        action: AuditAction,
        target: impl Into<String>,
    ) -> AuditEntry {
        let now = self.clock.now();
        AuditEntry {
            id: new_ulid(now, &*self.entropy).to_string(),
            office_id: office.clone(),
            at: now,
            actor: staff.subject.clone(),
            action,
            target: target.into(),
            changes: Vec::new(),
            note: serde_json::Value::Null,
        }
    }

    /// The bookings of `office` that start on the days from `first` to
    /// `last` (office-local, inclusive), purged ones left out.
    pub(crate) async fn bookings_on_days(
        &self,
        office: &Office,
        first: NaiveDate,
        last: NaiveDate,
    ) -> Result<Vec<Booking>, ServiceError> {
        let mut found = Vec::new();
        for date in first.iter_days().take_while(|d| *d <= last) {
            let (Some(from), Some(to)) = (
                schedule::local_midnight(office, date),
                date.succ_opt()
                    .and_then(|d| schedule::local_midnight(office, d)),
            ) else {
                continue;
            };
            let to = to - chrono::Duration::milliseconds(1);
            found.extend(
                self.store
                    .bookings_starting(&office.id, date, from, to)
                    .await?,
            );
        }
        Ok(found)
    }

    /// An office's catalog, read at most [`warm::MAX_AGE`] ago.
    pub(crate) async fn catalog(&self, office: &OfficeId) -> Result<Arc<Catalog>, ServiceError> {
        let now = self.clock.now();
        if let Some(catalog) = self.warm.catalogs.get(office, now) {
            return Ok(catalog);
        }
        let catalog = Arc::new(
            self.store
                .load_catalog(office)
                .await?
                .ok_or(ServiceError::OfficeNotFound)?,
        );
        self.warm.catalogs.put(office.clone(), catalog.clone(), now);
        Ok(catalog)
    }
}

/// What a handler that hashes, seals or issues secrets is given: the
/// [`Base`] (reached through `Deref`) and the keyring.
#[derive(Clone)]
pub struct App {
    pub base: Base,
    pub keyring: Keyring,
    /// The bucket of document templates: only the admin function keeps
    /// files, and only it sets this (no other binary links the S3 client's
    /// use; only its build has the `files` feature).
    #[cfg(feature = "files")]
    pub files: Option<Files>,
}

impl std::ops::Deref for App {
    type Target = Base;

    fn deref(&self) -> &Base {
        &self.base
    }
}

impl App {
    /// Production wiring: the system clock and the OS-seeded CSPRNG.
    pub fn new(config: &Config, aws: &aws_config::SdkConfig) -> Self {
        Self {
            base: Base {
                store: Store::new(
                    aws_sdk_dynamodb::Client::new(aws),
                    &config.table_name,
                    config.keyring.sealer(),
                ),
                clock: Arc::new(SystemClock),
                entropy: Arc::new(OsEntropy),
                warm: Arc::default(),
            },
            keyring: config.keyring.clone(),
            #[cfg(feature = "files")]
            files: None,
        }
    }

    /// A fresh outbox message id.
    pub(crate) fn new_outbox_id(&self) -> OutboxId {
        OutboxId::from_ulid(new_ulid(self.clock.now(), &*self.entropy))
    }
}

/// The department and service of `id` in `catalog`.
pub(crate) fn find_service<'c>(
    catalog: &'c Catalog,
    id: &ServiceId,
) -> Result<(&'c Department, &'c Service), ServiceError> {
    catalog.service(id).ok_or(ServiceError::ServiceNotFound)
}

/// Waiting a while. Production sleeps; a test's [`FixedClock`] moves
/// forward instead, so rules that wait are tested without waiting.
pub trait Sleeper: Send + Sync {
    fn sleep(&self, duration: chrono::Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;
}

/// Sleeps on the Tokio timer.
#[derive(Debug, Default, Clone, Copy)]
pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    fn sleep(&self, duration: chrono::Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        let duration = duration.to_std().unwrap_or_default();
        Box::pin(tokio::time::sleep(duration))
    }
}

impl Sleeper for FixedClock {
    fn sleep(&self, duration: chrono::Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        self.advance(duration);
        Box::pin(std::future::ready(()))
    }
}

/// Attempts at a transaction that meets contention before answering "busy".
pub(crate) const MAX_ATTEMPTS: u32 = 12;

/// Jittered exponential backoff between attempts (5 ms … 320 ms).
pub(crate) async fn backoff(app: &Base, attempt: u32) {
    let mut byte = [0u8; 1];
    app.entropy.fill(&mut byte);
    let base = 5u64 << attempt.min(6);
    let jitter = u64::from(byte[0]) * base / 255;
    tokio::time::sleep(Duration::from_millis(base / 2 + jitter)).await;
}
