//! A clerk's work with bookings (seeds 001–003): find a caller's booking by
//! its kiosk code, its reference or the caller's national ID, and cancel
//! one. Booking for a caller is [`crate::service::book_for_caller`]. Every
//! action is recorded in the audit log; the lookups too, since they show
//! personal data.

use crate::domain::audit::AuditAction;
use crate::domain::booking::{Booking, Channel};
use crate::domain::codes::KioskCode;
use crate::domain::ids::{BookingId, OfficeId};
use crate::domain::schedule;
use crate::domain::staff::{Role, Staff};
use crate::service::cancel::{CancelOutcome, cancel};
use crate::service::input::{parse_date, parse_national_id};
use crate::service::transitions::load;
use crate::service::views::BookingView;
use crate::service::{App, FieldError, ServiceError};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A booking as a clerk sees it: the citizen's view with the kiosk code,
/// and the personal data needed to speak with the citizen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClerkBookingView {
    #[serde(flatten)]
    pub booking: BookingView,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub application_number: Option<String>,
    pub lost_document: bool,
    /// Channels a provider refused for good: call instead.
    pub unreachable_by: Vec<Channel>,
}

impl ClerkBookingView {
    pub fn of(b: &Booking) -> Self {
        Self {
            booking: BookingView::of(b, true),
            first_name: b.first_name.as_str().to_owned(),
            last_name: b.last_name.as_str().to_owned(),
            email: b.email.as_ref().map(|e| e.as_str().to_owned()),
            phone: b.phone.as_ref().map(|p| p.as_str().to_owned()),
            application_number: b.application_number.clone(),
            lost_document: b.lost_document,
            unreachable_by: b.undeliverable.clone(),
        }
    }
}

/// `POST /staff/offices/{office_id}/bookings/search`: one of `code` (with
/// its `date`, default today), `ref` or `national_id`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookingQuery {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default, rename = "ref")]
    pub reference: Option<String>,
    #[serde(default, alias = "pesel")]
    pub national_id: Option<String>,
    #[serde(default)]
    pub date: Option<String>,
}

/// A query parameter that was given and is not blank.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn may_serve(staff: &Staff, office: &OfficeId) -> Result<(), ServiceError> {
    if staff.may(Role::Clerk, office) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// The bookings at `office` the query names: by a kiosk code of a day, by
/// a reference, or every open booking of a person (by national ID).
#[tracing::instrument(skip_all, fields(office_id = %office))]
pub async fn find_bookings(
    app: &App,
    staff: &Staff,
    office: &OfficeId,
    query: BookingQuery,
) -> Result<Vec<ClerkBookingView>, ServiceError> {
    may_serve(staff, office)?;
    let catalog = app.catalog(office).await?;
    let today = schedule::local_date(&catalog.office, app.clock.now());
    let (by, ids): (&str, Vec<BookingId>) = match (
        given(&query.code),
        given(&query.reference),
        given(&query.national_id),
    ) {
        (Some(code), None, None) => {
            let code = KioskCode::parse(code).map_err(|e| FieldError::new("code", "invalid", e))?;
            let date = match given(&query.date) {
                Some(raw) => parse_date("date", raw)?,
                None => today,
            };
            let found = app.store.find_kiosk_code(office, date, &code).await?;
            let ids = found
                .filter(|(_, at)| at.is_empty() || at == office.as_str())
                .map(|(id, _)| id);
            ("code", ids.into_iter().collect())
        }
        (None, Some(reference), None) => {
            let found = app
                .store
                .find_by_public_ref(&reference.to_ascii_uppercase())
                .await?;
            ("ref", found.into_iter().collect())
        }
        (None, None, Some(raw)) => {
            let national_id = parse_national_id(&catalog.office, raw, today)?;
            let mut ids = Vec::new();
            for person in app.keyring.person_keys(&national_id) {
                ids.extend(app.store.person_bookings_at(&person, office).await?);
            }
            ("national_id", ids)
        }
        _ => {
            return Err(FieldError::new(
                "query",
                "one_required",
                "give exactly one of code, ref or national_id",
            )
            .into());
        }
    };
    let mut found = Vec::new();
    for id in ids {
        match load(app, id).await {
            Ok(b) if b.office_id == *office => found.push(b),
            Ok(_) | Err(ServiceError::BookingNotFound) => {}
            Err(e) => return Err(e),
        }
    }
    found.sort_by_key(|b| b.start);
    let entry = crate::domain::audit::AuditEntry {
        note: json!({ "found": found.iter().map(|b| b.id.to_string()).collect::<Vec<_>>() }),
        ..app.audit_entry(staff, office, AuditAction::BookingsLookedUp, by)
    };
    app.store.put_audit(&entry).await?;
    Ok(found.iter().map(ClerkBookingView::of).collect())
}

/// Cancels a booking of `office` for a caller; recorded in the audit log with
/// the cancellation. A booking of another office is not found.
#[tracing::instrument(skip_all, fields(office_id = %office, booking_id = %id))]
pub async fn cancel_for_caller(
    app: &App,
    staff: &Staff,
    office: &OfficeId,
    id: BookingId,
) -> Result<CancelOutcome, ServiceError> {
    may_serve(staff, office)?;
    let booking = load(app, id).await?;
    if booking.office_id != *office {
        return Err(ServiceError::BookingNotFound);
    }
    cancel(app, booking, Some(staff)).await
}
