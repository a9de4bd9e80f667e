//! The shapes every write shares: a conditional put inside a transaction,
//! the outbox message that travels with each state change, running a state
//! change (with the inbound-SMS marker), a conditional update whose failed
//! condition means "already done", and reading every page of a query.

use crate::domain::outbox::OutboxMessage;
use crate::store::items::{InboundSmsItem, OutboxItem, entity};
use crate::store::transitions::TransitionRefusal;
use crate::store::{Item, Store, StoreError, to_item};
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder;
use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use chrono::{DateTime, Utc};

/// Cancellation reasons that mean "too fast", not "refused".
const THROTTLED: [&str; 3] = [
    "ThrottlingError",
    "ProvisionedThroughputExceeded",
    "RequestLimitExceeded",
];

/// Every reason code of a cancelled transaction, one per item in order.
fn reason_codes(err: &SdkError<TransactWriteItemsError>) -> Option<Vec<String>> {
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

/// Whether DynamoDB cancelled the transaction only for being too fast: no
/// condition failed, and some item was throttled.
fn throttled(codes: &[String]) -> bool {
    codes.iter().all(|c| c != "ConditionalCheckFailed")
        && codes.iter().any(|c| THROTTLED.contains(&c.as_str()))
}

/// The cancellation reasons of a failed transaction, for the caller to name;
/// `None` when it was not cancelled by its items, or only throttled (then
/// [`StoreError::transaction`] makes it a transient store error).
pub(crate) fn cancellation_codes(err: &SdkError<TransactWriteItemsError>) -> Option<Vec<String>> {
    reason_codes(err).filter(|codes| !throttled(codes))
}

impl StoreError {
    /// A failed transaction as a store error: transient when DynamoDB was
    /// unreachable or throttled it (as a whole, or one of its items).
    pub(crate) fn transaction(err: SdkError<TransactWriteItemsError>) -> Self {
        let throttled = reason_codes(&err).is_some_and(|codes| throttled(&codes));
        match StoreError::sdk("TransactWriteItems", err) {
            StoreError::Sdk {
                operation,
                transient,
                source,
            } => StoreError::Sdk {
                operation,
                transient: transient || throttled,
                source,
            },
            other => other,
        }
    }
}

pub(crate) fn is_conflict(codes: &[String]) -> bool {
    codes.iter().any(|c| c == "TransactionConflict")
}

/// The outcome of a conditional write: `Ok(true)` when it was made,
/// `Ok(false)` when its condition failed (the caller says what that means).
pub(crate) fn condition_held<T, E>(
    operation: &'static str,
    result: Result<T, SdkError<E>>,
) -> Result<bool, StoreError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match result {
        Ok(_) => Ok(true),
        Err(e)
            if e.as_service_error().and_then(ProvideErrorMetadata::code)
                == Some("ConditionalCheckFailedException") =>
        {
            Ok(false)
        }
        Err(e) => Err(StoreError::sdk(operation, e)),
    }
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

    /// The outbox message of a state change, written only if new.
    pub(crate) fn outbox_put(
        &self,
        message: &OutboxMessage,
    ) -> Result<TransactWriteItem, StoreError> {
        self.put(
            to_item(entity::OUTBOX, &OutboxItem::sealed(message, self.sealer()?))?,
            Some("attribute_not_exists(pk)"),
        )
    }

    /// Every item the query matches, page after page.
    pub(crate) async fn query_all(
        &self,
        query: QueryFluentBuilder,
    ) -> Result<Vec<Item>, StoreError> {
        query
            .table_name(&self.table)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| StoreError::sdk("Query", e))
    }

    /// Sends a conditional update. `Ok(false)` when its condition failed, which
    /// each caller names (already done, no longer allowed, item gone).
    pub(crate) async fn update_if(
        &self,
        update: UpdateItemFluentBuilder,
    ) -> Result<bool, StoreError> {
        condition_held("UpdateItem", update.table_name(&self.table).send().await)
    }

    /// Runs a transaction. `Ok(Err(reasons))` when it was cancelled, with one
    /// reason code per item in order ("None", "ConditionalCheckFailed",
    /// "TransactionConflict", …), for the caller to name.
    pub(crate) async fn transact(
        &self,
        writes: Vec<TransactWriteItem>,
    ) -> Result<Result<(), Vec<String>>, StoreError> {
        match self
            .client
            .transact_write_items()
            .set_transact_items(Some(writes))
            .send()
            .await
        {
            Ok(_) => Ok(Ok(())),
            Err(err) => match cancellation_codes(&err) {
                Some(codes) => Ok(Err(codes)),
                None => Err(StoreError::transaction(err)),
            },
        }
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
                // A booking's condition (the leading one, or any of the holds
                // one SMS answers for): the booking changed since it was read.
                Some(codes) if codes.iter().any(|c| c == "ConditionalCheckFailed") => {
                    Ok(Err(TransitionRefusal::StateChanged))
                }
                _ => Err(StoreError::transaction(err)),
            },
        }
    }
}
