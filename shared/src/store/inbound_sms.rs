//! Inbound SMS: finding the bookings of a number, and the writes an inbound
//! SMS makes. Each write carries the SMS's marker (see `transition`), so a
//! redelivered SMS has no second effect.

use crate::domain::booking::{BookingStatus, MAX_CODE_ATTEMPTS};
use crate::domain::ids::BookingId;
use crate::domain::outbox::OutboxMessage;
use crate::domain::secrets::Digest;
use crate::store::items::attr::{CODE_ATTEMPTS, HOLD_EXPIRES_AT, STATUS};
use crate::store::items::entity;
use crate::store::transitions::TransitionRefusal;
use crate::store::{Store, StoreError, key_map, keys, n, s};
use aws_sdk_dynamodb::types::{TransactWriteItem, Update};
use chrono::{DateTime, Utc};

/// How many of a number's newest bookings an inbound SMS is matched
/// against besides its open holds (for "already confirmed", "expired").
pub const PHONE_CANDIDATES: usize = 10;

impl Store {
    /// The bookings an inbound SMS from a phone (keyed hash) is matched
    /// against: every hold still pending, however many there are (read page
    /// by page), and the newest others. GSI3 is eventually consistent;
    /// callers read each booking again.
    pub async fn bookings_by_phone(
        &self,
        phone_key: &Digest,
    ) -> Result<Vec<BookingId>, StoreError> {
        let items = self
            .query_all(
                self.client
                    .query()
                    .index_name(keys::GSI3)
                    .key_condition_expression("gsi3pk = :pk")
                    .projection_expression("gsi3sk, #status")
                    .expression_attribute_names("#status", STATUS)
                    .expression_attribute_values(":pk", s(keys::phone_gsi3pk(phone_key)))
                    .scan_index_forward(false),
            )
            .await?;
        let pending = s(BookingStatus::Pending.as_str());
        let mut others = 0;
        let mut ids = Vec::new();
        for item in &items {
            let open = item.get(STATUS) == Some(&pending);
            if !open && others >= PHONE_CANDIDATES {
                continue;
            }
            others += usize::from(!open);
            let id = item
                .get("gsi3sk")
                .and_then(|v| v.as_s().ok())
                .and_then(|id| BookingId::parse(id).ok())
                .ok_or(StoreError::Corrupt(crate::store::items::CorruptItem {
                    entity: entity::BOOKING,
                    field: "gsi3sk",
                }))?;
            ids.push(id);
        }
        Ok(ids)
    }

    /// Counts a wrong SMS code on each open hold and queues the answer, once per inbound SMS.
    pub async fn record_wrong_codes(
        &self,
        holds: &[BookingId],
        reply: &OutboxMessage,
        now: DateTime<Utc>,
        inbound: &str,
    ) -> Result<Result<(), TransitionRefusal>, StoreError> {
        let mut writes = Vec::with_capacity(holds.len() + 2);
        for id in holds {
            let update = Update::builder()
                .table_name(&self.table)
                .set_key(Some(key_map(&keys::booking(*id))))
                .update_expression(format!("ADD {CODE_ATTEMPTS} :one"))
                .condition_expression(format!(
                    "#status = :pending AND {HOLD_EXPIRES_AT} > :now \
                     AND (attribute_not_exists({CODE_ATTEMPTS}) OR {CODE_ATTEMPTS} < :max)"
                ))
                .expression_attribute_names("#status", STATUS)
                .expression_attribute_values(":one", n(1))
                .expression_attribute_values(":pending", s(BookingStatus::Pending.as_str()))
                .expression_attribute_values(":now", n(now.timestamp_millis()))
                .expression_attribute_values(":max", n(MAX_CODE_ATTEMPTS))
                .build()?;
            writes.push(TransactWriteItem::builder().update(update).build());
        }
        writes.push(self.outbox_put(reply)?);
        self.transition(writes, Some(inbound), now).await
    }

    /// Queues an answer to an inbound SMS that changes nothing else, once per inbound SMS.
    pub async fn reply_once(
        &self,
        reply: &OutboxMessage,
        now: DateTime<Utc>,
        inbound: &str,
    ) -> Result<Result<(), TransitionRefusal>, StoreError> {
        let writes = vec![self.outbox_put(reply)?];
        self.transition(writes, Some(inbound), now).await
    }
}
