//! Which ticket a free desk calls next (seeds 000, 004): booked clients whose
//! appointment time has come go first, walk-ins in arrival order otherwise, and
//! walk-ins are never starved. Pure; the queue function applies it under a
//! conditional write so two desks never call the same ticket.

use crate::domain::kiosk::{DeskGroup, Ticket, TicketKind, TicketStatus};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How a department's queue is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallRule {
    /// After this many booked tickets in a row, a waiting walk-in is called.
    pub walk_in_after_booked: u32,
    /// Any ticket waiting longer than this is called before all others.
    pub max_wait_minutes: u32,
}

impl Default for CallRule {
    /// One walk-in after every three booked clients; nobody waits over 60 minutes.
    fn default() -> Self {
        Self {
            walk_in_after_booked: 3,
            max_wait_minutes: 60,
        }
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
}

/// The ticket a desk serving `groups` calls at `now`, from the office's
/// tickets of the day; `booked_in_a_row` counts the booked tickets called
/// since the last walk-in in those groups.
pub fn next_ticket<'t>(
    day: &'t [Ticket],
    groups: &[DeskGroup],
    booked_in_a_row: u32,
    rule: CallRule,
    now: DateTime<Utc>,
) -> Option<(&'t Ticket, CallReason)> {
    let waiting: Vec<&Ticket> = day
        .iter()
        .filter(|t| t.status == TicketStatus::Waiting && groups.contains(&t.number.group))
        .collect();
    let oldest = |tickets: &mut dyn Iterator<Item = &'t Ticket>| {
        tickets.min_by_key(|t| (t.issued_at, t.number.n))
    };
    let limit = Duration::minutes(i64::from(rule.max_wait_minutes));
    if let Some(t) = oldest(
        &mut waiting
            .iter()
            .copied()
            .filter(|t| now - t.issued_at > limit),
    ) {
        return Some((t, CallReason::WaitedTooLong));
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
    use crate::domain::kiosk::TicketNumber;

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
}
