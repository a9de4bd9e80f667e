//! The day of the visit at the ticket machine (seeds 000, 001, 004): when a
//! booking's code is accepted, the ticket numbers, how long the wait may be,
//! and when a kiosk stops listening after wrong codes. Pure.

use crate::domain::booking::{Booking, BookingStatus};
use crate::domain::catalog::{Lang, Text};
use crate::domain::ids::{BookingId, ClerkId, DepartmentId, OfficeId, ServiceId};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

impl Booking {
    /// Whether a confirmed booking's kiosk window has closed at `now` without
    /// its code: it is a no-show (seed 002).
    pub fn no_show_due(&self, window: KioskWindow, now: DateTime<Utc>) -> bool {
        self.status == BookingStatus::Confirmed && now > window.closes(self.start)
    }
}

/// How no-shows block online booking at an office (seed 002): `strikes`
/// no-shows within `within_days` block the person for `block_days`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoShowRule {
    pub strikes: u32,
    pub within_days: u32,
    pub block_days: u32,
}

impl Default for NoShowRule {
    /// One no-show within 90 days blocks online booking for 30 days.
    fn default() -> Self {
        Self {
            strikes: 1,
            within_days: 90,
            block_days: 30,
        }
    }
}

impl NoShowRule {
    /// Until when (exclusive) the person is blocked after the no-shows at
    /// `strikes`, counted at `now`; `None` when the rule is not met. Strikes
    /// older than the window do not count, whatever the store still holds.
    pub fn blocked_until(
        &self,
        strikes: &[DateTime<Utc>],
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let since = now - Duration::days(i64::from(self.within_days));
        let counted = strikes.iter().filter(|at| **at > since).count();
        (self.strikes > 0 && counted >= self.strikes as usize)
            .then(|| now + Duration::days(i64::from(self.block_days)))
    }

    /// How long a strike must be kept to be counted.
    pub fn strike_lifetime(&self) -> Duration {
        Duration::days(i64::from(self.within_days))
    }
}

/// A ticket machine in an office's hall. Its signing secret is derived from
/// the key `key_id` names, its id and `generation` (see
/// `Keyring::kiosk_secret`), never stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KioskDevice {
    pub id: String,
    pub office_id: OfficeId,
    /// Raised to revoke the secret a kiosk holds.
    pub generation: u32,
    /// The key that was current when the kiosk was registered (a kiosk
    /// registered before keys had ids was registered with the first).
    #[serde(default = "first_key_id")]
    pub key_id: String,
    /// Off: the screen shows `message` and takes nothing.
    pub enabled: bool,
    /// Off: booked clients are still served, walk-ins see `message`.
    pub walk_ins_enabled: bool,
    /// The languages offered on the screen, the first by default.
    pub languages: Vec<Lang>,
    /// Shown when the kiosk or its walk-ins are off.
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub message: Text,
}

fn first_key_id() -> String {
    crate::domain::secrets::FIRST_KEY_ID.to_owned()
}

/// Where a ticket stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    /// In the hall, not yet called.
    Waiting,
    /// Called to a desk.
    Called,
    Served,
    /// Called too often without showing up.
    Missed,
}

impl TicketStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TicketStatus::Waiting => "waiting",
            TicketStatus::Called => "called",
            TicketStatus::Served => "served",
            TicketStatus::Missed => "missed",
        }
    }
}

/// A paper ticket from the kiosk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    pub number: TicketNumber,
    pub office_id: OfficeId,
    /// The office-local day the ticket is for.
    pub date: NaiveDate,
    pub department_id: DepartmentId,
    pub service_id: ServiceId,
    pub booking_id: Option<BookingId>,
    pub appointment: Option<DateTime<Utc>>,
    pub issued_at: DateTime<Utc>,
    pub status: TicketStatus,
    /// Once a desk called it.
    pub call: Option<Call>,
    /// The named clerk the visit was booked with (seed 004): that clerk's
    /// desk calls it (see [`crate::domain::queue::next_ticket_for`]).
    pub clerk_id: Option<ClerkId>,
}

/// A ticket's calls to a desk (seed 004): the first, the last (a recall),
/// how many, and when the visit ended (served or missed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub desk: DeskId,
    pub first_at: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
    pub count: u32,
    pub finished_at: Option<DateTime<Utc>>,
}

impl Call {
    /// How long the desk took once the person came: from the last call to the end.
    pub fn service_time(&self) -> Option<Duration> {
        self.finished_at.map(|end| end - self.last_at)
    }
}

/// A desk in the hall as staff name it: "3", "12", "3A".
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DeskId(String);

/// A desk id that breaks the rule of [`DeskId`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a desk is named by 1 to 8 letters A–Z or digits")]
pub struct InvalidDeskId;

impl DeskId {
    pub fn parse(raw: &str) -> Result<Self, InvalidDeskId> {
        let ok = (1..=8).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_alphanumeric());
        if ok {
            Ok(Self(raw.to_ascii_uppercase()))
        } else {
            Err(InvalidDeskId)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DeskId {
    type Error = InvalidDeskId;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<DeskId> for String {
    fn from(desk: DeskId) -> Self {
        desk.0
    }
}

impl fmt::Display for DeskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Ticket {
    /// How many waiting tickets of the same desk group are called before this
    /// one: booked clients go first (seed 000), each kind in number order.
    pub fn people_ahead(&self, day: &[Ticket]) -> u32 {
        let ahead = |other: &&Ticket| {
            other.number.group == self.number.group
                && other.status == TicketStatus::Waiting
                && match (self.number.kind, other.number.kind) {
                    (TicketKind::Booked, TicketKind::WalkIn) => false,
                    (TicketKind::WalkIn, TicketKind::Booked) => true,
                    _ => other.number.n < self.number.n,
                }
        };
        day.iter().filter(ahead).count() as u32
    }
}

/// When a booking's code is accepted, around the appointment's start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KioskWindow {
    pub before_minutes: u32,
    pub after_minutes: u32,
}

impl Default for KioskWindow {
    /// 30 minutes before the start to 10 minutes after it.
    fn default() -> Self {
        Self {
            before_minutes: 30,
            after_minutes: 10,
        }
    }
}

impl KioskWindow {
    /// The first instant the code is accepted.
    pub fn opens(&self, start: DateTime<Utc>) -> DateTime<Utc> {
        start - Duration::minutes(i64::from(self.before_minutes))
    }

    /// The last instant the code is accepted.
    pub fn closes(&self, start: DateTime<Utc>) -> DateTime<Utc> {
        start + Duration::minutes(i64::from(self.after_minutes))
    }
}

/// What typing a booking's code at the kiosk does at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedeemStep {
    /// Inside the window: issue the ticket.
    Issue,
    /// Redeemed before: hand out the same ticket again.
    SameTicket,
    /// Before the window: come back at `valid_from`.
    TooEarly { valid_from: DateTime<Utc> },
    /// After the window of a confirmed booking: it counts as resigned (seed 001).
    Resign,
    /// Resigned before (late): refused again.
    TooLate,
    /// Pending, cancelled, expired or no-show: there is no visit to join.
    NotConfirmed,
}

/// What the kiosk needs of a booking to hand out its ticket: the hall keeps
/// one per confirmed booking of the day, so a code is redeemed without
/// reading the booking itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrival {
    pub booking_id: BookingId,
    pub service_id: ServiceId,
    pub start: DateTime<Utc>,
    pub status: BookingStatus,
    /// The ticket's number once redeemed.
    pub ticket: Option<String>,
    /// The named clerk the visit was booked with: the ticket is theirs.
    pub clerk_id: Option<ClerkId>,
}

impl From<&Booking> for Arrival {
    fn from(b: &Booking) -> Self {
        Self {
            booking_id: b.id,
            service_id: b.service_id.clone(),
            start: b.start,
            status: b.status,
            ticket: b.ticket.clone(),
            clerk_id: b.clerk.as_ref().map(|c| c.id.clone()),
        }
    }
}

impl Booking {
    /// The rule for a code typed at the kiosk (see [`Arrival::redeem_step`]).
    pub fn redeem_step(&self, window: KioskWindow, now: DateTime<Utc>) -> RedeemStep {
        Arrival::from(self).redeem_step(window, now)
    }
}

impl Arrival {
    /// The rule for a code typed at the kiosk: both window ends are inclusive.
    pub fn redeem_step(&self, window: KioskWindow, now: DateTime<Utc>) -> RedeemStep {
        match self.status {
            BookingStatus::Redeemed => RedeemStep::SameTicket,
            BookingStatus::Resigned | BookingStatus::NoShow => RedeemStep::TooLate,
            BookingStatus::Confirmed if now < window.opens(self.start) => RedeemStep::TooEarly {
                valid_from: window.opens(self.start),
            },
            BookingStatus::Confirmed if now > window.closes(self.start) => RedeemStep::Resign,
            BookingStatus::Confirmed => RedeemStep::Issue,
            BookingStatus::Pending | BookingStatus::Cancelled | BookingStatus::Expired => {
                RedeemStep::NotConfirmed
            }
        }
    }
}

/// The letters of a group of desks, printed on its tickets ("A", "PJ").
/// One to three capital letters; not starting with `R`, which marks booked tickets.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DeskGroup(String);

/// A desk group name that breaks the rule of [`DeskGroup`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a desk group is 1 to 3 capital letters A–Z, not starting with R")]
pub struct InvalidDeskGroup;

impl DeskGroup {
    pub fn parse(raw: &str) -> Result<Self, InvalidDeskGroup> {
        let ok = (1..=3).contains(&raw.len())
            && raw.bytes().all(|b| b.is_ascii_uppercase())
            && !raw.starts_with('R');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidDeskGroup)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for DeskGroup {
    fn default() -> Self {
        Self("A".into())
    }
}

impl TryFrom<String> for DeskGroup {
    type Error = InvalidDeskGroup;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<DeskGroup> for String {
    fn from(group: DeskGroup) -> Self {
        group.0
    }
}

impl fmt::Display for DeskGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether a ticket was issued for a booking or for someone walking in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketKind {
    Booked,
    WalkIn,
}

impl TicketKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TicketKind::Booked => "booked",
            TicketKind::WalkIn => "walk_in",
        }
    }
}

/// A ticket's number within its office, day, desk group and kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketNumber {
    pub group: DeskGroup,
    pub kind: TicketKind,
    pub n: u32,
}

impl fmt::Display for TicketNumber {
    /// Booked tickets start with `R` (reserved), then the desk group, then
    /// three digits: `RA005`; walk-ins have no `R`: `A017`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = match self.kind {
            TicketKind::Booked => "R",
            TicketKind::WalkIn => "",
        };
        write!(f, "{prefix}{}{:03}", self.group, self.n)
    }
}

/// An estimated wait, in whole minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WaitRange {
    pub min: u32,
    pub max: u32,
}

/// The wait of someone with `people_ahead` before them at desks worth
/// `desks` (a desk serving two groups counts half for each) whose visits take
/// `visit_minutes`: at least the visits ahead shared by the desks, at most
/// that plus one more visit (the desks are all busy when they arrive).
/// No desk at all counts as one (a ticket printed before the desks open).
pub fn estimate_wait(people_ahead: u32, visit_minutes: f64, desks: f64) -> WaitRange {
    let desks = if desks > 0.0 { desks } else { 1.0 };
    let ahead = f64::from(people_ahead);
    // Whole minutes; the small slack keeps 29.999… from rounding away.
    let min = (ahead * visit_minutes / desks + 1e-9).floor();
    let max = ((ahead + 1.0) * visit_minutes / desks - 1e-9).ceil();
    WaitRange {
        min: min.max(0.0) as u32,
        max: max.max(0.0) as u32,
    }
}

/// How many wrong codes a kiosk may take in a window before it stops
/// listening for a while; nothing about which codes exist is revealed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lockout {
    pub max_wrong: u32,
    pub window: Duration,
    pub lock: Duration,
}

impl Lockout {
    /// Whether the `wrong`-th wrong code within one window locks the kiosk.
    pub fn locks_at(&self, wrong: u32) -> bool {
        wrong >= self.max_wrong
    }
}

/// Five wrong codes within five minutes lock the kiosk for five minutes.
pub const KIOSK_LOCKOUT: Lockout = Lockout {
    max_wrong: 5,
    window: Duration::minutes(5),
    lock: Duration::minutes(5),
};

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::booking::tests::booking;

    #[test]
    fn a_code_is_accepted_from_30_minutes_before_to_10_minutes_after_the_start() {
        let b = booking(BookingStatus::Confirmed);
        let window = KioskWindow::default();
        let second = Duration::seconds(1);
        let opens = b.start - Duration::minutes(30);
        let closes = b.start + Duration::minutes(10);
        assert_eq!(
            b.redeem_step(window, opens - second),
            RedeemStep::TooEarly { valid_from: opens }
        );
        assert_eq!(b.redeem_step(window, opens), RedeemStep::Issue);
        assert_eq!(b.redeem_step(window, b.start), RedeemStep::Issue);
        assert_eq!(b.redeem_step(window, closes), RedeemStep::Issue);
        assert_eq!(b.redeem_step(window, closes + second), RedeemStep::Resign);
    }

    #[test]
    fn the_window_is_configurable_per_department() {
        let b = booking(BookingStatus::Confirmed);
        let window = KioskWindow {
            before_minutes: 60,
            after_minutes: 0,
        };
        assert_eq!(
            b.redeem_step(window, b.start - Duration::minutes(60)),
            RedeemStep::Issue
        );
        assert_eq!(
            b.redeem_step(window, b.start + Duration::seconds(1)),
            RedeemStep::Resign
        );
    }

    #[test]
    fn only_a_confirmed_booking_gets_a_ticket_and_a_redeemed_one_gets_the_same_again() {
        let window = KioskWindow::default();
        for status in [
            BookingStatus::Pending,
            BookingStatus::Cancelled,
            BookingStatus::Expired,
        ] {
            let b = booking(status);
            assert_eq!(b.redeem_step(window, b.start), RedeemStep::NotConfirmed);
        }
        let b = booking(BookingStatus::Redeemed);
        assert_eq!(
            b.redeem_step(window, b.start + Duration::hours(3)),
            RedeemStep::SameTicket
        );
        let b = booking(BookingStatus::Resigned);
        assert_eq!(b.redeem_step(window, b.start), RedeemStep::TooLate);
    }

    #[test]
    fn ticket_numbers_show_booked_or_walk_in_and_the_desk_group() {
        let a = DeskGroup::parse("A").unwrap();
        let booked = TicketNumber {
            group: a.clone(),
            kind: TicketKind::Booked,
            n: 5,
        };
        let walk_in = TicketNumber {
            group: DeskGroup::parse("PJ").unwrap(),
            kind: TicketKind::WalkIn,
            n: 117,
        };
        assert_eq!(booked.to_string(), "RA005");
        assert_eq!(walk_in.to_string(), "PJ117");
    }

    #[test]
    fn desk_groups_are_short_capitals_that_cannot_be_read_as_booked() {
        for ok in ["A", "PJ", "ABC"] {
            assert!(DeskGroup::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a", "ABCD", "R", "RA", "A1", "Ä"] {
            assert_eq!(DeskGroup::parse(bad), Err(InvalidDeskGroup), "{bad}");
        }
    }

    pub(crate) fn ticket(kind: TicketKind, group: &str, n: u32) -> Ticket {
        let b = booking(BookingStatus::Redeemed);
        Ticket {
            number: TicketNumber {
                group: DeskGroup::parse(group).unwrap(),
                kind,
                n,
            },
            office_id: b.office_id.clone(),
            date: b.local_date,
            department_id: b.department_id.clone(),
            service_id: b.service_id.clone(),
            booking_id: None,
            appointment: None,
            issued_at: b.start,
            status: TicketStatus::Waiting,
            call: None,
            clerk_id: None,
        }
    }

    #[test]
    fn booked_clients_are_ahead_of_walk_ins_within_their_desk_group() {
        use TicketKind::{Booked, WalkIn};
        let day = [
            ticket(WalkIn, "A", 1),
            ticket(WalkIn, "A", 2),
            ticket(Booked, "A", 1),
            ticket(Booked, "A", 2),
            ticket(Booked, "B", 1),
            ticket(WalkIn, "B", 1),
        ];
        assert_eq!(ticket(Booked, "A", 2).people_ahead(&day), 1);
        assert_eq!(ticket(Booked, "A", 1).people_ahead(&day), 0);
        assert_eq!(ticket(WalkIn, "A", 2).people_ahead(&day), 3);
        assert_eq!(ticket(WalkIn, "A", 3).people_ahead(&day), 4);
        assert_eq!(ticket(WalkIn, "B", 1).people_ahead(&day), 1);
    }

    #[test]
    fn a_confirmed_booking_is_a_no_show_only_after_its_window_closes() {
        let window = KioskWindow::default();
        let b = booking(BookingStatus::Confirmed);
        let closes = b.start + Duration::minutes(10);
        assert!(!b.no_show_due(window, closes));
        assert!(b.no_show_due(window, closes + Duration::seconds(1)));
        for status in [
            BookingStatus::Redeemed,
            BookingStatus::Resigned,
            BookingStatus::Cancelled,
            BookingStatus::NoShow,
        ] {
            assert!(!booking(status).no_show_due(window, closes + Duration::hours(1)));
        }
    }

    #[test]
    fn no_shows_within_the_window_block_for_the_set_days() {
        let now = booking(BookingStatus::NoShow).start;
        let day = Duration::days(1);
        let rule = NoShowRule::default();
        assert_eq!(rule.blocked_until(&[now], now), Some(now + day * 30));
        assert_eq!(rule.blocked_until(&[], now), None);
        assert_eq!(
            rule.blocked_until(&[now - day * 91], now),
            None,
            "too old to count"
        );
        let two = NoShowRule {
            strikes: 2,
            within_days: 30,
            block_days: 14,
        };
        assert_eq!(two.blocked_until(&[now], now), None);
        assert_eq!(
            two.blocked_until(&[now - day * 10, now], now),
            Some(now + day * 14)
        );
        assert_eq!(two.blocked_until(&[now - day * 31, now], now), None);
    }

    #[test]
    fn the_fifth_wrong_code_locks_the_kiosk() {
        assert!(!KIOSK_LOCKOUT.locks_at(4));
        assert!(KIOSK_LOCKOUT.locks_at(5));
    }

    #[test]
    fn the_wait_grows_with_the_people_ahead_and_shrinks_with_the_desks() {
        assert_eq!(estimate_wait(0, 15.0, 2.0), WaitRange { min: 0, max: 8 });
        assert_eq!(estimate_wait(4, 15.0, 2.0), WaitRange { min: 30, max: 38 });
        assert_eq!(estimate_wait(4, 15.0, 0.0), WaitRange { min: 60, max: 75 });
        assert_eq!(estimate_wait(2, 10.0, 1.5), WaitRange { min: 13, max: 20 });
        assert_eq!(estimate_wait(1, 15.0, 0.5), WaitRange { min: 30, max: 60 });
    }
}
