//! When a service can be booked: opening hours, closures, the booking horizon,
//! minimum notice, the slot grid and the capacity units a slot occupies.
//!
//! All times are computed as instants (UTC) from office-local wall-clock rules,
//! so days with a daylight-saving change get the slots that really exist: the
//! spring-forward hour has none, the autumn hour that repeats has both.

use crate::domain::catalog::{Department, Office, Service};
use crate::domain::holidays::is_public_holiday;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Serialize;

/// One bookable interval of a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Slot {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// Why a start time cannot be booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SlotRefusal {
    #[error("this matter is not booked online")]
    NotBookable,
    #[error("the department does not take bookings before its opening date")]
    BeforeOpening,
    #[error("the date is further ahead than bookings are taken")]
    BeyondHorizon,
    #[error("the time is in the past or too soon to book")]
    TooSoon,
    #[error("the department is closed that day")]
    Closed,
    #[error("the time is not one of the service's slots")]
    NotOnGrid,
}

/// The office-local date of an instant.
pub fn local_date(office: &Office, at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&office.time_zone).date_naive()
}

/// The instant a local day begins at the office (the first instant that day
/// exists, should a clock change skip midnight).
pub fn local_midnight(office: &Office, day: NaiveDate) -> Option<DateTime<Utc>> {
    office
        .time_zone
        .from_local_datetime(&day.and_hms_opt(0, 0, 0)?)
        .earliest()
        .map(|at| at.with_timezone(&Utc))
}

/// The ISO week (`2026-W48`) of an instant, in office-local time: the weekly cap's period.
pub fn iso_week(office: &Office, at: DateTime<Utc>) -> String {
    let week = local_date(office, at).iso_week();
    format!("{}-W{:02}", week.year(), week.week())
}

/// Whether the department works on `date` at all.
pub fn is_open_on(office: &Office, department: &Department, date: NaiveDate) -> bool {
    department.opens_on.is_none_or(|first| date >= first)
        && !department.closed_on.contains(&date)
        && !is_public_holiday(office.country, date)
        && !department.hours.on(date.weekday()).is_empty()
}

/// Resolves a wall-clock time to an instant. Ambiguous times (autumn) take the
/// earlier instant for a range start and the later for a range end; times in the
/// spring gap move forward to the first time that exists.
fn resolve(tz: Tz, date: NaiveDate, time: NaiveTime, range_start: bool) -> DateTime<Utc> {
    let mut naive = date.and_time(time);
    for _ in 0..=180 {
        match tz.from_local_datetime(&naive) {
            chrono::LocalResult::Single(t) => return t.with_timezone(&Utc),
            chrono::LocalResult::Ambiguous(early, late) => {
                return if range_start { early } else { late }.with_timezone(&Utc);
            }
            chrono::LocalResult::None => naive += Duration::minutes(1),
        }
    }
    Utc.from_utc_datetime(&naive)
}

/// Every slot of `service` on `date` by the opening hours, ignoring the clock.
pub fn day_slots(
    office: &Office,
    department: &Department,
    service: &Service,
    date: NaiveDate,
) -> Vec<Slot> {
    if !service.bookable || service.visit_minutes == 0 || !is_open_on(office, department, date) {
        return Vec::new();
    }
    let length = Duration::minutes(i64::from(service.visit_minutes));
    let mut slots = Vec::new();
    for range in department.hours.on(date.weekday()) {
        let end = resolve(office.time_zone, date, range.to, false);
        let mut start = resolve(office.time_zone, date, range.from, true);
        while start + length <= end {
            slots.push(Slot {
                start,
                end: start + length,
            });
            start += length;
        }
    }
    slots
}

/// The capacity units (department-wide, `slot_minutes` long) a slot occupies.
/// Services of one department share desks, so a 30-minute visit takes two
/// 15-minute units that a 15-minute visit would take one of.
pub fn capacity_units(department: &Department, slot: &Slot) -> Vec<DateTime<Utc>> {
    let unit = Duration::minutes(i64::from(department.slot_minutes.max(1)));
    let mut units = Vec::new();
    let mut at = slot.start;
    while at < slot.end {
        units.push(at);
        at += unit;
    }
    units
}

/// The days and earliest instant a booking made at `now` may fall on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookingWindow {
    pub earliest_start: DateTime<Utc>,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
}

/// Horizon counts days from today in the office's zone (today is day 0);
/// notice is a duration from `now`.
pub fn booking_window(
    office: &Office,
    department: &Department,
    now: DateTime<Utc>,
) -> BookingWindow {
    let today = local_date(office, now);
    let first_day = department.opens_on.map_or(today, |d| d.max(today));
    BookingWindow {
        earliest_start: now + Duration::minutes(i64::from(department.min_notice_minutes)),
        first_day,
        last_day: today + Duration::days(i64::from(department.horizon_days)),
    }
}

/// The free-to-book slots of `date` as seen at `now` (capacity not considered).
pub fn bookable_slots(
    office: &Office,
    department: &Department,
    service: &Service,
    date: NaiveDate,
    now: DateTime<Utc>,
) -> Vec<Slot> {
    let window = booking_window(office, department, now);
    if date < window.first_day || date > window.last_day {
        return Vec::new();
    }
    let mut slots = day_slots(office, department, service, date);
    slots.retain(|s| s.start >= window.earliest_start);
    slots
}

/// The one check a booking's start time must pass, with the reason if it fails.
pub fn check_start(
    office: &Office,
    department: &Department,
    service: &Service,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Slot, SlotRefusal> {
    if !service.bookable {
        return Err(SlotRefusal::NotBookable);
    }
    let date = local_date(office, start);
    let window = booking_window(office, department, now);
    if department.opens_on.is_some_and(|first| date < first) {
        return Err(SlotRefusal::BeforeOpening);
    }
    if date > window.last_day {
        return Err(SlotRefusal::BeyondHorizon);
    }
    if start < window.earliest_start {
        return Err(SlotRefusal::TooSoon);
    }
    if !is_open_on(office, department, date) {
        return Err(SlotRefusal::Closed);
    }
    day_slots(office, department, service, date)
        .into_iter()
        .find(|s| s.start == start)
        .ok_or(SlotRefusal::NotOnGrid)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::catalog::{Country, OpeningRange, Text, WeeklyHours};
    use crate::domain::ids::{DepartmentId, OfficeId, ServiceId};
    use crate::domain::national_id::NationalIdKind;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }
    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }
    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }
    fn range(from: NaiveTime, to: NaiveTime) -> Vec<OpeningRange> {
        vec![OpeningRange { from, to }]
    }

    pub(crate) fn office() -> Office {
        Office {
            id: OfficeId::parse("olsztyn").unwrap(),
            name: Text::default(),
            address: "Plac Jana Pawła II 1".into(),
            country: Country::Pl,
            time_zone: chrono_tz::Europe::Warsaw,
            national_id: NationalIdKind::Pesel,
            person_rule: Default::default(),
            sms_countries: crate::domain::catalog::default_sms_countries(),
            limits: Default::default(),
        }
    }

    /// Olsztyn's hours: Mon 8:00–16:00, Tue–Fri 7:30–15:30.
    pub(crate) fn department() -> Department {
        let weekday = range(t(7, 30), t(15, 30));
        Department {
            id: DepartmentId::parse("ids").unwrap(),
            office_id: OfficeId::parse("olsztyn").unwrap(),
            name: Text::default(),
            location: Text::default(),
            opens_on: None,
            hours: WeeklyHours {
                mon: range(t(8, 0), t(16, 0)),
                tue: weekday.clone(),
                wed: weekday.clone(),
                thu: weekday.clone(),
                fri: weekday,
                ..WeeklyHours::default()
            },
            closed_on: vec![],
            horizon_days: 30,
            min_notice_minutes: 60,
            walk_up_notice_minutes: None,
            desks_online: 3,
            slot_minutes: 15,
            kiosk: Default::default(),
            weekly_online_cap: None,
            phone_registration: None,
            groups: vec![],
            clerks: vec![],
        }
    }

    pub(crate) fn service(minutes: u32) -> Service {
        Service {
            id: ServiceId::parse("id-card").unwrap(),
            office_id: OfficeId::parse("olsztyn").unwrap(),
            department_id: DepartmentId::parse("ids").unwrap(),
            group_id: None,
            name: Text::default(),
            description: Text::default(),
            required_documents: vec![],
            document_templates: vec![],
            visit_minutes: minutes,
            bookable: true,
            where_to_go: Text::default(),
            requires_application_number: false,
            allows_lost_document_report: false,
            walk_in: true,
        }
    }

    fn local_labels(office: &Office, slots: &[Slot]) -> Vec<String> {
        slots
            .iter()
            .map(|s| {
                s.start
                    .with_timezone(&office.time_zone)
                    .format("%H:%M")
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn a_walk_up_booking_has_the_shorter_notice_never_a_longer_one() {
        let mut d = department();
        assert_eq!(d.for_booking(true).min_notice_minutes, d.min_notice_minutes);
        d.walk_up_notice_minutes = Some(10);
        assert_eq!(d.for_booking(true).min_notice_minutes, 10);
        assert_eq!(
            d.for_booking(false).min_notice_minutes,
            d.min_notice_minutes
        );
        d.walk_up_notice_minutes = Some(600);
        assert_eq!(d.for_booking(true).min_notice_minutes, d.min_notice_minutes);
    }

    #[test]
    fn slots_follow_the_opening_hours_of_each_weekday() {
        let (o, d, s) = (office(), department(), service(30));
        let monday = day_slots(&o, &d, &s, date(2026, 11, 30));
        let tuesday = day_slots(&o, &d, &s, date(2026, 12, 1));
        assert_eq!(monday.len(), 16);
        assert_eq!(local_labels(&o, &monday)[0], "08:00");
        assert_eq!(local_labels(&o, &monday)[15], "15:30");
        assert_eq!(local_labels(&o, &tuesday)[0], "07:30");
        assert_eq!(local_labels(&o, &tuesday)[15], "15:00");
        assert!(
            day_slots(&o, &d, &s, date(2026, 11, 29)).is_empty(),
            "Sunday"
        );
    }

    #[test]
    fn several_ranges_a_day_leave_the_break_out_and_a_visit_never_overruns_a_range() {
        let (o, mut d, s) = (office(), department(), service(45));
        d.hours.mon = vec![
            OpeningRange {
                from: t(8, 0),
                to: t(10, 0),
            },
            OpeningRange {
                from: t(11, 0),
                to: t(12, 0),
            },
        ];
        let slots = day_slots(&o, &d, &s, date(2026, 11, 30));
        assert_eq!(local_labels(&o, &slots), ["08:00", "08:45", "11:00"]);
    }

    #[test]
    fn the_utc_offset_follows_daylight_saving_time() {
        let (o, d, s) = (office(), department(), service(15));
        // Friday 23 October 2026 is CEST (+02:00); Monday 26 October is CET (+01:00).
        assert_eq!(
            day_slots(&o, &d, &s, date(2026, 10, 23))[0].start,
            utc("2026-10-23T05:30:00Z")
        );
        assert_eq!(
            day_slots(&o, &d, &s, date(2026, 10, 26))[0].start,
            utc("2026-10-26T07:00:00Z")
        );
    }

    #[test]
    fn spring_forward_day_has_no_slots_in_the_missing_hour() {
        let (o, mut d, s) = (office(), department(), service(60));
        d.hours.sun = range(t(0, 0), t(6, 0));
        let slots = day_slots(&o, &d, &s, date(2026, 3, 29));
        assert_eq!(
            local_labels(&o, &slots),
            ["00:00", "01:00", "03:00", "04:00", "05:00"]
        );
        assert_eq!(
            slots
                .windows(2)
                .filter(|w| w[1].start - w[0].start != Duration::hours(1))
                .count(),
            0
        );
    }

    #[test]
    fn fall_back_day_has_the_repeated_hour_twice() {
        let (o, mut d, s) = (office(), department(), service(60));
        d.hours.sun = range(t(0, 0), t(6, 0));
        let slots = day_slots(&o, &d, &s, date(2026, 10, 25));
        assert_eq!(
            local_labels(&o, &slots),
            [
                "00:00", "01:00", "02:00", "02:00", "03:00", "04:00", "05:00"
            ]
        );
        assert_eq!(slots[2].start, utc("2026-10-25T00:00:00Z"));
        assert_eq!(slots[3].start, utc("2026-10-25T01:00:00Z"));
    }

    #[test]
    fn horizon_counts_days_from_today_in_the_office_zone() {
        let (o, mut d, s) = (office(), department(), service(15));
        d.horizon_days = 5;
        // Monday 23 November 2026, 10:00 in Warsaw.
        let now = utc("2026-11-23T09:00:00Z");
        assert!(
            check_start(&o, &d, &s, utc("2026-11-27T14:00:00Z"), now).is_ok(),
            "Friday, day 4"
        );
        assert_eq!(
            check_start(&o, &d, &s, utc("2026-11-30T07:00:00Z"), now),
            Err(SlotRefusal::BeyondHorizon)
        );
        assert!(
            bookable_slots(&o, &d, &s, date(2026, 11, 28), now).is_empty(),
            "Saturday, day 5, closed"
        );
        assert_eq!(
            check_start(&o, &d, &s, utc("2026-11-28T09:00:00Z"), now),
            Err(SlotRefusal::Closed)
        );
        // Just before midnight local the horizon still ends on day 5 of the local date.
        let late = utc("2026-11-23T22:59:00Z");
        assert_eq!(booking_window(&o, &d, late).last_day, date(2026, 11, 28));
        assert_eq!(
            booking_window(&o, &d, utc("2026-11-23T23:00:00Z")).last_day,
            date(2026, 11, 29)
        );
    }

    #[test]
    fn notice_is_measured_from_now_to_the_start() {
        let (o, d, s) = (office(), department(), service(15));
        let now = utc("2026-11-23T09:00:00Z"); // 10:00 local, notice 60 min
        assert!(
            check_start(&o, &d, &s, utc("2026-11-23T10:00:00Z"), now).is_ok(),
            "exactly 60 minutes"
        );
        assert_eq!(
            check_start(&o, &d, &s, utc("2026-11-23T09:45:00Z"), now),
            Err(SlotRefusal::TooSoon)
        );
        assert_eq!(
            check_start(&o, &d, &s, utc("2026-11-20T09:00:00Z"), now),
            Err(SlotRefusal::TooSoon)
        );
        let today = bookable_slots(&o, &d, &s, date(2026, 11, 23), now);
        assert_eq!(
            local_labels(&o, &today).first().map(String::as_str),
            Some("11:00")
        );
    }

    #[test]
    fn closures_holidays_opening_date_and_grid_are_enforced() {
        let (o, mut d, s) = (office(), department(), service(30));
        let now = utc("2026-11-23T09:00:00Z");
        d.closed_on = vec![date(2026, 12, 2)];
        d.opens_on = Some(date(2026, 12, 1));
        let cases = [
            ("2026-11-30T07:00:00Z", Err(SlotRefusal::BeforeOpening)),
            ("2026-12-01T06:30:00Z", Ok(())),
            ("2026-12-01T06:45:00Z", Err(SlotRefusal::NotOnGrid)),
            ("2026-12-01T14:30:00Z", Err(SlotRefusal::NotOnGrid)), // 15:30 local: ends after closing
            ("2026-12-02T06:30:00Z", Err(SlotRefusal::Closed)),
            ("2026-12-24T06:30:00Z", Err(SlotRefusal::BeyondHorizon)),
        ];
        for (start, expected) in cases {
            assert_eq!(
                check_start(&o, &d, &s, utc(start), now).map(|_| ()),
                expected,
                "{start}"
            );
        }
        d.horizon_days = 60;
        assert_eq!(
            check_start(&o, &d, &s, utc("2026-12-24T06:30:00Z"), now),
            Err(SlotRefusal::Closed),
            "Wigilia"
        );
        let mut walk_in = service(15);
        walk_in.bookable = false;
        assert_eq!(
            check_start(&o, &d, &walk_in, utc("2026-12-01T06:30:00Z"), now),
            Err(SlotRefusal::NotBookable)
        );
    }

    #[test]
    fn a_slot_occupies_one_capacity_unit_per_slot_minutes() {
        let (o, d) = (office(), department());
        let slot = day_slots(&o, &d, &service(45), date(2026, 12, 1))[0];
        let units = capacity_units(&d, &slot);
        assert_eq!(
            units,
            vec![
                slot.start,
                slot.start + Duration::minutes(15),
                slot.start + Duration::minutes(30)
            ]
        );
    }

    #[test]
    fn iso_weeks_are_counted_in_local_time() {
        let o = office();
        assert_eq!(iso_week(&o, utc("2026-11-29T22:59:00Z")), "2026-W48"); // Sunday 23:59 local
        assert_eq!(iso_week(&o, utc("2026-11-29T23:00:00Z")), "2026-W49"); // Monday 00:00 local
    }
}
