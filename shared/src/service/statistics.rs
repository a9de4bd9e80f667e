//! An office's statistics per day and matter, for its administrators, as
//! JSON or CSV: kept rows for finished days, counted live for the others.
//! The sweeper keeps each finished day's rows before the bookings and
//! tickets they come from are gone.

use crate::domain::catalog::Catalog;
use crate::domain::ids::OfficeId;
use crate::domain::schedule;
use crate::domain::staff::{Role, Staff};
use crate::domain::statistics::{DayStatistics, count_day};
use crate::service::input::parse_date;
use crate::service::{Base, FieldError, ServiceError};
use chrono::{Duration, NaiveDate};

/// The longest span one request covers.
pub const MAX_DAYS: i64 = 366;

/// Days a finished day waits before its rows are kept (its last no-shows
/// are marked by then), and how far back the sweeper looks for days to keep
/// (well within the 30 days bookings and tickets stay).
const KEEP_AFTER_DAYS: u64 = 2;
const KEEP_LOOKBACK_DAYS: u64 = 7;

/// The statistics of `office` from `from` to `to` (inclusive; default the
/// last 30 days to today), by day and matter.
pub async fn statistics(
    app: &Base,
    staff: &Staff,
    office: &OfficeId,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Vec<DayStatistics>, ServiceError> {
    if !staff.may(Role::OfficeAdmin, office) {
        return Err(ServiceError::Forbidden);
    }
    let catalog = app.catalog(office).await?;
    let today = schedule::local_date(&catalog.office, app.clock.now());
    let to = match to {
        Some(raw) => parse_date("to", raw)?,
        None => today,
    };
    let from = match from {
        Some(raw) => parse_date("from", raw)?,
        None => to - Duration::days(30),
    };
    if to < from || (to - from).num_days() >= MAX_DAYS {
        return Err(FieldError::new(
            "to",
            "invalid",
            format!("from a first day to a last day no earlier, at most {MAX_DAYS} days"),
        )
        .into());
    }
    let kept = app.store.kept_statistics(office, from, to).await?;
    let mut rows = kept.rows;
    for date in from.iter_days().take_while(|d| *d <= to) {
        if !kept.days.contains(&date) {
            rows.extend(count_live(app, &catalog, date).await?);
        }
    }
    rows.sort_by(|a, b| (a.date, &a.service_id).cmp(&(b.date, &b.service_id)));
    Ok(rows)
}

/// A day counted from its bookings and tickets as they are now.
async fn count_live(
    app: &Base,
    catalog: &Catalog,
    date: NaiveDate,
) -> Result<Vec<DayStatistics>, ServiceError> {
    let office = &catalog.office.id;
    let bookings = app.store.booking_facts_of_day(office, date).await?;
    let tickets = app.store.queue_day(office, date).await?.tickets;
    Ok(count_day(catalog, date, &bookings, &tickets))
}

/// Keeps the rows of the office's finished days not kept yet (the sweeper's
/// part); answers how many days were kept.
pub async fn keep_finished_days(app: &Base, catalog: &Catalog) -> Result<usize, ServiceError> {
    let office = &catalog.office.id;
    let today = schedule::local_date(&catalog.office, app.clock.now());
    let (Some(last), Some(first)) = (
        today.checked_sub_days(chrono::Days::new(KEEP_AFTER_DAYS)),
        today.checked_sub_days(chrono::Days::new(KEEP_LOOKBACK_DAYS)),
    ) else {
        return Ok(0);
    };
    let kept = app.store.kept_statistics(office, first, last).await?;
    let mut count = 0;
    for date in first.iter_days().take_while(|d| *d <= last) {
        if kept.days.contains(&date) {
            continue;
        }
        let rows = count_live(app, catalog, date).await?;
        app.store.keep_day_statistics(office, date, &rows).await?;
        count += 1;
    }
    Ok(count)
}
