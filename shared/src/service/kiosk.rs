//! The kiosk in the hall: who is asking (a signed request from a registered
//! kiosk), what its screen shows, a booking's code into a priority ticket,
//! and tickets for people who come without a booking.

use crate::domain::booking::Booking;
use crate::domain::catalog::{Catalog, Department, Service};
use crate::domain::codes::KioskCode;
use crate::domain::kiosk::{
    Arrival, KIOSK_LOCKOUT, KioskDevice, RedeemStep, Ticket, TicketKind, TicketNumber,
    TicketStatus, estimate_wait,
};
use crate::domain::queue::group_load;
use crate::domain::schedule;
use crate::domain::secrets::Keyring;
use crate::domain::signing::{SignatureError, SignedHeaders, is_kiosk_id, nonce_expires_at};
use crate::service::input::{RedeemRequest, WalkInRequest};
use crate::service::views::{KioskConfigView, TicketView};
use crate::service::{App, MAX_ATTEMPTS, ServiceError, backoff, find_service};
use crate::store::kiosk::{RedeemRefusal, Redemption, WalkInRefusal};
use crate::store::queue::QueueDay;
use chrono::{DateTime, NaiveDate, Utc};

/// A request as the kiosk signed it.
pub struct KioskRequest<'a> {
    pub method: &'a str,
    /// The route path, without a stage or `/api` prefix: `/kiosk/redeem`.
    pub path: &'a str,
    pub headers: Result<SignedHeaders, SignatureError>,
    pub body: &'a [u8],
}

/// A registered kiosk whose signature checked out, with the request's nonce
/// still to spend: [`Authenticated::spend`] records it (a second use is a
/// replay), or the redeem's transaction does.
pub struct Authenticated {
    kiosk: KioskDevice,
    nonce: String,
    nonce_expires_at: DateTime<Utc>,
}

impl Authenticated {
    /// The kiosk, once this request's nonce is recorded as used.
    async fn spend(&self, app: &App) -> Result<&KioskDevice, ServiceError> {
        if app
            .store
            .remember_nonce(&self.kiosk.id, &self.nonce, self.nonce_expires_at)
            .await?
        {
            Ok(&self.kiosk)
        } else {
            Err(replayed(&self.kiosk))
        }
    }
}

fn replayed(kiosk: &KioskDevice) -> ServiceError {
    tracing::info!(kiosk = %kiosk.id, "kiosk request replayed");
    ServiceError::KioskUnauthorized("replayed")
}

/// The registered kiosk that signed `request`, after its signature and its
/// timestamp are checked. The kiosk comes from the warm cache when the
/// request verifies against it (so a new secret works at once, and a revoked
/// one stops within [`crate::service::warm::MAX_AGE`]).
pub async fn authenticate(
    app: &App,
    request: KioskRequest<'_>,
) -> Result<Authenticated, ServiceError> {
    let unauthorized = |e: SignatureError| {
        tracing::info!(reason = %e, "kiosk request refused");
        ServiceError::KioskUnauthorized(match e {
            SignatureError::Missing(_) | SignatureError::Malformed(_) => "not signed",
            SignatureError::Stale => "stale timestamp",
            SignatureError::BodyMismatch | SignatureError::BadSignature => "bad signature",
        })
    };
    let headers = request.headers.map_err(unauthorized)?;
    let now = app.clock.now();
    let verify = |kiosk: &KioskDevice| {
        // A kiosk whose key has left the ring must be registered again.
        let secret = kiosk_secret(&app.keyring, kiosk).ok_or(SignatureError::BadSignature)?;
        headers.verify(&secret, request.method, request.path, request.body, now)
    };
    let cached = app
        .warm
        .kiosks
        .get(&headers.kiosk_id, now)
        .filter(|kiosk| verify(kiosk).is_ok());
    let kiosk = match cached {
        Some(kiosk) => kiosk,
        None => {
            let Some(kiosk) = app.store.get_kiosk(&headers.kiosk_id).await? else {
                tracing::info!("kiosk request from an unregistered kiosk");
                return Err(ServiceError::KioskUnauthorized("unknown kiosk"));
            };
            app.warm.kiosks.put(kiosk.id.clone(), kiosk.clone(), now);
            verify(&kiosk).map_err(unauthorized)?;
            kiosk
        }
    };
    Ok(Authenticated {
        kiosk,
        nonce: headers.nonce.clone(),
        nonce_expires_at: nonce_expires_at(now),
    })
}

/// A kiosk as an administrator registers it.
#[derive(Debug, Clone)]
pub struct KioskRegistration {
    pub id: String,
    pub office_id: crate::domain::ids::OfficeId,
    pub languages: Vec<crate::domain::catalog::Lang>,
    pub message: crate::domain::catalog::Text,
}

/// Registers a kiosk, or gives a registered one a new secret (its old secret
/// stops working at once). Answers the kiosk and the secret to type into it:
/// shown once, stored nowhere (it is derived from the key, the id and the
/// generation).
pub async fn register_kiosk(
    app: &App,
    registration: KioskRegistration,
) -> Result<(KioskDevice, String), ServiceError> {
    let registered = registration_of(app, registration).await?;
    app.store.put_kiosk(&registered.kiosk).await?;
    app.warm.kiosks.remove(&registered.kiosk.id);
    Ok((registered.kiosk, registered.secret))
}

/// A kiosk as a registration makes it: the registered one it replaces (if
/// any), the new one, and its secret.
pub struct Registered {
    pub previous: Option<KioskDevice>,
    pub kiosk: KioskDevice,
    pub secret: String,
}

/// Checks a registration and makes the kiosk it registers, writing nothing.
pub async fn registration_of(
    app: &App,
    registration: KioskRegistration,
) -> Result<Registered, ServiceError> {
    if !is_kiosk_id(&registration.id) {
        return Err(crate::service::FieldError::new(
            "id",
            "invalid",
            "a kiosk id is 1 to 64 lowercase letters, digits and dashes",
        )
        .into());
    }
    if registration.languages.is_empty() {
        return Err(crate::service::FieldError::new(
            "languages",
            "required",
            "a kiosk offers at least one language",
        )
        .into());
    }
    app.catalog(&registration.office_id).await?;
    let previous = app.store.get_kiosk(&registration.id).await?;
    // A kiosk id is one machine in one office's hall: another office's
    // administrator must not take it over (and cut the machine off).
    if previous
        .as_ref()
        .is_some_and(|k| k.office_id != registration.office_id)
    {
        return Err(crate::service::FieldError::new(
            "id",
            "taken",
            "this kiosk id belongs to another office; choose another id",
        )
        .into());
    }
    let generation = previous.as_ref().map_or(1, |k| k.generation + 1);
    let (key_id, secret) = app.keyring.new_kiosk_secret(&registration.id, generation);
    let kiosk = KioskDevice {
        generation,
        key_id,
        enabled: previous.as_ref().is_none_or(|k| k.enabled),
        walk_ins_enabled: previous.as_ref().is_none_or(|k| k.walk_ins_enabled),
        id: registration.id,
        office_id: registration.office_id,
        languages: registration.languages,
        message: registration.message,
    };
    Ok(Registered {
        previous,
        kiosk,
        secret,
    })
}

/// The secret `kiosk` signs with; None once the key it was registered with
/// has left the ring.
pub fn kiosk_secret(keyring: &Keyring, kiosk: &KioskDevice) -> Option<String> {
    keyring.kiosk_secret(&kiosk.key_id, &kiosk.id, kiosk.generation)
}

/// What the kiosk's screen shows.
pub async fn kiosk_config(
    app: &App,
    auth: &Authenticated,
) -> Result<KioskConfigView, ServiceError> {
    let kiosk = auth.spend(app).await?;
    let catalog = app.catalog(&kiosk.office_id).await?;
    Ok(KioskConfigView::of(kiosk, &catalog))
}

/// A booking's code typed at the kiosk → its priority ticket.
///
/// A ticket is issued in two round trips: one Query reads the hall of the
/// day with the arrival under the code (the counters, tickets, desks and
/// rooms for the number and the printed wait), and one transaction writes
/// it, spending the nonce and checking the kiosk's lock. Every other answer
/// spends the nonce and checks the lock first (a locked kiosk says nothing
/// about a code), and an unknown code counts towards the lock.
pub async fn redeem(
    app: &App,
    auth: &Authenticated,
    request: RedeemRequest,
) -> Result<TicketView, ServiceError> {
    let now = app.clock.now();
    match issue(app, auth, request, now).await? {
        Redeemed::Issued(ticket) => Ok(ticket),
        Redeemed::Answer(answer) => {
            let kiosk = auth.spend(app).await?;
            if let Some(until) = app.store.kiosk_locked_until(&kiosk.id, now).await? {
                return Err(ServiceError::KioskLocked {
                    retry_after_seconds: (until - now).num_seconds().max(1),
                });
            }
            if matches!(
                answer,
                Err(ServiceError::CodeUnknown | ServiceError::WrongOffice)
            ) {
                app.store
                    .record_wrong_kiosk_code(&kiosk.id, now, KIOSK_LOCKOUT)
                    .await?;
            }
            answer
        }
    }
}

/// What [`issue`] came to.
enum Redeemed {
    /// A new ticket, written with the nonce spent and the lock checked.
    Issued(TicketView),
    /// Any other answer, given after the nonce and the lock.
    Answer(Result<TicketView, ServiceError>),
}

async fn issue(
    app: &App,
    auth: &Authenticated,
    request: RedeemRequest,
    now: DateTime<Utc>,
) -> Result<Redeemed, ServiceError> {
    let answer = |a: Result<TicketView, ServiceError>| Ok(Redeemed::Answer(a));
    let kiosk = &auth.kiosk;
    if let Err(off) = refuse_when_off(kiosk) {
        return answer(Err(off));
    }
    let code = match request.validate() {
        Ok(code) => code,
        Err(invalid) => return answer(Err(invalid.into())),
    };
    let catalog = app.catalog(&kiosk.office_id).await?;
    let today = schedule::local_date(&catalog.office, now);
    let (mut day, in_hall) = match &code {
        KioskCode::Digits(digits) => {
            app.store
                .queue_day_with_arrival(&kiosk.office_id, today, digits)
                .await?
        }
        KioskCode::Legacy(_) => (app.store.queue_day(&kiosk.office_id, today).await?, None),
    };
    let mut arrival_code = match (&code, &in_hall) {
        (KioskCode::Digits(digits), Some(_)) => Some(digits.as_str()),
        _ => None,
    };
    let mut arrival = match in_hall {
        Some(arrival) => arrival,
        // Confirmed before arrivals were kept, or not this office's code.
        None => match booking_of_code(app, kiosk, today, &code).await? {
            Ok(booking) => Arrival::from(&booking),
            Err(refusal) => return answer(Err(refusal)),
        },
    };
    for attempt in 0..MAX_ATTEMPTS {
        let (department, service) = match find_service(&catalog, &arrival.service_id) {
            Ok(found) => found,
            Err(missing) => return answer(Err(missing)),
        };
        match arrival.redeem_step(department.kiosk.window, now) {
            RedeemStep::Issue => {}
            RedeemStep::SameTicket => {
                let number = arrival.ticket.as_deref().unwrap_or_default();
                let ticket = match day.tickets.iter().find(|t| t.number.to_string() == number) {
                    Some(ticket) => Some(ticket.clone()),
                    None => {
                        app.store
                            .get_ticket(&kiosk.office_id, today, number)
                            .await?
                    }
                };
                return answer(
                    ticket
                        .map(|t| ticket_view(&catalog, department, service, &t, &day))
                        .ok_or(ServiceError::CodeUnknown),
                );
            }
            RedeemStep::TooEarly { valid_from } => {
                return answer(Err(ServiceError::TooEarly {
                    valid_from: valid_from
                        .with_timezone(&catalog.office.time_zone)
                        .fixed_offset(),
                }));
            }
            RedeemStep::Resign => {
                if app.store.resign(arrival.booking_id, now).await? {
                    return answer(Err(ServiceError::KioskTooLate));
                }
                arrival = reread(app, &arrival).await?;
                arrival_code = None;
                continue;
            }
            RedeemStep::TooLate => return answer(Err(ServiceError::KioskTooLate)),
            RedeemStep::NotConfirmed => return answer(Err(ServiceError::NotConfirmed)),
        }
        let group = &department.kiosk.desk_group;
        let last = day.last_number(group, TicketKind::Booked);
        let ticket = new_ticket(
            kiosk,
            today,
            department,
            service,
            TicketKind::Booked,
            last + 1,
            Some(&arrival),
            now,
        );
        let redemption = Redemption {
            booking_id: arrival.booking_id,
            ticket: &ticket,
            last,
            arrival: arrival_code,
            kiosk_id: &kiosk.id,
            nonce: &auth.nonce,
            nonce_expires_at: auth.nonce_expires_at,
            now,
        };
        match app.store.redeem(&redemption).await? {
            Ok(()) => {
                day.tickets.push(ticket.clone());
                let view = ticket_view(&catalog, department, service, &ticket, &day);
                return Ok(Redeemed::Issued(view));
            }
            // Redeemed by a concurrent request (or cancelled): decide again.
            Err(RedeemRefusal::BookingChanged) => {
                arrival = reread(app, &arrival).await?;
                arrival_code = None;
                day = app.store.queue_day(&kiosk.office_id, today).await?;
            }
            Err(RedeemRefusal::NumberTaken | RedeemRefusal::Conflict) => {
                backoff(app, attempt).await;
                day = app.store.queue_day(&kiosk.office_id, today).await?;
            }
            Err(RedeemRefusal::Replayed) => return Err(replayed(kiosk)),
            // The answer says so once the lock is read.
            Err(RedeemRefusal::Locked) => {
                return answer(Err(ServiceError::KioskLocked {
                    retry_after_seconds: 1,
                }));
            }
        }
    }
    Err(ServiceError::Busy)
}

/// The booking a code typed at `kiosk` belongs to, read through the code's
/// own item (older codes, and codes of other offices).
async fn booking_of_code(
    app: &App,
    kiosk: &KioskDevice,
    today: NaiveDate,
    code: &KioskCode,
) -> Result<Result<Booking, ServiceError>, ServiceError> {
    // Digit codes are unique that day across offices; older ones per office.
    let found = app
        .store
        .find_kiosk_code(&kiosk.office_id, today, code)
        .await?;
    let Some((booking_id, code_office)) = found else {
        return Ok(Err(ServiceError::CodeUnknown));
    };
    if !code_office.is_empty() && code_office != kiosk.office_id.as_str() {
        return Ok(Err(ServiceError::WrongOffice));
    }
    Ok(app
        .store
        .get_booking(booking_id)
        .await?
        .ok_or(ServiceError::CodeUnknown))
}

/// The arrival as its booking now stands.
async fn reread(app: &App, arrival: &Arrival) -> Result<Arrival, ServiceError> {
    let booking = app
        .store
        .get_booking(arrival.booking_id)
        .await?
        .ok_or(ServiceError::CodeUnknown)?;
    Ok(Arrival::from(&booking))
}

/// A ticket for someone without a booking, for a matter chosen on the screen.
pub async fn walk_in(
    app: &App,
    auth: &Authenticated,
    request: WalkInRequest,
) -> Result<TicketView, ServiceError> {
    let kiosk = auth.spend(app).await?;
    refuse_when_off(kiosk)?;
    if !kiosk.walk_ins_enabled {
        return Err(ServiceError::WalkInsDisabled {
            message: kiosk.message.clone(),
        });
    }
    let service_id = request.validate()?;
    let now = app.clock.now();
    let catalog = app.catalog(&kiosk.office_id).await?;
    let (department, service) = find_service(&catalog, &service_id)?;
    if !service.walk_in {
        return Err(ServiceError::ServiceNotFound);
    }
    if let Some(message) = &department.phone_registration {
        return Err(ServiceError::WalkInsDisabled {
            message: message.clone(),
        });
    }
    let today = schedule::local_date(&catalog.office, now);
    let group = &department.kiosk.desk_group;
    // A full room refuses before a number is taken, so numbers stay
    // gap-free; the transaction below is what holds the limit.
    let limit = department.kiosk.waiting_room_limit;
    if let Some(limit) = limit {
        let inside = app
            .store
            .in_room(&kiosk.office_id, today, &department.id)
            .await?;
        if inside >= i64::from(limit) {
            return Err(ServiceError::WaitingRoomFull);
        }
    }
    let n = app
        .store
        .take_walk_in_number(
            &kiosk.office_id,
            today,
            group,
            department.kiosk.walk_in_daily_cap,
        )
        .await?
        .map_err(|_| ServiceError::WalkInCapReached)?;
    let ticket = new_ticket(
        kiosk,
        today,
        department,
        service,
        TicketKind::WalkIn,
        n,
        None,
        now,
    );
    for attempt in 0..MAX_ATTEMPTS {
        match app.store.issue_walk_in(&ticket, limit).await? {
            Ok(()) => {
                let day = app.store.queue_day(&ticket.office_id, ticket.date).await?;
                return Ok(ticket_view(&catalog, department, service, &ticket, &day));
            }
            // Filled in the moment since the check: this number is skipped.
            Err(WalkInRefusal::RoomFull) => return Err(ServiceError::WaitingRoomFull),
            Err(WalkInRefusal::Conflict) => backoff(app, attempt).await,
        }
    }
    Err(ServiceError::Busy)
}

/// A new waiting ticket of `department`'s desk group.
#[allow(clippy::too_many_arguments)]
fn new_ticket(
    kiosk: &KioskDevice,
    date: NaiveDate,
    department: &Department,
    service: &Service,
    kind: TicketKind,
    n: u32,
    booking: Option<&Arrival>,
    now: DateTime<Utc>,
) -> Ticket {
    Ticket {
        number: TicketNumber {
            group: department.kiosk.desk_group.clone(),
            kind,
            n,
        },
        office_id: kiosk.office_id.clone(),
        date,
        department_id: department.id.clone(),
        service_id: service.id.clone(),
        booking_id: booking.map(|b| b.booking_id),
        appointment: booking.map(|b| b.start),
        issued_at: now,
        status: TicketStatus::Waiting,
        call: None,
        clerk_id: booking.and_then(|b| b.clerk_id.clone()),
    }
}

fn refuse_when_off(kiosk: &KioskDevice) -> Result<(), ServiceError> {
    if kiosk.enabled {
        Ok(())
    } else {
        Err(ServiceError::KioskDisabled {
            message: kiosk.message.clone(),
        })
    }
}

/// The ticket as printed, with the people ahead of it in `day` and the wait.
fn ticket_view(
    catalog: &Catalog,
    department: &Department,
    service: &Service,
    ticket: &Ticket,
    day: &QueueDay,
) -> TicketView {
    let ahead = ticket.people_ahead(&day.tickets);
    // The service times measured today and the desks open now; before the
    // first desk opens, the desks the department offers online.
    let load = group_load(
        &day.tickets,
        &day.desks,
        &ticket.number.group,
        f64::from(service.visit_minutes),
    );
    let desks = if load.desks > 0.0 {
        load.desks
    } else {
        f64::from(department.desks_online)
    };
    let wait = estimate_wait(ahead, load.service_minutes, desks);
    TicketView::of(ticket, &catalog.office, department, service, ahead, wait)
}
