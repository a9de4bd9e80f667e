//! Reading bookings: by id, and a person's active booking for a matter on a day.

use crate::domain::booking::Booking;
use crate::domain::ids::{BookingId, ServiceId};
use crate::domain::secrets::PersonKey;
use crate::store::items::{BookingItem, PersonRuleItem, entity};
use crate::store::{Store, StoreError, keys};
use chrono::NaiveDate;

impl Store {
    pub async fn get_booking(&self, id: BookingId) -> Result<Option<Booking>, StoreError> {
        let item: Option<BookingItem> =
            self.get_mapped(&keys::booking(id), entity::BOOKING).await?;
        // A purged booking keeps only statistics: it is no booking any more.
        Ok(item
            .filter(|i| i.purged_at.is_none())
            .map(Booking::try_from)
            .transpose()?)
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
}
