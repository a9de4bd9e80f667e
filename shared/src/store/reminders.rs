//! Reminders and cancel links: the bookings about to start, and queueing a
//! message that carries a fresh manage token.

use crate::domain::booking::{Booking, BookingStatus};
use crate::domain::ids::OfficeId;
use crate::domain::outbox::OutboxMessage;
use crate::domain::secrets::Digest;
use crate::store::items::attr::{MANAGE_TOKENS, REMINDED_AT, START_AT, STATUS};
use crate::store::items::{BookingItem, entity};
use crate::store::transitions::TransitionRefusal;
use crate::store::{Store, StoreError, from_item, key_map, keys, n, s};
use aws_sdk_dynamodb::types::builders::UpdateBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use chrono::{DateTime, NaiveDate, Utc};

impl Store {
    /// An office's bookings on a local `date` that start within `[from, to]` (GSI1).
    pub async fn bookings_starting(
        &self,
        office: &OfficeId,
        date: NaiveDate,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Booking>, StoreError> {
        let query = self
            .client
            .query()
            .index_name(keys::GSI1)
            .key_condition_expression("gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to")
            .expression_attribute_values(":pk", s(keys::booking_day_gsi1pk(office, date)))
            .expression_attribute_values(":from", s(keys::day_gsi1sk_from(from)))
            .expression_attribute_values(":to", s(keys::day_gsi1sk_to(to)));
        self.query_all(query)
            .await?
            .into_iter()
            .map(|item| {
                let stored: BookingItem = from_item(entity::BOOKING, item)?;
                Ok(Booking::try_from(stored)?)
            })
            .collect()
    }

    /// Marks a confirmed booking reminded (adding the reminder's manage token)
    /// and queues the reminder — once: the booking must still be confirmed,
    /// not yet reminded, and not yet started.
    pub async fn queue_reminder(
        &self,
        booking: &Booking,
        manage_token: &Digest,
        now: DateTime<Utc>,
        message: &OutboxMessage,
    ) -> Result<Result<(), TransitionRefusal>, StoreError> {
        let update = self
            .manage_token_added(booking, manage_token, now)
            .update_expression(format!(
                "SET {REMINDED_AT} = :now, {MANAGE_TOKENS} = list_append({MANAGE_TOKENS}, :manage)"
            ))
            .condition_expression(format!(
                "#status = :confirmed AND attribute_not_exists({REMINDED_AT}) AND {START_AT} > :now"
            ));
        self.queue_with_token(update, message, now).await
    }

    /// Adds a manage token to an open booking that has not begun and queues
    /// its cancel link (asked for by national ID, matter and day).
    pub async fn queue_cancel_link(
        &self,
        booking: &Booking,
        manage_token: &Digest,
        now: DateTime<Utc>,
        message: &OutboxMessage,
    ) -> Result<Result<(), TransitionRefusal>, StoreError> {
        let update = self
            .manage_token_added(booking, manage_token, now)
            .update_expression(format!(
                "SET {MANAGE_TOKENS} = list_append({MANAGE_TOKENS}, :manage)"
            ))
            .condition_expression(format!(
                "#status IN (:pending, :confirmed) AND {START_AT} > :now"
            ))
            .expression_attribute_values(":pending", s(BookingStatus::Pending.as_str()));
        self.queue_with_token(update, message, now).await
    }

    /// The booking's update carrying a new manage token (`:manage`), the
    /// time (`:now`) and `#status`/`:confirmed` for its condition.
    fn manage_token_added(
        &self,
        booking: &Booking,
        manage_token: &Digest,
        now: DateTime<Utc>,
    ) -> UpdateBuilder {
        Update::builder()
            .table_name(&self.table)
            .set_key(Some(key_map(&keys::booking(booking.id))))
            .expression_attribute_names("#status", STATUS)
            .expression_attribute_values(":confirmed", s(BookingStatus::Confirmed.as_str()))
            .expression_attribute_values(":now", n(now.timestamp_millis()))
            .expression_attribute_values(":manage", AttributeValue::L(vec![s(&manage_token.0)]))
    }

    /// The booking's update and the message that carries the token, together.
    async fn queue_with_token(
        &self,
        update: UpdateBuilder,
        message: &OutboxMessage,
        now: DateTime<Utc>,
    ) -> Result<Result<(), TransitionRefusal>, StoreError> {
        let writes = vec![
            TransactWriteItem::builder().update(update.build()?).build(),
            self.outbox_put(message)?,
        ];
        self.transition(writes, None, now).await
    }
}
