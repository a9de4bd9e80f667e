//! Reading bookings: by id, by reference, a person's open bookings at an office, and a person's active booking for a matter on a day.

use crate::domain::booking::Booking;
use crate::domain::catalog::PersonRule;
use crate::domain::ids::{BookingId, OfficeId, ServiceId};
use crate::domain::secrets::PersonKey;
use crate::store::items::{BookingItem, PersonRuleItem, entity};
use crate::store::{Store, StoreError, from_item, keys, s};
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

    /// The booking a reference (`public_ref`) belongs to.
    pub async fn find_by_public_ref(
        &self,
        reference: &str,
    ) -> Result<Option<BookingId>, StoreError> {
        let item: Option<crate::store::items::PublicRefItem> = self
            .get_mapped(&keys::public_ref(reference), entity::PUBLIC_REF)
            .await?;
        item.map(|i| {
            BookingId::parse(&i.booking_id).map_err(|_| {
                StoreError::Corrupt(crate::store::items::CorruptItem {
                    entity: entity::PUBLIC_REF,
                    field: "booking_id",
                })
            })
        })
        .transpose()
    }

    /// The open bookings of a person at an office, whatever the matter
    /// (the rule items under `PERSON#…` that name this office).
    pub async fn person_bookings_at(
        &self,
        person: &PersonKey,
        office: &OfficeId,
    ) -> Result<Vec<BookingId>, StoreError> {
        let query = self
            .client
            .query()
            .key_condition_expression("pk = :pk AND begins_with(sk, :rules)")
            .expression_attribute_values(":pk", s(keys::person_pk(person)))
            .expression_attribute_values(":rules", s(keys::person_rules_prefix(office)));
        self.query_all(query)
            .await?
            .into_iter()
            .map(|item| {
                let rule: PersonRuleItem = from_item(entity::PERSON_RULE, item)?;
                BookingId::parse(&rule.booking_id).map_err(|_| {
                    StoreError::Corrupt(crate::store::items::CorruptItem {
                        entity: entity::PERSON_RULE,
                        field: "booking_id",
                    })
                })
            })
            .collect()
    }
}
