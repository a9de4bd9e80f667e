//! The DynamoDB single-table adapter. Every invariant two concurrent requests
//! could break is a condition or a transaction here, never read-then-write.

pub mod bookings;
pub mod capacity;
pub mod catalog;
pub mod delivery;
pub mod holds;
pub mod inbound_sms;
pub mod items;
pub mod keys;
pub mod kiosk;
pub mod queue;
pub mod reminders;
pub mod sweeper;
pub mod transitions;
pub mod writes;

pub use delivery::Claim;
pub use holds::{HoldRefusal, IdempotentAnswer, NewHold};
pub use transitions::{ConfirmProof, Release, TransitionRefusal};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;

pub type Item = HashMap<String, AttributeValue>;

/// A failure of the store itself (as opposed to a refused condition).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("DynamoDB {operation} failed")]
    Sdk {
        operation: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("could not map a {entity} item")]
    Mapping {
        entity: &'static str,
        #[source]
        source: serde_dynamo::Error,
    },
    #[error(transparent)]
    Corrupt(#[from] items::CorruptItem),
    #[error("could not build a DynamoDB request")]
    Build(#[from] aws_sdk_dynamodb::error::BuildError),
}

impl StoreError {
    pub(crate) fn sdk(
        operation: &'static str,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        StoreError::Sdk {
            operation,
            source: Box::new(source),
        }
    }
}

/// The table and the client to reach it.
#[derive(Debug, Clone)]
pub struct Store {
    client: Client,
    table: String,
}

impl Store {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// One item by key, read consistently and mapped to its stored shape.
    pub(crate) async fn get_mapped<T: serde::de::DeserializeOwned>(
        &self,
        key: &keys::Key,
        entity: &'static str,
    ) -> Result<Option<T>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key_map(key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::sdk("GetItem", e))?;
        out.item.map(|item| from_item(entity, item)).transpose()
    }
}

pub(crate) fn to_item<T: serde::Serialize>(
    entity: &'static str,
    value: &T,
) -> Result<Item, StoreError> {
    serde_dynamo::to_item(value).map_err(|source| StoreError::Mapping { entity, source })
}

pub(crate) fn from_item<T: serde::de::DeserializeOwned>(
    entity: &'static str,
    item: Item,
) -> Result<T, StoreError> {
    serde_dynamo::from_item(item).map_err(|source| StoreError::Mapping { entity, source })
}

pub(crate) fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub(crate) fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

pub(crate) fn key_map(key: &keys::Key) -> Item {
    HashMap::from([
        (keys::PK.to_owned(), s(&key.pk)),
        (keys::SK.to_owned(), s(&key.sk)),
    ])
}

/// The outbox message a stream image holds, or `None` when the image is not an outbox item.
pub fn outbox_message_from_image(
    image: &HashMap<String, serde_dynamo::AttributeValue>,
) -> Result<Option<crate::domain::outbox::OutboxMessage>, StoreError> {
    let is_outbox = matches!(
        image.get("entity"),
        Some(serde_dynamo::AttributeValue::S(e)) if e == items::entity::OUTBOX
    );
    if !is_outbox {
        return Ok(None);
    }
    let item: items::OutboxItem =
        serde_dynamo::from_item(image.clone()).map_err(|source| StoreError::Mapping {
            entity: items::entity::OUTBOX,
            source,
        })?;
    Ok(Some(item.try_into()?))
}
