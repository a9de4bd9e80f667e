//! Statistics: what a day's bookings say of themselves (before and after the
//! purge), and the rows kept for each day and matter once the day is over
//! (bookings and tickets go with their TTL; the rows stay).

use crate::domain::booking::BookingStatus;
use crate::domain::ids::{OfficeId, ServiceId};
use crate::domain::statistics::{BookingFacts, DayStatistics};
use crate::store::items::entity;
use crate::store::{Store, StoreError, from_item, keys, s, to_item};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The fields of a booking item statistics read (present before and after the purge).
#[derive(Debug, Deserialize)]
struct FactsItem {
    service_id: String,
    status: BookingStatus,
    #[serde(default, with = "chrono::serde::ts_milliseconds_option")]
    confirmed_at: Option<DateTime<Utc>>,
}

/// One kept row of an office's statistics.
#[derive(Debug, Serialize, Deserialize)]
struct StatisticsItem {
    pk: String,
    sk: String,
    entity: String,
    #[serde(flatten)]
    row: DayStatistics,
}

/// That a day's rows are kept (a day without any activity has no row).
#[derive(Debug, Serialize, Deserialize)]
struct DayDoneItem {
    pk: String,
    sk: String,
    entity: String,
    date: NaiveDate,
}

/// What the table holds of an office's statistics for some days.
#[derive(Debug, Default)]
pub struct KeptStatistics {
    pub rows: Vec<DayStatistics>,
    /// The days whose rows are all kept.
    pub days: Vec<NaiveDate>,
}

impl Store {
    /// What statistics need of every booking made for an office's day, purged or not.
    pub async fn booking_facts_of_day(
        &self,
        office: &OfficeId,
        date: NaiveDate,
    ) -> Result<Vec<BookingFacts>, StoreError> {
        let mut facts = Vec::new();
        for partition in [
            keys::booking_day_gsi1pk(office, date),
            keys::statistics_gsi1pk(office, date),
        ] {
            let query = self
                .client
                .query()
                .index_name(keys::GSI1)
                .key_condition_expression("gsi1pk = :pk")
                .expression_attribute_values(":pk", s(partition));
            for item in self.query_all(query).await? {
                let found: FactsItem = from_item(entity::BOOKING, item)?;
                let service_id = ServiceId::parse(&found.service_id).map_err(|_| {
                    StoreError::Corrupt(crate::store::items::CorruptItem {
                        entity: entity::BOOKING,
                        field: "service_id",
                    })
                })?;
                facts.push(BookingFacts {
                    service_id,
                    status: found.status,
                    was_confirmed: found.confirmed_at.is_some(),
                });
            }
        }
        Ok(facts)
    }

    /// Keeps a finished day's rows, with the mark that the day is kept, in
    /// one transaction (writing them again gives the same rows).
    pub async fn keep_day_statistics(
        &self,
        office: &OfficeId,
        date: NaiveDate,
        rows: &[DayStatistics],
    ) -> Result<(), StoreError> {
        let pk = keys::statistics_pk(office);
        let mut writes = vec![self.put(
            to_item(
                entity::STATISTICS,
                &DayDoneItem {
                    pk: pk.clone(),
                    sk: keys::statistics_day_done_sk(date),
                    entity: entity::STATISTICS.into(),
                    date,
                },
            )?,
            None,
        )?];
        for row in rows {
            let item = StatisticsItem {
                pk: pk.clone(),
                sk: keys::statistics_row_sk(date, &row.service_id),
                entity: entity::STATISTICS.into(),
                row: row.clone(),
            };
            writes.push(self.put(to_item(entity::STATISTICS, &item)?, None)?);
        }
        // A day of more matters than one transaction takes is kept in parts,
        // the mark last (so a kept day is complete).
        writes.rotate_left(1);
        for chunk in writes.chunks(100) {
            self.client
                .transact_write_items()
                .set_transact_items(Some(chunk.to_vec()))
                .send()
                .await
                .map_err(StoreError::transaction)?;
        }
        Ok(())
    }

    /// The kept rows and days of an office from `from` to `to` (inclusive).
    pub async fn kept_statistics(
        &self,
        office: &OfficeId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<KeptStatistics, StoreError> {
        let query = self
            .client
            .query()
            .key_condition_expression("pk = :pk AND sk BETWEEN :from AND :to")
            .expression_attribute_values(":pk", s(keys::statistics_pk(office)))
            .expression_attribute_values(":from", s(keys::statistics_day_prefix(from)))
            // Past the day's last key, its mark (`…#~DONE`).
            .expression_attribute_values(
                ":to",
                s(format!("{}~~", keys::statistics_day_prefix(to))),
            );
        let mut kept = KeptStatistics::default();
        for item in self.query_all(query).await? {
            let is_mark = item
                .get("sk")
                .and_then(|v| v.as_s().ok())
                .is_some_and(|sk| sk.ends_with(keys::STATISTICS_DONE));
            if is_mark {
                kept.days
                    .push(from_item::<DayDoneItem>(entity::STATISTICS, item)?.date);
            } else {
                kept.rows
                    .push(from_item::<StatisticsItem>(entity::STATISTICS, item)?.row);
            }
        }
        Ok(kept)
    }
}
