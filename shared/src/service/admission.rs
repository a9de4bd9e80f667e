//! The day's admission list of an office for its clerks (seeds 000, 002):
//! times, booking references, matters, application numbers (so the document
//! can be prepared before the visit), desk groups and status — no names or
//! contact details.

use crate::domain::kiosk::DeskGroup;
use crate::domain::schedule;
use crate::domain::staff::{Role, Staff};
use crate::service::input::parse_date;
use crate::service::views::{AdmissionEntry, AdmissionList};
use crate::service::{App, FieldError, ServiceError};
use chrono::Duration;

/// The admission list of `office_id` for `date` (default today), for one desk
/// group or all; for a clerk or admin of that office.
pub async fn admission_list(
    app: &App,
    staff: &Staff,
    office_id: &crate::domain::ids::OfficeId,
    date: Option<&str>,
    desk_group: Option<&str>,
) -> Result<AdmissionList, ServiceError> {
    if !staff.may(Role::Clerk, office_id) {
        return Err(ServiceError::Forbidden);
    }
    let group = desk_group
        .map(DeskGroup::parse)
        .transpose()
        .map_err(|e| FieldError::new("desk_group", "invalid", e))?;
    let catalog = app.catalog(office_id).await?;
    let office = &catalog.office;
    let date = match date {
        Some(raw) => parse_date("date", raw)?,
        None => schedule::local_date(office, app.clock.now()),
    };
    let (Some(from), Some(next_day)) = (
        schedule::local_midnight(office, date),
        date.succ_opt()
            .and_then(|d| schedule::local_midnight(office, d)),
    ) else {
        return Err(FieldError::new("date", "invalid", "a day the office's calendar has").into());
    };
    let bookings = app
        .store
        .bookings_starting(office_id, date, from, next_day - Duration::milliseconds(1))
        .await?;
    let mut entries: Vec<AdmissionEntry> = bookings
        .iter()
        .filter_map(|b| {
            let department = catalog
                .departments
                .iter()
                .find(|d| d.id == b.department_id)?;
            let service = catalog.services.iter().find(|s| s.id == b.service_id)?;
            let in_group = group
                .as_ref()
                .is_none_or(|g| g == &department.kiosk.desk_group);
            in_group.then(|| AdmissionEntry::of(b, department, service))
        })
        .collect();
    entries.sort_by(|a, b| (a.start, &a.public_ref).cmp(&(b.start, &b.public_ref)));
    Ok(AdmissionList {
        office_id: office_id.to_string(),
        date,
        desk_group: group.map(|g| g.to_string()),
        entries,
    })
}
