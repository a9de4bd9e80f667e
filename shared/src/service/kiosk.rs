//! The kiosk in the hall: who is asking (a signed request from a registered
//! kiosk), what its screen shows, a booking's code into a priority ticket,
//! and tickets for people who come without a booking.

use crate::domain::catalog::{Catalog, Department, Service};
use crate::domain::kiosk::{
    KIOSK_LOCKOUT, KioskDevice, RedeemStep, Ticket, TicketKind, TicketNumber, TicketStatus,
    estimate_wait,
};
use crate::domain::queue::group_load;
use crate::domain::schedule;
use crate::domain::signing::{SignatureError, SignedHeaders, is_kiosk_id, nonce_expires_at};
use crate::service::input::{RedeemRequest, WalkInRequest};
use crate::service::views::{KioskConfigView, TicketView};
use crate::service::{App, MAX_ATTEMPTS, ServiceError, backoff, find_service};
use crate::store::kiosk::{RedeemRefusal, WalkInRefusal};

/// A request as the kiosk signed it.
pub struct KioskRequest<'a> {
    pub method: &'a str,
    /// The route path, without a stage or `/api` prefix: `/kiosk/redeem`.
    pub path: &'a str,
    pub headers: Result<SignedHeaders, SignatureError>,
    pub body: &'a [u8],
}

/// The registered kiosk that signed `request`, after its signature, its
/// timestamp and its nonce (first use only) are checked.
pub async fn authenticate(
    app: &App,
    request: KioskRequest<'_>,
) -> Result<KioskDevice, ServiceError> {
    let unauthorized = |e: SignatureError| {
        tracing::info!(reason = %e, "kiosk request refused");
        ServiceError::KioskUnauthorized(match e {
            SignatureError::Missing(_) | SignatureError::Malformed(_) => "not signed",
            SignatureError::Stale => "stale timestamp",
            SignatureError::BodyMismatch | SignatureError::BadSignature => "bad signature",
        })
    };
    let headers = request.headers.map_err(unauthorized)?;
    let Some(kiosk) = app.store.get_kiosk(&headers.kiosk_id).await? else {
        tracing::info!("kiosk request from an unregistered kiosk");
        return Err(ServiceError::KioskUnauthorized("unknown kiosk"));
    };
    let secret = app.keyring.kiosk_secret(&kiosk.id, kiosk.generation);
    let now = app.clock.now();
    headers
        .verify(&secret, request.method, request.path, request.body, now)
        .map_err(unauthorized)?;
    if !app
        .store
        .remember_nonce(&kiosk.id, &headers.nonce, nonce_expires_at(now))
        .await?
    {
        tracing::info!(kiosk = %kiosk.id, "kiosk request replayed");
        return Err(ServiceError::KioskUnauthorized("replayed"));
    }
    Ok(kiosk)
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
    let kiosk = KioskDevice {
        generation: previous.as_ref().map_or(1, |k| k.generation + 1),
        enabled: previous.as_ref().is_none_or(|k| k.enabled),
        walk_ins_enabled: previous.as_ref().is_none_or(|k| k.walk_ins_enabled),
        id: registration.id,
        office_id: registration.office_id,
        languages: registration.languages,
        message: registration.message,
    };
    app.store.put_kiosk(&kiosk).await?;
    let secret = app.keyring.kiosk_secret(&kiosk.id, kiosk.generation);
    Ok((kiosk, secret))
}

/// What the kiosk's screen shows.
pub async fn kiosk_config(app: &App, kiosk: &KioskDevice) -> Result<KioskConfigView, ServiceError> {
    let catalog = app.catalog(&kiosk.office_id).await?;
    Ok(KioskConfigView::of(kiosk, &catalog))
}

/// A booking's code typed at `kiosk` → its priority ticket.
pub async fn redeem(
    app: &App,
    kiosk: &KioskDevice,
    request: RedeemRequest,
) -> Result<TicketView, ServiceError> {
    refuse_when_off(kiosk)?;
    let now = app.clock.now();
    if let Some(until) = app.store.kiosk_locked_until(&kiosk.id, now).await? {
        return Err(ServiceError::KioskLocked {
            retry_after_seconds: (until - now).num_seconds().max(1),
        });
    }
    let code = request.validate()?;
    let catalog = app.catalog(&kiosk.office_id).await?;
    let today = schedule::local_date(&catalog.office, now);
    // Digit codes are unique that day across offices; older ones per office.
    let found = app
        .store
        .find_kiosk_code(&kiosk.office_id, today, &code)
        .await?;
    let Some((booking_id, code_office)) = found else {
        app.store
            .record_wrong_kiosk_code(&kiosk.id, now, KIOSK_LOCKOUT)
            .await?;
        return Err(ServiceError::CodeUnknown);
    };
    if !code_office.is_empty() && code_office != kiosk.office_id.as_str() {
        app.store
            .record_wrong_kiosk_code(&kiosk.id, now, KIOSK_LOCKOUT)
            .await?;
        return Err(ServiceError::WrongOffice);
    }
    for attempt in 0..MAX_ATTEMPTS {
        let booking = app
            .store
            .get_booking(booking_id)
            .await?
            .ok_or(ServiceError::CodeUnknown)?;
        let (department, service) = find_service(&catalog, &booking.service_id)?;
        match booking.redeem_step(department.kiosk.window, now) {
            RedeemStep::Issue => {}
            RedeemStep::SameTicket => {
                let number = booking.ticket.as_deref().unwrap_or_default();
                let ticket = app
                    .store
                    .get_ticket(&kiosk.office_id, today, number)
                    .await?
                    .ok_or(ServiceError::CodeUnknown)?;
                return ticket_view(app, &catalog, department, service, &ticket).await;
            }
            RedeemStep::TooEarly { valid_from } => {
                return Err(ServiceError::TooEarly {
                    valid_from: valid_from.with_timezone(&booking.time_zone).fixed_offset(),
                });
            }
            RedeemStep::Resign => {
                if app.store.resign(&booking, now).await? {
                    return Err(ServiceError::KioskTooLate);
                }
                continue; // changed meanwhile: read it again
            }
            RedeemStep::TooLate => return Err(ServiceError::KioskTooLate),
            RedeemStep::NotConfirmed => return Err(ServiceError::NotConfirmed),
        }
        let group = &department.kiosk.desk_group;
        let last = app
            .store
            .last_ticket_number(&kiosk.office_id, today, group, TicketKind::Booked)
            .await?;
        let ticket = new_ticket(
            kiosk,
            today,
            department,
            service,
            TicketKind::Booked,
            last + 1,
            Some(&booking),
            now,
        );
        match app.store.redeem(&booking, &ticket, last).await? {
            Ok(()) => return ticket_view(app, &catalog, department, service, &ticket).await,
            // Redeemed by a concurrent request (or cancelled): decide again.
            Err(RedeemRefusal::BookingChanged) => continue,
            Err(RedeemRefusal::NumberTaken | RedeemRefusal::Conflict) => {
                backoff(app, attempt).await;
            }
        }
    }
    Err(ServiceError::Busy)
}

/// A ticket for someone without a booking, for a matter chosen on the screen.
pub async fn walk_in(
    app: &App,
    kiosk: &KioskDevice,
    request: WalkInRequest,
) -> Result<TicketView, ServiceError> {
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
            Ok(()) => return ticket_view(app, &catalog, department, service, &ticket).await,
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
    date: chrono::NaiveDate,
    department: &Department,
    service: &Service,
    kind: TicketKind,
    n: u32,
    booking: Option<&crate::domain::booking::Booking>,
    now: chrono::DateTime<chrono::Utc>,
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
        booking_id: booking.map(|b| b.id),
        appointment: booking.map(|b| b.start),
        issued_at: now,
        status: TicketStatus::Waiting,
        call: None,
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

/// The ticket as printed, with the people ahead of it now and the wait.
async fn ticket_view(
    app: &App,
    catalog: &Catalog,
    department: &Department,
    service: &Service,
    ticket: &Ticket,
) -> Result<TicketView, ServiceError> {
    let day = app.store.queue_day(&ticket.office_id, ticket.date).await?;
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
    Ok(TicketView::of(
        ticket,
        &catalog.office,
        department,
        service,
        ahead,
        wait,
    ))
}
