//! The hall's queue (seeds 000, 003, 004): which ticket a free desk calls
//! next — booked clients whose appointment time has come go first, walk-ins in
//! arrival order otherwise, and walk-ins are never starved —, when a ticket
//! called too often is missed, the desks open now, and the wait a newcomer
//! can expect. Pure; the queue function applies the rules under conditional
//! writes so two desks never call the same ticket.

use crate::domain::ids::ClerkId;
use crate::domain::kiosk::{
    DeskGroup, DeskId, Ticket, TicketKind, TicketStatus, WaitRange, estimate_wait,
};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How a department's queue is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallRule {
    /// After this many booked tickets in a row, a waiting walk-in is called.
    pub walk_in_after_booked: u32,
    /// Any ticket waiting longer than this is called before all others.
    pub max_wait_minutes: u32,
    /// A ticket called this many times without its holder coming is missed
    /// at the next recall.
    #[serde(default = "default_missed_after_calls")]
    pub missed_after_calls: u32,
}

fn default_missed_after_calls() -> u32 {
    3
}

impl Default for CallRule {
    /// One walk-in after every three booked clients; nobody waits over 60
    /// minutes; three calls, then missed.
    fn default() -> Self {
        Self {
            walk_in_after_booked: 3,
            max_wait_minutes: 60,
            missed_after_calls: default_missed_after_calls(),
        }
    }
}

/// What pressing "recall" does to a ticket called `calls` times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecallStep {
    /// Call it once more.
    CallAgain,
    /// It was called often enough: missed, and the desk is free.
    Missed,
}

impl CallRule {
    pub fn recall(&self, calls: u32) -> RecallStep {
        if calls >= self.missed_after_calls.max(1) {
            RecallStep::Missed
        } else {
            RecallStep::CallAgain
        }
    }
}

/// A desk of the day: open or closed, the desk groups it serves, and the
/// ticket it has called and not yet finished.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Desk {
    pub id: DeskId,
    pub open: bool,
    pub groups: Vec<DeskGroup>,
    /// The number of the ticket called here and not yet served or missed.
    pub current: Option<String>,
    /// The last ticket finished here and how.
    pub finished: Option<(String, TicketStatus)>,
    /// The staff account (token subject) that opened the desk: a named
    /// clerk's account makes it that clerk's desk.
    pub staff: Option<String>,
}

impl Desk {
    /// How much of this desk a group gets: a desk open for two groups
    /// counts half for each.
    pub fn share_of(&self, group: &DeskGroup) -> f64 {
        if self.open && self.groups.contains(group) {
            1.0 / self.groups.len() as f64
        } else {
            0.0
        }
    }
}

/// How many booked tickets of `groups` were called since the last walk-in
/// of those groups was (first) called.
pub fn booked_in_a_row(day: &[Ticket], groups: &[DeskGroup]) -> u32 {
    let mut called: Vec<(&Ticket, DateTime<Utc>)> = day
        .iter()
        .filter(|t| groups.contains(&t.number.group))
        .filter_map(|t| t.call.as_ref().map(|c| (t, c.first_at)))
        .collect();
    called.sort_by_key(|(t, at)| std::cmp::Reverse((*at, t.number.n)));
    called
        .iter()
        .take_while(|(t, _)| t.number.kind == TicketKind::Booked)
        .count() as u32
}

/// The load of one desk group now, as the hall's board shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupLoad {
    /// Tickets waiting to be called.
    pub waiting: u32,
    /// The open desks serving the group, each counted by its share.
    pub desks: f64,
    /// Minutes a visit takes: the average measured today, else `fallback`.
    pub service_minutes: f64,
    /// Whether `service_minutes` was measured today.
    pub measured: bool,
    /// What someone taking a ticket now can expect; `None` while no desk serves the group.
    pub wait: Option<WaitRange>,
}

/// The load of `group` from the day's tickets and desks; `fallback_minutes`
/// is the visit length of the group's matters, used until a visit was served today.
pub fn group_load(
    day: &[Ticket],
    desks: &[Desk],
    group: &DeskGroup,
    fallback_minutes: f64,
) -> GroupLoad {
    let in_group = || day.iter().filter(|t| &t.number.group == group);
    let waiting = in_group()
        .filter(|t| t.status == TicketStatus::Waiting)
        .count() as u32;
    let served: Vec<f64> = in_group()
        .filter(|t| t.status == TicketStatus::Served)
        .filter_map(|t| t.call.as_ref()?.service_time())
        .map(|d| d.num_milliseconds().max(0) as f64 / 60_000.0)
        .collect();
    let measured = !served.is_empty();
    let service_minutes = if measured {
        served.iter().sum::<f64>() / served.len() as f64
    } else {
        fallback_minutes
    };
    let capacity: f64 = desks.iter().map(|d| d.share_of(group)).sum();
    GroupLoad {
        waiting,
        desks: capacity,
        service_minutes,
        measured,
        wait: (capacity > 0.0).then(|| estimate_wait(waiting, service_minutes, capacity)),
    }
}

/// Why a ticket was chosen, for the desk's screen and the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallReason {
    /// It waited longer than the rule allows.
    WaitedTooLong,
    /// Booked clients were called `walk_in_after_booked` times in a row.
    WalkInsTurn,
    /// A booked client whose appointment time has come.
    Appointment,
    /// The next walk-in in arrival order.
    WalkIn,
    /// Nobody else waits: a booked client before their time.
    EarlyAppointment,
    /// A visit booked with the named clerk who works at this desk, whose
    /// time has come (seed 004).
    NamedClerk,
}

impl CallReason {
    pub fn as_str(self) -> &'static str {
        match self {
            CallReason::WaitedTooLong => "waited_too_long",
            CallReason::WalkInsTurn => "walk_ins_turn",
            CallReason::Appointment => "appointment",
            CallReason::WalkIn => "walk_in",
            CallReason::EarlyAppointment => "early_appointment",
            CallReason::NamedClerk => "named_clerk",
        }
    }
}

/// Who works as a named clerk at the hall's desks now (seed 004), as the
/// desk that calls sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClerksAtDesks {
    /// The named clerks the calling desk's staff account works as.
    pub here: Vec<ClerkId>,
    /// Each named clerk at an open desk (the calling one too), with every
    /// desk group such a desk serves.
    pub open: Vec<(ClerkId, DeskGroup)>,
}

impl ClerksAtDesks {
    /// From the day's desks and the office's named clerks with their staff
    /// accounts (`accounts`), for the desk `calling`.
    pub fn of(desks: &[Desk], calling: &DeskId, accounts: &[(ClerkId, String)]) -> Self {
        let clerks_of = |desk: &Desk| -> Vec<ClerkId> {
            let Some(staff) = desk.staff.as_deref() else {
                return Vec::new();
            };
            accounts
                .iter()
                .filter(|(_, account)| account == staff)
                .map(|(clerk, _)| clerk.clone())
                .collect()
        };
        let here = desks
            .iter()
            .find(|d| &d.id == calling)
            .map(clerks_of)
            .unwrap_or_default();
        let open = desks
            .iter()
            .filter(|d| d.open)
            .flat_map(|d| {
                let groups = d.groups.clone();
                clerks_of(d)
                    .into_iter()
                    .flat_map(move |c| groups.clone().into_iter().map(move |g| (c.clone(), g)))
            })
            .collect();
        Self { here, open }
    }

    /// Whether the calling desk may take `ticket`: anyone's ticket; one
    /// named for a clerk only at that clerk's desk while the clerk has an
    /// open desk for its group (else any desk, so nobody waits for a clerk
    /// who is not there).
    pub fn may_call(&self, ticket: &Ticket) -> bool {
        match &ticket.clerk_id {
            None => true,
            Some(clerk) => {
                self.here.contains(clerk)
                    || !self
                        .open
                        .iter()
                        .any(|(c, g)| c == clerk && g == &ticket.number.group)
            }
        }
    }

    /// Whether `ticket` is named for a clerk who works at the calling desk.
    pub fn is_here(&self, ticket: &Ticket) -> bool {
        ticket
            .clerk_id
            .as_ref()
            .is_some_and(|c| self.here.contains(c))
    }
}

/// The ticket a desk serving `groups` calls at `now`, from the office's
/// tickets of the day; `booked_in_a_row` counts the booked tickets called
/// since the last walk-in in those groups. No desk is a named clerk's (see
/// [`next_ticket_for`]).
pub fn next_ticket<'t>(
    day: &'t [Ticket],
    groups: &[DeskGroup],
    booked_in_a_row: u32,
    rule: CallRule,
    now: DateTime<Utc>,
) -> Option<(&'t Ticket, CallReason)> {
    next_ticket_for(
        day,
        groups,
        &ClerksAtDesks::default(),
        booked_in_a_row,
        rule,
        now,
    )
}

/// [`next_ticket`] at a desk of a hall where named clerks work (seed 004):
/// anyone waiting past the limit first, whoever they are named for (a
/// clerk's desk left open must not keep them forever); then the visits of
/// the clerk who works at this desk whose time has come; then the usual
/// order, leaving out the tickets of clerks who have an open desk for
/// them elsewhere. A named visit taken early waits, as any early one.
pub fn next_ticket_for<'t>(
    day: &'t [Ticket],
    groups: &[DeskGroup],
    clerks: &ClerksAtDesks,
    booked_in_a_row: u32,
    rule: CallRule,
    now: DateTime<Utc>,
) -> Option<(&'t Ticket, CallReason)> {
    let all_waiting = day
        .iter()
        .filter(|t| t.status == TicketStatus::Waiting && groups.contains(&t.number.group));
    let oldest = |tickets: &mut dyn Iterator<Item = &'t Ticket>| {
        tickets.min_by_key(|t| (t.issued_at, t.number.n))
    };
    let limit = Duration::minutes(i64::from(rule.max_wait_minutes));
    if let Some(t) = oldest(&mut all_waiting.clone().filter(|t| now - t.issued_at > limit)) {
        return Some((t, CallReason::WaitedTooLong));
    }
    let waiting: Vec<&Ticket> = all_waiting.filter(|t| clerks.may_call(t)).collect();
    if let Some(t) = waiting
        .iter()
        .copied()
        .filter(|t| clerks.is_here(t) && t.appointment.is_some_and(|at| at <= now))
        .min_by_key(|t| (t.appointment, t.number.n))
    {
        return Some((t, CallReason::NamedClerk));
    }
    let walk_in = oldest(
        &mut waiting
            .iter()
            .copied()
            .filter(|t| t.number.kind == TicketKind::WalkIn),
    );
    let booked = |due: bool| {
        waiting
            .iter()
            .copied()
            .filter(|t| t.number.kind == TicketKind::Booked)
            .filter(move |t| t.appointment.is_some_and(|at| at <= now) == due)
            .min_by_key(|t| (t.appointment, t.number.n))
    };
    if booked_in_a_row >= rule.walk_in_after_booked
        && let Some(t) = walk_in
    {
        return Some((t, CallReason::WalkInsTurn));
    }
    if let Some(t) = booked(true) {
        return Some((t, CallReason::Appointment));
    }
    if let Some(t) = walk_in {
        return Some((t, CallReason::WalkIn));
    }
    booked(false).map(|t| (t, CallReason::EarlyAppointment))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::booking::BookingStatus;
    use crate::domain::booking::tests::booking;
    use crate::domain::kiosk::{Call, TicketNumber};

    fn at(minutes: i64) -> DateTime<Utc> {
        booking(BookingStatus::Redeemed).start + Duration::minutes(minutes)
    }

    /// A waiting ticket of group A issued at minute `issued`; booked ones
    /// carry their appointment at minute `appointment`.
    fn ticket(kind: TicketKind, n: u32, issued: i64, appointment: Option<i64>) -> Ticket {
        let b = booking(BookingStatus::Redeemed);
        Ticket {
            number: TicketNumber {
                group: DeskGroup::parse("A").unwrap(),
                kind,
                n,
            },
            office_id: b.office_id,
            date: b.local_date,
            department_id: b.department_id,
            service_id: b.service_id,
            booking_id: None,
            appointment: appointment.map(at),
            issued_at: at(issued),
            status: TicketStatus::Waiting,
            call: None,
            clerk_id: None,
        }
    }

    fn call(day: &[Ticket], in_a_row: u32, now: i64) -> Option<(String, CallReason)> {
        next_ticket(
            day,
            &[DeskGroup::parse("A").unwrap()],
            in_a_row,
            CallRule::default(),
            at(now),
        )
        .map(|(t, why)| (t.number.to_string(), why))
    }

    use TicketKind::{Booked, WalkIn};

    #[test]
    fn a_booked_client_whose_time_has_come_goes_before_earlier_walk_ins() {
        let day = [
            ticket(WalkIn, 1, -20, None),
            ticket(Booked, 1, -10, Some(0)),
            ticket(Booked, 2, -15, Some(15)),
        ];
        assert_eq!(
            call(&day, 0, 0),
            Some(("RA001".into(), CallReason::Appointment))
        );
    }

    #[test]
    fn walk_ins_come_in_arrival_order_while_no_appointment_is_due() {
        let day = [
            ticket(WalkIn, 2, -5, None),
            ticket(WalkIn, 1, -8, None),
            ticket(Booked, 1, -10, Some(15)),
        ];
        assert_eq!(call(&day, 0, 0), Some(("A001".into(), CallReason::WalkIn)));
    }

    #[test]
    fn a_walk_in_is_called_after_the_set_number_of_booked_clients_in_a_row() {
        let day = [ticket(WalkIn, 1, -5, None), ticket(Booked, 1, -10, Some(0))];
        assert_eq!(
            call(&day, 2, 0),
            Some(("RA001".into(), CallReason::Appointment))
        );
        assert_eq!(
            call(&day, 3, 0),
            Some(("A001".into(), CallReason::WalkInsTurn))
        );
    }

    #[test]
    fn anyone_waiting_longer_than_the_limit_goes_first() {
        let day = [
            ticket(WalkIn, 1, -61, None),
            ticket(Booked, 1, -10, Some(0)),
        ];
        assert_eq!(
            call(&day, 0, 0),
            Some(("A001".into(), CallReason::WaitedTooLong))
        );
        let day = [
            ticket(WalkIn, 1, -60, None),
            ticket(Booked, 1, -10, Some(0)),
        ];
        assert_eq!(
            call(&day, 0, 0),
            Some(("RA001".into(), CallReason::Appointment))
        );
    }

    #[test]
    fn an_early_booked_client_is_called_when_nobody_else_waits() {
        let day = [
            ticket(Booked, 1, -5, Some(20)),
            ticket(Booked, 2, -6, Some(10)),
        ];
        assert_eq!(
            call(&day, 0, 0),
            Some(("RA002".into(), CallReason::EarlyAppointment))
        );
    }

    #[test]
    fn only_waiting_tickets_of_the_desks_groups_are_called() {
        let mut other = ticket(WalkIn, 1, -30, None);
        other.number.group = DeskGroup::parse("B").unwrap();
        let mut served = ticket(WalkIn, 2, -40, None);
        served.status = TicketStatus::Served;
        assert_eq!(call(&[other, served], 0, 0), None);
    }

    fn group(name: &str) -> DeskGroup {
        DeskGroup::parse(name).unwrap()
    }

    /// `ticket` as called at minute `called` and finished `minutes` later.
    fn called(mut t: Ticket, called: i64, served_after: Option<i64>) -> Ticket {
        t.status = if served_after.is_some() {
            TicketStatus::Served
        } else {
            TicketStatus::Called
        };
        t.call = Some(Call {
            desk: DeskId::parse("1").unwrap(),
            first_at: at(called),
            last_at: at(called),
            count: 1,
            finished_at: served_after.map(|m| at(called + m)),
        });
        t
    }

    /// One desk serving group A from minute 0, each visit `visit` minutes:
    /// every ticket in the order the desk calls it, with its wait in minutes.
    fn play_a_morning(mut day: Vec<Ticket>, rule: CallRule, visit: i64) -> Vec<(String, i64)> {
        let groups = [group("A")];
        let mut now = 0;
        let mut order = vec![];
        loop {
            let present: Vec<Ticket> = day
                .iter()
                .filter(|t| t.issued_at <= at(now))
                .cloned()
                .collect();
            let in_a_row = booked_in_a_row(&present, &groups);
            let Some((next, _)) = next_ticket(&present, &groups, in_a_row, rule, at(now)) else {
                let arrival = day
                    .iter()
                    .filter(|t| t.status == TicketStatus::Waiting)
                    .map(|t| t.issued_at)
                    .min();
                match arrival {
                    Some(next) => now = (next - at(0)).num_minutes(),
                    None => return order,
                }
                continue;
            };
            let number = next.number.clone();
            let slot = day.iter_mut().find(|t| t.number == number).unwrap();
            order.push((
                number.to_string(),
                now - (slot.issued_at - at(0)).num_minutes(),
            ));
            *slot = called(slot.clone(), now, Some(visit));
            now += visit;
        }
    }

    fn numbers(order: &[(String, i64)]) -> Vec<&str> {
        order.iter().map(|(n, _)| n.as_str()).collect()
    }

    fn walk_in_waits(order: &[(String, i64)]) -> Vec<i64> {
        order
            .iter()
            .filter(|(n, _)| !n.starts_with('R'))
            .map(|(_, w)| *w)
            .collect()
    }

    #[test]
    fn a_scripted_morning_is_called_in_the_order_computed_by_hand() {
        // Minutes after opening; booked: (number, arrived, appointment).
        let day = vec![
            ticket(WalkIn, 1, 0, None),
            ticket(WalkIn, 2, 2, None),
            ticket(Booked, 1, 0, Some(10)),  // early
            ticket(Booked, 2, 25, Some(20)), // late, still inside the window
            ticket(Booked, 3, 28, Some(30)), // on time
            ticket(Booked, 4, 15, Some(40)), // early
            ticket(WalkIn, 3, 30, None),
            ticket(Booked, 5, 45, Some(50)),
            ticket(WalkIn, 4, 50, None),
        ];
        let order = play_a_morning(day, CallRule::default(), 10);
        // 0: nobody due, the first walk-in; 10: RA001's time; 20: nobody due;
        // 30–50: three appointments in a row; 60: the walk-ins' turn; 70: RA005.
        assert_eq!(
            numbers(&order),
            [
                "A001", "RA001", "A002", "RA002", "RA003", "RA004", "A003", "RA005", "A004"
            ]
        );
        assert_eq!(walk_in_waits(&order), [0, 18, 30, 30]);
        assert!(walk_in_waits(&order).iter().all(|w| *w <= 60));
    }

    #[test]
    fn a_walk_in_is_called_at_the_first_free_desk_once_past_the_wait_limit() {
        // Appointments every 10 minutes keep the desk busy; the booked arrive
        // 5 minutes early; two walk-ins come at 0 and 12.
        let mut day: Vec<Ticket> = (0..8)
            .map(|i| {
                ticket(
                    Booked,
                    i + 1,
                    i64::from(i) * 10 - 5,
                    Some(i64::from(i) * 10),
                )
            })
            .collect();
        day.push(ticket(WalkIn, 1, 0, None));
        day.push(ticket(WalkIn, 2, 12, None));
        let rule = CallRule {
            walk_in_after_booked: 10,
            max_wait_minutes: 30,
            ..CallRule::default()
        };
        let order = play_a_morning(day.clone(), rule, 10);
        assert_eq!(
            numbers(&order),
            [
                "RA001", "RA002", "RA003", "RA004", "A001", "A002", "RA005", "RA006", "RA007",
                "RA008"
            ]
        );
        // Past 30 minutes, each is called at the next free desk: within one visit.
        assert_eq!(walk_in_waits(&order), [40, 38]);
        assert!(walk_in_waits(&order).iter().all(|w| *w <= 30 + 10));
        // Without the limit the same morning leaves them waiting for every appointment.
        let unlimited = CallRule {
            max_wait_minutes: 24 * 60,
            ..rule
        };
        assert_eq!(walk_in_waits(&play_a_morning(day, unlimited, 10)), [80, 78]);
    }

    #[test]
    fn booked_tickets_in_a_row_are_counted_since_the_last_walk_in_was_called() {
        let groups = [group("A")];
        let day = [
            called(ticket(Booked, 1, -30, Some(0)), 0, Some(5)),
            called(ticket(WalkIn, 1, -30, None), 5, Some(5)),
            called(ticket(Booked, 2, -30, Some(10)), 10, Some(5)),
            called(ticket(Booked, 3, -30, Some(15)), 15, None),
            ticket(Booked, 4, -30, Some(20)),
        ];
        assert_eq!(booked_in_a_row(&day, &groups), 2);
        assert_eq!(booked_in_a_row(&day[..2], &groups), 0);
        assert_eq!(booked_in_a_row(&day[..1], &groups), 1);
        assert_eq!(booked_in_a_row(&day, &[group("B")]), 0);
    }

    #[test]
    fn a_ticket_is_missed_at_the_recall_after_the_set_number_of_calls() {
        let rule = CallRule::default();
        assert_eq!(rule.recall(1), RecallStep::CallAgain);
        assert_eq!(rule.recall(2), RecallStep::CallAgain);
        assert_eq!(rule.recall(3), RecallStep::Missed);
        let once = CallRule {
            missed_after_calls: 1,
            ..rule
        };
        assert_eq!(once.recall(1), RecallStep::Missed);
    }

    fn desk(id: &str, open: bool, groups: &[&str]) -> Desk {
        Desk {
            id: DeskId::parse(id).unwrap(),
            open,
            groups: groups.iter().map(|g| group(g)).collect(),
            current: None,
            finished: None,
            staff: None,
        }
    }

    #[test]
    fn the_wait_comes_from_todays_service_times_and_the_desks_open_now() {
        let mut b_waiting = ticket(WalkIn, 9, -1, None);
        b_waiting.number.group = group("B");
        let day = [
            called(ticket(WalkIn, 1, -40, None), -30, Some(8)),
            called(ticket(Booked, 1, -40, Some(-20)), -20, Some(12)),
            called(ticket(WalkIn, 2, -40, None), -5, None),
            ticket(WalkIn, 3, -4, None),
            ticket(WalkIn, 4, -3, None),
            ticket(Booked, 2, -2, Some(10)),
            b_waiting,
        ];
        let desks = [
            desk("1", true, &["A"]),
            desk("2", true, &["A", "B"]),
            desk("3", false, &["A"]),
        ];
        // A: visits of 8 and 12 minutes average 10; desks 1 + ½ = 1.5; three
        // waiting: at least 3 × 10 / 1.5 = 20, at most 4 × 10 / 1.5 = 26.7 → 27.
        let a = group_load(&day, &desks, &group("A"), 15.0);
        assert_eq!(a.waiting, 3);
        assert!(a.measured);
        assert!((a.service_minutes - 10.0).abs() < 1e-9);
        assert!((a.desks - 1.5).abs() < 1e-9);
        assert_eq!(a.wait, Some(WaitRange { min: 20, max: 27 }));
        // B: nothing served yet, so the matters' 15 minutes; half a desk.
        let b = group_load(&day, &desks, &group("B"), 15.0);
        assert_eq!((b.waiting, b.measured), (1, false));
        assert_eq!(b.wait, Some(WaitRange { min: 30, max: 60 }));
        // No desk open for C: no estimate.
        assert_eq!(group_load(&day, &desks, &group("C"), 15.0).wait, None);
    }

    fn clerk(name: &str) -> ClerkId {
        ClerkId::parse(name).unwrap()
    }

    /// `t` booked with the named clerk `name`.
    fn named(mut t: Ticket, name: &str) -> Ticket {
        t.clerk_id = Some(clerk(name));
        t
    }

    /// The desk `id` opened (or not) by the staff account `staff` for `groups`.
    fn staffed(id: &str, open: bool, groups: &[&str], staff: &str) -> Desk {
        Desk {
            staff: Some(staff.into()),
            ..desk(id, open, groups)
        }
    }

    /// Anna works as `clerk.anna`, Piotr as `clerk.piotr`.
    fn accounts() -> Vec<(ClerkId, String)> {
        vec![
            (clerk("anna"), "clerk.anna".into()),
            (clerk("piotr"), "clerk.piotr".into()),
        ]
    }

    /// What the desk `calling` calls at minute `now` in a hall with `desks`.
    fn call_at(
        day: &[Ticket],
        desks: &[Desk],
        calling: &str,
        now: i64,
    ) -> Option<(String, CallReason)> {
        let clerks = ClerksAtDesks::of(desks, &DeskId::parse(calling).unwrap(), &accounts());
        next_ticket_for(day, &[group("A")], &clerks, 0, CallRule::default(), at(now))
            .map(|(t, why)| (t.number.to_string(), why))
    }

    #[test]
    fn the_desks_of_named_clerks_are_known_by_their_staff_accounts() {
        let desks = [
            staffed("1", true, &["A", "B"], "clerk.anna"),
            staffed("2", false, &["A"], "clerk.piotr"),
            staffed("3", true, &["A"], "someone.else"),
            desk("4", true, &["A"]),
        ];
        let at_1 = ClerksAtDesks::of(&desks, &DeskId::parse("1").unwrap(), &accounts());
        assert_eq!(at_1.here, [clerk("anna")]);
        assert_eq!(
            at_1.open,
            [(clerk("anna"), group("A")), (clerk("anna"), group("B"))],
            "a closed desk is nobody's"
        );
        let at_4 = ClerksAtDesks::of(&desks, &DeskId::parse("4").unwrap(), &accounts());
        assert!(at_4.here.is_empty());
        assert_eq!(at_4.open, at_1.open);
    }

    #[test]
    fn a_desk_staffed_by_the_named_clerk_takes_the_clerks_visits_before_others() {
        let day = [
            ticket(WalkIn, 1, -20, None),
            ticket(Booked, 1, -10, Some(-5)),
            named(ticket(Booked, 2, -5, Some(0)), "anna"),
        ];
        let desks = [
            staffed("1", true, &["A"], "clerk.anna"),
            desk("2", true, &["A"]),
        ];
        assert_eq!(
            call_at(&day, &desks, "1", 0),
            Some(("RA002".into(), CallReason::NamedClerk))
        );
        // The other desk takes the visit booked with nobody in particular.
        assert_eq!(
            call_at(&day, &desks, "2", 0),
            Some(("RA001".into(), CallReason::Appointment))
        );
    }

    #[test]
    fn other_desks_skip_a_visit_named_for_a_clerk_who_has_an_open_desk() {
        let day = [named(ticket(Booked, 1, -10, Some(0)), "anna")];
        let desks = [
            staffed("1", true, &["A"], "clerk.anna"),
            desk("2", true, &["A"]),
        ];
        assert_eq!(call_at(&day, &desks, "2", 0), None);
        // Piotr's desk does not take Anna's visit either.
        let desks = [
            staffed("1", true, &["A"], "clerk.anna"),
            staffed("2", true, &["A"], "clerk.piotr"),
        ];
        assert_eq!(call_at(&day, &desks, "2", 0), None);
        // Anna, busy with someone else, still has her desk open: the visit waits for her.
        let mut busy = staffed("1", true, &["A"], "clerk.anna");
        busy.current = Some("A001".into());
        assert_eq!(
            call_at(&day, &[busy, desk("2", true, &["A"])], "2", 0),
            None
        );
    }

    #[test]
    fn a_visit_named_for_a_clerk_without_an_open_desk_is_called_by_any_desk() {
        let day = [named(ticket(Booked, 1, -10, Some(0)), "anna")];
        for desks in [
            // Anna's desk is closed,
            vec![
                staffed("1", false, &["A"], "clerk.anna"),
                desk("2", true, &["A"]),
            ],
            // open only for another desk group,
            vec![
                staffed("1", true, &["B"], "clerk.anna"),
                desk("2", true, &["A"]),
            ],
            // or not opened today.
            vec![desk("2", true, &["A"])],
        ] {
            assert_eq!(
                call_at(&day, &desks, "2", 0),
                Some(("RA001".into(), CallReason::Appointment)),
                "{desks:?}"
            );
        }
    }

    #[test]
    fn a_named_visit_waiting_past_the_limit_is_called_by_any_desk() {
        let day = [
            named(ticket(Booked, 1, -61, Some(-50)), "anna"),
            ticket(Booked, 2, -10, Some(0)),
        ];
        let desks = [
            staffed("1", true, &["A"], "clerk.anna"),
            desk("2", true, &["A"]),
        ];
        assert_eq!(
            call_at(&day, &desks, "2", 0),
            Some(("RA001".into(), CallReason::WaitedTooLong))
        );
        assert_eq!(
            call_at(&day, &desks, "2", -2),
            Some(("RA002".into(), CallReason::EarlyAppointment)),
            "a minute before the limit it still waits for Anna"
        );
    }

    #[test]
    fn a_visit_named_for_a_clerk_taken_early_waits_like_any_early_one() {
        let day = [
            ticket(WalkIn, 1, -5, None),
            named(ticket(Booked, 1, -10, Some(20)), "anna"),
        ];
        let desks = [staffed("1", true, &["A"], "clerk.anna")];
        assert_eq!(
            call_at(&day, &desks, "1", 0),
            Some(("A001".into(), CallReason::WalkIn))
        );
        assert_eq!(
            call_at(&day[1..], &desks, "1", 0),
            Some(("RA001".into(), CallReason::EarlyAppointment))
        );
        assert_eq!(
            call_at(&day, &desks, "1", 20),
            Some(("RA001".into(), CallReason::NamedClerk)),
            "at the appointment it goes first"
        );
    }
}
