//! Data-subject requests (GDPR Art. 15, 16): what the table holds about a
//! person besides their bookings, and a booking's contact details corrected.

use crate::domain::audit::AuditEntry;
use crate::domain::contact::{Email, PersonName, PhoneNumber};
use crate::domain::ids::BookingId;
use crate::domain::secrets::Digest;
use crate::store::items::attr::{
    EMAIL, FIRST_NAME, GSI3PK, LAST_NAME, PHONE, PHONE_KEY, PURGED_AT,
};
use crate::store::items::{UndeliverableAddressItem, entity};
use crate::store::writes::cancellation_codes;
use crate::store::{Store, StoreError, key_map, keys, s};
use aws_sdk_dynamodb::types::builders::UpdateBuilder;
use aws_sdk_dynamodb::types::{TransactWriteItem, Update};
use chrono::{DateTime, Utc};

/// New contact details for a booking; what is None stays.
#[derive(Debug, Clone, Default)]
pub struct ContactCorrection {
    pub first_name: Option<PersonName>,
    pub last_name: Option<PersonName>,
    pub email: Option<Email>,
    /// The number, and its keyed hash when the booking confirms by SMS
    /// (so inbound SMS from the new number find it).
    pub phone: Option<(PhoneNumber, Option<Digest>)>,
}

impl ContactCorrection {
    /// The names of the fields it changes (what the audit log keeps).
    pub fn fields(&self) -> Vec<&'static str> {
        [
            (self.first_name.is_some(), "first_name"),
            (self.last_name.is_some(), "last_name"),
            (self.email.is_some(), "email"),
            (self.phone.is_some(), "phone"),
        ]
        .into_iter()
        .filter_map(|(changed, name)| changed.then_some(name))
        .collect()
    }
}

impl Store {
    /// Why mail to an address (keyed hash) is refused, and since when.
    pub async fn undeliverable_address(
        &self,
        email_key: &Digest,
    ) -> Result<Option<(String, DateTime<Utc>)>, StoreError> {
        let item: Option<UndeliverableAddressItem> = self
            .get_mapped(
                &keys::undeliverable_address(email_key),
                entity::UNDELIVERABLE_ADDRESS,
            )
            .await?;
        Ok(item.map(|i| (i.reason, i.reported_at)))
    }

    /// Corrects a booking's contact details with the audit entry, in one
    /// transaction; `false` when the booking is gone or purged.
    pub async fn correct_contact(
        &self,
        id: BookingId,
        correction: &ContactCorrection,
        audit: &AuditEntry,
    ) -> Result<bool, StoreError> {
        let mut sets = Vec::new();
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key_map(&keys::booking(id))));
        let mut set = |name: &str, value: &str, update: UpdateBuilder| {
            sets.push(format!("{name} = :{name}"));
            update.expression_attribute_values(format!(":{name}"), s(value))
        };
        if let Some(v) = &correction.first_name {
            update = set(FIRST_NAME, v.as_str(), update);
        }
        if let Some(v) = &correction.last_name {
            update = set(LAST_NAME, v.as_str(), update);
        }
        if let Some(v) = &correction.email {
            update = set(EMAIL, v.as_str(), update);
        }
        if let Some((number, key)) = &correction.phone {
            update = set(PHONE, number.as_str(), update);
            if let Some(key) = key {
                update = set(PHONE_KEY, &key.0, update);
                update = set(GSI3PK, &keys::phone_gsi3pk(key), update);
            }
        }
        let update = update
            .update_expression(format!("SET {}", sets.join(", ")))
            .condition_expression(format!(
                "attribute_exists(pk) AND attribute_not_exists({PURGED_AT})"
            ))
            .build()?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().update(update).build())
            .transact_items(self.audit_put(audit)?)
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(err) => match cancellation_codes(&err) {
                Some(codes) if codes.first().is_some_and(|c| c == "ConditionalCheckFailed") => {
                    Ok(false)
                }
                _ => Err(StoreError::transaction(err)),
            },
        }
    }
}
