//! Free slots with seats left: the schedule's slots minus what the counters
//! hold (the department's, and a named clerk's when one is asked for).

use crate::domain::catalog::{Department, Office, Service};
use crate::domain::ids::{ClerkId, OfficeId, ServiceId};
use crate::domain::schedule::{self, Slot};
use crate::service::input::{SlotQuery, parse_clerk};
use crate::service::views::{DaySlots, FreeSlot, SlotListing};
use crate::service::{Base, ServiceError, find_service};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::collections::BTreeMap;

/// Free slots of a service between two office-local dates, clamped to the
/// booking window. Counters for the whole range come from one Query.
pub async fn free_slots(
    app: &Base,
    office_id: &OfficeId,
    service_id: &ServiceId,
    query: SlotQuery,
) -> Result<SlotListing, ServiceError> {
    let catalog = app.catalog(office_id).await?;
    let (department, service) = find_service(&catalog, service_id)?;
    let clerk = parse_clerk(
        "clerk",
        &catalog,
        department,
        service,
        query.clerk.as_deref(),
    )?;
    let department = &*department.for_booking(query.walk_up);
    let now = app.clock.now();
    let window = schedule::booking_window(&catalog.office, department, now);
    let from = query
        .from
        .map_or(window.first_day, |d| d.max(window.first_day));
    let to = query.to.map_or(window.last_day, |d| d.min(window.last_day));
    let wanted = Wanted {
        office: &catalog.office,
        department,
        service,
        clerk: clerk.as_ref(),
    };
    let days = free_days(app, wanted, from, to, now).await?;
    Ok(SlotListing {
        office_id: catalog.office.id.to_string(),
        service_id: service.id.to_string(),
        time_zone: catalog.office.time_zone.name().to_owned(),
        from,
        to,
        days,
    })
}

/// What a listing is for: a matter of a department, with a named clerk or any.
#[derive(Debug, Clone, Copy)]
pub struct Wanted<'a> {
    pub office: &'a Office,
    pub department: &'a Department,
    pub service: &'a Service,
    pub clerk: Option<&'a ClerkId>,
}

/// The first `limit` free slots starting after `after` (offered when a slot is taken).
pub async fn next_free_slots(
    app: &Base,
    wanted: Wanted<'_>,
    after: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<FreeSlot>, ServiceError> {
    let now = app.clock.now();
    let Wanted {
        office, department, ..
    } = wanted;
    let window = schedule::booking_window(office, department, now);
    let from = schedule::local_date(office, after).max(window.first_day);
    let days = free_days(app, wanted, from, window.last_day, now).await?;
    Ok(days
        .into_iter()
        .flat_map(|d| d.slots)
        .filter(|s| s.start.to_utc() > after)
        .take(limit)
        .collect())
}

async fn free_days(
    app: &Base,
    wanted: Wanted<'_>,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<DaySlots>, ServiceError> {
    let Wanted {
        office,
        department,
        service,
        clerk,
    } = wanted;
    let mut by_day: Vec<(NaiveDate, Vec<Slot>)> = Vec::new();
    let mut date = from;
    while date <= to {
        let slots = schedule::bookable_slots(office, department, service, date, now);
        if !slots.is_empty() {
            by_day.push((date, slots));
        }
        date += Duration::days(1);
    }
    let (Some(first), Some(last)) = (
        by_day.first().and_then(|d| d.1.first()),
        by_day.last().and_then(|d| d.1.last()),
    ) else {
        return Ok(Vec::new());
    };
    let units = app
        .store
        .unit_counts(&office.id, &department.id, first.start, last.end)
        .await?;
    // A named clerk serves one visit at a time: a unit of theirs is free or taken.
    let clerk_units = match clerk {
        Some(clerk) => Some(
            app.store
                .clerk_unit_counts(&office.id, clerk, first.start, last.end)
                .await?,
        ),
        None => None,
    };
    let mut weeks: BTreeMap<String, i64> = BTreeMap::new();
    if let Some(cap) = department.weekly_online_cap {
        for (_, slots) in &by_day {
            for slot in slots {
                let week = schedule::iso_week(office, slot.start);
                if let std::collections::btree_map::Entry::Vacant(entry) = weeks.entry(week) {
                    let booked = app
                        .store
                        .week_count(&office.id, &department.id, entry.key())
                        .await?;
                    entry.insert(i64::from(cap) - booked);
                }
            }
        }
    }
    let desks = i64::from(department.desks_online);
    let days = by_day
        .into_iter()
        .map(|(date, slots)| DaySlots {
            date,
            slots: slots
                .into_iter()
                .filter_map(|slot| {
                    let slot_units = schedule::capacity_units(department, &slot);
                    let unit_left = slot_units
                        .iter()
                        .map(|u| desks - units.get(u).copied().unwrap_or(0))
                        .min()
                        .unwrap_or(0);
                    let clerk_left = clerk_units.as_ref().map_or(i64::MAX, |taken| {
                        slot_units
                            .iter()
                            .map(|u| 1 - taken.get(u).copied().unwrap_or(0))
                            .min()
                            .unwrap_or(0)
                    });
                    let week_left = weeks
                        .get(&schedule::iso_week(office, slot.start))
                        .copied()
                        .unwrap_or(i64::MAX);
                    let left = unit_left.min(week_left).min(clerk_left);
                    (left > 0).then(|| free_slot(office, &slot, left))
                })
                .collect(),
        })
        .filter(|d: &DaySlots| !d.slots.is_empty())
        .collect();
    Ok(days)
}

fn free_slot(office: &Office, slot: &Slot, left: i64) -> FreeSlot {
    let start = slot.start.with_timezone(&office.time_zone);
    FreeSlot {
        start: start.fixed_offset(),
        end: slot.end.with_timezone(&office.time_zone).fixed_offset(),
        time: start.format("%H:%M").to_string(),
        seats_left: u32::try_from(left).unwrap_or(u32::MAX),
    }
}
