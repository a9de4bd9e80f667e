//! Data-subject requests (GDPR Art. 15 and 16), handled by an office's
//! clerks: everything the office holds about a person, found by national ID
//! (its keyed hash) or email address, and a booking's name, email or phone
//! corrected. Both are recorded in the audit log (which fields, not values).

use crate::domain::audit::{AuditAction, AuditEntry};
use crate::domain::booking::{Booking, Channel};
use crate::domain::catalog::{Catalog, Lang};
use crate::domain::contact::{Email, PersonName, PhoneNumber};
use crate::domain::ids::{BookingId, OfficeId};
use crate::domain::schedule;
use crate::domain::secrets::Purpose;
use crate::domain::staff::{Role, Staff};
use crate::service::clerk::ClerkBookingView;
use crate::service::input::parse_national_id;
use crate::service::transitions::load;
use crate::service::{App, FieldError, ServiceError};
use crate::store::items::BOOKING_RETENTION;
use crate::store::person::ContactCorrection;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// `POST /staff/offices/{office_id}/persons/export`: the person by national ID or by email.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonQuery {
    #[serde(default, alias = "pesel")]
    pub national_id: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

/// A booking as exported: what a clerk sees, and its history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportedBooking {
    #[serde(flatten)]
    pub booking: ClerkBookingView,
    pub language: Lang,
    pub created_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// Why an address is refused.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UndeliverableAddress {
    pub reason: String,
    pub reported_at: DateTime<Utc>,
}

/// Everything the office holds about one person.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonExport {
    pub office_id: String,
    /// `national_id` or `email`.
    pub found_by: &'static str,
    pub exported_at: DateTime<Utc>,
    pub bookings: Vec<ExportedBooking>,
    /// Missed visits counted against online booking here (by national ID).
    pub no_show_strikes: Vec<DateTime<Utc>>,
    pub blocked_until: Option<DateTime<Utc>>,
    /// When mail to the address bounced for good or was reported as spam (by email).
    pub undeliverable_address: Option<UndeliverableAddress>,
    /// How long the table keeps what it holds.
    pub retention: &'static str,
}

const RETENTION: &str = "bookings: until 30 days after the visit (names, email and phone \
are removed earlier if the office's retention is shorter); no-show strikes and blocks: \
while they count; a bounced address: 180 days; the national ID is never stored, only \
its keyed hash";

fn may_serve(staff: &Staff, office: &OfficeId) -> Result<(), ServiceError> {
    if staff.may(Role::Clerk, office) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// Who the query names.
enum Subject {
    Person(Vec<crate::domain::secrets::PersonKey>),
    Email(Email),
}

/// Everything `office` holds about the person the query names.
#[tracing::instrument(skip_all, fields(office_id = %office))]
pub async fn export_person(
    app: &App,
    staff: &Staff,
    office: &OfficeId,
    query: PersonQuery,
) -> Result<PersonExport, ServiceError> {
    may_serve(staff, office)?;
    let catalog = app.catalog(office).await?;
    let now = app.clock.now();
    let today = schedule::local_date(&catalog.office, now);
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let subject = match (given(&query.national_id), given(&query.email)) {
        (Some(raw), None) => Subject::Person(app.keyring.person_keys(&parse_national_id(
            &catalog.office,
            &raw,
            today,
        )?)),
        (None, Some(raw)) => {
            Subject::Email(Email::parse(&raw).map_err(|e| FieldError::new("email", "invalid", e))?)
        }
        _ => {
            return Err(FieldError::new(
                "query",
                "one_required",
                "give exactly one of national_id or email",
            )
            .into());
        }
    };
    let mut bookings = Vec::new();
    for b in bookings_held(app, &catalog, now).await? {
        let theirs = match &subject {
            Subject::Person(keys) => keys.contains(&b.person),
            Subject::Email(email) => b.email.as_ref() == Some(email),
        };
        if theirs {
            bookings.push(ExportedBooking {
                booking: ClerkBookingView::of(&b),
                language: b.language,
                created_at: b.created_at,
                confirmed_at: b.confirmed_at,
                closed_at: b.closed_at,
            });
        }
    }
    let mut export = PersonExport {
        office_id: office.to_string(),
        found_by: "national_id",
        exported_at: now,
        bookings,
        no_show_strikes: Vec::new(),
        blocked_until: None,
        undeliverable_address: None,
        retention: RETENTION,
    };
    match &subject {
        Subject::Person(keys) => {
            for person in keys {
                export
                    .no_show_strikes
                    .extend(app.store.strikes(person, office).await?);
                export.blocked_until = export
                    .blocked_until
                    .max(app.store.blocked_until(person, office).await?);
            }
            export.no_show_strikes.sort();
        }
        Subject::Email(email) => {
            export.found_by = "email";
            for key in app.keyring.digests(Purpose::Email, email.as_str()) {
                if let Some((reason, reported_at)) = app.store.undeliverable_address(&key).await? {
                    export.undeliverable_address = Some(UndeliverableAddress {
                        reason,
                        reported_at,
                    });
                }
            }
        }
    }
    let ids: Vec<String> = export
        .bookings
        .iter()
        .map(|b| b.booking.booking.booking_id.clone())
        .collect();
    let entry = AuditEntry {
        note: json!({ "bookings": ids }),
        ..app.audit_entry(staff, office, AuditAction::PersonExported, export.found_by)
    };
    app.store.put_audit(&entry).await?;
    Ok(export)
}

/// Every booking of the office the table can still hold: from the
/// retention's reach back to the farthest horizon ahead (TTL removes a
/// booking 30 days after its visit; it may lag up to two days).
async fn bookings_held(
    app: &App,
    catalog: &Catalog,
    now: DateTime<Utc>,
) -> Result<Vec<Booking>, ServiceError> {
    let office = &catalog.office;
    let today = schedule::local_date(office, now);
    let first = today - BOOKING_RETENTION - Duration::days(3);
    let last = today + Duration::days(i64::from(catalog.max_horizon_days()) + 1);
    app.bookings_on_days(office, first, last).await
}

/// `POST /staff/offices/{office_id}/bookings/{booking_id}/contact`: the
/// fields to correct (at least one).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactRequest {
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

/// Corrects a booking's name, email or phone (GDPR Art. 16) and answers
/// the booking as corrected.
#[tracing::instrument(skip_all, fields(office_id = %office, booking_id = %id))]
pub async fn correct_contact(
    app: &App,
    staff: &Staff,
    office: &OfficeId,
    id: BookingId,
    request: ContactRequest,
) -> Result<ClerkBookingView, ServiceError> {
    may_serve(staff, office)?;
    let booking = load(app, id).await?;
    if booking.office_id != *office {
        return Err(ServiceError::BookingNotFound);
    }
    let catalog = app.catalog(office).await?;
    let mut errors = Vec::new();
    let name = |field: &'static str, raw: &Option<String>| {
        raw.as_deref()
            .map(|v| PersonName::parse(v).map_err(|e| FieldError::new(field, "invalid", e)))
            .transpose()
    };
    let first_name = kept(&mut errors, name("first_name", &request.first_name));
    let last_name = kept(&mut errors, name("last_name", &request.last_name));
    let email = kept(
        &mut errors,
        request
            .email
            .as_deref()
            .map(|v| Email::parse(v).map_err(|e| FieldError::new("email", "invalid", e)))
            .transpose(),
    );
    let phone = kept(
        &mut errors,
        request
            .phone
            .as_deref()
            .map(|v| {
                PhoneNumber::parse(v, catalog.office.country)
                    .map_err(|e| FieldError::new("phone", "invalid", e))
            })
            .transpose(),
    );
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let correction = ContactCorrection {
        first_name,
        last_name,
        email,
        // A booking confirmed by SMS is found by its number's keyed hash.
        phone: phone.map(|p| {
            let key = (booking.channel == Channel::Sms && booking.phone_key.is_some())
                .then(|| app.keyring.digest(Purpose::Phone, p.as_str()));
            (p, key)
        }),
    };
    let fields = correction.fields();
    if fields.is_empty() {
        return Err(FieldError::new(
            "body",
            "empty",
            "give at least one of first_name, last_name, email or phone",
        )
        .into());
    }
    let entry = AuditEntry {
        note: json!({ "fields": fields }),
        ..app.audit_entry(staff, office, AuditAction::PersonCorrected, id.to_string())
    };
    if !app.store.correct_contact(id, &correction, &entry).await? {
        return Err(ServiceError::BookingNotFound);
    }
    Ok(ClerkBookingView::of(&load(app, id).await?))
}

/// The value of an optional field, its error kept with the others.
fn kept<T>(errors: &mut Vec<FieldError>, result: Result<Option<T>, FieldError>) -> Option<T> {
    result.unwrap_or_else(|e| {
        errors.push(e);
        None
    })
}
