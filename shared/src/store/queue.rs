//! The hall's queue of one office day: the whole day in one Query (tickets,
//! desks), desks opening and closing, and the clerk's actions on a ticket.
//! Each action is one conditional write or transaction, so two desks never
//! hold the same ticket and a ticket is never finished twice; the waiting
//! room's head count moves in the same transactions as the tickets.

use crate::domain::ids::{DepartmentId, OfficeId};
use crate::domain::kiosk::{Arrival, DeskGroup, DeskId, Ticket, TicketKind, TicketStatus};
use crate::domain::queue::Desk;
use crate::store::items::attr::{
    ARRIVAL_CODE, CALLS, CURRENT, DEPARTMENT_ID, DESK, FINISHED_AT, FINISHED_STATUS,
    FINISHED_TICKET, FIRST_CALLED_AT, GROUPS, IN_ROOM, LAST_CALLED_AT, OPEN, STAFF, STATUS,
};
use crate::store::items::{
    ArrivalItem, DeskItem, RoomItem, TICKET_RETENTION, TicketCounterItem, TicketItem, entity,
};
use crate::store::{Store, StoreError, from_item, key_map, keys, n, s};
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::builders::UpdateBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, TransactWriteItem, Update};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;

/// An office's hall on one day.
#[derive(Debug, Clone, Default)]
pub struct QueueDay {
    pub tickets: Vec<Ticket>,
    pub desks: Vec<Desk>,
    /// People checked in and not yet served, per department.
    pub in_room: HashMap<String, i64>,
    /// The last number of each desk group and kind, by the counter's sort key.
    pub counters: HashMap<String, u32>,
}

impl QueueDay {
    /// The last number issued that day for a desk group and kind (0: none yet).
    pub fn last_number(&self, group: &DeskGroup, kind: TicketKind) -> u32 {
        self.counters
            .get(&keys::ticket_counter_sk(group, kind))
            .copied()
            .unwrap_or(0)
    }
}

/// Why a call was not written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallRefusal {
    /// Another desk called the ticket first: choose again.
    TicketTaken,
    /// The desk closed or called someone meanwhile.
    DeskChanged,
    /// Another transaction touched the same items; retry.
    Conflict,
}

/// Why finishing or recalling a ticket was not written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FinishRefusal {
    /// The ticket is no longer called at that desk (finished meanwhile, by a
    /// double click or another screen of the same desk).
    NotCalledHere,
    /// Another transaction touched the same items; retry.
    Conflict,
}

/// Where the waiting-room count of a ticket's department is kept.
pub(crate) fn room_update(
    table: &str,
    office: &OfficeId,
    date: NaiveDate,
    department: &DepartmentId,
    delta: i64,
    limit: Option<u32>,
) -> Result<TransactWriteItem, StoreError> {
    let mut update = Update::builder()
        .table_name(table)
        .set_key(Some(key_map(&keys::room(office, date, department))))
        .update_expression(format!(
            "ADD {IN_ROOM} :delta SET entity = :entity, #ttl = :ttl, {DEPARTMENT_ID} = :department"
        ))
        .expression_attribute_names("#ttl", "ttl")
        .expression_attribute_values(":delta", n(delta))
        .expression_attribute_values(":department", s(department.as_str()))
        .expression_attribute_values(":entity", s(entity::ROOM))
        .expression_attribute_values(":ttl", n(day_ttl(date)));
    if let Some(limit) = limit {
        update = update
            .condition_expression(format!(
                "attribute_not_exists({IN_ROOM}) OR {IN_ROOM} < :limit"
            ))
            .expression_attribute_values(":limit", n(limit));
    }
    Ok(TransactWriteItem::builder().update(update.build()?).build())
}

/// Desks and rooms are cleaned up with the day's tickets.
fn day_ttl(date: NaiveDate) -> i64 {
    (date.and_time(chrono::NaiveTime::MIN).and_utc() + TICKET_RETENTION).timestamp()
}

impl Store {
    /// The whole hall of an office's day in one (paged) strongly consistent Query.
    pub async fn queue_day(
        &self,
        office: &OfficeId,
        date: NaiveDate,
    ) -> Result<QueueDay, StoreError> {
        let query = self
            .client
            .query()
            .key_condition_expression("pk = :pk AND sk > :after_arrivals")
            .expression_attribute_values(":pk", s(keys::queue_pk(office, date)))
            .expression_attribute_values(":after_arrivals", s(keys::AFTER_ARRIVALS))
            .consistent_read(true);
        Ok(self.read_hall(query).await?.0)
    }

    /// The hall of an office's day and the arrival expected under `digits`,
    /// in the same Query: it starts at that arrival's key and leaves the
    /// other arrivals out.
    pub async fn queue_day_with_arrival(
        &self,
        office: &OfficeId,
        date: NaiveDate,
        digits: &str,
    ) -> Result<(QueueDay, Option<Arrival>), StoreError> {
        let query = self
            .client
            .query()
            .key_condition_expression("pk = :pk AND sk >= :arrival")
            .filter_expression("entity <> :arrival_entity OR #code = :code")
            .expression_attribute_names("#code", ARRIVAL_CODE)
            .expression_attribute_values(":pk", s(keys::queue_pk(office, date)))
            .expression_attribute_values(":arrival", s(keys::arrival(office, date, digits).sk))
            .expression_attribute_values(":arrival_entity", s(entity::ARRIVAL))
            .expression_attribute_values(":code", s(digits))
            .consistent_read(true);
        self.read_hall(query).await
    }

    async fn read_hall(
        &self,
        query: QueryFluentBuilder,
    ) -> Result<(QueueDay, Option<Arrival>), StoreError> {
        let mut day = QueueDay::default();
        let mut arrival = None;
        for item in self.query_all(query).await? {
            match item
                .get("entity")
                .and_then(|e| e.as_s().ok())
                .map(String::as_str)
            {
                Some(entity::TICKET) => {
                    let stored: TicketItem = from_item(entity::TICKET, item)?;
                    day.tickets.push(Ticket::try_from(stored)?);
                }
                Some(entity::DESK) => {
                    let stored: DeskItem = from_item(entity::DESK, item)?;
                    day.desks.push(stored.into());
                }
                Some(entity::ROOM) => {
                    let stored: RoomItem = from_item(entity::ROOM, item)?;
                    day.in_room.insert(stored.department_id, stored.in_room);
                }
                Some(entity::TICKET_COUNTER) => {
                    let stored: TicketCounterItem = from_item(entity::TICKET_COUNTER, item)?;
                    day.counters.insert(stored.sk, stored.last_number);
                }
                Some(entity::ARRIVAL) => {
                    let stored: ArrivalItem = from_item(entity::ARRIVAL, item)?;
                    arrival = Some(Arrival::try_from(stored)?);
                }
                _ => {}
            }
        }
        day.desks.sort_by(|a, b| a.id.cmp(&b.id));
        Ok((day, arrival))
    }

    /// Opens a desk for `groups` (or changes the groups of an open one),
    /// worked by the staff account `staff` (a named clerk's, maybe).
    pub async fn open_desk(
        &self,
        office: &OfficeId,
        date: NaiveDate,
        desk: &DeskId,
        groups: &[DeskGroup],
        staff: &str,
    ) -> Result<Desk, StoreError> {
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_map(&keys::desk(office, date, desk))))
            .update_expression(format!(
                "SET {OPEN} = :open, {GROUPS} = :groups, {DESK} = :desk, {STAFF} = :staff, \
                 entity = :entity, #ttl = :ttl"
            ))
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":open", AttributeValue::Bool(true))
            .expression_attribute_values(
                ":groups",
                AttributeValue::L(groups.iter().map(|g| s(g.as_str())).collect()),
            )
            .expression_attribute_values(":desk", s(desk.as_str()))
            .expression_attribute_values(":staff", s(staff))
            .expression_attribute_values(":entity", s(entity::DESK))
            .expression_attribute_values(":ttl", n(day_ttl(date)))
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .map_err(|e| StoreError::sdk("UpdateItem", e))?;
        let stored: DeskItem = from_item(entity::DESK, out.attributes.unwrap_or_default())?;
        Ok(stored.into())
    }

    /// Closes an open desk that holds no called ticket. `false`: it was not
    /// open, or a ticket is called there.
    pub async fn close_desk(
        &self,
        office: &OfficeId,
        date: NaiveDate,
        desk: &DeskId,
    ) -> Result<bool, StoreError> {
        self.update_if(
            self.client
                .update_item()
                .set_key(Some(key_map(&keys::desk(office, date, desk))))
                .update_expression(format!("SET {OPEN} = :closed"))
                .condition_expression(format!(
                    "{OPEN} = :open AND attribute_not_exists({CURRENT})"
                ))
                .expression_attribute_values(":closed", AttributeValue::Bool(false))
                .expression_attribute_values(":open", AttributeValue::Bool(true)),
        )
        .await
    }

    /// Calls a waiting ticket to a free, open desk: the ticket (still
    /// waiting) and the desk (still open and free) in one transaction.
    pub async fn call_ticket(
        &self,
        desk: &DeskId,
        ticket: &Ticket,
        now: DateTime<Utc>,
    ) -> Result<Result<(), CallRefusal>, StoreError> {
        let number = ticket.number.to_string();
        let ticket_update = self
            .update_of(&keys::ticket(&ticket.office_id, ticket.date, &number))
            .update_expression(format!(
                "SET #status = :called, {DESK} = :desk, {CALLS} = :one, \
                 {FIRST_CALLED_AT} = :now, {LAST_CALLED_AT} = :now"
            ))
            .condition_expression("#status = :waiting")
            .expression_attribute_names("#status", STATUS)
            .expression_attribute_values(":called", status(TicketStatus::Called))
            .expression_attribute_values(":waiting", status(TicketStatus::Waiting))
            .expression_attribute_values(":desk", s(desk.as_str()))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":now", n(now.timestamp_millis()))
            .build()?;
        let desk_update = self
            .update_of(&keys::desk(&ticket.office_id, ticket.date, desk))
            .update_expression(format!("SET {CURRENT} = :number"))
            .condition_expression(format!(
                "{OPEN} = :open AND attribute_not_exists({CURRENT})"
            ))
            .expression_attribute_values(":number", s(&number))
            .expression_attribute_values(":open", AttributeValue::Bool(true))
            .build()?;
        let writes = vec![
            TransactWriteItem::builder().update(ticket_update).build(),
            TransactWriteItem::builder().update(desk_update).build(),
        ];
        Ok(self.transact(writes).await?.map_err(|codes| {
            if failed(&codes, 0) {
                CallRefusal::TicketTaken
            } else if failed(&codes, 1) {
                CallRefusal::DeskChanged
            } else {
                // A conflict, or throttling of one item: try again.
                CallRefusal::Conflict
            }
        }))
    }

    /// Calls the desk's ticket once more, if it still has been called
    /// `calls` times at `desk`.
    pub async fn recall_ticket(
        &self,
        desk: &DeskId,
        ticket: &Ticket,
        calls: u32,
        now: DateTime<Utc>,
    ) -> Result<Result<(), FinishRefusal>, StoreError> {
        let held = self
            .update_if(
                self.client
                    .update_item()
                    .set_key(Some(key_map(&keys::ticket(
                        &ticket.office_id,
                        ticket.date,
                        &ticket.number.to_string(),
                    ))))
                    .update_expression(format!("SET {CALLS} = :next, {LAST_CALLED_AT} = :now"))
                    .condition_expression(format!(
                        "#status = :called AND {DESK} = :desk AND {CALLS} = :calls"
                    ))
                    .expression_attribute_names("#status", STATUS)
                    .expression_attribute_values(":called", status(TicketStatus::Called))
                    .expression_attribute_values(":desk", s(desk.as_str()))
                    .expression_attribute_values(":calls", n(calls))
                    .expression_attribute_values(":next", n(calls + 1))
                    .expression_attribute_values(":now", n(now.timestamp_millis())),
            )
            .await?;
        Ok(if held {
            Ok(())
        } else {
            Err(FinishRefusal::NotCalledHere)
        })
    }

    /// Ends the visit of the ticket called at `desk` as served or missed:
    /// the ticket, the desk (free again) and the department's waiting room,
    /// in one transaction.
    pub async fn finish_ticket(
        &self,
        desk: &DeskId,
        ticket: &Ticket,
        outcome: TicketStatus,
        now: DateTime<Utc>,
    ) -> Result<Result<(), FinishRefusal>, StoreError> {
        let number = ticket.number.to_string();
        let ticket_update = self
            .update_of(&keys::ticket(&ticket.office_id, ticket.date, &number))
            .update_expression(format!("SET #status = :outcome, {FINISHED_AT} = :now"))
            .condition_expression(format!("#status = :called AND {DESK} = :desk"))
            .expression_attribute_names("#status", STATUS)
            .expression_attribute_values(":outcome", status(outcome))
            .expression_attribute_values(":called", status(TicketStatus::Called))
            .expression_attribute_values(":desk", s(desk.as_str()))
            .expression_attribute_values(":now", n(now.timestamp_millis()))
            .build()?;
        let desk_update = self
            .update_of(&keys::desk(&ticket.office_id, ticket.date, desk))
            .update_expression(format!(
                "SET {FINISHED_TICKET} = :number, {FINISHED_STATUS} = :outcome REMOVE {CURRENT}"
            ))
            .condition_expression(format!("{CURRENT} = :number"))
            .expression_attribute_values(":number", s(&number))
            .expression_attribute_values(":outcome", status(outcome))
            .build()?;
        let writes = vec![
            TransactWriteItem::builder().update(ticket_update).build(),
            TransactWriteItem::builder().update(desk_update).build(),
            room_update(
                &self.table,
                &ticket.office_id,
                ticket.date,
                &ticket.department_id,
                -1,
                None,
            )?,
        ];
        Ok(self.transact(writes).await?.map_err(|codes| {
            if failed(&codes, 0) || failed(&codes, 1) {
                FinishRefusal::NotCalledHere
            } else {
                FinishRefusal::Conflict
            }
        }))
    }
}

impl Store {
    /// A transaction's update of the item at `key`.
    fn update_of(&self, key: &keys::Key) -> UpdateBuilder {
        Update::builder()
            .table_name(&self.table)
            .set_key(Some(key_map(key)))
    }
}

pub(crate) fn failed(codes: &[String], index: usize) -> bool {
    codes
        .get(index)
        .is_some_and(|c| c == "ConditionalCheckFailed")
}

fn status(status: TicketStatus) -> AttributeValue {
    s(status.as_str())
}
