//! The hall after the kiosk (seeds 000, 003, 004): clerks open desks for
//! desk groups and call, recall and finish tickets; everyone else sees the
//! queue now — waiting counts, the numbers being served and the wait a
//! newcomer can expect, from the service times measured today.

use crate::domain::audit::{AuditAction, AuditEntry};
use crate::domain::catalog::{Catalog, Department, Lang};
use crate::domain::ids::{ClerkId, OfficeId};
use crate::domain::kiosk::{Call, DeskGroup, DeskId, Ticket, TicketStatus};
use crate::domain::queue::{
    CallReason, CallRule, ClerksAtDesks, Desk, RecallStep, booked_in_a_row, group_load,
    next_ticket_for,
};
use crate::domain::schedule;
use crate::domain::staff::{Role, Staff};
use crate::service::input::{OpenDeskRequest, parse_desk};
use crate::service::views::{
    BoardCall, CalledTicket, ClerkRef, DepartmentRef, DeskGroupRef, DeskView, DesksView,
    FinishedTicket, GroupStatus, QueueStatus, Serving,
};
use crate::service::{Base, FieldError, MAX_ATTEMPTS, ServiceError, backoff};
use crate::store::queue::{CallRefusal, FinishRefusal, QueueDay};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use std::sync::Arc;

/// How many calls the board lists.
const BOARD_CALLS: usize = 10;

/// What a clerk does at a desk.
#[derive(Debug, Clone)]
pub enum DeskAction {
    Open(OpenDeskRequest),
    Close,
    CallNext,
    Recall,
    Served,
    Missed,
}

/// The queue of `office_id` now, for anyone: no personal data.
pub async fn queue_status(app: &Base, office_id: &OfficeId) -> Result<QueueStatus, ServiceError> {
    let catalog = app.catalog(office_id).await?;
    let now = app.clock.now();
    let date = schedule::local_date(&catalog.office, now);
    let day = app.store.queue_day(office_id, date).await?;
    let local = local_time(&catalog);
    let groups = desk_groups(&catalog)
        .into_iter()
        .map(|(group, departments)| {
            let load = group_load(
                &day.tickets,
                &day.desks,
                &group,
                visit_minutes(&catalog, &departments),
            );
            GroupStatus {
                desk_group: group.to_string(),
                departments: departments.iter().map(|d| department_ref(d)).collect(),
                waiting: load.waiting,
                desks_open: day
                    .desks
                    .iter()
                    .filter(|d| d.open && d.groups.contains(&group))
                    .map(|d| d.id.to_string())
                    .collect(),
                serving: day
                    .tickets
                    .iter()
                    .filter(|t| t.number.group == group && t.status == TicketStatus::Called)
                    .filter_map(|t| {
                        let call = t.call.as_ref()?;
                        Some(Serving {
                            ticket: t.number.to_string(),
                            desk: call.desk.to_string(),
                            called_at: local(call.last_at),
                        })
                    })
                    .collect(),
                wait_minutes: load.wait,
                service_minutes: load.service_minutes.round() as u32,
                measured: load.measured,
            }
        })
        .collect();
    let mut called: Vec<(&Ticket, &Call)> = day
        .tickets
        .iter()
        .filter_map(|t| t.call.as_ref().map(|c| (t, c)))
        .collect();
    called.sort_by_key(|(t, c)| std::cmp::Reverse((c.last_at, t.number.to_string())));
    Ok(QueueStatus {
        office_id: office_id.to_string(),
        office_name: catalog.office.name.clone(),
        languages: office_languages(&catalog),
        date,
        as_of: local(now),
        groups,
        calls: called
            .into_iter()
            .take(BOARD_CALLS)
            .map(|(t, c)| BoardCall {
                ticket: t.number.to_string(),
                desk: c.desk.to_string(),
                called_at: local(c.last_at),
                call: c.count,
            })
            .collect(),
    })
}

/// The desks of `office_id` today and the groups they can serve, for its clerks.
pub async fn desks(
    app: &Base,
    staff: &Staff,
    office_id: &OfficeId,
) -> Result<DesksView, ServiceError> {
    let hall = Hall::load(app, staff, office_id).await?;
    let mut desks = Vec::with_capacity(hall.day.desks.len());
    for desk in &hall.day.desks {
        desks.push(hall.desk_view(app, desk, hall.current(desk), None).await?);
    }
    Ok(DesksView {
        office_id: office_id.to_string(),
        date: hall.date,
        groups: desk_groups(&hall.catalog)
            .into_iter()
            .map(|(group, departments)| DeskGroupRef {
                desk_group: group.to_string(),
                departments: departments.iter().map(|d| department_ref(d)).collect(),
            })
            .collect(),
        desks,
    })
}

/// Does `action` at desk `desk` of `office_id`; answers the desk as it is then.
pub async fn desk_action(
    app: &Base,
    staff: &Staff,
    office_id: &OfficeId,
    desk: &str,
    action: DeskAction,
) -> Result<DeskView, ServiceError> {
    let desk_id = parse_desk(desk)?;
    for attempt in 0..MAX_ATTEMPTS {
        let hall = Hall::load(app, staff, office_id).await?;
        let step = match &action {
            DeskAction::Open(request) => {
                Step::Done(Box::new(open(app, &hall, &desk_id, request).await?))
            }
            DeskAction::Close => close(app, &hall, &desk_id).await?,
            DeskAction::CallNext => call_next(app, &hall, &desk_id).await?,
            DeskAction::Recall => recall(app, &hall, &desk_id).await?,
            DeskAction::Served => finish(app, &hall, &desk_id, TicketStatus::Served).await?,
            DeskAction::Missed => finish(app, &hall, &desk_id, TicketStatus::Missed).await?,
        };
        match step {
            Step::Done(view) => {
                audit_desk_action(app, staff, office_id, &action, &view).await?;
                return Ok(*view);
            }
            Step::Again => backoff(app, attempt).await,
        }
    }
    Err(ServiceError::Busy)
}

/// Records a desk action that happened in the office's audit log: which
/// desk, what was done and to which ticket (numbers only). Written after
/// the action's own write, which stays the one that counts.
async fn audit_desk_action(
    app: &Base,
    staff: &Staff,
    office_id: &OfficeId,
    action: &DeskAction,
    view: &DeskView,
) -> Result<(), ServiceError> {
    let name = match action {
        DeskAction::Open(_) => "open",
        DeskAction::Close => "close",
        DeskAction::CallNext => "call_next",
        DeskAction::Recall => "recall",
        DeskAction::Served => "served",
        DeskAction::Missed => "missed",
    };
    let ticket = view
        .current
        .as_ref()
        .map(|t| t.ticket.clone())
        .or_else(|| view.finished.as_ref().map(|t| t.ticket.clone()));
    let entry = AuditEntry {
        note: serde_json::json!({ "action": name, "ticket": ticket }),
        ..app.audit_entry(
            staff,
            office_id,
            AuditAction::DeskAction,
            format!("desk {}", view.desk),
        )
    };
    app.store.put_audit(&entry).await?;
    Ok(())
}

/// What one try of a desk action came to.
enum Step {
    Done(Box<DeskView>),
    /// The hall changed meanwhile: read it again and decide again.
    Again,
}

/// An office's hall today, as a clerk of the office reads it.
struct Hall {
    catalog: Arc<Catalog>,
    date: NaiveDate,
    now: DateTime<Utc>,
    day: QueueDay,
    /// Who acts at the desk.
    staff: Staff,
}

impl Hall {
    async fn load(app: &Base, staff: &Staff, office_id: &OfficeId) -> Result<Self, ServiceError> {
        if !staff.may(Role::Clerk, office_id) {
            return Err(ServiceError::Forbidden);
        }
        let catalog = app.catalog(office_id).await?;
        let now = app.clock.now();
        let date = schedule::local_date(&catalog.office, now);
        let day = app.store.queue_day(office_id, date).await?;
        Ok(Self {
            catalog,
            date,
            now,
            day,
            staff: staff.clone(),
        })
    }

    /// The office's named clerks and the staff accounts they work as.
    fn clerk_accounts(&self) -> Vec<(ClerkId, String)> {
        self.catalog
            .clerks()
            .filter_map(|c| Some((c.id.clone(), c.staff_id.clone()?)))
            .collect()
    }

    fn desk(&self, id: &DeskId) -> Option<&Desk> {
        self.day.desks.iter().find(|d| &d.id == id)
    }

    /// The open desk `id`, or why it can't act.
    fn open_desk(&self, id: &DeskId) -> Result<&Desk, ServiceError> {
        self.desk(id)
            .filter(|d| d.open)
            .ok_or(ServiceError::DeskClosed)
    }

    fn ticket(&self, number: &str) -> Option<&Ticket> {
        self.day
            .tickets
            .iter()
            .find(|t| t.number.to_string() == number)
    }

    /// The ticket called at `desk`, if there is one.
    fn current(&self, desk: &Desk) -> Option<&Ticket> {
        desk.current.as_deref().and_then(|n| self.ticket(n))
    }

    /// The rule of the department whose tickets carry `group`.
    fn rule_of(&self, group: Option<&DeskGroup>) -> CallRule {
        self.catalog
            .departments
            .iter()
            .find(|d| Some(&d.kiosk.desk_group) == group)
            .map(|d| d.kiosk.call_rule)
            .unwrap_or_default()
    }

    /// The desk as its clerk sees it, with the ticket called there
    /// (`current`) and, when it was just called, why.
    async fn desk_view(
        &self,
        app: &Base,
        desk: &Desk,
        current: Option<&Ticket>,
        reason: Option<CallReason>,
    ) -> Result<DeskView, ServiceError> {
        let local = local_time(&self.catalog);
        let view = match current {
            Some(ticket) => Some(self.called_ticket(app, ticket, reason, &local).await?),
            None => None,
        };
        Ok(DeskView {
            office_id: self.catalog.office.id.to_string(),
            date: self.date,
            desk: desk.id.to_string(),
            open: desk.open,
            groups: desk.groups.iter().map(ToString::to_string).collect(),
            current: view,
            finished: desk
                .finished
                .as_ref()
                .map(|(ticket, status)| FinishedTicket {
                    ticket: ticket.clone(),
                    status: *status,
                }),
            waiting: self
                .day
                .tickets
                .iter()
                .filter(|t| t.status == TicketStatus::Waiting)
                .filter(|t| desk.groups.contains(&t.number.group))
                .filter(|t| current.is_none_or(|c| c.number != t.number))
                .count() as u32,
        })
    }

    async fn called_ticket(
        &self,
        app: &Base,
        ticket: &Ticket,
        reason: Option<CallReason>,
        local: &impl Fn(DateTime<Utc>) -> DateTime<FixedOffset>,
    ) -> Result<CalledTicket, ServiceError> {
        let booking = match ticket.booking_id {
            Some(id) => app.store.get_booking(id).await?,
            None => None,
        };
        let service = self
            .catalog
            .services
            .iter()
            .find(|s| s.id == ticket.service_id);
        let call = ticket.call.as_ref();
        Ok(CalledTicket {
            ticket: ticket.number.to_string(),
            kind: ticket.number.kind,
            status: ticket.status,
            calls: call.map_or(0, |c| c.count),
            max_calls: self.rule_of(Some(&ticket.number.group)).missed_after_calls,
            called_at: local(call.map_or(self.now, |c| c.last_at)),
            issued_at: local(ticket.issued_at),
            appointment: ticket.appointment.map(local),
            department_id: ticket.department_id.to_string(),
            service_id: ticket.service_id.to_string(),
            service: service.map(|s| s.name.clone()).unwrap_or_default(),
            public_ref: booking.as_ref().map(|b| b.public_ref.clone()),
            clerk: booking
                .as_ref()
                .and_then(|b| b.clerk.as_ref())
                .map(ClerkRef::from),
            application_number: booking.and_then(|b| b.application_number),
            reason: reason.map(CallReason::as_str),
        })
    }
}

async fn open(
    app: &Base,
    hall: &Hall,
    desk: &DeskId,
    request: &OpenDeskRequest,
) -> Result<DeskView, ServiceError> {
    let groups = request.validate()?;
    let known: Vec<DeskGroup> = desk_groups(&hall.catalog)
        .into_iter()
        .map(|(g, _)| g)
        .collect();
    if let Some(unknown) = groups.iter().find(|g| !known.contains(g)) {
        return Err(FieldError::new(
            "groups",
            "unknown",
            format!("no department of this office issues {unknown} tickets"),
        )
        .into());
    }
    let opened = app
        .store
        .open_desk(
            &hall.catalog.office.id,
            hall.date,
            desk,
            &groups,
            &hall.staff.subject,
        )
        .await?;
    tracing::info!(desk = %desk, groups = ?groups, "desk opened");
    hall.desk_view(app, &opened, hall.current(&opened), None)
        .await
}

async fn close(app: &Base, hall: &Hall, id: &DeskId) -> Result<Step, ServiceError> {
    let desk = hall.open_desk(id)?;
    if let Some(ticket) = &desk.current {
        return Err(ServiceError::DeskBusy {
            ticket: ticket.clone(),
        });
    }
    if !app
        .store
        .close_desk(&hall.catalog.office.id, hall.date, id)
        .await?
    {
        return Ok(Step::Again);
    }
    let closed = Desk {
        open: false,
        ..desk.clone()
    };
    tracing::info!(desk = %id, "desk closed");
    Ok(Step::Done(Box::new(
        hall.desk_view(app, &closed, None, None).await?,
    )))
}

async fn call_next(app: &Base, hall: &Hall, id: &DeskId) -> Result<Step, ServiceError> {
    let desk = hall.open_desk(id)?;
    if let Some(ticket) = &desk.current {
        return Err(ServiceError::DeskBusy {
            ticket: ticket.clone(),
        });
    }
    let rule = hall.rule_of(desk.groups.first());
    let in_a_row = booked_in_a_row(&hall.day.tickets, &desk.groups);
    let clerks = ClerksAtDesks::of(&hall.day.desks, id, &hall.clerk_accounts());
    let Some((ticket, reason)) = next_ticket_for(
        &hall.day.tickets,
        &desk.groups,
        &clerks,
        in_a_row,
        rule,
        hall.now,
    ) else {
        return Ok(Step::Done(Box::new(
            hall.desk_view(app, desk, None, None).await?,
        )));
    };
    match app.store.call_ticket(id, ticket, hall.now).await? {
        Ok(()) => {}
        // Another desk called it, or this desk changed: decide again.
        Err(CallRefusal::TicketTaken | CallRefusal::DeskChanged | CallRefusal::Conflict) => {
            return Ok(Step::Again);
        }
    }
    tracing::info!(desk = %id, ticket = %ticket.number, reason = reason.as_str(), "ticket called");
    let called = Ticket {
        status: TicketStatus::Called,
        call: Some(Call {
            desk: id.clone(),
            first_at: hall.now,
            last_at: hall.now,
            count: 1,
            finished_at: None,
        }),
        ..ticket.clone()
    };
    let desk = Desk {
        current: Some(ticket.number.to_string()),
        ..desk.clone()
    };
    Ok(Step::Done(Box::new(
        hall.desk_view(app, &desk, Some(&called), Some(reason))
            .await?,
    )))
}

async fn recall(app: &Base, hall: &Hall, id: &DeskId) -> Result<Step, ServiceError> {
    let desk = hall.desk(id).ok_or(ServiceError::DeskClosed)?;
    let ticket = hall.current(desk).ok_or(ServiceError::NoCurrentTicket)?;
    let calls = ticket.call.as_ref().map_or(1, |c| c.count);
    match hall.rule_of(Some(&ticket.number.group)).recall(calls) {
        RecallStep::Missed => finish(app, hall, id, TicketStatus::Missed).await,
        RecallStep::CallAgain => {
            match app.store.recall_ticket(id, ticket, calls, hall.now).await? {
                Ok(()) => {}
                Err(FinishRefusal::NotCalledHere | FinishRefusal::Conflict) => {
                    return Ok(Step::Again);
                }
            }
            tracing::info!(desk = %id, ticket = %ticket.number, call = calls + 1, "ticket recalled");
            let mut recalled = ticket.clone();
            if let Some(call) = recalled.call.as_mut() {
                call.count = calls + 1;
                call.last_at = hall.now;
            }
            Ok(Step::Done(Box::new(
                hall.desk_view(app, desk, Some(&recalled), None).await?,
            )))
        }
    }
}

async fn finish(
    app: &Base,
    hall: &Hall,
    id: &DeskId,
    outcome: TicketStatus,
) -> Result<Step, ServiceError> {
    let desk = hall.desk(id).ok_or(ServiceError::DeskClosed)?;
    let ticket = hall.current(desk).ok_or(ServiceError::NoCurrentTicket)?;
    match app
        .store
        .finish_ticket(id, ticket, outcome, hall.now)
        .await?
    {
        Ok(()) => {}
        Err(FinishRefusal::NotCalledHere | FinishRefusal::Conflict) => return Ok(Step::Again),
    }
    tracing::info!(desk = %id, ticket = %ticket.number, outcome = outcome.as_str(), "ticket finished");
    let desk = Desk {
        current: None,
        finished: Some((ticket.number.to_string(), outcome)),
        ..desk.clone()
    };
    Ok(Step::Done(Box::new(
        hall.desk_view(app, &desk, None, None).await?,
    )))
}

/// The office's desk groups in catalog order, each with the departments
/// whose tickets carry it.
fn desk_groups(catalog: &Catalog) -> Vec<(DeskGroup, Vec<&Department>)> {
    let mut groups: Vec<(DeskGroup, Vec<&Department>)> = Vec::new();
    for department in &catalog.departments {
        let group = &department.kiosk.desk_group;
        match groups.iter_mut().find(|(g, _)| g == group) {
            Some((_, departments)) => departments.push(department),
            None => groups.push((group.clone(), vec![department])),
        }
    }
    groups
}

/// The visit length of the matters of `departments` (their average), for
/// the wait until a visit was served today.
fn visit_minutes(catalog: &Catalog, departments: &[&Department]) -> f64 {
    let minutes: Vec<f64> = catalog
        .services
        .iter()
        .filter(|s| departments.iter().any(|d| d.id == s.department_id))
        .map(|s| f64::from(s.visit_minutes))
        .collect();
    if minutes.is_empty() {
        15.0
    } else {
        minutes.iter().sum::<f64>() / minutes.len() as f64
    }
}

/// The office's language first, then the others the screens speak.
fn office_languages(catalog: &Catalog) -> Vec<Lang> {
    let first = catalog.office.country.language();
    std::iter::once(first)
        .chain(Lang::ALL.into_iter().filter(|l| *l != first))
        .collect()
}

fn department_ref(department: &Department) -> DepartmentRef {
    DepartmentRef {
        id: department.id.to_string(),
        name: department.name.clone(),
    }
}

fn local_time(catalog: &Catalog) -> impl Fn(DateTime<Utc>) -> DateTime<FixedOffset> + use<> {
    let zone = catalog.office.time_zone;
    move |t| t.with_timezone(&zone).fixed_offset()
}
