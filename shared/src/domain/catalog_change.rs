//! What an administrator's change to an office's catalog does to the
//! bookings already made (seeds 001–003: hours change, closures are added,
//! matters move). Pure: the service reads the bookings and counters, these
//! rules say which bookings no longer fit and which changes are refused.

use crate::domain::booking::{Booking, BookingStatus};
use crate::domain::catalog::{Catalog, Department};
use crate::domain::ids::{DepartmentId, ServiceId};
use crate::domain::schedule::{is_open_on, local_date};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// Why a booking no longer fits the changed catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StrandReason {
    /// Its matter is gone from the office.
    ServiceRemoved,
    /// Its matter now belongs to another department (other desks, other hours).
    MovedDepartment,
    /// Its day is now closed: a closure, a weekday without hours, before the opening date.
    DayClosed,
    /// The day is open, but the visit no longer lies within one opening range.
    OutsideHours,
    /// The named clerk it was booked with is gone from the department, or
    /// no longer handles its matter (seed 004).
    ClerkGone,
}

/// A booking the change leaves without a place: staff call the citizen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stranded {
    pub booking_id: String,
    pub public_ref: String,
    pub service_id: ServiceId,
    pub start: DateTime<Utc>,
    pub reason: StrandReason,
}

/// Whether a booking is still to be served (so a change can strand it).
pub fn is_open(booking: &Booking, now: DateTime<Utc>) -> bool {
    matches!(
        booking.status,
        BookingStatus::Pending | BookingStatus::Confirmed
    ) && booking.end > now
}

/// Why `booking` does not fit `catalog`, if it does not. A matter made not
/// bookable keeps its bookings (no new ones come); a new slot grid keeps
/// every visit that still lies within the opening hours.
pub fn strand_reason(catalog: &Catalog, booking: &Booking) -> Option<StrandReason> {
    let Some(service) = catalog.services.iter().find(|s| s.id == booking.service_id) else {
        return Some(StrandReason::ServiceRemoved);
    };
    if service.department_id != booking.department_id {
        return Some(StrandReason::MovedDepartment);
    }
    let Some(department) = catalog
        .departments
        .iter()
        .find(|d| d.id == booking.department_id)
    else {
        return Some(StrandReason::ServiceRemoved);
    };
    let office = &catalog.office;
    let date = local_date(office, booking.start);
    if !is_open_on(office, department, date) {
        return Some(StrandReason::DayClosed);
    }
    let tz = office.time_zone;
    let (start, end) = (
        booking.start.with_timezone(&tz),
        booking.end.with_timezone(&tz),
    );
    let within = end.date_naive() == date
        && department
            .hours
            .on(chrono::Datelike::weekday(&date))
            .iter()
            .any(|r| r.from <= start.time() && end.time() <= r.to);
    if !within {
        return Some(StrandReason::OutsideHours);
    }
    let clerk_kept = booking.clerk.as_ref().is_none_or(|booked| {
        department
            .clerks
            .iter()
            .any(|c| c.id == booked.id && c.handles(&booking.service_id))
    });
    (!clerk_kept).then_some(StrandReason::ClerkGone)
}

/// The open bookings `catalog` leaves without a place, in order of start.
pub fn stranded(catalog: &Catalog, bookings: &[Booking], now: DateTime<Utc>) -> Vec<Stranded> {
    let mut found: Vec<Stranded> = bookings
        .iter()
        .filter(|b| is_open(b, now))
        .filter_map(|b| {
            Some(Stranded {
                booking_id: b.id.to_string(),
                public_ref: b.public_ref.clone(),
                service_id: b.service_id.clone(),
                start: b.start,
                reason: strand_reason(catalog, b)?,
            })
        })
        .collect();
    found.sort_by_key(|s| s.start);
    found
}

/// A change refused because bookings already made rely on what it removes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Refusal {
    /// Fewer online desks than a capacity unit already holds bookings for.
    CapacityBelowBooked {
        department_id: DepartmentId,
        unit: DateTime<Utc>,
        booked: i64,
        desks_online: u32,
    },
    /// A lower weekly cap than a week already holds bookings for.
    WeeklyCapBelowBooked {
        department_id: DepartmentId,
        week: String,
        booked: i64,
        weekly_online_cap: u32,
    },
    /// A new unit length while bookings hold units of the old one (their
    /// counters would no longer line up with new bookings' units).
    SlotLengthInUse {
        department_id: DepartmentId,
        open_bookings: usize,
    },
}

/// What a department holds already: its open bookings from now on, and its
/// unit and week counters that are still to come.
#[derive(Debug, Clone, Default)]
pub struct Held {
    pub open_bookings: usize,
    /// Capacity units still to come and how many bookings hold each.
    pub units: Vec<(DateTime<Utc>, i64)>,
    /// ISO weeks from this one on and how many bookings count in each.
    pub weeks: Vec<(String, i64)>,
}

/// The first reason to refuse changing `before` to `after` for one
/// department, given what it holds.
pub fn refusal(before: &Department, after: &Department, held: &Held) -> Option<Refusal> {
    if before.slot_minutes != after.slot_minutes && held.open_bookings > 0 {
        return Some(Refusal::SlotLengthInUse {
            department_id: after.id.clone(),
            open_bookings: held.open_bookings,
        });
    }
    if let Some((unit, booked)) = held
        .units
        .iter()
        .find(|(_, booked)| *booked > i64::from(after.desks_online))
    {
        return Some(Refusal::CapacityBelowBooked {
            department_id: after.id.clone(),
            unit: *unit,
            booked: *booked,
            desks_online: after.desks_online,
        });
    }
    let cap = after.weekly_online_cap?;
    let (week, booked) = held
        .weeks
        .iter()
        .find(|(_, booked)| *booked > i64::from(cap))?;
    Some(Refusal::WeeklyCapBelowBooked {
        department_id: after.id.clone(),
        week: week.clone(),
        booked: *booked,
        weekly_online_cap: cap,
    })
}

/// The days an office's open bookings can fall on: from `today` to the
/// farthest horizon of `catalog` (bookings beyond it cannot exist).
pub fn booking_days(catalog: &Catalog, today: NaiveDate) -> (NaiveDate, NaiveDate) {
    (
        today,
        today + chrono::Duration::days(i64::from(catalog.max_horizon_days())),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::booking::tests::booking as booking_with;
    use crate::domain::catalog::OpeningRange;
    use crate::domain::schedule::tests::{department, office, service};
    use chrono::NaiveTime;

    fn at(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn catalog_fixture() -> Catalog {
        Catalog {
            office: office(),
            departments: vec![department()],
            services: vec![service(15)],
        }
    }

    /// Wednesday 25 November 2026, 10:00–10:15 Warsaw, confirmed.
    fn open_booking() -> Booking {
        booking_with(BookingStatus::Confirmed)
    }

    #[test]
    fn a_booking_within_the_new_hours_fits_and_one_outside_them_is_stranded() {
        let mut catalog = catalog_fixture();
        let b = open_booking();
        assert_eq!(strand_reason(&catalog, &b), None);
        catalog.departments[0].hours.wed = vec![OpeningRange {
            from: at(12, 0),
            to: at(16, 0),
        }];
        assert_eq!(
            strand_reason(&catalog, &b),
            Some(StrandReason::OutsideHours)
        );
        catalog.departments[0].hours.wed = vec![
            OpeningRange {
                from: at(8, 0),
                to: at(10, 5),
            },
            OpeningRange {
                from: at(10, 5),
                to: at(12, 0),
            },
        ];
        assert_eq!(
            strand_reason(&catalog, &b),
            Some(StrandReason::OutsideHours),
            "split across two ranges"
        );
    }

    #[test]
    fn a_closure_a_removed_matter_or_a_moved_one_strands_its_bookings() {
        let catalog = catalog_fixture();
        let b = open_booking();
        let mut closed = catalog.clone();
        closed.departments[0].closed_on.push(b.local_date);
        assert_eq!(strand_reason(&closed, &b), Some(StrandReason::DayClosed));
        let mut later = catalog.clone();
        later.departments[0].opens_on = b.local_date.succ_opt();
        assert_eq!(strand_reason(&later, &b), Some(StrandReason::DayClosed));
        let mut removed = catalog.clone();
        removed.services.retain(|s| s.id != b.service_id);
        assert_eq!(
            strand_reason(&removed, &b),
            Some(StrandReason::ServiceRemoved)
        );
        let mut not_bookable = catalog.clone();
        for s in &mut not_bookable.services {
            s.bookable = false;
        }
        assert_eq!(strand_reason(&not_bookable, &b), None, "bookings made stay");
    }

    #[test]
    fn a_booking_whose_named_clerk_is_gone_or_no_longer_handles_its_matter_is_stranded() {
        use crate::domain::booking::BookedClerk;
        use crate::domain::catalog::NamedClerk;
        use crate::domain::ids::ClerkId;
        let anna = NamedClerk {
            id: ClerkId::parse("anna").unwrap(),
            name: "Anna".into(),
            services: vec![service(15).id],
            staff_id: None,
        };
        let mut catalog = catalog_fixture();
        catalog.departments[0].clerks = vec![anna.clone()];
        let b = Booking {
            clerk: Some(BookedClerk::from(&anna)),
            ..open_booking()
        };
        assert_eq!(strand_reason(&catalog, &b), None);
        assert_eq!(
            strand_reason(&catalog, &open_booking()),
            None,
            "a booking with any clerk needs none"
        );
        let mut other_matter = catalog.clone();
        other_matter.departments[0].clerks[0].services.clear();
        assert_eq!(
            strand_reason(&other_matter, &b),
            Some(StrandReason::ClerkGone)
        );
        let mut gone = catalog.clone();
        gone.departments[0].clerks.clear();
        assert_eq!(strand_reason(&gone, &b), Some(StrandReason::ClerkGone));
    }

    #[test]
    fn only_open_bookings_are_listed_and_in_order_of_start() {
        let mut catalog = catalog_fixture();
        let first = open_booking();
        let mut later = open_booking();
        later.start += chrono::Duration::hours(1);
        later.end += chrono::Duration::hours(1);
        let mut cancelled = open_booking();
        cancelled.status = BookingStatus::Cancelled;
        catalog.departments[0].closed_on.push(first.local_date);
        let now = first.start - chrono::Duration::days(1);
        let listed = stranded(&catalog, &[later.clone(), cancelled, first.clone()], now);
        let starts: Vec<_> = listed.iter().map(|s| s.start).collect();
        assert_eq!(starts, vec![first.start, later.start]);
        assert!(
            stranded(&catalog, std::slice::from_ref(&first), first.end).is_empty(),
            "over"
        );
    }

    #[test]
    fn capacity_or_a_weekly_cap_below_what_is_booked_and_a_new_unit_length_in_use_are_refused() {
        let catalog = catalog_fixture();
        let before = catalog.departments[0].clone();
        let unit = open_booking().start;
        let held = Held {
            open_bookings: 2,
            units: vec![(unit, 2)],
            weeks: vec![("2026-W48".into(), 2)],
        };
        let mut after = before.clone();
        after.desks_online = 2;
        after.weekly_online_cap = Some(2);
        assert_eq!(refusal(&before, &after, &held), None);
        after.desks_online = 1;
        assert!(matches!(
            refusal(&before, &after, &held),
            Some(Refusal::CapacityBelowBooked { booked: 2, .. })
        ));
        after.desks_online = 3;
        after.weekly_online_cap = Some(1);
        assert!(matches!(
            refusal(&before, &after, &held),
            Some(Refusal::WeeklyCapBelowBooked { booked: 2, .. })
        ));
        after.weekly_online_cap = None;
        after.slot_minutes = before.slot_minutes * 2;
        assert!(matches!(
            refusal(&before, &after, &held),
            Some(Refusal::SlotLengthInUse { .. })
        ));
        assert_eq!(refusal(&before, &after, &Held::default()), None);
    }
}
