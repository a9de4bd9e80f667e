//! Reading bookings: by id, and a person's active booking for a matter on a day.

use crate::domain::booking::Booking;
use crate::domain::catalog::PersonRule;
use crate::domain::ids::{BookingId, OfficeId, ServiceId};
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

    /// The open booking of a person for a matter at an office, under either
    /// rule (the office's rule may have changed since it was made); the
    /// caller checks its day.
    pub async fn find_person_booking(
        &self,
        person: &PersonKey,
        office: &OfficeId,
        service: &ServiceId,
        date: NaiveDate,
    ) -> Result<Option<BookingId>, StoreError> {
        let corrupt = |_| crate::store::items::CorruptItem {
            entity: entity::PERSON_RULE,
            field: "booking_id",
        };
        for rule in [PersonRule::OnePerMatter, PersonRule::OnePerMatterAndDay] {
            let key = keys::person_rule_at(person, office, service, date, rule);
            let found: Option<PersonRuleItem> = self.get_mapped(&key, entity::PERSON_RULE).await?;
            if let Some(found) = found {
                return Ok(Some(BookingId::parse(&found.booking_id).map_err(corrupt)?));
            }
        }
        Ok(None)
    }
}
