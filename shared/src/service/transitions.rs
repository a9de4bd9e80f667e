//! The state changes several use cases share: loading a booking, expiring a
//! lapsed hold, writing a confirmation.

use crate::domain::booking::{Booking, BookingStatus};
use crate::domain::ids::BookingId;
use crate::domain::outbox::{MessageKind, OutboxMessage};
use crate::domain::secrets::Purpose;
use crate::service::{App, ServiceError};
use crate::store::{ConfirmProof, Release, TransitionRefusal};

pub(crate) async fn load(app: &App, id: BookingId) -> Result<Booking, ServiceError> {
    app.store
        .get_booking(id)
        .await?
        .ok_or(ServiceError::BookingNotFound)
}

/// Returns an expired hold's capacity (exactly once: the write is conditional
/// on the booking still being pending and past its hour).
pub(crate) async fn expire(
    app: &App,
    booking: &Booking,
    inbound: Option<&str>,
) -> Result<Result<(), TransitionRefusal>, ServiceError> {
    let now = app.clock.now();
    let message = OutboxMessage::plain(app.new_outbox_id(), booking, MessageKind::Expired, now);
    let result = app
        .store
        .release(booking, Release::Expire, now, &message, inbound, None)
        .await?;
    if result.is_ok() {
        tracing::info!(booking_id = %booking.id, "hold expired and released");
    }
    Ok(result)
}

/// Writes the confirmation of a pending hold (with a fresh manage token for
/// the confirmation message) and returns the booking as confirmed.
pub(crate) async fn write_confirmation(
    app: &App,
    booking: &Booking,
    proof: &ConfirmProof,
    inbound: Option<&str>,
) -> Result<Result<Booking, TransitionRefusal>, ServiceError> {
    let now = app.clock.now();
    let (manage_token, manage_digest) =
        app.keyring.issue_token(Purpose::ManageToken, &*app.entropy);
    let message = OutboxMessage {
        manage_token: Some(manage_token),
        ..OutboxMessage::plain(app.new_outbox_id(), booking, MessageKind::Confirmed, now)
    };
    let result = app
        .store
        .confirm(booking, proof, &manage_digest, now, &message, inbound)
        .await?;
    Ok(result.map(|()| {
        tracing::info!(booking_id = %booking.id, "booking confirmed");
        Booking {
            status: BookingStatus::Confirmed,
            confirmed_at: Some(now),
            ..booking.clone()
        }
    }))
}
