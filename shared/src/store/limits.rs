//! Rate-limit counters: one item per subject and window, counted up by a
//! conditional update (so two racing requests never both take the last hit),
//! removed by TTL a day after the window ends.

use crate::domain::limits::{Counted, Limit, Window};
use crate::store::items::entity;
use crate::store::{Item, Store, StoreError, key_map, keys, n, s};
use aws_sdk_dynamodb::types::{TransactWriteItem, Update};
use chrono::{DateTime, TimeDelta, Utc};

/// Counts a hit: creates the window's counter or adds one to it.
const COUNT: &str = "ADD hits :one SET entity = :entity, #ttl = :ttl";
/// Only while the window has hits left.
const UNDER_LIMIT: &str = "attribute_not_exists(hits) OR hits < :max";

/// One hit to count within another write (a hold counts against several limits).
#[derive(Debug, Clone)]
pub struct Counter {
    pub counted: Counted,
    /// A keyed hash (person key, email or phone digest).
    pub subject: String,
    pub limit: Limit,
    pub window: Window,
}

impl Counter {
    pub fn new(counted: Counted, subject: String, limit: Limit, now: DateTime<Utc>) -> Self {
        Self {
            counted,
            subject,
            limit,
            window: limit.window_at(now),
        }
    }
}

/// A counter outlives its window by this much before TTL may remove it.
const COUNTER_LINGER: TimeDelta = TimeDelta::days(1);

impl Counter {
    /// The counter item's key.
    fn key(&self) -> Item {
        key_map(&keys::limit_counter(
            self.counted,
            &self.subject,
            self.window.start,
        ))
    }

    /// The values [`COUNT`] and [`UNDER_LIMIT`] refer to.
    fn values(&self) -> Item {
        Item::from([
            (":one".to_owned(), n(1)),
            (":max".to_owned(), n(self.limit.max)),
            (":entity".to_owned(), s(entity::LIMIT_COUNTER)),
            (
                ":ttl".to_owned(),
                n((self.window.end + COUNTER_LINGER).timestamp()),
            ),
        ])
    }
}

impl Store {
    /// Counts one hit against `limit` for `subject` (a keyed hash). `Ok(None)` when it was
    /// counted; `Ok(Some(window))` when the window is already full (nothing
    /// counted: the caller answers 429 until the window ends).
    pub async fn count_hit(
        &self,
        counted: Counted,
        subject: &str,
        limit: Limit,
        now: DateTime<Utc>,
    ) -> Result<Option<Window>, StoreError> {
        let counter = Counter::new(counted, subject.to_owned(), limit, now);
        let counted_now = self
            .update_if(
                self.client
                    .update_item()
                    .set_key(Some(counter.key()))
                    .update_expression(COUNT)
                    .condition_expression(UNDER_LIMIT)
                    .expression_attribute_names("#ttl", "ttl")
                    .set_expression_attribute_values(Some(counter.values())),
            )
            .await?;
        Ok((!counted_now).then_some(counter.window))
    }

    /// The transaction step that counts `counter`'s hit, refused when its
    /// window is full.
    pub(crate) fn counter_hit(&self, counter: &Counter) -> Result<TransactWriteItem, StoreError> {
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(counter.key()))
            .update_expression(COUNT)
            .condition_expression(UNDER_LIMIT)
            .expression_attribute_names("#ttl", "ttl")
            .set_expression_attribute_values(Some(counter.values()))
            .build()?;
        Ok(TransactWriteItem::builder().update(update).build())
    }
}
