//! Writing a hold. One TransactWriteItems whose conditions carry the rules
//! (seats per slot, the weekly cap, one booking per person and matter, a
//! unique kiosk code, the hold limits), so concurrent requests cannot
//! double-book; the idempotent answer is written in the same transaction.

use crate::domain::audit::AuditEntry;
use crate::domain::booking::{Booking, BookingStatus};
use crate::domain::outbox::OutboxMessage;
use crate::domain::secrets::{Digest, PersonKey};
use crate::store::items::attr::{BLOCKED_UNTIL, OPEN_UNTIL};
use crate::store::items::{
    ArrivalItem, BookingItem, IdempotencyItem, KioskCodeItem, PersonRuleItem, PublicRefItem,
    UndeliverableAddressItem, entity,
};
use crate::store::keys::UnitOf;
use crate::store::limits::Counter;
use crate::store::writes::{cancellation_codes, is_conflict};
use crate::store::{Store, StoreError, key_map, keys, n, to_item};
use aws_sdk_dynamodb::types::{ConditionCheck, Put, TransactWriteItem};
use chrono::{DateTime, Utc};

/// How long an address that bounced for good stays refused (then a
/// citizen may have fixed their mailbox; a new bounce marks it again).
pub const UNDELIVERABLE_RETENTION: chrono::Duration = chrono::Duration::days(180);

/// What each item of a hold transaction guards, in transaction order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Guard {
    Unit,
    ClerkUnit,
    Week,
    Blocked,
    Undeliverable,
    Person,
    KioskCode,
    PublicRef,
    Booking,
    Outbox,
    Arrival,
    Audit,
    Idempotency,
    /// The counter at this index of [`NewHold::counters`].
    Limit(usize),
}

/// Why a hold was not written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldRefusal {
    /// A capacity unit of the slot has no desk left.
    SlotFull,
    /// The named clerk already has a visit in a capacity unit of the slot.
    ClerkBusy,
    /// The department's weekly online cap is reached.
    WeekFull,
    /// The person is blocked from booking online at this office after no-shows.
    Blocked,
    /// Mail to the booking's email address bounced for good before.
    EmailUndeliverable,
    /// The person already has an active booking for this service that day.
    PersonAlreadyBooked,
    /// The kiosk code drawn is taken that day at that office: draw again.
    KioskCodeTaken,
    /// The booking reference drawn belongs to another booking: draw again.
    PublicRefTaken,
    /// The idempotency key was recorded by a concurrent request.
    IdempotencyKeyTaken,
    /// The counter at this index of [`NewHold::counters`] has no hits left in its window.
    LimitReached(usize),
    /// Another transaction touched the same items; retry.
    Conflict,
}

/// The response to replay for an `Idempotency-Key`.
#[derive(Debug, Clone)]
pub struct IdempotentAnswer {
    pub key_digest: Digest,
    pub request_digest: Digest,
    pub status: u16,
    pub response: String,
    pub expires_at: DateTime<Utc>,
}

/// A new hold and everything written with it.
pub struct NewHold<'a> {
    pub booking: &'a Booking,
    /// The keyed hashes of the booking's email address under every key of
    /// the ring, the current first, checked against bounced addresses (none
    /// when a clerk booked for a caller without one).
    pub email_keys: &'a [Digest],
    pub desks_online: u32,
    pub weekly_cap: Option<u32>,
    /// The message the booking sends (none when there is nobody to write to).
    pub message: Option<&'a OutboxMessage>,
    pub idempotency: Option<&'a IdempotentAnswer>,
    /// The limits the hold counts against (holds per person, email, phone).
    pub counters: &'a [Counter],
    /// The person under the keyring's earlier keys (none outside a key
    /// rotation): a rule or block recorded under one of them still refuses.
    pub earlier_persons: &'a [PersonKey],
    /// A clerk's action, recorded with the booking (a booking made confirmed).
    pub audit: Option<&'a AuditEntry>,
}

impl Store {
    /// Writes a hold: capacity units (each under the desk count, and the
    /// named clerk's, if one was chosen, each under one), the week
    /// counter (under the weekly cap), the person rule, the kiosk code, the
    /// booking, its outbox message and the idempotent answer — all or nothing.
    pub async fn create_hold(
        &self,
        hold: NewHold<'_>,
    ) -> Result<Result<(), HoldRefusal>, StoreError> {
        let b = hold.booking;
        let mut writes = Vec::new();
        let mut guards = Vec::new();
        for (index, counter) in hold.counters.iter().enumerate() {
            writes.push(self.counter_hit(counter)?);
            guards.push(Guard::Limit(index));
        }
        for (key, of) in keys::booking_units(b) {
            match of {
                UnitOf::Department => {
                    writes.push(self.counter_update(&key, 1, Some(hold.desks_online))?);
                    guards.push(Guard::Unit);
                }
                // A named clerk serves one visit at a time.
                UnitOf::Clerk => {
                    writes.push(self.counter_update(&key, 1, Some(1))?);
                    guards.push(Guard::ClerkUnit);
                }
            }
        }
        let week = keys::week(&b.office_id, &b.department_id, &b.week);
        writes.push(self.counter_update(&week, 1, hold.weekly_cap)?);
        guards.push(Guard::Week);
        for person in std::iter::once(&b.person).chain(hold.earlier_persons) {
            let not_blocked = ConditionCheck::builder()
                .table_name(&self.table)
                .set_key(Some(key_map(&keys::block(person, &b.office_id))))
                .condition_expression(format!(
                    "attribute_not_exists(pk) OR {BLOCKED_UNTIL} <= :now"
                ))
                .expression_attribute_values(":now", n(b.created_at.timestamp_millis()))
                .build()?;
            writes.push(
                TransactWriteItem::builder()
                    .condition_check(not_blocked)
                    .build(),
            );
            guards.push(Guard::Blocked);
        }
        for email_key in hold.email_keys {
            let deliverable = ConditionCheck::builder()
                .table_name(&self.table)
                .set_key(Some(key_map(&keys::undeliverable_address(email_key))))
                .condition_expression("attribute_not_exists(pk)")
                .build()?;
            writes.push(
                TransactWriteItem::builder()
                    .condition_check(deliverable)
                    .build(),
            );
            guards.push(Guard::Undeliverable);
        }
        for person in hold.earlier_persons {
            // The rule as an earlier key recorded it: free, or its visit over.
            let rule = keys::person_rule_at(
                person,
                &b.office_id,
                &b.service_id,
                b.local_date,
                b.person_rule,
            );
            let earlier_rule = ConditionCheck::builder()
                .table_name(&self.table)
                .set_key(Some(key_map(&rule)))
                .condition_expression(format!("attribute_not_exists(pk) OR {OPEN_UNTIL} <= :now"))
                .expression_attribute_values(":now", n(b.created_at.timestamp_millis()))
                .build()?;
            writes.push(
                TransactWriteItem::builder()
                    .condition_check(earlier_rule)
                    .build(),
            );
            guards.push(Guard::Person);
        }
        let absent = Some("attribute_not_exists(pk)");
        // Taken unless another booking holds it and its visit is still to come.
        let rule = Put::builder()
            .table_name(&self.table)
            .set_item(Some(to_item(
                entity::PERSON_RULE,
                &PersonRuleItem::from(b),
            )?))
            .condition_expression(format!("attribute_not_exists(pk) OR {OPEN_UNTIL} <= :now"))
            .expression_attribute_values(":now", n(b.created_at.timestamp_millis()))
            .build()?;
        writes.push(TransactWriteItem::builder().put(rule).build());
        guards.push(Guard::Person);
        writes.push(self.put(
            to_item(entity::KIOSK_CODE, &KioskCodeItem::from(b))?,
            absent,
        )?);
        guards.push(Guard::KioskCode);
        writes.push(self.put(
            to_item(entity::PUBLIC_REF, &PublicRefItem::from(b))?,
            absent,
        )?);
        guards.push(Guard::PublicRef);
        writes.push(self.put(to_item(entity::BOOKING, &BookingItem::from(b))?, absent)?);
        guards.push(Guard::Booking);
        if let Some(message) = hold.message {
            writes.push(self.outbox_put(message)?);
            guards.push(Guard::Outbox);
        }
        // Made confirmed (by a clerk): expected in the hall at once.
        if b.status == BookingStatus::Confirmed
            && let Some(arrival) = ArrivalItem::of(b)
        {
            writes.push(self.put(to_item(entity::ARRIVAL, &arrival)?, None)?);
            guards.push(Guard::Arrival);
        }
        if let Some(entry) = hold.audit {
            writes.push(self.audit_put(entry)?);
            guards.push(Guard::Audit);
        }
        if let Some(answer) = hold.idempotency {
            let key = keys::idempotency(&answer.key_digest);
            let item = IdempotencyItem {
                pk: key.pk,
                sk: key.sk,
                entity: entity::IDEMPOTENCY.into(),
                request_digest: answer.request_digest.0.clone(),
                status: answer.status,
                response: answer.response.clone(),
                ttl: answer.expires_at.timestamp(),
            };
            // A key past its retention is free again, even before TTL deletes it.
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(to_item(entity::IDEMPOTENCY, &item)?))
                .condition_expression("attribute_not_exists(pk) OR #ttl <= :now")
                .expression_attribute_names("#ttl", "ttl")
                .expression_attribute_values(":now", n(b.created_at.timestamp()))
                .build()?;
            writes.push(TransactWriteItem::builder().put(put).build());
            guards.push(Guard::Idempotency);
        }

        // The SDK gives each call a ClientRequestToken, the same on its
        // retries: a transaction committed whose answer was lost is answered
        // as done on the retry, not refused against its own items.
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(writes))
            .send()
            .await;
        let err = match result {
            Ok(_) => return Ok(Ok(())),
            Err(err) => err,
        };
        let Some(codes) = cancellation_codes(&err) else {
            return Err(StoreError::transaction(err));
        };
        let failed_guard = |wanted: Guard| {
            codes
                .iter()
                .zip(&guards)
                .any(|(code, guard)| *guard == wanted && code == "ConditionalCheckFailed")
        };
        // The key first: a request racing its own retry replays the answer
        // the other one recorded, whatever else the hold met.
        if failed_guard(Guard::Idempotency) {
            return Ok(Err(HoldRefusal::IdempotencyKeyTaken));
        }
        if is_conflict(&codes) {
            return Ok(Err(HoldRefusal::Conflict));
        }
        let failed = codes
            .iter()
            .zip(&guards)
            .find(|(code, _)| code.as_str() == "ConditionalCheckFailed");
        match failed.map(|(_, guard)| *guard) {
            Some(Guard::Unit) => Ok(Err(HoldRefusal::SlotFull)),
            Some(Guard::ClerkUnit) => Ok(Err(HoldRefusal::ClerkBusy)),
            Some(Guard::Week) => Ok(Err(HoldRefusal::WeekFull)),
            Some(Guard::Blocked) => Ok(Err(HoldRefusal::Blocked)),
            Some(Guard::Undeliverable) => Ok(Err(HoldRefusal::EmailUndeliverable)),
            Some(Guard::Person) => Ok(Err(HoldRefusal::PersonAlreadyBooked)),
            Some(Guard::KioskCode) => Ok(Err(HoldRefusal::KioskCodeTaken)),
            Some(Guard::PublicRef) => Ok(Err(HoldRefusal::PublicRefTaken)),
            Some(Guard::Idempotency) => Ok(Err(HoldRefusal::IdempotencyKeyTaken)),
            Some(Guard::Limit(index)) => Ok(Err(HoldRefusal::LimitReached(index))),
            // A fresh ULID or outbox id that exists means something is deeply wrong.
            Some(Guard::Booking | Guard::Outbox | Guard::Arrival | Guard::Audit) | None => {
                Err(StoreError::transaction(err))
            }
        }
    }

    /// Records that mail to an address (keyed hash) bounced for good or was
    /// reported as spam; a later report replaces an earlier one.
    pub async fn mark_address_undeliverable(
        &self,
        email_key: &Digest,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let key = keys::undeliverable_address(email_key);
        let item = UndeliverableAddressItem {
            pk: key.pk,
            sk: key.sk,
            entity: entity::UNDELIVERABLE_ADDRESS.into(),
            reason: reason.into(),
            reported_at: now,
            ttl: (now + UNDELIVERABLE_RETENTION).timestamp(),
        };
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(entity::UNDELIVERABLE_ADDRESS, &item)?))
            .send()
            .await
            .map_err(|e| StoreError::sdk("PutItem", e))?;
        Ok(())
    }

    pub async fn get_idempotent_answer(
        &self,
        key_digest: &Digest,
    ) -> Result<Option<IdempotencyItem>, StoreError> {
        self.get_mapped(&keys::idempotency(key_digest), entity::IDEMPOTENCY)
            .await
    }
}
