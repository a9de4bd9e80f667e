//! Cancelling: by the manage token from an email's cancel link, which anyone
//! with a national ID, matter and day can have sent to the booking's own
//! address (seed 001). Capacity comes back exactly once.

use crate::domain::audit::AuditAction;
use crate::domain::booking::{Booking, BookingStatus, CancelStep};
use crate::domain::codes::Token;
use crate::domain::ids::BookingId;
use crate::domain::limits::Counted;
use crate::domain::outbox::{MessageKind, OutboxMessage};
use crate::domain::schedule;
use crate::domain::secrets::Purpose;
use crate::domain::staff::Staff;
use crate::service::input::{
    CancelByPersonRequest, parse_date, parse_national_id, parse_office_and_service,
};
use crate::service::transitions::{expire, load};
use crate::service::views::BookingView;
use crate::service::{App, MAX_ATTEMPTS, ServiceError, backoff, find_service};
use crate::store::{Release, TransitionRefusal};

#[derive(Debug, Clone, PartialEq)]
pub struct CancelOutcome {
    pub booking: BookingView,
    pub already_cancelled: bool,
}

/// The booking whose manage token (from an email's cancel link) is `token`.
async fn load_managed(app: &App, id: BookingId, token: &Token) -> Result<Booking, ServiceError> {
    let booking = load(app, id).await?;
    // Every digest is checked (constant time each), so timing tells nothing.
    let valid = booking.manage_tokens.iter().fold(false, |found, d| {
        app.keyring.verify(Purpose::ManageToken, token.as_str(), d) | found
    });
    if valid {
        Ok(booking)
    } else {
        Err(ServiceError::WrongProof)
    }
}

/// The booking as its manage page shows it, to whoever holds a manage token.
#[tracing::instrument(skip_all, fields(booking_id = %id))]
pub async fn view_with_token(
    app: &App,
    id: BookingId,
    token: &Token,
) -> Result<BookingView, ServiceError> {
    let booking = load_managed(app, id, token).await?;
    Ok(BookingView::of(&booking, true))
}

/// Cancels with the manage token from an email.
#[tracing::instrument(skip_all, fields(booking_id = %id))]
pub async fn cancel_with_token(
    app: &App,
    id: BookingId,
    token: &Token,
) -> Result<CancelOutcome, ServiceError> {
    let booking = load_managed(app, id, token).await?;
    cancel(app, booking, None).await
}

/// Seed 001's "cancel with national ID, matter and day", made safe: a national
/// ID is semi-public, so it proves nothing. A matching open booking that has
/// not begun gets a cancel link with a fresh manage token, sent to its own
/// email address; nothing is cancelled until the link is used. The caller
/// answers the same whether or not a booking matched (no oracle). Requests
/// are counted per client address and per person, and refused past the
/// office's limits with [`ServiceError::RateLimited`].
#[tracing::instrument(skip_all, fields(office_id = %request.office_id, service_id = %request.service_id))]
pub async fn request_cancel_link(
    app: &App,
    request: CancelByPersonRequest,
    client_address: &str,
) -> Result<(), ServiceError> {
    let (office_id, service_id) =
        parse_office_and_service(&request.office_id, &request.service_id)?;
    let catalog = app.catalog(&office_id).await?;
    find_service(&catalog, &service_id)?;
    let now = app.clock.now();
    let today = schedule::local_date(&catalog.office, now);
    let date = parse_date("date", &request.date);
    let national_id = parse_national_id(&catalog.office, &request.national_id, today);
    let (date, national_id) = match (date, national_id) {
        (Ok(d), Ok(n)) => (d, n),
        (d, n) => {
            return Err(ServiceError::Invalid(
                [d.err(), n.err()].into_iter().flatten().collect(),
            ));
        }
    };
    let person = app.keyring.person_key(&national_id);
    let client = app.keyring.digest(Purpose::ClientAddress, client_address);
    let limits = catalog.office.limits;
    for (counted, subject, limit) in [
        (
            Counted::CancelRequestsPerClient,
            &client.0,
            limits.cancel_requests_per_client,
        ),
        (
            Counted::CancelRequestsPerPerson,
            &person.0,
            limits.cancel_requests_per_person,
        ),
    ] {
        if let Some(window) = app.store.count_hit(counted, subject, limit, now).await? {
            tracing::info!(limit = counted.as_str(), "rate limit reached");
            return Err(ServiceError::RateLimited {
                retry_after_seconds: window.seconds_left(now),
            });
        }
    }
    // The booking may have been made under an earlier key of the ring.
    let mut found = None;
    for person in app.keyring.person_keys(&national_id) {
        found = app
            .store
            .find_person_booking(&person, &office_id, &service_id, date)
            .await?;
        if found.is_some() {
            break;
        }
    }
    let Some(id) = found else {
        return Ok(());
    };
    let booking = load(app, id).await?;
    if booking.local_date != date || !matches!(booking.cancel_step(now), CancelStep::Cancel) {
        return Ok(());
    }
    let (manage_token, digest) = app.keyring.issue_token(Purpose::ManageToken, &*app.entropy);
    let message = OutboxMessage {
        manage_token: Some(manage_token),
        ..OutboxMessage::plain(app.new_outbox_id(), &booking, MessageKind::CancelLink, now)
    };
    // A refusal means the booking changed meanwhile (cancelled, begun): no link.
    if app
        .store
        .queue_cancel_link(&booking, &digest, now, &message)
        .await?
        .is_ok()
    {
        tracing::info!(booking_id = %booking.id, "cancel link queued");
    }
    Ok(())
}

/// Cancels `booking` (a clerk's cancellation is recorded in the audit log,
/// in the same transaction).
pub(crate) async fn cancel(
    app: &App,
    mut booking: Booking,
    by: Option<&Staff>,
) -> Result<CancelOutcome, ServiceError> {
    for attempt in 0..MAX_ATTEMPTS {
        let now = app.clock.now();
        let refusal = match booking.cancel_step(now) {
            CancelStep::AlreadyCancelled => {
                return Ok(CancelOutcome {
                    booking: BookingView::of(&booking, false),
                    already_cancelled: true,
                });
            }
            CancelStep::AlreadyExpired => return Err(ServiceError::HoldExpired),
            CancelStep::TooLate => return Err(ServiceError::TooLate),
            CancelStep::Expire => match expire(app, &booking, None).await? {
                Ok(()) => return Err(ServiceError::HoldExpired),
                Err(refusal) => refusal,
            },
            CancelStep::Cancel => {
                let message = OutboxMessage::plain(
                    app.new_outbox_id(),
                    &booking,
                    MessageKind::Cancelled,
                    now,
                );
                let audit = by.map(|staff| {
                    app.audit_entry(
                        staff,
                        &booking.office_id,
                        AuditAction::BookingCancelled,
                        booking.id.to_string(),
                    )
                });
                match app
                    .store
                    .release(
                        &booking,
                        Release::Cancel,
                        now,
                        &message,
                        None,
                        audit.as_ref(),
                    )
                    .await?
                {
                    Ok(()) => {
                        tracing::info!(booking_id = %booking.id, "booking cancelled");
                        let cancelled = Booking {
                            status: BookingStatus::Cancelled,
                            closed_at: Some(now),
                            ..booking
                        };
                        return Ok(CancelOutcome {
                            booking: BookingView::of(&cancelled, false),
                            already_cancelled: false,
                        });
                    }
                    Err(refusal) => refusal,
                }
            }
        };
        if refusal == TransitionRefusal::Conflict {
            backoff(app, attempt).await;
        }
        booking = load(app, booking.id).await?;
    }
    Err(ServiceError::Busy)
}
