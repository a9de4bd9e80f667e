//! Booking: a pending hold, written in one transaction with its capacity, rule
//! items, confirmation message and idempotent answer.

use crate::domain::booking::{Booking, HoldIds, HoldSecrets, Place};
use crate::domain::catalog::Office;
use crate::domain::codes::{KioskCode, new_ulid, public_ref};
use crate::domain::ids::BookingId;
use crate::domain::limits::Counted;
use crate::domain::outbox::{MessageKind, OutboxMessage};
use crate::domain::schedule;
use crate::domain::secrets::{Digest, Purpose};
use crate::service::input::{BookRequest, Idempotency, parse_office_and_service};
use crate::service::views::BookingView;
use crate::service::{
    App, FieldError, MAX_ATTEMPTS, ServiceError, backoff, find_service, next_free_slots,
};
use crate::store::items::IDEMPOTENCY_RETENTION;
use crate::store::limits::Counter;
use crate::store::{HoldRefusal, IdempotentAnswer, NewHold};
use chrono::{DateTime, Utc};

/// The answer to a booking request.
#[derive(Debug, Clone, PartialEq)]
pub enum BookOutcome {
    /// A new pending hold.
    Created(BookingView),
    /// The stored answer to an earlier request with the same key and body.
    Replayed { status: u16, body: String },
}

/// The keyed digests of the key and of the body it came with (the body
/// holds the national ID: an unkeyed hash of it could be reversed).
fn idempotency_digests(app: &App, idem: &Idempotency) -> (Digest, Digest) {
    (
        app.keyring.digest(Purpose::Idempotency, idem.key.as_str()),
        app.keyring
            .digest_bytes(Purpose::IdempotentRequest, &idem.body),
    )
}

/// Replays the stored answer for a key, refusing a different body.
async fn replay(
    app: &App,
    key: &Digest,
    request: &Digest,
) -> Result<Option<BookOutcome>, ServiceError> {
    let now = app.clock.now().timestamp();
    match app.store.get_idempotent_answer(key).await? {
        // Past its retention the key is free again (TTL deletes it later).
        None => Ok(None),
        Some(stored) if stored.ttl <= now => Ok(None),
        Some(stored) if stored.request_digest == request.0 => Ok(Some(BookOutcome::Replayed {
            status: stored.status,
            body: stored.response,
        })),
        Some(_) => Err(ServiceError::IdempotencyKeyReused),
    }
}

/// Creates a pending hold: validates everything, counts the attempt against
/// the office's limit for `client_address` (when known), then writes the hold
/// in one transaction with its capacity, rule items and confirmation message.
#[tracing::instrument(skip_all, fields(office_id = %request.office_id, service_id = %request.service_id))]
pub async fn book(
    app: &App,
    request: BookRequest,
    idempotency: Option<Idempotency>,
    client_address: Option<&str>,
) -> Result<BookOutcome, ServiceError> {
    let idem = idempotency.as_ref().map(|i| idempotency_digests(app, i));
    if let Some((key, body)) = &idem
        && let Some(answer) = replay(app, key, body).await?
    {
        return Ok(answer);
    }

    let (office_id, service_id) =
        parse_office_and_service(&request.office_id, &request.service_id)?;
    let catalog = app.catalog(&office_id).await?;
    let (department, service) = find_service(&catalog, &service_id)?;
    let department = &*department.for_booking(request.walk_up);
    let office = &catalog.office;
    let now = app.clock.now();
    let input = request.validate(office, service, schedule::local_date(office, now))?;
    let slot = schedule::check_start(office, department, service, input.start, now)
        .map_err(ServiceError::SlotRefused)?;
    let person = app.keyring.person_key(&input.national_id);
    let phone_key = input
        .applicant
        .sms_phone()
        .map(|p| app.keyring.digest(Purpose::Phone, p.as_str()));
    let email_key = app
        .keyring
        .digest(Purpose::Email, input.applicant.email.as_str());
    let place = Place {
        office,
        department,
        service,
        slot,
    };
    let limits = office.limits;
    let mut counters = vec![
        Counter::new(
            Counted::HoldsPerPerson,
            person.0.clone(),
            limits.holds_per_person,
            now,
        ),
        Counter::new(
            Counted::HoldsPerEmail,
            email_key.0.clone(),
            limits.holds_per_email,
            now,
        ),
    ];
    if let Some(phone) = &phone_key {
        counters.push(Counter::new(
            Counted::SmsHoldsPerPhone,
            phone.0.clone(),
            limits.sms_holds_per_phone,
            now,
        ));
    }

    if let Some(address) = client_address {
        count_attempt(app, office, address, now).await?;
    }

    for attempt in 0..MAX_ATTEMPTS {
        let entropy = &*app.entropy;
        let (confirm_token, confirm_token_digest) =
            app.keyring.issue_token(Purpose::ConfirmToken, entropy);
        let (confirm_code, confirm_code_digest) =
            app.keyring.issue_code(Purpose::ConfirmCode, entropy);
        let (manage_token, manage_token_digest) =
            app.keyring.issue_token(Purpose::ManageToken, entropy);
        let ids = HoldIds {
            id: BookingId::from_ulid(new_ulid(now, entropy)),
            public_ref: public_ref(entropy),
        };
        let secrets = HoldSecrets {
            confirm_token: confirm_token_digest,
            confirm_code: confirm_code_digest,
            manage_token: manage_token_digest,
            kiosk_code: KioskCode::generate(entropy),
        };
        let booking = Booking::new_hold(
            ids,
            place,
            person.clone(),
            phone_key.clone(),
            input.applicant.clone(),
            secrets,
            now,
        );
        let message = OutboxMessage {
            confirm_token: Some(confirm_token),
            confirm_code: Some(confirm_code),
            manage_token: Some(manage_token),
            ..OutboxMessage::plain(app.new_outbox_id(), &booking, MessageKind::HoldCreated, now)
        };
        let view = BookingView::of(&booking, false);
        let answer = idem.as_ref().map(|(key, body)| IdempotentAnswer {
            key_digest: key.clone(),
            request_digest: body.clone(),
            status: 201,
            response: serde_json::to_string(&view).unwrap_or_default(),
            expires_at: now + IDEMPOTENCY_RETENTION,
        });
        let hold = NewHold {
            booking: &booking,
            email_key: &email_key,
            desks_online: department.desks_online,
            weekly_cap: department.weekly_online_cap,
            message: &message,
            idempotency: answer.as_ref(),
            counters: &counters,
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
            Err(HoldRefusal::LimitReached(index)) => {
                let counter = counters.get(index).ok_or(ServiceError::Busy)?;
                tracing::info!(limit = counter.counted.as_str(), "hold limit reached");
                return Err(ServiceError::RateLimited {
                    retry_after_seconds: counter.window.seconds_left(now),
                });
            }
            Err(HoldRefusal::EmailUndeliverable) => {
                return Err(FieldError::new(
                    "email",
                    "undeliverable",
                    "mail to this address came back undelivered before; give another address",
                )
                .into());
            }
            Err(HoldRefusal::Blocked) => {
                let until = app
                    .store
                    .blocked_until(&booking.person, &office.id)
                    .await?
                    .ok_or(ServiceError::Busy)?;
                return Err(ServiceError::BookingBlocked {
                    from: schedule::local_date(office, until),
                });
            }
            Err(HoldRefusal::IdempotencyKeyTaken) => {
                let (key, body) = idem.as_ref().ok_or(ServiceError::Busy)?;
                return replay(app, key, body).await?.ok_or(ServiceError::Busy);
            }
            Err(HoldRefusal::KioskCodeTaken | HoldRefusal::PublicRefTaken) => continue,
            Err(HoldRefusal::Conflict) => {
                // Others are writing the same slot at this moment. When it
                // has filled up meanwhile, say so now (with alternatives)
                // rather than retry into a full slot.
                let counts = app
                    .store
                    .unit_counts(&office.id, &department.id, booking.start, booking.end)
                    .await?;
                if counts
                    .values()
                    .any(|booked| *booked >= i64::from(department.desks_online))
                {
                    let next =
                        next_free_slots(app, office, department, service, slot.start, 5).await?;
                    return Err(ServiceError::SlotFull { next });
                }
                backoff(app, attempt).await;
            }
        }
    }
    Err(ServiceError::Busy)
}

/// Counts a booking attempt from `address` at `office`, whatever the hold's
/// answer will be; refused with [`ServiceError::RateLimited`] past the
/// office's limit. A write of its own, not a step of the hold transaction:
/// there every booking from one shared (NAT) address would conflict with
/// the others on the one counter.
async fn count_attempt(
    app: &App,
    office: &Office,
    address: &str,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let client = app.keyring.digest(Purpose::ClientAddress, address);
    let subject = format!("{}#{}", office.id.as_str(), client.0);
    let counted = Counted::BookingAttemptsPerClient;
    let limit = office.limits.booking_attempts_per_client;
    match app.store.count_hit(counted, &subject, limit, now).await? {
        None => Ok(()),
        Some(window) => {
            tracing::info!(limit = counted.as_str(), "rate limit reached");
            Err(ServiceError::RateLimited {
                retry_after_seconds: window.seconds_left(now),
            })
        }
    }
}
