//! Rate-limit counters: one item per subject and window, counted up by a
//! conditional update (so two racing requests never both take the last hit),
//! removed by TTL a day after the window ends.

use crate::domain::limits::{Counted, Limit, Window};
use crate::store::items::entity;
use crate::store::{Store, StoreError, key_map, keys, n, s};
use chrono::{DateTime, TimeDelta, Utc};

/// A counter outlives its window by this much before TTL may remove it.
const COUNTER_LINGER: TimeDelta = TimeDelta::days(1);

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
        let window = limit.window_at(now);
        let counted_now = self
            .update_if(
                self.client
                    .update_item()
                    .set_key(Some(key_map(&keys::limit_counter(
                        counted,
                        subject,
                        window.start,
                    ))))
                    .update_expression("ADD hits :one SET entity = :entity, #ttl = :ttl")
                    .condition_expression("attribute_not_exists(hits) OR hits < :max")
                    .expression_attribute_names("#ttl", "ttl")
                    .expression_attribute_values(":one", n(1))
                    .expression_attribute_values(":max", n(limit.max))
                    .expression_attribute_values(":entity", s(entity::LIMIT_COUNTER))
                    .expression_attribute_values(
                        ":ttl",
                        n((window.end + COUNTER_LINGER).timestamp()),
                    ),
            )
            .await?;
        Ok((!counted_now).then_some(window))
    }
}
