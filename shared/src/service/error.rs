//! Why a use case did not succeed, and one problem with one input field.

use crate::domain::catalog::Text;
use crate::domain::schedule::SlotRefusal;
use crate::service::views::FreeSlot;
use crate::store::StoreError;
use chrono::{DateTime, FixedOffset};
use serde::Serialize;

/// One problem with one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub code: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, code: &'static str, message: impl ToString) -> Self {
        Self {
            field,
            code,
            message: message.to_string(),
        }
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
    /// The named clerk has another visit then (`next`: the clerk's next free slots).
    #[error("named clerk busy")]
    ClerkBusy { next: Vec<FreeSlot> },
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
    #[error("kiosk request not authenticated: {0}")]
    KioskUnauthorized(&'static str),
    #[error("the code belongs to another office")]
    WrongOffice,
    #[error("kiosk locked after wrong codes")]
    KioskLocked { retry_after_seconds: i64 },
    #[error("kiosk switched off")]
    KioskDisabled { message: Text },
    #[error("walk-in tickets switched off")]
    WalkInsDisabled { message: Text },
    #[error("no booking with this code today")]
    CodeUnknown,
    #[error("code not valid yet")]
    TooEarly { valid_from: DateTime<FixedOffset> },
    #[error("code no longer valid: too late")]
    KioskTooLate,
    #[error("booking not confirmed")]
    NotConfirmed,
    #[error("daily walk-in cap reached")]
    WalkInCapReached,
    #[error("the waiting room is full")]
    WaitingRoomFull,
    #[error("the desk is not open")]
    DeskClosed,
    #[error("the desk has a called ticket to finish first")]
    DeskBusy { ticket: String },
    #[error("the desk has no called ticket")]
    NoCurrentTicket,
    #[error("this member of staff may not do that at this office")]
    Forbidden,
    #[error("too many requests of this kind")]
    RateLimited { retry_after_seconds: i64 },
    #[error("online booking blocked after a no-show")]
    BookingBlocked { from: chrono::NaiveDate },
    #[error("the catalog was changed by someone else since version {current} was read")]
    VersionConflict { current: u64 },
    #[error("the files' bucket is not configured or not reachable")]
    FilesUnavailable,
    #[error("no such kiosk at this office")]
    KioskNotFound,
    #[error("the kiosk was changed meanwhile")]
    KioskChanged,
    #[error("the change is refused: bookings already made rely on what it removes")]
    ChangeRefused(crate::domain::catalog_change::Refusal),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<Vec<FieldError>> for ServiceError {
    fn from(fields: Vec<FieldError>) -> Self {
        ServiceError::Invalid(fields)
    }
}

impl From<FieldError> for ServiceError {
    fn from(field: FieldError) -> Self {
        ServiceError::Invalid(vec![field])
    }
}
