//! Kiosks and their tickets: registered kiosks, the nonces they used, the
//! wrong-code guard, and ticket numbers that stay unique and gap-free per
//! office, day, desk group and kind under concurrent requests.

use crate::domain::audit::AuditEntry;
use crate::domain::booking::BookingStatus;
use crate::domain::codes::KioskCode;
use crate::domain::ids::{BookingId, DepartmentId, OfficeId};
use crate::domain::kiosk::{DeskGroup, KioskDevice, Lockout, Ticket, TicketKind};
use crate::store::items::attr::{
    CLOSED_AT, GSI2PK, GSI2SK, LAST, LOCKED_UNTIL, STATUS, TICKET, WINDOW_UNTIL, WRONG_CODES,
};
use crate::store::items::{
    CorruptItem, KioskCodeItem, KioskGuardItem, KioskItem, KioskNonceItem, RoomItem,
    TicketCounterItem, TicketItem, entity,
};
use crate::store::queue::{failed, room_update};
use crate::store::writes::condition_held;
use crate::store::{Store, StoreError, from_item, key_map, keys, n, s, to_item};
use aws_sdk_dynamodb::types::{ConditionCheck, Put, ReturnValue, TransactWriteItem, Update};
use chrono::{DateTime, NaiveDate, Utc};

/// Why a redemption was not written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedeemRefusal {
    /// The booking is no longer confirmed (redeemed by a concurrent request,
    /// or cancelled), or its arrival is gone: read the booking.
    BookingChanged,
    /// Another ticket took the number; read the counter again.
    NumberTaken,
    /// The request's nonce was used before: a replay.
    Replayed,
    /// The kiosk is locked after wrong codes.
    Locked,
    /// Another transaction touched the same items; retry.
    Conflict,
}

/// A booking's code redeemed at a kiosk, as [`Store::redeem`] writes it.
#[derive(Debug, Clone, Copy)]
pub struct Redemption<'a> {
    pub booking_id: BookingId,
    /// Numbered one past `last`.
    pub ticket: &'a Ticket,
    /// The desk group's counter as read.
    pub last: u32,
    /// The code of the hall's arrival for the booking, when there is one.
    pub arrival: Option<&'a str>,
    pub kiosk_id: &'a str,
    /// The signed request's nonce, spent by the same transaction.
    pub nonce: &'a str,
    pub nonce_expires_at: DateTime<Utc>,
    pub now: DateTime<Utc>,
}

/// The daily walk-in cap of the desk group is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapReached;

/// Why a walk-in ticket was not written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WalkInRefusal {
    /// The department's waiting room is full (seed 003).
    RoomFull,
    /// Another transaction touched the same items; retry.
    Conflict,
}

impl Store {
    /// Registers a kiosk, or replaces its settings.
    pub async fn put_kiosk(&self, kiosk: &KioskDevice) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(entity::KIOSK, &KioskItem::from(kiosk))?))
            .send()
            .await
            .map_err(|e| StoreError::sdk("PutItem", e))?;
        Ok(())
    }

    pub async fn get_kiosk(&self, kiosk_id: &str) -> Result<Option<KioskDevice>, StoreError> {
        let item: Option<KioskItem> = self
            .get_mapped(&keys::kiosk(kiosk_id), entity::KIOSK)
            .await?;
        Ok(item.map(|i| i.kiosk))
    }

    /// Records a nonce's first use. `false`: the kiosk used it before (a replay).
    pub async fn remember_nonce(
        &self,
        kiosk_id: &str,
        nonce: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let item = KioskNonceItem::new(kiosk_id, nonce, expires_at);
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(entity::KIOSK_NONCE, &item)?))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        condition_held("PutItem", result)
    }

    /// Until when the kiosk is locked after wrong codes, if it is.
    pub async fn kiosk_locked_until(
        &self,
        kiosk_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let guard: Option<KioskGuardItem> = self
            .get_mapped(&keys::kiosk_guard(kiosk_id), entity::KIOSK_GUARD)
            .await?;
        Ok(guard
            .and_then(|g| g.locked_until)
            .and_then(DateTime::from_timestamp_millis)
            .filter(|until| *until > now))
    }

    /// Counts a wrong code typed at a kiosk: the first in a window starts it;
    /// the one that reaches the limit locks the kiosk.
    pub async fn record_wrong_kiosk_code(
        &self,
        kiosk_id: &str,
        now: DateTime<Utc>,
        rule: Lockout,
    ) -> Result<(), StoreError> {
        let key = key_map(&keys::kiosk_guard(kiosk_id));
        let started = self
            .update_if(
                self.client
                    .update_item()
                    .set_key(Some(key.clone()))
                    .update_expression(format!(
                        "SET {WRONG_CODES} = :one, {WINDOW_UNTIL} = :until, entity = :entity"
                    ))
                    .condition_expression(format!(
                        "attribute_not_exists({WINDOW_UNTIL}) OR {WINDOW_UNTIL} <= :now"
                    ))
                    .expression_attribute_values(":one", n(1))
                    .expression_attribute_values(":entity", s(entity::KIOSK_GUARD))
                    .expression_attribute_values(
                        ":until",
                        n((now + rule.window).timestamp_millis()),
                    )
                    .expression_attribute_values(":now", n(now.timestamp_millis())),
            )
            .await?;
        let wrong = if started {
            1
        } else {
            let out = self
                .client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(key.clone()))
                .update_expression(format!("ADD {WRONG_CODES} :one"))
                .expression_attribute_values(":one", n(1))
                .return_values(ReturnValue::UpdatedNew)
                .send()
                .await
                .map_err(|e| StoreError::sdk("UpdateItem", e))?;
            let guard: KioskGuardItem =
                from_item(entity::KIOSK_GUARD, out.attributes.unwrap_or_default())?;
            guard.wrong_codes
        };
        if rule.locks_at(wrong) {
            self.client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(key))
                .update_expression(format!("SET {LOCKED_UNTIL} = :until"))
                .expression_attribute_values(":until", n((now + rule.lock).timestamp_millis()))
                .send()
                .await
                .map_err(|e| StoreError::sdk("UpdateItem", e))?;
        }
        Ok(())
    }

    /// The booking a kiosk code of `date` belongs to, and the office it was
    /// issued at (empty for older alphanumeric codes, which are kept per office).
    pub async fn find_kiosk_code(
        &self,
        office: &OfficeId,
        date: NaiveDate,
        code: &KioskCode,
    ) -> Result<Option<(BookingId, String)>, StoreError> {
        let item: Option<KioskCodeItem> = self
            .get_mapped(&keys::kiosk_code(office, date, code), entity::KIOSK_CODE)
            .await?;
        let corrupt = |_| crate::store::items::CorruptItem {
            entity: entity::KIOSK_CODE,
            field: "booking_id",
        };
        item.map(|i| {
            Ok((
                BookingId::parse(&i.booking_id).map_err(corrupt)?,
                i.office_id,
            ))
        })
        .transpose()
    }

    /// The last number issued for a desk group and kind that day (0: none yet).
    pub async fn last_ticket_number(
        &self,
        office: &OfficeId,
        date: NaiveDate,
        group: &DeskGroup,
        kind: TicketKind,
    ) -> Result<u32, StoreError> {
        let counter: Option<TicketCounterItem> = self
            .get_mapped(
                &keys::ticket_counter(office, date, group, kind),
                entity::TICKET_COUNTER,
            )
            .await?;
        Ok(counter.map_or(0, |c| c.last_number))
    }

    /// Redeems a confirmed booking into its ticket, in one transaction: the
    /// booking's state, the counter (still at `last`), the ticket, the
    /// waiting room, the request's nonce (first use only), the kiosk not
    /// locked after wrong codes, and the arrival given the ticket's number.
    pub async fn redeem(
        &self,
        r: &Redemption<'_>,
    ) -> Result<Result<(), RedeemRefusal>, StoreError> {
        let ticket = r.ticket;
        let number = ticket.number.to_string();
        let booking_update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key_map(&keys::booking(r.booking_id))))
            .update_expression(format!(
                "SET #status = :redeemed, {TICKET} = :ticket REMOVE {GSI2PK}, {GSI2SK}"
            ))
            .condition_expression("#status = :confirmed")
            .expression_attribute_names("#status", STATUS)
            .expression_attribute_values(":redeemed", s(BookingStatus::Redeemed.as_str()))
            .expression_attribute_values(":confirmed", s(BookingStatus::Confirmed.as_str()))
            .expression_attribute_values(":ticket", s(&number))
            .build()?;
        let not_locked = ConditionCheck::builder()
            .table_name(&self.table)
            .set_key(Some(key_map(&keys::kiosk_guard(r.kiosk_id))))
            .condition_expression(format!(
                "attribute_not_exists({LOCKED_UNTIL}) OR {LOCKED_UNTIL} <= :now"
            ))
            .expression_attribute_values(":now", n(r.now.timestamp_millis()))
            .build()?;
        let mut writes = vec![
            TransactWriteItem::builder().update(booking_update).build(),
            self.counter_step(ticket, r.last)?,
            self.put(
                to_item(entity::TICKET, &TicketItem::from(ticket))?,
                Some("attribute_not_exists(pk)"),
            )?,
            // Booked clients are let in whatever the waiting room holds.
            room_update(
                &self.table,
                &ticket.office_id,
                ticket.date,
                &ticket.department_id,
                1,
                None,
            )?,
            self.put(
                to_item(
                    entity::KIOSK_NONCE,
                    &KioskNonceItem::new(r.kiosk_id, r.nonce, r.nonce_expires_at),
                )?,
                Some("attribute_not_exists(pk)"),
            )?,
            TransactWriteItem::builder()
                .condition_check(not_locked)
                .build(),
        ];
        if let Some(digits) = r.arrival {
            let arrival = Update::builder()
                .table_name(&self.table)
                .set_key(Some(key_map(&keys::arrival(
                    &ticket.office_id,
                    ticket.date,
                    digits,
                ))))
                .update_expression(format!("SET {TICKET} = :ticket"))
                .condition_expression("attribute_exists(pk)")
                .expression_attribute_values(":ticket", s(&number))
                .build()?;
            writes.push(TransactWriteItem::builder().update(arrival).build());
        }
        Ok(self.transact(writes).await?.map_err(|codes| {
            // The arrival (last) is gone only with its day: read the booking.
            if failed(&codes, 0) || failed(&codes, 6) {
                RedeemRefusal::BookingChanged
            } else if failed(&codes, 1) || failed(&codes, 2) {
                RedeemRefusal::NumberTaken
            } else if failed(&codes, 4) {
                RedeemRefusal::Replayed
            } else if failed(&codes, 5) {
                RedeemRefusal::Locked
            } else {
                RedeemRefusal::Conflict
            }
        }))
    }

    /// A confirmed booking whose code came after the kiosk window: resigned
    /// (seed 001). `false` when it was no longer confirmed.
    pub async fn resign(&self, booking: BookingId, now: DateTime<Utc>) -> Result<bool, StoreError> {
        self.update_if(
            self.client
                .update_item()
                .set_key(Some(key_map(&keys::booking(booking))))
                .update_expression(format!(
                    "SET #status = :resigned, {CLOSED_AT} = :now REMOVE {GSI2PK}, {GSI2SK}"
                ))
                .condition_expression("#status = :confirmed")
                .expression_attribute_names("#status", STATUS)
                .expression_attribute_values(":resigned", s(BookingStatus::Resigned.as_str()))
                .expression_attribute_values(":confirmed", s(BookingStatus::Confirmed.as_str()))
                .expression_attribute_values(":now", n(now.timestamp_millis())),
        )
        .await
    }

    /// The next walk-in number of a desk group that day, under the daily cap:
    /// one conditional counter write, so concurrent kiosks never share a number.
    pub async fn take_walk_in_number(
        &self,
        office: &OfficeId,
        date: NaiveDate,
        group: &DeskGroup,
        cap: Option<u32>,
    ) -> Result<Result<u32, CapReached>, StoreError> {
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_map(&keys::ticket_counter(
                office,
                date,
                group,
                TicketKind::WalkIn,
            ))))
            .update_expression(format!("ADD {LAST} :one SET entity = :entity"))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":entity", s(entity::TICKET_COUNTER))
            .return_values(ReturnValue::UpdatedNew);
        if let Some(cap) = cap {
            update = update
                .condition_expression(format!("attribute_not_exists({LAST}) OR {LAST} < :cap"))
                .expression_attribute_values(":cap", n(cap));
        }
        let mut taken = None;
        let result = update.send().await.map(|out| taken = out.attributes);
        if !condition_held("UpdateItem", result)? {
            return Ok(Err(CapReached));
        }
        let counter: TicketCounterItem =
            from_item(entity::TICKET_COUNTER, taken.unwrap_or_default())?;
        Ok(Ok(counter.last_number))
    }

    /// Stores a walk-in ticket whose number [`Store::take_walk_in_number`]
    /// gave, with the department's waiting room (below `room_limit`), in one
    /// transaction.
    pub async fn issue_walk_in(
        &self,
        ticket: &Ticket,
        room_limit: Option<u32>,
    ) -> Result<Result<(), WalkInRefusal>, StoreError> {
        let writes = vec![
            room_update(
                &self.table,
                &ticket.office_id,
                ticket.date,
                &ticket.department_id,
                1,
                room_limit,
            )?,
            self.put(
                to_item(entity::TICKET, &TicketItem::from(ticket))?,
                Some("attribute_not_exists(pk)"),
            )?,
        ];
        match self.transact(writes).await? {
            Ok(()) => Ok(Ok(())),
            Err(codes) if failed(&codes, 0) => Ok(Err(WalkInRefusal::RoomFull)),
            Err(codes) if failed(&codes, 1) => Err(StoreError::Corrupt(CorruptItem {
                entity: entity::TICKET,
                field: "number (issued twice)",
            })),
            Err(_) => Ok(Err(WalkInRefusal::Conflict)),
        }
    }

    /// People checked in and not yet served in a department's waiting room.
    pub async fn in_room(
        &self,
        office: &OfficeId,
        date: NaiveDate,
        department: &DepartmentId,
    ) -> Result<i64, StoreError> {
        let room: Option<RoomItem> = self
            .get_mapped(&keys::room(office, date, department), entity::ROOM)
            .await?;
        Ok(room.map_or(0, |r| r.in_room))
    }

    pub async fn get_ticket(
        &self,
        office: &OfficeId,
        date: NaiveDate,
        number: &str,
    ) -> Result<Option<Ticket>, StoreError> {
        let item: Option<TicketItem> = self
            .get_mapped(&keys::ticket(office, date, number), entity::TICKET)
            .await?;
        Ok(item.map(Ticket::try_from).transpose()?)
    }

    /// Moves the counter of `ticket`'s desk group and kind from `last` to
    /// the ticket's number: fails when another ticket took the number.
    fn counter_step(&self, ticket: &Ticket, last: u32) -> Result<TransactWriteItem, StoreError> {
        let counter_key = keys::ticket_counter(
            &ticket.office_id,
            ticket.date,
            &ticket.number.group,
            ticket.number.kind,
        );
        let counter_condition = if last == 0 {
            format!("attribute_not_exists({LAST})")
        } else {
            format!("{LAST} = :last")
        };
        let mut counter_update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key_map(&counter_key)))
            .update_expression(format!("SET {LAST} = :next, entity = :entity"))
            .condition_expression(counter_condition)
            .expression_attribute_values(":next", n(ticket.number.n))
            .expression_attribute_values(":entity", s(entity::TICKET_COUNTER));
        if last > 0 {
            counter_update = counter_update.expression_attribute_values(":last", n(last));
        }
        Ok(TransactWriteItem::builder()
            .update(counter_update.build()?)
            .build())
    }
}

impl Store {
    /// The kiosks registered at `office`, by id.
    pub async fn office_kiosks(&self, office: &OfficeId) -> Result<Vec<KioskDevice>, StoreError> {
        let query = self
            .client
            .query()
            .index_name(keys::GSI1)
            .key_condition_expression("gsi1pk = :pk")
            .expression_attribute_values(":pk", s(keys::office_kiosks_gsi1pk(office)));
        self.query_all(query)
            .await?
            .into_iter()
            .map(|item| from_item::<KioskItem>(entity::KIOSK, item).map(|i| i.kiosk))
            .collect()
    }

    /// Writes `after` with the audit entry, in one transaction, if the kiosk
    /// is still as `before` left it: not registered (`None`), or of
    /// `before`'s generation at `before`'s office (so a new secret given
    /// meanwhile is never undone, nor another office's kiosk taken over).
    /// `false`: it changed.
    pub async fn replace_kiosk(
        &self,
        before: Option<&KioskDevice>,
        after: &KioskDevice,
        audit: &AuditEntry,
    ) -> Result<bool, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(to_item(entity::KIOSK, &KioskItem::from(after))?));
        let put = match before {
            None => put.condition_expression("attribute_not_exists(pk)"),
            Some(before) => put
                .condition_expression("generation = :generation AND office_id = :office")
                .expression_attribute_values(":generation", n(before.generation))
                .expression_attribute_values(":office", s(before.office_id.as_str())),
        };
        let writes = vec![
            TransactWriteItem::builder().put(put.build()?).build(),
            self.audit_put(audit)?,
        ];
        Ok(self.transact(writes).await?.is_ok())
    }
}
