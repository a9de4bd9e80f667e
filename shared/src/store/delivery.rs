//! Delivery bookkeeping on outbox items, so a stream record delivered twice
//! sends once in effect. Per channel, a sender first *claims* the message with
//! a short lease (a condition: not sent, no live lease), sends, then marks it
//! sent. A crash between sending and marking leaves the lease to run out and the
//! record to be retried, which may send that one message again: at-least-once,
//! never lost. When every channel is done the raw secrets are removed.

use crate::domain::booking::Channel;
use crate::domain::ids::{BookingId, OutboxId};
use crate::store::items::attr;
use crate::store::{Store, StoreError, key_map, keys, n, s};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure};
use chrono::{DateTime, Duration, Utc};

/// The result of trying to claim a message for one channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// Ours to send until the lease ends.
    Claimed,
    /// Sent before (a redelivered record).
    AlreadySent,
    /// Another sender holds a lease until then (a live one, or one left by a
    /// sender that crashed or timed out before it could mark or give it back).
    Busy { until: DateTime<Utc> },
    /// The outbox item is gone (past its TTL).
    Gone,
    /// The provider refused this channel for good on an earlier try.
    Undeliverable,
}

/// A channel's delivery attributes: sent at, lease until, provider message id.
fn attrs(channel: Channel) -> (&'static str, &'static str, &'static str) {
    match channel {
        Channel::Email => (
            attr::EMAIL_SENT_AT,
            attr::EMAIL_LEASE_UNTIL,
            attr::EMAIL_MESSAGE_ID,
        ),
        Channel::Sms => (
            attr::SMS_SENT_AT,
            attr::SMS_LEASE_UNTIL,
            attr::SMS_MESSAGE_ID,
        ),
    }
}

/// A channel's attribute for the provider's code when it refused for good.
fn undeliverable_attr(channel: Channel) -> &'static str {
    match channel {
        Channel::Email => attr::EMAIL_UNDELIVERABLE,
        Channel::Sms => attr::SMS_UNDELIVERABLE,
    }
}

fn channel_name(channel: Channel) -> &'static str {
    match channel {
        Channel::Email => "email",
        Channel::Sms => "sms",
    }
}

/// When a lease attribute (epoch milliseconds) ends.
fn lease_end(value: Option<&AttributeValue>) -> Option<DateTime<Utc>> {
    let millis = value?.as_n().ok()?.parse::<i64>().ok()?;
    DateTime::from_timestamp_millis(millis)
}

impl Store {
    pub async fn claim_delivery(
        &self,
        id: OutboxId,
        channel: Channel,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Claim, StoreError> {
        let (sent, lease_until, _) = attrs(channel);
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_map(&keys::outbox(id))))
            .update_expression("SET #lease = :until")
            .condition_expression(
                "attribute_exists(pk) AND attribute_not_exists(#sent) \
                 AND attribute_not_exists(#refused) \
                 AND (attribute_not_exists(#lease) OR #lease <= :now)",
            )
            .expression_attribute_names("#sent", sent)
            .expression_attribute_names("#refused", undeliverable_attr(channel))
            .expression_attribute_names("#lease", lease_until)
            .expression_attribute_values(":until", n((now + lease).timestamp_millis()))
            .expression_attribute_values(":now", n(now.timestamp_millis()))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(_) => Ok(Claim::Claimed),
            Err(e) => match e.as_service_error() {
                Some(se) if se.is_conditional_check_failed_exception() => {
                    let old = match se {
                        aws_sdk_dynamodb::operation::update_item::UpdateItemError::ConditionalCheckFailedException(c) => c.item(),
                        _ => None,
                    };
                    Ok(match old {
                        None => Claim::Gone,
                        Some(item) if item.contains_key(sent) => Claim::AlreadySent,
                        Some(item) if item.contains_key(undeliverable_attr(channel)) => {
                            Claim::Undeliverable
                        }
                        Some(item) => Claim::Busy {
                            until: lease_end(item.get(lease_until)).unwrap_or(now + lease),
                        },
                    })
                }
                _ => Err(StoreError::sdk("UpdateItem", e)),
            },
        }
    }

    /// Records that a channel's message was accepted by the provider.
    pub async fn mark_delivered(
        &self,
        id: OutboxId,
        channel: Channel,
        provider_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (sent, lease_until, message_id) = attrs(channel);
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_map(&keys::outbox(id))))
            .update_expression("SET #sent = :now, #mid = :mid REMOVE #lease")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_names("#sent", sent)
            .expression_attribute_names("#mid", message_id)
            .expression_attribute_names("#lease", lease_until)
            .expression_attribute_values(":now", n(now.timestamp_millis()))
            .expression_attribute_values(":mid", s(provider_id))
            .send()
            .await
            .map_err(|e| StoreError::sdk("UpdateItem", e))?;
        Ok(())
    }

    /// Records that the provider refused a channel for good (`code` is its
    /// error code, never its message): the claim ends, no retry sends it, and
    /// the booking names the channel for staff.
    pub async fn mark_undeliverable(
        &self,
        id: OutboxId,
        booking: Option<BookingId>,
        channel: Channel,
        code: &str,
    ) -> Result<(), StoreError> {
        let (sent, lease_until, _) = attrs(channel);
        self.update_if(
            self.client
                .update_item()
                .set_key(Some(key_map(&keys::outbox(id))))
                .update_expression("SET #refused = :code REMOVE #lease")
                .condition_expression("attribute_exists(pk) AND attribute_not_exists(#sent)")
                .expression_attribute_names("#refused", undeliverable_attr(channel))
                .expression_attribute_names("#sent", sent)
                .expression_attribute_names("#lease", lease_until)
                .expression_attribute_values(":code", s(code)),
        )
        .await?;
        let Some(booking) = booking else {
            return Ok(());
        };
        // A failed condition: named already, or the booking is gone.
        self.update_if(
            self.client
                .update_item()
                .set_key(Some(key_map(&keys::booking(booking))))
                .update_expression(
                    "SET #undeliverable = list_append(if_not_exists(#undeliverable, :none), :channel)",
                )
                .condition_expression(
                    "attribute_exists(pk) AND NOT contains(#undeliverable, :name)",
                )
                .expression_attribute_names("#undeliverable", attr::UNDELIVERABLE)
                .expression_attribute_values(":none", AttributeValue::L(Vec::new()))
                .expression_attribute_values(":channel", AttributeValue::L(vec![s(channel_name(channel))]))
                .expression_attribute_values(":name", s(channel_name(channel))),
        )
        .await?;
        Ok(())
    }

    /// Gives a claim back after a failed send, so a retry need not wait for the lease.
    pub async fn release_claim(&self, id: OutboxId, channel: Channel) -> Result<(), StoreError> {
        let (sent, lease_until, _) = attrs(channel);
        // A failed condition means sent meanwhile or gone: nothing to give back.
        self.update_if(
            self.client
                .update_item()
                .set_key(Some(key_map(&keys::outbox(id))))
                .update_expression("REMOVE #lease")
                .condition_expression("attribute_exists(pk) AND attribute_not_exists(#sent)")
                .expression_attribute_names("#sent", sent)
                .expression_attribute_names("#lease", lease_until),
        )
        .await?;
        Ok(())
    }

    /// Closes a message: every channel is done (`outcome` says how), and the
    /// raw confirm token, code and manage token are removed from the item.
    pub async fn finish_delivery(
        &self,
        id: OutboxId,
        outcome: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        use attr::{CONFIRM_CODE, CONFIRM_TOKEN, DELIVERED_AT, MANAGE_TOKEN, OUTCOME, SMS_TO};
        // A failed condition means gone past its TTL: nothing left to strip.
        self.update_if(
            self.client
                .update_item()
                .set_key(Some(key_map(&keys::outbox(id))))
                .update_expression(format!(
                    "SET {DELIVERED_AT} = :now, {OUTCOME} = :outcome \
                     REMOVE {CONFIRM_TOKEN}, {CONFIRM_CODE}, {MANAGE_TOKEN}, {SMS_TO}"
                ))
                .condition_expression("attribute_exists(pk)")
                .expression_attribute_values(":now", n(now.timestamp_millis()))
                .expression_attribute_values(":outcome", s(outcome)),
        )
        .await?;
        Ok(())
    }
}
