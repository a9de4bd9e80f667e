//! Book, confirm, cancel.

use crate::api::dto::{
    BookRequest, BookingView, CancelByPersonRequest, FieldError, ProofInput, parse_national_id,
    parse_office_and_service,
};
use crate::domain::booking::{
    Booking, BookingStatus, CancelStep, Channel, ConfirmStep, HOLD_DURATION,
};
use crate::domain::codes::{ShortCode, Token, new_ulid, public_ref};
use crate::domain::ids::{BookingId, OutboxId};
use crate::domain::outbox::{MessageKind, OutboxMessage};
use crate::domain::schedule;
use crate::domain::secrets::{Digest, Purpose};
use crate::service::{App, MAX_ATTEMPTS, ServiceError, backoff, find_service, next_free_slots};
use crate::store::bookings::{
    ConfirmProof, HoldRefusal, IdempotentAnswer, NewHold, Release, TransitionRefusal,
};
use crate::store::items::IDEMPOTENCY_RETENTION;
use chrono::NaiveDate;
use sha2::Digest as _;

/// An `Idempotency-Key` and the exact body it came with.
#[derive(Debug, Clone)]
pub struct Idempotency {
    pub key: String,
    pub body: Vec<u8>,
}

/// The answer to a booking request.
#[derive(Debug, Clone, PartialEq)]
pub enum BookOutcome {
    /// A new pending hold.
    Created(BookingView),
    /// The stored answer to an earlier request with the same key and body.
    Replayed { status: u16, body: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConfirmOutcome {
    pub booking: BookingView,
    pub already_confirmed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CancelOutcome {
    pub booking: BookingView,
    pub already_cancelled: bool,
}

/// Longest accepted `Idempotency-Key`.
const MAX_IDEMPOTENCY_KEY: usize = 255;

fn idempotency_digests(app: &App, idem: &Idempotency) -> Result<(Digest, Digest), ServiceError> {
    let key = idem.key.trim();
    if key.is_empty()
        || key.len() > MAX_IDEMPOTENCY_KEY
        || !key.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(ServiceError::Invalid(vec![FieldError::new(
            "Idempotency-Key",
            "invalid",
            "1 to 255 visible ASCII characters",
        )]));
    }
    let body = sha2::Sha256::digest(&idem.body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    Ok((app.keyring.digest(Purpose::Idempotency, key), Digest(body)))
}

/// Replays the stored answer for a key, refusing a different body.
async fn replay(
    app: &App,
    key: &Digest,
    request: &Digest,
) -> Result<Option<BookOutcome>, ServiceError> {
    match app.store.get_idempotent_answer(key).await? {
        None => Ok(None),
        Some(stored) if stored.request_digest == request.0 => Ok(Some(BookOutcome::Replayed {
            status: stored.status,
            body: stored.response,
        })),
        Some(_) => Err(ServiceError::IdempotencyKeyReused),
    }
}

/// Creates a pending hold: validates everything, then writes it in one
/// transaction with its capacity, rule items and confirmation message.
#[tracing::instrument(skip_all, fields(office_id = %request.office_id, service_id = %request.service_id))]
pub async fn book(
    app: &App,
    request: BookRequest,
    idempotency: Option<Idempotency>,
) -> Result<BookOutcome, ServiceError> {
    let idem = idempotency
        .as_ref()
        .map(|i| idempotency_digests(app, i))
        .transpose()?;
    if let Some((key, body)) = &idem {
        if let Some(answer) = replay(app, key, body).await? {
            return Ok(answer);
        }
    }

    let (office_id, service_id) =
        parse_office_and_service(&request.office_id, &request.service_id)?;
    let catalog = app.catalog(&office_id).await?;
    let (department, service) = find_service(&catalog, &service_id)?;
    let office = &catalog.office;
    let now = app.clock.now();
    let input = request.validate(office, service, schedule::local_date(office, now))?;
    let slot = schedule::check_start(office, department, service, input.start, now)
        .map_err(ServiceError::SlotRefused)?;
    let person = app.keyring.person_key(&input.national_id);
    let local_date = schedule::local_date(office, slot.start);

    for attempt in 0..MAX_ATTEMPTS {
        let confirm_token = Token::generate(&*app.entropy);
        let confirm_code = ShortCode::generate(&*app.entropy);
        let manage_token = Token::generate(&*app.entropy);
        let booking = Booking {
            id: BookingId::from_ulid(new_ulid(now, &*app.entropy)),
            public_ref: public_ref(&*app.entropy),
            office_id: office.id.clone(),
            department_id: department.id.clone(),
            service_id: service.id.clone(),
            start: slot.start,
            end: slot.end,
            local_date,
            time_zone: office.time_zone,
            status: BookingStatus::Pending,
            created_at: now,
            hold_expires_at: now + HOLD_DURATION,
            confirmed_at: None,
            closed_at: None,
            person: person.clone(),
            first_name: input.first_name.clone(),
            last_name: input.last_name.clone(),
            email: input.email.clone(),
            phone: input.phone.clone(),
            phone_key: input
                .phone
                .as_ref()
                .filter(|_| input.channel == Channel::Sms)
                .map(|p| app.keyring.digest(Purpose::Phone, p.as_str())),
            channel: input.channel,
            language: input.language,
            application_number: input.application_number.clone(),
            lost_document: input.lost_document,
            kiosk_code: ShortCode::generate(&*app.entropy),
            capacity_units: schedule::capacity_units(department, &slot),
            week: schedule::iso_week(office, slot.start),
            confirm_token: app
                .keyring
                .digest(Purpose::ConfirmToken, confirm_token.as_str()),
            confirm_code: app
                .keyring
                .digest(Purpose::ConfirmCode, confirm_code.as_str()),
            manage_tokens: vec![
                app.keyring
                    .digest(Purpose::ManageToken, manage_token.as_str()),
            ],
            code_attempts: 0,
            reminded_at: None,
        };
        let message = OutboxMessage {
            confirm_token: Some(confirm_token),
            confirm_code: Some(confirm_code),
            manage_token: Some(manage_token),
            ..OutboxMessage::plain(
                OutboxId::from_ulid(new_ulid(now, &*app.entropy)),
                &booking,
                MessageKind::HoldCreated,
                now,
            )
        };
        let view = BookingView::of(&booking, false);
        let answer = match &idem {
            Some((key, body)) => Some(IdempotentAnswer {
                key_digest: key.clone(),
                request_digest: body.clone(),
                status: 201,
                response: serde_json::to_string(&view).unwrap_or_default(),
                expires_at: now + IDEMPOTENCY_RETENTION,
            }),
            None => None,
        };
        let hold = NewHold {
            booking: &booking,
            desks_online: department.desks_online,
            weekly_cap: department.weekly_online_cap,
            message: &message,
            idempotency: answer.as_ref(),
        };
        match app.store.create_hold(hold).await? {
            Ok(()) => {
                tracing::info!(booking_id = %booking.id, "hold created");
                return Ok(BookOutcome::Created(view));
            }
            Err(HoldRefusal::SlotFull) => {
                let next = next_free_slots(app, office, department, service, slot.start, 5).await?;
                return Err(ServiceError::SlotFull { next });
            }
            Err(HoldRefusal::WeekFull) => {
                let next = next_free_slots(app, office, department, service, slot.start, 5).await?;
                return Err(ServiceError::WeekFull { next });
            }
            Err(HoldRefusal::PersonAlreadyBooked) => return Err(ServiceError::AlreadyBooked),
            Err(HoldRefusal::IdempotencyKeyTaken) => {
                let (key, body) = idem.as_ref().ok_or(ServiceError::Busy)?;
                return replay(app, key, body).await?.ok_or(ServiceError::Busy);
            }
            Err(HoldRefusal::KioskCodeTaken) => continue,
            Err(HoldRefusal::Conflict) => backoff(app, attempt).await,
        }
    }
    Err(ServiceError::Busy)
}

async fn load(app: &App, id: BookingId) -> Result<Booking, ServiceError> {
    app.store
        .get_booking(id)
        .await?
        .ok_or(ServiceError::BookingNotFound)
}

pub(crate) fn new_outbox_id(app: &App) -> OutboxId {
    OutboxId::from_ulid(new_ulid(app.clock.now(), &*app.entropy))
}

/// Returns an expired hold's capacity (exactly once: the write is conditional
/// on the booking still being pending and past its hour).
pub(crate) async fn expire(
    app: &App,
    booking: &Booking,
    inbound: Option<&str>,
) -> Result<Result<(), TransitionRefusal>, ServiceError> {
    let now = app.clock.now();
    let message = OutboxMessage::plain(new_outbox_id(app), booking, MessageKind::Expired, now);
    let result = app
        .store
        .release(booking, Release::Expire, now, &message, inbound)
        .await?;
    if result.is_ok() {
        tracing::info!(booking_id = %booking.id, "hold expired and released");
    }
    Ok(result)
}

/// Confirms a pending hold with the link's token or the SMS code.
#[tracing::instrument(skip_all, fields(booking_id = %id))]
pub async fn confirm(
    app: &App,
    id: BookingId,
    proof: ProofInput,
) -> Result<ConfirmOutcome, ServiceError> {
    for attempt in 0..MAX_ATTEMPTS {
        let booking = load(app, id).await?;
        let proof = match &proof {
            ProofInput::Token(token) => {
                if !app.keyring.verify(
                    Purpose::ConfirmToken,
                    token.as_str(),
                    &booking.confirm_token,
                ) {
                    return Err(ServiceError::WrongProof);
                }
                ConfirmProof::Token(booking.confirm_token.clone())
            }
            ProofInput::Code(code) => {
                if booking.status == crate::domain::booking::BookingStatus::Pending
                    && booking.code_locked()
                {
                    return Err(ServiceError::CodeLocked);
                }
                if !app
                    .keyring
                    .verify(Purpose::ConfirmCode, code.as_str(), &booking.confirm_code)
                {
                    app.store.record_wrong_code(id).await?;
                    return Err(ServiceError::WrongProof);
                }
                ConfirmProof::Code(booking.confirm_code.clone())
            }
        };
        let now = app.clock.now();
        let refusal = match booking.confirm_step(now) {
            ConfirmStep::AlreadyConfirmed => {
                return Ok(ConfirmOutcome {
                    booking: BookingView::of(&booking, true),
                    already_confirmed: true,
                });
            }
            ConfirmStep::Cancelled => return Err(ServiceError::BookingCancelled),
            ConfirmStep::AlreadyExpired => return Err(ServiceError::HoldExpired),
            ConfirmStep::Expire => match expire(app, &booking, None).await? {
                Ok(()) => return Err(ServiceError::HoldExpired),
                Err(refusal) => refusal,
            },
            ConfirmStep::Confirm => match write_confirmation(app, &booking, &proof, None).await? {
                Ok(confirmed) => {
                    return Ok(ConfirmOutcome {
                        booking: BookingView::of(&confirmed, true),
                        already_confirmed: false,
                    });
                }
                Err(refusal) => refusal,
            },
        };
        // The booking changed under us (or the write met contention): read it again.
        if refusal == TransitionRefusal::Conflict {
            backoff(app, attempt).await;
        }
    }
    Err(ServiceError::Busy)
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
    let manage_token = Token::generate(&*app.entropy);
    let manage_digest = app
        .keyring
        .digest(Purpose::ManageToken, manage_token.as_str());
    let message = OutboxMessage {
        manage_token: Some(manage_token),
        ..OutboxMessage::plain(new_outbox_id(app), booking, MessageKind::Confirmed, now)
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

/// Cancels with the manage token from an email.
#[tracing::instrument(skip_all, fields(booking_id = %id))]
pub async fn cancel_with_token(
    app: &App,
    id: BookingId,
    token: &Token,
) -> Result<CancelOutcome, ServiceError> {
    let booking = load(app, id).await?;
    let valid = booking.manage_tokens.iter().fold(false, |found, d| {
        app.keyring.verify(Purpose::ManageToken, token.as_str(), d) | found
    });
    if !valid {
        return Err(ServiceError::WrongProof);
    }
    cancel(app, booking).await
}

/// Cancels by national ID, matter and day (seed 001).
#[tracing::instrument(skip_all, fields(office_id = %request.office_id, service_id = %request.service_id))]
pub async fn cancel_for_person(
    app: &App,
    request: CancelByPersonRequest,
) -> Result<CancelOutcome, ServiceError> {
    let (office_id, service_id) =
        parse_office_and_service(&request.office_id, &request.service_id)?;
    let catalog = app.catalog(&office_id).await?;
    find_service(&catalog, &service_id)?;
    let today = schedule::local_date(&catalog.office, app.clock.now());
    let date = NaiveDate::parse_from_str(request.date.trim(), "%Y-%m-%d")
        .map_err(|_| vec![FieldError::new("date", "invalid", "a date as YYYY-MM-DD")]);
    let national_id = parse_national_id(&catalog.office, &request.national_id, today);
    let (date, national_id) = match (date, national_id) {
        (Ok(d), Ok(n)) => (d, n),
        (d, n) => {
            let mut fields = d.err().unwrap_or_default();
            fields.extend(n.err());
            return Err(ServiceError::Invalid(fields));
        }
    };
    let person = app.keyring.person_key(&national_id);
    let id = app
        .store
        .find_person_booking(&person, &service_id, date)
        .await?
        .ok_or(ServiceError::BookingNotFound)?;
    cancel(app, load(app, id).await?).await
}

async fn cancel(app: &App, mut booking: Booking) -> Result<CancelOutcome, ServiceError> {
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
                let message =
                    OutboxMessage::plain(new_outbox_id(app), &booking, MessageKind::Cancelled, now);
                match app
                    .store
                    .release(&booking, Release::Cancel, now, &message, None)
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
