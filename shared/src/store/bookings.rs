//! Booking writes. Each state change is one TransactWriteItems whose conditions
//! carry the rule, so concurrent requests cannot double-book, return capacity
//! twice, or confirm an expired hold.

use crate::domain::booking::{Booking, BookingStatus, MAX_CODE_ATTEMPTS};
use crate::domain::ids::{BookingId, DepartmentId, OfficeId, ServiceId};
use crate::domain::outbox::OutboxMessage;
use crate::domain::secrets::{Digest, PersonKey};
use crate::store::items::{
    BookingItem, CounterItem, IdempotencyItem, InboundSmsItem, KioskCodeItem, OutboxItem,
    PersonRuleItem, entity,
};
use crate::store::{Item, Store, StoreError, from_item, key_map, keys, n, s, to_item};
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{Delete, Put, TransactWriteItem, Update};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;

/// What each item of a hold transaction guards, in transaction order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Guard {
    Unit,
    Week,
    Person,
    KioskCode,
    Booking,
    Outbox,
    Idempotency,
}

/// Why a hold was not written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldRefusal {
    /// A capacity unit of the slot has no desk left.
    SlotFull,
    /// The department's weekly online cap is reached.
    WeekFull,
    /// The person already has an active booking for this service that day.
    PersonAlreadyBooked,
    /// The kiosk code drawn is taken that day at that office: draw again.
    KioskCodeTaken,
    /// The idempotency key was recorded by a concurrent request.
    IdempotencyKeyTaken,
    /// Another transaction touched the same items; retry.
    Conflict,
}

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
    pub desks_online: u32,
    pub weekly_cap: Option<u32>,
    pub message: &'a OutboxMessage,
    pub idempotency: Option<&'a IdempotentAnswer>,
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

/// Reads the cancellation reasons of a failed transaction.
fn cancellation_codes(err: &SdkError<TransactWriteItemsError>) -> Option<Vec<String>> {
    match err.as_service_error()? {
        TransactWriteItemsError::TransactionCanceledException(e) => Some(
            e.cancellation_reasons()
                .iter()
                .map(|r| r.code().unwrap_or("None").to_owned())
                .collect(),
        ),
        _ => None,
    }
}

fn is_conflict(codes: &[String]) -> bool {
    codes.iter().any(|c| c == "TransactionConflict")
}

impl Store {
    pub(crate) fn put(
        &self,
        item: Item,
        condition: Option<&str>,
    ) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .set_condition_expression(condition.map(str::to_owned))
            .build()?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    fn counter_update(
        &self,
        key: &keys::Key,
        delta: i64,
        cap: Option<u32>,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key_map(key)))
            .update_expression("ADD booked :delta SET entity = :entity")
            .expression_attribute_values(":delta", n(delta))
            .expression_attribute_values(":entity", s(entity::COUNTER));
        if delta > 0 {
            if let Some(cap) = cap {
                update = update
                    .condition_expression("attribute_not_exists(booked) OR booked < :cap")
                    .expression_attribute_values(":cap", n(cap));
            }
        } else {
            // Never below zero: a release without a matching take is a bug to surface.
            update = update
                .condition_expression("booked >= :one")
                .expression_attribute_values(":one", n(1));
        }
        Ok(TransactWriteItem::builder().update(update.build()?).build())
    }

    /// Writes a hold: capacity units (each under the desk count), the week
    /// counter (under the weekly cap), the person rule, the kiosk code, the
    /// booking, its outbox message and the idempotent answer — all or nothing.
    pub async fn create_hold(
        &self,
        hold: NewHold<'_>,
    ) -> Result<Result<(), HoldRefusal>, StoreError> {
        let b = hold.booking;
        let mut writes = Vec::new();
        let mut guards = Vec::new();
        for unit in &b.capacity_units {
            let key = keys::unit(&b.office_id, &b.department_id, *unit);
            writes.push(self.counter_update(&key, 1, Some(hold.desks_online))?);
            guards.push(Guard::Unit);
        }
        let week = keys::week(&b.office_id, &b.department_id, &b.week);
        writes.push(self.counter_update(&week, 1, hold.weekly_cap)?);
        guards.push(Guard::Week);
        let absent = Some("attribute_not_exists(pk)");
        writes.push(self.put(
            to_item(entity::PERSON_RULE, &PersonRuleItem::from(b))?,
            absent,
        )?);
        guards.push(Guard::Person);
        writes.push(self.put(
            to_item(entity::KIOSK_CODE, &KioskCodeItem::from(b))?,
            absent,
        )?);
        guards.push(Guard::KioskCode);
        writes.push(self.put(to_item(entity::BOOKING, &BookingItem::from(b))?, absent)?);
        guards.push(Guard::Booking);
        writes.push(self.put(
            to_item(entity::OUTBOX, &OutboxItem::from(hold.message))?,
            absent,
        )?);
        guards.push(Guard::Outbox);
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
            writes.push(self.put(to_item(entity::IDEMPOTENCY, &item)?, absent)?);
            guards.push(Guard::Idempotency);
        }

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
            return Err(StoreError::sdk("TransactWriteItems", err));
        };
        if is_conflict(&codes) {
            return Ok(Err(HoldRefusal::Conflict));
        }
        let failed = codes
            .iter()
            .zip(&guards)
            .find(|(code, _)| code.as_str() == "ConditionalCheckFailed");
        match failed.map(|(_, guard)| *guard) {
            Some(Guard::Unit) => Ok(Err(HoldRefusal::SlotFull)),
            Some(Guard::Week) => Ok(Err(HoldRefusal::WeekFull)),
            Some(Guard::Person) => Ok(Err(HoldRefusal::PersonAlreadyBooked)),
            Some(Guard::KioskCode) => Ok(Err(HoldRefusal::KioskCodeTaken)),
            Some(Guard::Idempotency) => Ok(Err(HoldRefusal::IdempotencyKeyTaken)),
            // A fresh ULID or outbox id that exists means something is deeply wrong.
            Some(Guard::Booking | Guard::Outbox) | None => {
                Err(StoreError::sdk("TransactWriteItems", err))
            }
        }
    }

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
            ConfirmProof::Token(d) => ("confirm_token = :proof", d),
            ConfirmProof::Code(d) => ("confirm_code = :proof AND code_attempts < :max_attempts", d),
        };
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key_map(&keys::booking(booking.id))))
            .update_expression(
                "SET #status = :confirmed, confirmed_at = :now, manage_tokens = list_append(manage_tokens, :manage) \
                 REMOVE gsi2pk, gsi2sk",
            )
            .condition_expression(format!("#status = :pending AND hold_expires_at > :now AND {proof_condition}"))
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":confirmed", s(BookingStatus::Confirmed.as_str()))
            .expression_attribute_values(":pending", s(BookingStatus::Pending.as_str()))
            .expression_attribute_values(":now", n(now.timestamp_millis()))
            .expression_attribute_values(":manage", aws_sdk_dynamodb::types::AttributeValue::L(vec![s(&new_manage_token.0)]))
            .expression_attribute_values(":proof", s(&proof_value.0));
        if matches!(proof, ConfirmProof::Code(_)) {
            update = update.expression_attribute_values(":max_attempts", n(MAX_CODE_ATTEMPTS));
        }
        let writes = vec![
            TransactWriteItem::builder().update(update.build()?).build(),
            self.put(
                to_item(entity::OUTBOX, &OutboxItem::from(message))?,
                Some("attribute_not_exists(pk)"),
            )?,
        ];
        self.transition(writes, inbound, now).await
    }

    /// Moves an active booking to cancelled or expired and returns its capacity,
    /// in one transaction whose booking condition makes the return happen once.
    pub async fn release(
        &self,
        booking: &Booking,
        how: Release,
        now: DateTime<Utc>,
        message: &OutboxMessage,
        inbound: Option<&str>,
    ) -> Result<Result<(), TransitionRefusal>, StoreError> {
        let (new_status, condition) = match how {
            Release::Cancel => (
                BookingStatus::Cancelled,
                "start_at > :now AND (#status = :confirmed OR (#status = :pending AND hold_expires_at > :now))",
            ),
            Release::Expire => (
                BookingStatus::Expired,
                "#status = :pending AND hold_expires_at <= :now",
            ),
        };
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key_map(&keys::booking(booking.id))))
            .update_expression("SET #status = :new_status, closed_at = :now REMOVE gsi2pk, gsi2sk")
            .condition_expression(condition)
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":new_status", s(new_status.as_str()))
            .expression_attribute_values(":now", n(now.timestamp_millis()))
            .expression_attribute_values(":pending", s(BookingStatus::Pending.as_str()));
        let update = if how == Release::Cancel {
            update.expression_attribute_values(":confirmed", s(BookingStatus::Confirmed.as_str()))
        } else {
            update
        };
        let mut writes = vec![TransactWriteItem::builder().update(update.build()?).build()];
        for unit in &booking.capacity_units {
            writes.push(self.counter_update(
                &keys::unit(&booking.office_id, &booking.department_id, *unit),
                -1,
                None,
            )?);
        }
        writes.push(self.counter_update(
            &keys::week(&booking.office_id, &booking.department_id, &booking.week),
            -1,
            None,
        )?);
        let owned_by_booking = |key: keys::Key| -> Result<TransactWriteItem, StoreError> {
            let delete = Delete::builder()
                .table_name(&self.table)
                .set_key(Some(key_map(&key)))
                .condition_expression("booking_id = :id")
                .expression_attribute_values(":id", s(booking.id.to_string()))
                .build()?;
            Ok(TransactWriteItem::builder().delete(delete).build())
        };
        writes.push(owned_by_booking(keys::person_rule(
            &booking.person,
            &booking.service_id,
            booking.local_date,
        ))?);
        writes.push(owned_by_booking(keys::kiosk_code(
            &booking.office_id,
            booking.local_date,
            booking.kiosk_code.as_str(),
        ))?);
        writes.push(self.put(
            to_item(entity::OUTBOX, &OutboxItem::from(message))?,
            Some("attribute_not_exists(pk)"),
        )?);
        self.transition(writes, inbound, now).await
    }

    /// Runs a state change. `bookings` leading items carry the state
    /// conditions; when `inbound` is given, a marker for that inbound SMS id is
    /// written last, so the same SMS can never act twice.
    pub(crate) async fn transition(
        &self,
        mut writes: Vec<TransactWriteItem>,
        inbound: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Result<(), TransitionRefusal>, StoreError> {
        if let Some(id) = inbound {
            writes.push(self.put(
                to_item(entity::INBOUND_SMS, &InboundSmsItem::new(id, now))?,
                Some("attribute_not_exists(pk)"),
            )?);
        }
        match self
            .client
            .transact_write_items()
            .set_transact_items(Some(writes))
            .send()
            .await
        {
            Ok(_) => Ok(Ok(())),
            Err(err) => match cancellation_codes(&err) {
                Some(codes)
                    if inbound.is_some()
                        && codes.last().is_some_and(|c| c == "ConditionalCheckFailed") =>
                {
                    Ok(Err(TransitionRefusal::Duplicate))
                }
                Some(codes) if is_conflict(&codes) => Ok(Err(TransitionRefusal::Conflict)),
                // Only the booking updates (which lead) have conditions that legitimately fail.
                Some(codes) if codes.first().is_some_and(|c| c == "ConditionalCheckFailed") => {
                    Ok(Err(TransitionRefusal::StateChanged))
                }
                _ => Err(StoreError::sdk("TransactWriteItems", err)),
            },
        }
    }

    /// Counts a wrong confirmation code. Returns `false` when the booking is no
    /// longer pending or the code is already locked (nothing is written then).
    pub async fn record_wrong_code(&self, id: BookingId) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_map(&keys::booking(id))))
            .update_expression("ADD code_attempts :one")
            .condition_expression("#status = :pending AND (attribute_not_exists(code_attempts) OR code_attempts < :max)")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":pending", s(BookingStatus::Pending.as_str()))
            .expression_attribute_values(":max", n(MAX_CODE_ATTEMPTS))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|se| se.is_conditional_check_failed_exception()) =>
            {
                Ok(false)
            }
            Err(e) => Err(StoreError::sdk("UpdateItem", e)),
        }
    }

    pub async fn get_booking(&self, id: BookingId) -> Result<Option<Booking>, StoreError> {
        let item: Option<BookingItem> =
            self.get_mapped(&keys::booking(id), entity::BOOKING).await?;
        Ok(item.map(Booking::try_from).transpose()?)
    }

    /// The active booking of a person for a service on a day, if any.
    pub async fn find_person_booking(
        &self,
        person: &PersonKey,
        service: &ServiceId,
        date: NaiveDate,
    ) -> Result<Option<BookingId>, StoreError> {
        let rule: Option<PersonRuleItem> = self
            .get_mapped(
                &keys::person_rule(person, service, date),
                entity::PERSON_RULE,
            )
            .await?;
        let corrupt = |_| crate::store::items::CorruptItem {
            entity: entity::PERSON_RULE,
            field: "booking_id",
        };
        Ok(rule
            .map(|r| BookingId::parse(&r.booking_id).map_err(corrupt))
            .transpose()?)
    }

    /// Booked counts of a department's capacity units in `[from, to)`, from one Query.
    pub async fn unit_counts(
        &self,
        office: &OfficeId,
        department: &DepartmentId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<BTreeMap<DateTime<Utc>, i64>, StoreError> {
        let items: Vec<Item> = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk AND sk BETWEEN :from AND :to")
            .expression_attribute_values(":pk", s(keys::capacity_pk(office, department)))
            .expression_attribute_values(":from", s(keys::unit(office, department, from).sk))
            .expression_attribute_values(":to", s(keys::unit(office, department, to).sk))
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| StoreError::sdk("Query", e))?;
        let mut counts = BTreeMap::new();
        for item in items {
            let counter: CounterItem = from_item(entity::COUNTER, item)?;
            if let Some(at) = keys::unit_sk_to_instant(&counter.sk).filter(|at| *at < to) {
                counts.insert(at, counter.booked);
            }
        }
        Ok(counts)
    }

    /// Booked count of a department's ISO week.
    pub async fn week_count(
        &self,
        office: &OfficeId,
        department: &DepartmentId,
        week: &str,
    ) -> Result<i64, StoreError> {
        let counter: Option<CounterItem> = self
            .get_mapped(&keys::week(office, department, week), entity::COUNTER)
            .await?;
        Ok(counter.map_or(0, |c| c.booked))
    }

    pub async fn get_idempotent_answer(
        &self,
        key_digest: &Digest,
    ) -> Result<Option<IdempotencyItem>, StoreError> {
        self.get_mapped(&keys::idempotency(key_digest), entity::IDEMPOTENCY)
            .await
    }
}
