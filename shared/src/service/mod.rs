//! The use cases: list, book, confirm, cancel. They join the pure rules of
//! [`crate::domain`] with the [`Store`]; time and randomness come from [`App`].

mod booking;
pub mod notify;
mod reminders;
mod slots;
mod sms;

pub use booking::{
    BookOutcome, CancelOutcome, ConfirmOutcome, Idempotency, book, cancel_for_person,
    cancel_with_token, confirm,
};
pub use reminders::queue_reminders;
pub use slots::{free_slots, next_free_slots};
pub use sms::{SmsOutcome, handle_inbound_sms};

use crate::api::dto::{FieldError, FreeSlot};
use crate::config::Config;
use crate::domain::catalog::{Catalog, Department, Service};
use crate::domain::clock::{Clock, SystemClock};
use crate::domain::codes::{Entropy, OsEntropy};
use crate::domain::ids::{OfficeId, ServiceId};
use crate::domain::schedule::SlotRefusal;
use crate::domain::secrets::Keyring;
use crate::store::{Store, StoreError};
use std::sync::Arc;
use std::time::Duration;

/// What every handler is given: the store, the clock, randomness, the keyring.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub entropy: Arc<dyn Entropy>,
    pub keyring: Keyring,
}

impl App {
    /// Production wiring: the system clock and the OS-seeded CSPRNG.
    pub fn new(config: &Config, aws: &aws_config::SdkConfig) -> Self {
        let client = aws_sdk_dynamodb::Client::new(aws);
        Self {
            store: Store::new(client, &config.table_name),
            clock: Arc::new(SystemClock),
            entropy: Arc::new(OsEntropy),
            keyring: config.keyring.clone(),
        }
    }

    pub async fn catalog(&self, office: &OfficeId) -> Result<Catalog, ServiceError> {
        self.store
            .load_catalog(office)
            .await?
            .ok_or(ServiceError::OfficeNotFound)
    }
}

/// Why a use case did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("invalid request")]
    Invalid(Vec<FieldError>),
    #[error("no such office")]
    OfficeNotFound,
    #[error("no such service")]
    ServiceNotFound,
    #[error("no such booking")]
    BookingNotFound,
    #[error("slot refused: {0}")]
    SlotRefused(SlotRefusal),
    #[error("slot full")]
    SlotFull { next: Vec<FreeSlot> },
    #[error("weekly online cap reached")]
    WeekFull { next: Vec<FreeSlot> },
    #[error("person already booked this matter that day")]
    AlreadyBooked,
    #[error("wrong token or code")]
    WrongProof,
    #[error("confirmation code locked")]
    CodeLocked,
    #[error("hold expired")]
    HoldExpired,
    #[error("booking cancelled")]
    BookingCancelled,
    #[error("appointment already begun")]
    TooLate,
    #[error("idempotency key reused with another body")]
    IdempotencyKeyReused,
    #[error("contention; retries exhausted")]
    Busy,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<Vec<FieldError>> for ServiceError {
    fn from(fields: Vec<FieldError>) -> Self {
        ServiceError::Invalid(fields)
    }
}

/// The department and service of `id` in `catalog`.
pub fn find_service<'c>(
    catalog: &'c Catalog,
    id: &ServiceId,
) -> Result<(&'c Department, &'c Service), ServiceError> {
    catalog.service(id).ok_or(ServiceError::ServiceNotFound)
}

/// Attempts at a transaction that meets contention before answering "busy".
pub(crate) const MAX_ATTEMPTS: u32 = 12;

/// Jittered exponential backoff between attempts (5 ms … 320 ms).
pub(crate) async fn backoff(app: &App, attempt: u32) {
    let mut byte = [0u8; 1];
    app.entropy.fill(&mut byte);
    let base = 5u64 << attempt.min(6);
    let jitter = u64::from(byte[0]) * base / 255;
    tokio::time::sleep(Duration::from_millis(base / 2 + jitter)).await;
}
