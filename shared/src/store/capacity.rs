//! Capacity counters: one item per capacity unit (slot start) and per ISO
//! week, and per named clerk's capacity unit, moved by ADD under a cap
//! condition, never below zero.

use crate::domain::ids::{ClerkId, DepartmentId, OfficeId};
use crate::store::items::attr::BOOKED;
use crate::store::items::{CounterItem, entity};
use crate::store::{Store, StoreError, from_item, key_map, keys, n, s};
use aws_sdk_dynamodb::types::{TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

impl Store {
    /// Moves a counter by `delta`: up only under `cap`, down never below zero.
    pub(crate) fn counter_update(
        &self,
        key: &keys::Key,
        delta: i64,
        cap: Option<u32>,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key_map(key)))
            .update_expression(format!("ADD {BOOKED} :delta SET entity = :entity"))
            .expression_attribute_values(":delta", n(delta))
            .expression_attribute_values(":entity", s(entity::COUNTER));
        if delta > 0 {
            if let Some(cap) = cap {
                // A fresh counter is under the cap only when the cap is not zero.
                update = update
                    .condition_expression(format!(
                        "(attribute_not_exists({BOOKED}) AND :cap > :zero) OR {BOOKED} < :cap"
                    ))
                    .expression_attribute_values(":cap", n(cap))
                    .expression_attribute_values(":zero", n(0));
            }
        } else {
            // Never below zero: a release without a matching take is a bug to surface.
            update = update
                .condition_expression(format!("{BOOKED} >= :one"))
                .expression_attribute_values(":one", n(1));
        }
        Ok(TransactWriteItem::builder().update(update.build()?).build())
    }

    /// Booked counts of a department's capacity units in `[from, to)`, from one Query.
    pub async fn unit_counts(
        &self,
        office: &OfficeId,
        department: &DepartmentId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<BTreeMap<DateTime<Utc>, i64>, StoreError> {
        self.units_between(
            keys::unit(office, department, from),
            keys::unit(office, department, to),
            to,
        )
        .await
    }

    /// A named clerk's taken capacity units in `[from, to)` (each 0 or 1), from one Query.
    pub async fn clerk_unit_counts(
        &self,
        office: &OfficeId,
        clerk: &ClerkId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<BTreeMap<DateTime<Utc>, i64>, StoreError> {
        self.units_between(
            keys::clerk_unit(office, clerk, from),
            keys::clerk_unit(office, clerk, to),
            to,
        )
        .await
    }

    /// The unit counters of one partition from `first` to `last` (same
    /// partition), those starting before `to`.
    async fn units_between(
        &self,
        first: keys::Key,
        last: keys::Key,
        to: DateTime<Utc>,
    ) -> Result<BTreeMap<DateTime<Utc>, i64>, StoreError> {
        let query = self
            .client
            .query()
            .key_condition_expression("pk = :pk AND sk BETWEEN :from AND :to")
            .expression_attribute_values(":pk", s(first.pk))
            .expression_attribute_values(":from", s(first.sk))
            .expression_attribute_values(":to", s(last.sk));
        let mut counts = BTreeMap::new();
        for item in self.query_all(query).await? {
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
}
