//! An office's statistics per day and matter (seed 001: how many were
//! offered, booked, came, did not come; how long people waited): counted
//! from the day's bookings and tickets, which carry no personal data once
//! purged, and kept as one row per day and matter after they are gone. Pure.

use crate::domain::booking::BookingStatus;
use crate::domain::catalog::Catalog;
use crate::domain::ids::ServiceId;
use crate::domain::kiosk::{Ticket, TicketKind};
use crate::domain::schedule::day_slots;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What statistics need of a booking (a purged one still has it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingFacts {
    pub service_id: ServiceId,
    pub status: BookingStatus,
    /// Whether it was confirmed at some point (cancelled later or not).
    pub was_confirmed: bool,
}

/// One day and one matter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayStatistics {
    pub date: NaiveDate,
    pub service_id: String,
    /// Seats offered online: the matter's slots that day by the opening
    /// hours, times the desks offered online (the department's desks are
    /// shared by its matters, so these add up to more than the desks).
    pub offered: u32,
    /// Bookings made for the day (every hold, whatever became of it).
    pub booked: u32,
    /// Of them, confirmed by link, code or a clerk.
    pub confirmed: u32,
    /// Came and took a ticket with their code.
    pub redeemed: u32,
    pub no_show: u32,
    /// Holds nobody confirmed within the hour.
    pub expired: u32,
    pub cancelled: u32,
    /// Came after the kiosk window and gave the slot up.
    pub resigned: u32,
    /// Tickets without a booking.
    pub walk_ins: u32,
    /// Tickets called at least once, and their waits from ticket to first call.
    pub waits: u32,
    pub wait_seconds_total: i64,
    /// Visits finished at a desk, and their length from the (last) call.
    pub services: u32,
    pub service_seconds_total: i64,
}

impl DayStatistics {
    /// The average wait in whole seconds, if anyone was called.
    pub fn average_wait_seconds(&self) -> Option<i64> {
        (self.waits > 0).then(|| self.wait_seconds_total / i64::from(self.waits))
    }

    /// The average service time in whole seconds, if any visit was finished.
    pub fn average_service_seconds(&self) -> Option<i64> {
        (self.services > 0).then(|| self.service_seconds_total / i64::from(self.services))
    }
}

/// The statistics of `date` per matter: every bookable matter of `catalog`
/// (with what it offered), and any other that had bookings or tickets.
pub fn count_day(
    catalog: &Catalog,
    date: NaiveDate,
    bookings: &[BookingFacts],
    tickets: &[Ticket],
) -> Vec<DayStatistics> {
    let mut rows: BTreeMap<String, DayStatistics> = BTreeMap::new();
    let row = |rows: &mut BTreeMap<String, DayStatistics>, service: &str| {
        rows.entry(service.to_owned())
            .or_insert_with(|| DayStatistics {
                date,
                service_id: service.to_owned(),
                ..DayStatistics::default()
            })
            .clone()
    };
    for service in &catalog.services {
        let Some((department, _)) = catalog.service(&service.id) else {
            continue;
        };
        let slots = day_slots(&catalog.office, department, service, date).len();
        let offered = u32::try_from(slots)
            .unwrap_or(u32::MAX)
            .saturating_mul(department.desks_online);
        if offered > 0 {
            let mut r = row(&mut rows, service.id.as_str());
            r.offered = offered;
            rows.insert(service.id.to_string(), r);
        }
    }
    for b in bookings {
        let mut r = row(&mut rows, b.service_id.as_str());
        r.booked += 1;
        r.confirmed += u32::from(b.was_confirmed);
        match b.status {
            BookingStatus::Redeemed => r.redeemed += 1,
            BookingStatus::NoShow => r.no_show += 1,
            BookingStatus::Expired => r.expired += 1,
            BookingStatus::Cancelled => r.cancelled += 1,
            BookingStatus::Resigned => r.resigned += 1,
            BookingStatus::Pending | BookingStatus::Confirmed => {}
        }
        rows.insert(b.service_id.to_string(), r);
    }
    for t in tickets {
        let mut r = row(&mut rows, t.service_id.as_str());
        r.walk_ins += u32::from(t.number.kind == TicketKind::WalkIn);
        if let Some(call) = &t.call {
            r.waits += 1;
            r.wait_seconds_total += (call.first_at - t.issued_at).num_seconds().max(0);
            if let Some(length) = call.service_time() {
                r.services += 1;
                r.service_seconds_total += length.num_seconds().max(0);
            }
        }
        rows.insert(t.service_id.to_string(), r);
    }
    rows.into_values().collect()
}

/// The rows as CSV (RFC 4180, a header line, CRLF), averages in whole seconds.
pub fn to_csv(rows: &[DayStatistics]) -> String {
    let mut out = String::from(
        "date,service_id,offered,booked,confirmed,redeemed,no_show,expired,cancelled,resigned,walk_ins,average_wait_seconds,average_service_seconds\r\n",
    );
    let optional = |v: Option<i64>| v.map(|s| s.to_string()).unwrap_or_default();
    for r in rows {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{}\r\n",
            r.date,
            csv_field(&r.service_id),
            r.offered,
            r.booked,
            r.confirmed,
            r.redeemed,
            r.no_show,
            r.expired,
            r.cancelled,
            r.resigned,
            r.walk_ins,
            optional(r.average_wait_seconds()),
            optional(r.average_service_seconds()),
        ));
    }
    out
}

/// A field quoted when it holds a comma, a quote or a line break.
fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::{DepartmentId, OfficeId};
    use crate::domain::kiosk::{Call, DeskId, TicketNumber, TicketStatus};
    use crate::domain::schedule::tests::{department, office, service};
    use chrono::{Duration, TimeZone, Utc};

    fn catalog() -> Catalog {
        Catalog {
            office: office(),
            departments: vec![department()],
            services: vec![service(15)],
        }
    }

    fn facts(status: BookingStatus, was_confirmed: bool) -> BookingFacts {
        BookingFacts {
            service_id: ServiceId::parse("id-card").unwrap(),
            status,
            was_confirmed,
        }
    }

    fn ticket(walk_in: bool, wait_minutes: Option<i64>, service_minutes: Option<i64>) -> Ticket {
        let issued_at = Utc.with_ymd_and_hms(2026, 11, 25, 8, 0, 0).unwrap();
        Ticket {
            number: TicketNumber {
                group: Default::default(),
                kind: if walk_in {
                    TicketKind::WalkIn
                } else {
                    TicketKind::Booked
                },
                n: 1,
            },
            office_id: OfficeId::parse("olsztyn").unwrap(),
            date: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
            department_id: DepartmentId::parse("ids").unwrap(),
            service_id: ServiceId::parse("id-card").unwrap(),
            booking_id: None,
            appointment: None,
            issued_at,
            status: TicketStatus::Served,
            call: wait_minutes.map(|w| {
                let at = issued_at + Duration::minutes(w);
                Call {
                    desk: DeskId::parse("3").unwrap(),
                    first_at: at,
                    last_at: at,
                    count: 1,
                    finished_at: service_minutes.map(|s| at + Duration::minutes(s)),
                }
            }),
            clerk_id: None,
        }
    }

    #[test]
    fn a_scripted_day_is_counted_per_matter() {
        // Wednesday 25 November 2026: 7:30–15:30 in 15-minute slots, 3 desks.
        let date = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let bookings = [
            facts(BookingStatus::Redeemed, true),
            facts(BookingStatus::Redeemed, true),
            facts(BookingStatus::NoShow, true),
            facts(BookingStatus::Expired, false),
            facts(BookingStatus::Cancelled, true),
            facts(BookingStatus::Cancelled, false),
            facts(BookingStatus::Confirmed, true),
        ];
        let tickets = [
            ticket(false, Some(4), Some(10)),
            ticket(false, Some(6), Some(14)),
            ticket(true, Some(20), None),
            ticket(true, None, None),
        ];
        let rows = count_day(&catalog(), date, &bookings, &tickets);
        assert_eq!(rows.len(), 1);
        let r = &rows[0];
        assert_eq!(
            (
                r.offered,
                r.booked,
                r.confirmed,
                r.redeemed,
                r.no_show,
                r.expired,
                r.cancelled
            ),
            (32 * 3, 7, 5, 2, 1, 1, 2)
        );
        assert_eq!(r.walk_ins, 2);
        assert_eq!(
            r.average_wait_seconds(),
            Some(10 * 60),
            "(4 + 6 + 20) / 3 minutes"
        );
        assert_eq!(r.average_service_seconds(), Some(12 * 60));
        let csv = to_csv(&rows);
        assert_eq!(
            csv.lines().nth(1),
            Some("2026-11-25,id-card,96,7,5,2,1,1,2,0,2,600,720")
        );
    }

    #[test]
    fn a_closed_day_offers_nothing_and_lists_only_matters_with_activity() {
        let sunday = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        assert!(count_day(&catalog(), sunday, &[], &[]).is_empty());
        let rows = count_day(&catalog(), sunday, &[], &[ticket(true, None, None)]);
        assert_eq!((rows[0].offered, rows[0].walk_ins), (0, 1));
        assert_eq!(rows[0].average_wait_seconds(), None);
        assert!(to_csv(&rows).lines().nth(1).unwrap().ends_with(",1,,"));
    }

    #[test]
    fn csv_fields_with_commas_or_quotes_are_quoted() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("plain"), "plain");
    }
}
