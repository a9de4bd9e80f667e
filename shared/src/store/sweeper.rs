//! What the scheduled sweeper reads and writes: the holds and visits due in
//! an hour bucket of GSI2, no-shows with their strike, and blocks from online
//! booking after no-shows (seed 002).

use crate::domain::booking::{Booking, BookingStatus};
use crate::domain::ids::{BookingId, OfficeId};
use crate::domain::outbox::OutboxMessage;
use crate::domain::secrets::PersonKey;
use crate::store::items::attr::{BLOCKED_UNTIL, CLOSED_AT, GSI2PK, GSI2SK, STATUS};
use crate::store::items::{BlockItem, StrikeItem, entity};
use crate::store::transitions::TransitionRefusal;
use crate::store::writes::cancellation_codes;
use crate::store::{Item, Store, StoreError, from_item, key_map, keys, n, s, to_item};
use aws_sdk_dynamodb::types::{TransactWriteItem, Update};
use chrono::{DateTime, Duration, NaiveDate, Utc};

impl Store {
    /// The bookings in one GSI2 hour `bucket` whose time (hold expiry or
    /// visit start) is at or before `upto`, every page of them.
    pub async fn due_in_bucket(
        &self,
        bucket: &str,
        upto: DateTime<Utc>,
    ) -> Result<Vec<BookingId>, StoreError> {
        let query = self
            .client
            .query()
            .index_name(keys::GSI2)
            .key_condition_expression("gsi2pk = :bucket AND gsi2sk <= :upto")
            .expression_attribute_values(":bucket", s(bucket))
            .expression_attribute_values(":upto", s(keys::gsi2sk_upto(upto)));
        booking_ids(self.query_all(query).await?)
    }

    /// A confirmed booking whose kiosk window closed without its code: a
    /// no-show, with the person's strike at its office, in one transaction;
    /// the booking is no longer open, so its person rule goes too.
    pub async fn mark_no_show(
        &self,
        booking: &Booking,
        now: DateTime<Utc>,
        strike_lifetime: Duration,
    ) -> Result<Result<(), TransitionRefusal>, StoreError> {
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key_map(&keys::booking(booking.id))))
            .update_expression(format!(
                "SET #status = :no_show, {CLOSED_AT} = :now REMOVE {GSI2PK}, {GSI2SK}"
            ))
            .condition_expression("#status = :confirmed")
            .expression_attribute_names("#status", STATUS)
            .expression_attribute_values(":no_show", s(BookingStatus::NoShow.as_str()))
            .expression_attribute_values(":confirmed", s(BookingStatus::Confirmed.as_str()))
            .expression_attribute_values(":now", n(now.timestamp_millis()))
            .build()?;
        let key = keys::strike(&booking.person, &booking.office_id, booking.id);
        let strike = StrikeItem {
            pk: key.pk,
            sk: key.sk,
            entity: entity::STRIKE.into(),
            at: now,
            ttl: (now + strike_lifetime).timestamp(),
        };
        let writes = vec![
            TransactWriteItem::builder().update(update).build(),
            self.put(
                to_item(entity::STRIKE, &strike)?,
                Some("attribute_not_exists(pk)"),
            )?,
            self.delete_owned(keys::person_rule(booking), booking.id)?,
        ];
        self.transition(writes, None, now).await
    }

    /// When a person's strikes at an office were given, read consistently.
    pub async fn strikes(
        &self,
        person: &PersonKey,
        office: &OfficeId,
    ) -> Result<Vec<DateTime<Utc>>, StoreError> {
        let pk = keys::block(person, office).pk;
        let query = self
            .client
            .query()
            .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
            .expression_attribute_values(":pk", s(pk))
            .expression_attribute_values(":prefix", s(keys::strike_prefix(office)))
            .consistent_read(true);
        self.query_all(query)
            .await?
            .into_iter()
            .map(|item| Ok(from_item::<StrikeItem>(entity::STRIKE, item)?.at))
            .collect()
    }

    /// Blocks a person from booking online at an office until `until`
    /// (exclusive) and queues the message telling them, once: an existing
    /// block that lasts as long or longer is left alone (`false`).
    pub async fn block_person(
        &self,
        person: &PersonKey,
        office: &OfficeId,
        until: DateTime<Utc>,
        message: &OutboxMessage,
    ) -> Result<bool, StoreError> {
        let key = keys::block(person, office);
        let block = BlockItem {
            pk: key.pk,
            sk: key.sk,
            entity: entity::BLOCK.into(),
            blocked_until: until,
            ttl: (until + Duration::days(1)).timestamp(),
        };
        let put = aws_sdk_dynamodb::types::Put::builder()
            .table_name(&self.table)
            .set_item(Some(to_item(entity::BLOCK, &block)?))
            .condition_expression(format!(
                "attribute_not_exists(pk) OR {BLOCKED_UNTIL} < :until"
            ))
            .expression_attribute_values(":until", n(until.timestamp_millis()))
            .build()?;
        let writes = vec![
            TransactWriteItem::builder().put(put).build(),
            self.outbox_put(message)?,
        ];
        match self
            .client
            .transact_write_items()
            .set_transact_items(Some(writes))
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(err) => match cancellation_codes(&err) {
                Some(codes) if codes.first().is_some_and(|c| c == "ConditionalCheckFailed") => {
                    Ok(false)
                }
                _ => Err(StoreError::transaction(err)),
            },
        }
    }

    /// Until when (exclusive) a person is blocked at an office, if a block is stored.
    pub async fn blocked_until(
        &self,
        person: &PersonKey,
        office: &OfficeId,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let block: Option<BlockItem> = self
            .get_mapped(&keys::block(person, office), entity::BLOCK)
            .await?;
        Ok(block.map(|b| b.blocked_until))
    }

    /// The bookings of an office's day not yet purged (GSI1 `DAY#…`: a purged
    /// booking leaves that partition, so each is read once).
    pub async fn bookings_of_day(
        &self,
        office: &OfficeId,
        date: NaiveDate,
    ) -> Result<Vec<BookingId>, StoreError> {
        let query = self
            .client
            .query()
            .index_name(keys::GSI1)
            .key_condition_expression("gsi1pk = :day")
            .expression_attribute_values(":day", s(keys::booking_day_gsi1pk(office, date)));
        booking_ids(self.query_all(query).await?)
    }

    /// Removes a booking's personal data (names, email, phone, the national-ID
    /// and phone HMACs, the application number, the token digests), keeping
    /// what statistics need, and moves it from its day's GSI1 partition to a
    /// `STATS#…` one. `false`: purged before.
    pub async fn purge_personal_data(
        &self,
        id: BookingId,
        office: &OfficeId,
        date: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        use crate::store::items::attr::{
            APPLICATION_NUMBER, CONFIRM_CODE, CONFIRM_TOKEN, EMAIL, FIRST_NAME, GSI1PK, GSI3PK,
            GSI3SK, LAST_NAME, MANAGE_TOKENS, PERSON_KEY, PHONE, PHONE_KEY, PURGED_AT,
        };
        self.update_if(
            self.client
                .update_item()
                .set_key(Some(key_map(&keys::booking(id))))
                .update_expression(format!(
                    "SET {PURGED_AT} = :now, {GSI1PK} = :stats \
                     REMOVE {FIRST_NAME}, {LAST_NAME}, {EMAIL}, {PHONE}, {PHONE_KEY}, \
                     {PERSON_KEY}, {APPLICATION_NUMBER}, {CONFIRM_TOKEN}, {CONFIRM_CODE}, \
                     {MANAGE_TOKENS}, {GSI3PK}, {GSI3SK}, {GSI2PK}, {GSI2SK}"
                ))
                .condition_expression(format!(
                    "{GSI1PK} = :day AND attribute_not_exists({PURGED_AT})"
                ))
                .expression_attribute_values(":now", n(now.timestamp_millis()))
                .expression_attribute_values(":day", s(keys::booking_day_gsi1pk(office, date)))
                .expression_attribute_values(":stats", s(keys::statistics_gsi1pk(office, date))),
        )
        .await
    }

    /// Lifts a person's block at an office (staff). `false`: there was none.
    pub async fn lift_block(
        &self,
        person: &PersonKey,
        office: &OfficeId,
        audit: &crate::domain::audit::AuditEntry,
    ) -> Result<bool, StoreError> {
        let delete = aws_sdk_dynamodb::types::Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key_map(&keys::block(person, office))))
            .condition_expression("attribute_exists(pk)")
            .build()?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(
                aws_sdk_dynamodb::types::TransactWriteItem::builder()
                    .delete(delete)
                    .build(),
            )
            .transact_items(self.audit_put(audit)?)
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(err) => match crate::store::writes::cancellation_codes(&err) {
                Some(codes) if codes.first().is_some_and(|c| c == "ConditionalCheckFailed") => {
                    Ok(false)
                }
                _ => Err(StoreError::transaction(err)),
            },
        }
    }
}

/// The bookings that index entries (or booking items) point at, by their `pk`.
fn booking_ids(items: Vec<Item>) -> Result<Vec<BookingId>, StoreError> {
    items
        .iter()
        .map(|item| {
            item.get("pk")
                .and_then(|v| v.as_s().ok())
                .and_then(|pk| keys::booking_id_of_pk(pk))
                .ok_or(StoreError::Corrupt(crate::store::items::CorruptItem {
                    entity: entity::BOOKING,
                    field: "pk",
                }))
        })
        .collect()
}
