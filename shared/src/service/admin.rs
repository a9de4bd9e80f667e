//! An office administrator's work (seeds 001–003): the office's catalog —
//! departments, matters, hours, closures, opening date, horizon, notice,
//! desks, caps, kiosk window, no-show rule, waiting room — read and changed
//! safely, kiosks registered, and the audit log read. Every change is
//! validated like citizen input and written with its audit entry.

use crate::domain::audit::{AuditAction, AuditEntry, changes};
use crate::domain::booking::Booking;
use crate::domain::catalog::{Catalog, CatalogError, Lang, Text};
use crate::domain::catalog_change::{self, Held, Stranded};
use crate::domain::ids::OfficeId;
use crate::domain::kiosk::KioskDevice;
use crate::domain::schedule;
use crate::domain::staff::{Role, Staff};
use crate::service::input::parse_date;
use crate::service::kiosk::{KioskRegistration, Registered, registration_of};
use crate::service::{App, FieldError, ServiceError};
use crate::store::admin::CatalogWriteRefusal;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// An office's catalog as an administrator edits it, with the version it
/// was read at (sent back with the change).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogDocument {
    pub version: u64,
    pub catalog: Catalog,
}

/// What a saved change did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CatalogChangeReport {
    /// The version to send with the next change.
    pub version: u64,
    /// How many fields changed.
    pub changed_fields: usize,
    /// Open bookings that no longer fit: staff call these citizens.
    pub stranded: Vec<Stranded>,
}

fn may_administer(staff: &Staff, office: &OfficeId) -> Result<(), ServiceError> {
    if staff.may(Role::OfficeAdmin, office) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// The catalog of `office` as its administrator edits it.
pub async fn catalog_document(
    app: &App,
    staff: &Staff,
    office: &OfficeId,
) -> Result<CatalogDocument, ServiceError> {
    may_administer(staff, office)?;
    let (catalog, version) = app
        .store
        .load_catalog_versioned(office)
        .await?
        .ok_or(ServiceError::OfficeNotFound)?;
    Ok(CatalogDocument { version, catalog })
}

/// Replaces the catalog of `office` by `document.catalog`, if nobody saved
/// since `document.version`. Refused (409) when bookings already made rely
/// on what it removes (capacity, a weekly cap, the unit length); open
/// bookings that no longer fit the new hours, closures or matters are
/// listed, in the answer and in the audit entry.
#[tracing::instrument(skip_all, fields(office_id = %office))]
pub async fn change_catalog(
    app: &App,
    staff: &Staff,
    office: &OfficeId,
    document: CatalogDocument,
) -> Result<CatalogChangeReport, ServiceError> {
    may_administer(staff, office)?;
    let after = document.catalog;
    check_catalog(office, &after)?;
    let (before, version) = app
        .store
        .load_catalog_versioned(office)
        .await?
        .ok_or(ServiceError::OfficeNotFound)?;
    if version != document.version {
        return Err(ServiceError::VersionConflict { current: version });
    }
    let now = app.clock.now();
    let bookings = open_bookings(app, &before, now).await?;
    for before_d in &before.departments {
        let Some(after_d) = after.departments.iter().find(|d| d.id == before_d.id) else {
            continue;
        };
        let held = Held {
            open_bookings: bookings
                .iter()
                .filter(|b| b.department_id == before_d.id)
                .count(),
            units: app
                .store
                .unit_counts(office, &before_d.id, now, now + horizon_of(&before))
                .await?
                .into_iter()
                .collect(),
            weeks: app
                .store
                .week_counts_from(
                    office,
                    &before_d.id,
                    &schedule::iso_week(&before.office, now),
                )
                .await?,
        };
        if let Some(refusal) = catalog_change::refusal(before_d, after_d, &held) {
            return Err(ServiceError::ChangeRefused(refusal));
        }
    }
    let stranded = catalog_change::stranded(&after, &bookings, now);
    let changed = changes(&json!(before), &json!(after));
    let entry = AuditEntry {
        changes: changed.clone(),
        note: json!({ "stranded": stranded }),
        ..app.audit_entry(staff, office, AuditAction::CatalogChanged, "catalog")
    };
    match app
        .store
        .replace_catalog(&before, &after, version, &entry)
        .await?
    {
        Ok(next) => {
            app.warm.forget();
            tracing::info!(
                version = next,
                changed = changed.len(),
                stranded = stranded.len(),
                "catalog changed"
            );
            Ok(CatalogChangeReport {
                version: next,
                changed_fields: changed.len(),
                stranded,
            })
        }
        Err(CatalogWriteRefusal::VersionConflict) => {
            let current = app
                .store
                .load_catalog_versioned(office)
                .await?
                .map_or(0, |(_, v)| v);
            Err(ServiceError::VersionConflict { current })
        }
        Err(CatalogWriteRefusal::TooLarge { items }) => Err(FieldError::new(
            "catalog",
            "too_large",
            format!(
                "{items} departments and matters to write or remove at once; save the change in smaller steps"
            ),
        )
        .into()),
    }
}

/// The rules a catalog must follow before anything is read: its office is
/// the one in the path, and the catalog rules hold (unique ids, the slot
/// arithmetic, limits).
fn check_catalog(office: &OfficeId, catalog: &Catalog) -> Result<(), ServiceError> {
    let mut problems = Vec::new();
    let wrong_office = catalog.office.id != *office
        || catalog.departments.iter().any(|d| d.office_id != *office)
        || catalog.services.iter().any(|s| s.office_id != *office);
    if wrong_office {
        problems.push(FieldError::new(
            "catalog.office.id",
            "wrong_office",
            "the catalog, its departments and its matters must all be of this office",
        ));
    }
    if let Err(e) = catalog.validate() {
        let field = match e {
            CatalogError::Limit(_) => "catalog.office.limits",
            CatalogError::SlotLength(_)
            | CatalogError::Range(_)
            | CatalogError::Horizon(_)
            | CatalogError::GroupName(_) => "catalog.departments",
            CatalogError::VisitLength(_)
            | CatalogError::UnknownDepartment(_)
            | CatalogError::UnknownGroup(_) => "catalog.services",
            CatalogError::Duplicate(_) => "catalog",
            CatalogError::ClerkName(_)
            | CatalogError::ClerkStaffId(_)
            | CatalogError::ClerkService(..) => "catalog.departments.clerks",
        };
        problems.push(FieldError::new(field, "invalid", e));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Invalid(problems))
    }
}

/// The farthest any department books ahead, plus the day it starts.
fn horizon_of(catalog: &Catalog) -> Duration {
    Duration::days(i64::from(catalog.max_horizon_days()) + 1)
}

/// The office's bookings still to be served, from today to its horizon.
async fn open_bookings(
    app: &App,
    catalog: &Catalog,
    now: DateTime<Utc>,
) -> Result<Vec<Booking>, ServiceError> {
    let today = schedule::local_date(&catalog.office, now);
    let (first, last) = catalog_change::booking_days(catalog, today);
    let mut open = app.bookings_on_days(&catalog.office, first, last).await?;
    open.retain(|b| catalog_change::is_open(b, now));
    Ok(open)
}

/// Registers a kiosk at `office` (or gives it a new secret), with its audit
/// entry in the same transaction; 409 when the kiosk was registered again
/// meanwhile.
pub async fn register_office_kiosk(
    app: &App,
    staff: &Staff,
    registration: KioskRegistration,
) -> Result<(KioskDevice, String), ServiceError> {
    may_administer(staff, &registration.office_id)?;
    let Registered {
        previous,
        kiosk,
        secret,
    } = registration_of(app, registration).await?;
    let entry = AuditEntry {
        note: json!({ "generation": kiosk.generation }),
        ..app.audit_entry(
            staff,
            &kiosk.office_id,
            AuditAction::KioskRegistered,
            &kiosk.id,
        )
    };
    if !app
        .store
        .replace_kiosk(previous.as_ref(), &kiosk, &entry)
        .await?
    {
        return Err(ServiceError::KioskChanged);
    }
    app.warm.kiosks.remove(&kiosk.id);
    Ok((kiosk, secret))
}

/// The audit log of `office` between two days (inclusive, default: the
/// last 30 days), newest first; for its administrators.
pub async fn audit_log(
    app: &App,
    staff: &Staff,
    office: &OfficeId,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Vec<AuditEntry>, ServiceError> {
    may_administer(staff, office)?;
    let today = app.clock.now().date_naive();
    let day = |field: &'static str, raw: Option<&str>, default: NaiveDate| match raw {
        Some(raw) => parse_date(field, raw),
        None => Ok(default),
    };
    let from = day("from", from, today - Duration::days(30))?;
    let to = day("to", to, today)?;
    if to < from {
        return Err(FieldError::new("to", "invalid", "the last day comes before the first").into());
    }
    let bound = |date: NaiveDate, end: bool| {
        let at = date
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc())
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        let at = if end { at + Duration::days(1) } else { at };
        // The smallest ULID of that millisecond: entries before it sort lower.
        ulid::Ulid::from_parts(at.timestamp_millis().max(0) as u64, 0).to_string()
    };
    Ok(app
        .store
        .audit_entries(office, &bound(from, false), &bound(to, true))
        .await?)
}

/// A kiosk as its office's administrator sees it (never its secret).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KioskView {
    pub id: String,
    /// Raised each time the kiosk is given a new secret.
    pub generation: u32,
    pub enabled: bool,
    pub walk_ins_enabled: bool,
    pub languages: Vec<Lang>,
    pub message: Text,
}

impl From<KioskDevice> for KioskView {
    fn from(kiosk: KioskDevice) -> Self {
        Self {
            id: kiosk.id,
            generation: kiosk.generation,
            enabled: kiosk.enabled,
            walk_ins_enabled: kiosk.walk_ins_enabled,
            languages: kiosk.languages,
            message: kiosk.message,
        }
    }
}

/// What an administrator changes on a registered kiosk; what is left out
/// stays as it is.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KioskChange {
    /// Off: the screen shows the message and takes nothing.
    pub enabled: Option<bool>,
    /// Off: booked visitors are still served, walk-ins see the message.
    pub walk_ins_enabled: Option<bool>,
    pub languages: Option<Vec<Lang>>,
    pub message: Option<Text>,
}

/// The kiosks registered at `office`, for its administrators.
pub async fn office_kiosks(
    app: &App,
    staff: &Staff,
    office: &OfficeId,
) -> Result<Vec<KioskView>, ServiceError> {
    may_administer(staff, office)?;
    app.catalog(office).await?;
    let kiosks = app.store.office_kiosks(office).await?;
    Ok(kiosks.into_iter().map(KioskView::from).collect())
}

/// Switches a kiosk of `office` (or its walk-ins) off or on, or changes
/// its languages or message, with the audit entry in the same transaction.
/// Takes effect at the kiosk within the warm cache's age.
#[tracing::instrument(skip_all, fields(office_id = %office, kiosk = %kiosk_id))]
pub async fn change_office_kiosk(
    app: &App,
    staff: &Staff,
    office: &OfficeId,
    kiosk_id: &str,
    change: KioskChange,
) -> Result<KioskView, ServiceError> {
    may_administer(staff, office)?;
    if change.languages.as_ref().is_some_and(Vec::is_empty) {
        return Err(FieldError::new(
            "languages",
            "required",
            "a kiosk offers at least one language",
        )
        .into());
    }
    let before = app
        .store
        .get_kiosk(kiosk_id)
        .await?
        .filter(|k| k.office_id == *office)
        .ok_or(ServiceError::KioskNotFound)?;
    let after = KioskDevice {
        enabled: change.enabled.unwrap_or(before.enabled),
        walk_ins_enabled: change.walk_ins_enabled.unwrap_or(before.walk_ins_enabled),
        languages: change.languages.unwrap_or_else(|| before.languages.clone()),
        message: change.message.unwrap_or_else(|| before.message.clone()),
        ..before.clone()
    };
    let entry = AuditEntry {
        changes: changes(
            &json!(KioskView::from(before.clone())),
            &json!(KioskView::from(after.clone())),
        ),
        ..app.audit_entry(staff, office, AuditAction::KioskChanged, &before.id)
    };
    if !app
        .store
        .replace_kiosk(Some(&before), &after, &entry)
        .await?
    {
        return Err(ServiceError::KioskChanged);
    }
    app.warm.kiosks.remove(&after.id);
    tracing::info!(
        enabled = after.enabled,
        walk_ins = after.walk_ins_enabled,
        "kiosk changed"
    );
    Ok(KioskView::from(after))
}
