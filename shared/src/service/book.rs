//! Booking: a pending hold, written in one transaction with its capacity, rule
//! items, confirmation message and idempotent answer.

use crate::domain::audit::AuditAction;
use crate::domain::booking::{Booking, BookingStatus, HoldIds, HoldSecrets, Place};
use crate::domain::catalog::{Department, Office, Service};
use crate::domain::codes::{KioskCode, new_ulid, public_ref};
use crate::domain::ids::{BookingId, OfficeId, ServiceId};
use crate::domain::limits::Counted;
use crate::domain::outbox::{MessageKind, OutboxMessage};
use crate::domain::schedule;
use crate::domain::secrets::{Digest, PersonKey, Purpose};
use crate::domain::staff::{Role, Staff};
use crate::service::clerk::ClerkBookingView;
use crate::service::input::{
    BookRequest, BookingInput, CallerBookRequest, Idempotency, parse_office_and_service,
};
use crate::service::slots::Wanted;
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
pub enum BookOutcome<V = Box<BookingView>> {
    /// A new booking (boxed: a view is far larger than a replay).
    Created(V),
    /// The stored answer to an earlier request with the same key and body.
    Replayed { status: u16, body: String },
}

/// Whose `Idempotency-Key`s a key is one of: citizens' (the key as sent) or
/// one member of staff's (so one clerk's key never meets another's).
#[derive(Clone, Copy)]
enum KeyScope<'a> {
    Citizen,
    Staff(&'a Staff),
}

impl KeyScope<'_> {
    fn key(self, idem: &Idempotency) -> std::borrow::Cow<'_, str> {
        match self {
            KeyScope::Citizen => idem.key.as_str().into(),
            KeyScope::Staff(staff) => {
                format!("staff\n{}\n{}", staff.subject, idem.key.as_str()).into()
            }
        }
    }
}

/// The keyed digests of the key and of the body it came with (the body
/// holds the national ID: an unkeyed hash of it could be reversed).
fn idempotency_digests(app: &App, idem: &Idempotency, scope: KeyScope<'_>) -> (Digest, Digest) {
    (
        app.keyring.digest(Purpose::Idempotency, &scope.key(idem)),
        app.keyring
            .digest_bytes(Purpose::IdempotentRequest, &idem.body),
    )
}

/// The stored answer for a key as `(status, body)`, refusing a different
/// body. The answer may have been stored under an earlier key of the ring.
async fn stored_answer(
    app: &App,
    idem: &Idempotency,
    scope: KeyScope<'_>,
) -> Result<Option<(u16, String)>, ServiceError> {
    let now = app.clock.now().timestamp();
    for key in app.keyring.digests(Purpose::Idempotency, &scope.key(idem)) {
        match app.store.get_idempotent_answer(&key).await? {
            // Past its retention the key is free again (TTL deletes it later).
            None => continue,
            Some(stored) if stored.ttl <= now => continue,
            Some(stored) => {
                let request = Digest(stored.request_digest);
                if !app
                    .keyring
                    .verify_bytes(Purpose::IdempotentRequest, &idem.body, &request)
                {
                    return Err(ServiceError::IdempotencyKeyReused);
                }
                return Ok(Some((stored.status, stored.response)));
            }
        }
    }
    Ok(None)
}

/// Replays a citizen's stored answer.
async fn replay(app: &App, idem: &Idempotency) -> Result<Option<BookOutcome>, ServiceError> {
    Ok(stored_answer(app, idem, KeyScope::Citizen)
        .await?
        .map(|(status, body)| BookOutcome::Replayed { status, body }))
}

/// Replays a clerk's booking for a caller: the answer stored only the
/// booking's id (no personal data or kiosk code kept beside the booking),
/// so the booking is read and shown as it is now.
async fn replay_for_caller(
    app: &App,
    staff: &Staff,
    idem: &Idempotency,
) -> Result<Option<BookOutcome<Box<ClerkBookingView>>>, ServiceError> {
    let Some((_, body)) = stored_answer(app, idem, KeyScope::Staff(staff)).await? else {
        return Ok(None);
    };
    let id = BookingId::parse(&body).map_err(|_| ServiceError::Busy)?;
    let booking = app
        .store
        .get_booking(id)
        .await?
        .ok_or(ServiceError::BookingNotFound)?;
    Ok(Some(BookOutcome::Created(Box::new(ClerkBookingView::of(
        &booking,
    )))))
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
    if let Some(idem) = &idempotency
        && let Some(answer) = replay(app, idem).await?
    {
        return Ok(answer);
    }
    let idem = idempotency
        .as_ref()
        .map(|i| idempotency_digests(app, i, KeyScope::Citizen));

    let (office_id, service_id) =
        parse_office_and_service(&request.office_id, &request.service_id)?;
    let catalog = app.catalog(&office_id).await?;
    let (department, service) = find_service(&catalog, &service_id)?;
    let department = &*department.for_booking(request.walk_up);
    let office = &catalog.office;
    let now = app.clock.now();
    let input = request.validate(
        &catalog,
        department,
        service,
        schedule::local_date(office, now),
    )?;
    let place = place_of(office, department, service, &input, now)?;
    let keys = Keys::of(app, &input);
    let limits = office.limits;
    let mut counters = vec![Counter::new(
        Counted::HoldsPerPerson,
        keys.person.0.clone(),
        limits.holds_per_person,
        now,
    )];
    if let Some(email) = keys.emails.first() {
        counters.push(Counter::new(
            Counted::HoldsPerEmail,
            email.0.clone(),
            limits.holds_per_email,
            now,
        ));
    }
    if let Some(phone) = &keys.phone {
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
    let how = How::Hold {
        idempotency: idem.as_ref(),
        counters: &counters,
    };
    match place_booking(app, place, &input, &keys, how).await {
        Ok(hold) => Ok(BookOutcome::Created(Box::new(BookingView::of(
            &hold, false,
        )))),
        Err(Placed::Refused(e)) => Err(e),
        Err(Placed::Replay) => {
            let idem = idempotency.as_ref().ok_or(ServiceError::Busy)?;
            replay(app, idem).await?.ok_or(ServiceError::Busy)
        }
    }
}

/// A booking a clerk makes for a caller (seeds 002, 003: phone bookings):
/// confirmed at once, with or without an email address (with one, the
/// confirmation goes out as for a citizen's; without, the clerk reads the
/// kiosk code out), the same slots, rules and person rule as online, no
/// online limits, and recorded in the audit log in the same transaction.
/// An `Idempotency-Key` (the clerk's own) makes a repeated request answer
/// the booking the first one made.
#[tracing::instrument(skip_all, fields(office_id = %office_id))]
pub async fn book_for_caller(
    app: &App,
    staff: &Staff,
    office_id: &OfficeId,
    request: CallerBookRequest,
    idempotency: Option<Idempotency>,
) -> Result<BookOutcome<Box<ClerkBookingView>>, ServiceError> {
    if !staff.may(Role::Clerk, office_id) {
        return Err(ServiceError::Forbidden);
    }
    if let Some(idem) = &idempotency
        && let Some(answer) = replay_for_caller(app, staff, idem).await?
    {
        return Ok(answer);
    }
    let idem = idempotency
        .as_ref()
        .map(|i| idempotency_digests(app, i, KeyScope::Staff(staff)));
    let service_id = ServiceId::parse(&request.service_id)
        .map_err(|e| FieldError::new("service_id", "invalid", e))?;
    let catalog = app.catalog(office_id).await?;
    let (department, service) = find_service(&catalog, &service_id)?;
    let office = &catalog.office;
    let now = app.clock.now();
    let input = request.validate(
        &catalog,
        department,
        service,
        schedule::local_date(office, now),
    )?;
    let place = place_of(office, department, service, &input, now)?;
    let keys = Keys::of(app, &input);
    let how = How::ForCaller {
        staff,
        idempotency: idem.as_ref(),
    };
    match place_booking(app, place, &input, &keys, how).await {
        Ok(booking) => Ok(BookOutcome::Created(Box::new(ClerkBookingView::of(
            &booking,
        )))),
        Err(Placed::Refused(e)) => Err(e),
        Err(Placed::Replay) => {
            let idem = idempotency.as_ref().ok_or(ServiceError::Busy)?;
            replay_for_caller(app, staff, idem)
                .await?
                .ok_or(ServiceError::Busy)
        }
    }
}

/// Where `input` books: its start checked against the office's rules, and
/// its named clerk (if one was chosen).
fn place_of<'a>(
    office: &'a Office,
    department: &'a Department,
    service: &'a Service,
    input: &BookingInput,
    now: DateTime<Utc>,
) -> Result<Place<'a>, ServiceError> {
    let slot = schedule::check_start(office, department, service, input.start, now)
        .map_err(ServiceError::SlotRefused)?;
    Ok(Place {
        office,
        department,
        service,
        slot,
        clerk: input.named_clerk(department),
    })
}

/// The keyed hashes a booking is written and checked with.
struct Keys {
    /// Under the current key: what the booking is written with.
    person: PersonKey,
    /// Under the ring's earlier keys (a rotation): what still refuses.
    earlier_persons: Vec<PersonKey>,
    /// The email address under every key, the current first (none without one).
    emails: Vec<Digest>,
    /// The phone an SMS code goes to, under the current key.
    phone: Option<Digest>,
}

impl Keys {
    fn of(app: &App, input: &BookingInput) -> Self {
        let mut persons = app.keyring.person_keys(&input.national_id).into_iter();
        Self {
            person: persons
                .next()
                .unwrap_or_else(|| app.keyring.person_key(&input.national_id)),
            earlier_persons: persons.collect(),
            emails: input
                .applicant
                .email
                .as_ref()
                .map(|e| app.keyring.digests(Purpose::Email, e.as_str()))
                .unwrap_or_default(),
            phone: input
                .applicant
                .sms_phone()
                .map(|p| app.keyring.digest(Purpose::Phone, p.as_str())),
        }
    }
}

/// How a booking is made.
enum How<'a> {
    /// A citizen's pending hold, with its idempotent answer and limits.
    Hold {
        idempotency: Option<&'a (Digest, Digest)>,
        counters: &'a [Counter],
    },
    /// Confirmed at once by a clerk, with the booking's id kept for the
    /// clerk's `Idempotency-Key`.
    ForCaller {
        staff: &'a Staff,
        idempotency: Option<&'a (Digest, Digest)>,
    },
}

/// Why placing a booking ended without one.
enum Placed {
    Refused(ServiceError),
    /// A concurrent request with the same idempotency key wrote first.
    Replay,
}

impl From<ServiceError> for Placed {
    fn from(e: ServiceError) -> Self {
        Placed::Refused(e)
    }
}

impl From<crate::store::StoreError> for Placed {
    fn from(e: crate::store::StoreError) -> Self {
        Placed::Refused(e.into())
    }
}

/// Writes the booking in one transaction, drawing a new kiosk code or
/// reference when the drawn one is taken and backing off on contention;
/// answers the booking as written.
async fn place_booking(
    app: &App,
    place: Place<'_>,
    input: &BookingInput,
    keys: &Keys,
    how: How<'_>,
) -> Result<Booking, Placed> {
    let Place {
        office,
        department,
        service,
        slot,
        clerk,
    } = place;
    let wanted = Wanted {
        office,
        department,
        service,
        clerk: clerk.map(|c| &c.id),
    };
    let now = app.clock.now();
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
        let hold = Booking::new_hold(
            ids,
            place,
            keys.person.clone(),
            keys.phone.clone(),
            input.applicant.clone(),
            secrets,
            now,
        );
        let (booking, message, audit, idempotency, counters) = match &how {
            How::Hold {
                idempotency,
                counters,
            } => {
                let message = OutboxMessage {
                    confirm_token: Some(confirm_token),
                    confirm_code: Some(confirm_code),
                    manage_token: Some(manage_token),
                    ..OutboxMessage::plain(
                        app.new_outbox_id(),
                        &hold,
                        MessageKind::HoldCreated,
                        now,
                    )
                };
                let view = BookingView::of(&hold, false);
                let answer = idempotency.map(|(key, body)| IdempotentAnswer {
                    key_digest: key.clone(),
                    request_digest: body.clone(),
                    status: 201,
                    response: serde_json::to_string(&view).unwrap_or_default(),
                    expires_at: now + IDEMPOTENCY_RETENTION,
                });
                (hold, Some(message), None, answer, *counters)
            }
            How::ForCaller { staff, idempotency } => {
                let booking = Booking {
                    status: BookingStatus::Confirmed,
                    confirmed_at: Some(now),
                    ..hold
                };
                let message = booking.email.is_some().then(|| OutboxMessage {
                    manage_token: Some(manage_token),
                    ..OutboxMessage::plain(
                        app.new_outbox_id(),
                        &booking,
                        MessageKind::Confirmed,
                        now,
                    )
                });
                let audit = app.audit_entry(
                    staff,
                    &office.id,
                    AuditAction::PhoneBooking,
                    booking.id.to_string(),
                );
                let answer = idempotency.map(|(key, body)| IdempotentAnswer {
                    key_digest: key.clone(),
                    request_digest: body.clone(),
                    status: 201,
                    response: booking.id.to_string(),
                    expires_at: now + IDEMPOTENCY_RETENTION,
                });
                (booking, message, Some(audit), answer, &[][..])
            }
        };
        let new = NewHold {
            booking: &booking,
            email_keys: &keys.emails,
            desks_online: department.desks_online,
            weekly_cap: department.weekly_online_cap,
            message: message.as_ref(),
            idempotency: idempotency.as_ref(),
            counters,
            earlier_persons: &keys.earlier_persons,
            audit: audit.as_ref(),
        };
        match app.store.create_hold(new).await? {
            Ok(()) => {
                if audit.is_some() {
                    tracing::info!(booking_id = %booking.id, "booking made for a caller");
                } else {
                    tracing::info!(booking_id = %booking.id, "hold created");
                }
                return Ok(booking);
            }
            Err(HoldRefusal::SlotFull) => {
                let next = next_free_slots(app, wanted, slot.start, 5).await?;
                return Err(ServiceError::SlotFull { next }.into());
            }
            Err(HoldRefusal::ClerkBusy) => {
                let next = next_free_slots(app, wanted, slot.start, 5).await?;
                return Err(ServiceError::ClerkBusy { next }.into());
            }
            Err(HoldRefusal::WeekFull) => {
                let next = next_free_slots(app, wanted, slot.start, 5).await?;
                return Err(ServiceError::WeekFull { next }.into());
            }
            Err(HoldRefusal::PersonAlreadyBooked) => return Err(ServiceError::AlreadyBooked.into()),
            Err(HoldRefusal::LimitReached(index)) => {
                let counter = counters.get(index).ok_or(ServiceError::Busy)?;
                tracing::info!(limit = counter.counted.as_str(), "hold limit reached");
                return Err(ServiceError::RateLimited {
                    retry_after_seconds: counter.window.seconds_left(now),
                }
                .into());
            }
            Err(HoldRefusal::EmailUndeliverable) => {
                return Err(ServiceError::from(FieldError::new(
                    "email",
                    "undeliverable",
                    "mail to this address came back undelivered before; give another address",
                ))
                .into());
            }
            Err(HoldRefusal::Blocked) => {
                let mut until = None;
                let persons = std::iter::once(&keys.person).chain(&keys.earlier_persons);
                for person in persons {
                    until = until.max(app.store.blocked_until(person, &office.id).await?);
                }
                let until = until.ok_or(ServiceError::Busy)?;
                return Err(ServiceError::BookingBlocked {
                    from: schedule::local_date(office, until),
                }
                .into());
            }
            Err(HoldRefusal::IdempotencyKeyTaken) => return Err(Placed::Replay),
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
                    let next = next_free_slots(app, wanted, slot.start, 5).await?;
                    return Err(ServiceError::SlotFull { next }.into());
                }
                if let Some(clerk) = clerk {
                    let taken = app
                        .store
                        .clerk_unit_counts(&office.id, &clerk.id, booking.start, booking.end)
                        .await?;
                    if taken.values().any(|booked| *booked >= 1) {
                        let next = next_free_slots(app, wanted, slot.start, 5).await?;
                        return Err(ServiceError::ClerkBusy { next }.into());
                    }
                }
                backoff(app, attempt).await;
            }
        }
    }
    Err(ServiceError::Busy.into())
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
