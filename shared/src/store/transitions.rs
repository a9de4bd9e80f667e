//! State changes of a booking: confirm, cancel or expire (returning capacity
//! once), and counting wrong codes. Each is one transaction whose leading
//! booking condition carries the rule.

use crate::domain::audit::AuditEntry;
use crate::domain::booking::{Booking, BookingStatus, MAX_CODE_ATTEMPTS};
use crate::domain::ids::BookingId;
use crate::domain::outbox::OutboxMessage;
use crate::domain::secrets::Digest;
use crate::store::items::attr::{
    BOOKING_ID, CLOSED_AT, CODE_ATTEMPTS, CONFIRM_CODE, CONFIRM_TOKEN, CONFIRMED_AT, GSI2PK,
    GSI2SK, HOLD_EXPIRES_AT, MANAGE_TOKENS, START_AT, STATUS,
};
use crate::store::items::{ArrivalItem, entity};
use crate::store::{Store, StoreError, key_map, keys, n, s, to_item};
use aws_sdk_dynamodb::types::{AttributeValue, Delete, TransactWriteItem, Update};
use chrono::{DateTime, Utc};

/// Why a state change was not written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransitionRefusal {
    /// The booking is no longer in the state the change needs (or the proof did not match).
    StateChanged,
    /// Another transaction touched the same items; retry.
    Conflict,
    /// The inbound SMS that asked for the change was already acted on.
    Duplicate,
}

/// The proof a confirmation carries, already digested.
#[derive(Debug, Clone)]
pub enum ConfirmProof {
    Token(Digest),
    Code(Digest),
}

/// How capacity is returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Release {
    /// By the citizen (token or national ID), before the appointment starts.
    Cancel,
    /// A pending hold whose hour has passed.
    Expire,
}

impl Store {
    /// Confirms a pending hold if, at `now`, it has not expired and the proof matches.
    pub async fn confirm(
        &self,
        booking: &Booking,
        proof: &ConfirmProof,
        new_manage_token: &Digest,
        now: DateTime<Utc>,
        message: &OutboxMessage,
        inbound: Option<&str>,
    ) -> Result<Result<(), TransitionRefusal>, StoreError> {
        let (proof_condition, proof_value) = match proof {
            ConfirmProof::Token(d) => (format!("{CONFIRM_TOKEN} = :proof"), d),
            ConfirmProof::Code(d) => (
                format!("{CONFIRM_CODE} = :proof AND {CODE_ATTEMPTS} < :max_attempts"),
                d,
            ),
        };
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key_map(&keys::booking(booking.id))))
            // The short code has served its purpose: its digest goes, so it
            // can be neither guessed nor replayed (the 256-bit link token stays,
            // so the email's link still says "already confirmed").
            .update_expression(format!(
                "SET #status = :confirmed, {CONFIRMED_AT} = :now, \
                 {MANAGE_TOKENS} = list_append({MANAGE_TOKENS}, :manage), \
                 {GSI2PK} = :visits, {GSI2SK} = :visit REMOVE {CONFIRM_CODE}"
            ))
            .condition_expression(format!(
                "#status = :pending AND {HOLD_EXPIRES_AT} > :now AND {proof_condition}"
            ))
            .expression_attribute_names("#status", STATUS)
            .expression_attribute_values(":confirmed", s(BookingStatus::Confirmed.as_str()))
            .expression_attribute_values(":pending", s(BookingStatus::Pending.as_str()))
            .expression_attribute_values(":now", n(now.timestamp_millis()))
            .expression_attribute_values(":manage", AttributeValue::L(vec![s(&new_manage_token.0)]))
            .expression_attribute_values(":proof", s(&proof_value.0))
            .expression_attribute_values(":visits", s(keys::visit_gsi2pk(booking.start)))
            .expression_attribute_values(
                ":visit",
                s(keys::visit_gsi2sk(booking.start, booking.id)),
            );
        if matches!(proof, ConfirmProof::Code(_)) {
            update = update.expression_attribute_values(":max_attempts", n(MAX_CODE_ATTEMPTS));
        }
        let mut writes = vec![
            TransactWriteItem::builder().update(update.build()?).build(),
            self.outbox_put(message)?,
        ];
        // Expected in the hall: the kiosk finds it with the rest of the day.
        if let Some(arrival) = ArrivalItem::of(booking) {
            writes.push(self.put(to_item(entity::ARRIVAL, &arrival)?, None)?);
        }
        self.transition(writes, inbound, now).await
    }

    /// Moves an active booking to cancelled or expired and returns its capacity,
    /// in one transaction whose booking condition makes the return happen once.
    /// A transaction's delete of a rule item `booking` took: gone with its
    /// TTL is fine; another booking's is not ours to delete.
    pub(crate) fn delete_owned(
        &self,
        key: keys::Key,
        booking: BookingId,
    ) -> Result<TransactWriteItem, StoreError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key_map(&key)))
            .condition_expression(format!("attribute_not_exists(pk) OR {BOOKING_ID} = :id"))
            .expression_attribute_values(":id", s(booking.to_string()))
            .build()?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    pub async fn release(
        &self,
        booking: &Booking,
        how: Release,
        now: DateTime<Utc>,
        message: &OutboxMessage,
        inbound: Option<&str>,
        audit: Option<&AuditEntry>,
    ) -> Result<Result<(), TransitionRefusal>, StoreError> {
        let (new_status, condition) = match how {
            Release::Cancel => (
                BookingStatus::Cancelled,
                format!(
                    "{START_AT} > :now AND (#status = :confirmed \
                     OR (#status = :pending AND {HOLD_EXPIRES_AT} > :now))"
                ),
            ),
            Release::Expire => (
                BookingStatus::Expired,
                format!("#status = :pending AND {HOLD_EXPIRES_AT} <= :now"),
            ),
        };
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key_map(&keys::booking(booking.id))))
            .update_expression(format!(
                "SET #status = :new_status, {CLOSED_AT} = :now REMOVE {GSI2PK}, {GSI2SK}"
            ))
            .condition_expression(condition)
            .expression_attribute_names("#status", STATUS)
            .expression_attribute_values(":new_status", s(new_status.as_str()))
            .expression_attribute_values(":now", n(now.timestamp_millis()))
            .expression_attribute_values(":pending", s(BookingStatus::Pending.as_str()));
        let update = if how == Release::Cancel {
            update.expression_attribute_values(":confirmed", s(BookingStatus::Confirmed.as_str()))
        } else {
            update
        };
        let mut writes = vec![TransactWriteItem::builder().update(update.build()?).build()];
        // The department's units and the named clerk's, as the hold took them.
        for (key, _) in keys::booking_units(booking) {
            writes.push(self.counter_update(&key, -1, None)?);
        }
        writes.push(self.counter_update(
            &keys::week(&booking.office_id, &booking.department_id, &booking.week),
            -1,
            None,
        )?);
        writes.push(self.delete_owned(keys::person_rule(booking), booking.id)?);
        writes.push(self.delete_owned(
            keys::kiosk_code(&booking.office_id, booking.local_date, &booking.kiosk_code),
            booking.id,
        )?);
        // A confirmed booking was expected in the hall; codes are unique that
        // day, so its arrival goes without a condition (older bookings have none).
        if booking.status == BookingStatus::Confirmed
            && let Some(arrival) = ArrivalItem::of(booking)
        {
            let delete = Delete::builder()
                .table_name(&self.table)
                .set_key(Some(key_map(&keys::Key {
                    pk: arrival.pk,
                    sk: arrival.sk,
                })))
                .build()?;
            writes.push(TransactWriteItem::builder().delete(delete).build());
        }
        writes.push(self.outbox_put(message)?);
        if let Some(entry) = audit {
            writes.push(self.audit_put(entry)?);
        }
        self.transition(writes, inbound, now).await
    }

    /// Counts a wrong confirmation code. Returns `false` when the booking is no
    /// longer pending or the code is already locked (nothing is written then).
    /// Counts a wrong code against a booking, whatever its status, so
    /// guessing locks a confirmed booking as it locks a hold.
    pub async fn record_wrong_code(&self, id: BookingId) -> Result<bool, StoreError> {
        self.update_if(
            self.client
                .update_item()
                .set_key(Some(key_map(&keys::booking(id))))
                .update_expression(format!("ADD {CODE_ATTEMPTS} :one"))
                .condition_expression(format!(
                    "attribute_exists(pk) AND \
                     (attribute_not_exists({CODE_ATTEMPTS}) OR {CODE_ATTEMPTS} < :max)"
                ))
                .expression_attribute_values(":one", n(1))
                .expression_attribute_values(":max", n(MAX_CODE_ATTEMPTS)),
        )
        .await
    }
}
