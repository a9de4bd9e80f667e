//! The DynamoDB single-table adapter. Every invariant two concurrent requests
//! could break is a condition or a transaction here, never read-then-write.

pub mod admin;
pub mod bookings;
pub mod capacity;
pub mod catalog;
pub mod delivery;
pub mod holds;
pub mod inbound_sms;
pub mod items;
pub mod keys;
pub mod kiosk;
pub mod limits;
pub mod person;
pub mod queue;
pub mod reminders;
pub mod statistics;
pub mod sweeper;
pub mod transitions;
pub mod writes;

pub use delivery::Claim;
pub use holds::{HoldRefusal, IdempotentAnswer, NewHold};
pub use transitions::{ConfirmProof, Release, TransitionRefusal};

use crate::domain::secrets::Sealer;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;

pub type Item = HashMap<String, AttributeValue>;

/// A failure of the store itself (as opposed to a refused condition).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("DynamoDB {operation} failed")]
    Sdk {
        operation: &'static str,
        /// DynamoDB was not reached, did not answer in time, or asked to
        /// slow down: the same request may well succeed a moment later.
        transient: bool,
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
    #[error("refused to store a catalog that breaks the catalog rules")]
    InvalidCatalog(#[from] crate::domain::catalog::CatalogError),
    #[error("this store holds no key, so it cannot seal or open an outbox message")]
    Keyless,
}

/// Service error codes that mean "later", not "wrong".
const TRANSIENT_CODES: [&str; 6] = [
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "TransactionInProgressException",
];

impl StoreError {
    pub(crate) fn sdk<E, R>(operation: &'static str, source: SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        let transient = match &source {
            SdkError::DispatchFailure(_)
            | SdkError::TimeoutError(_)
            | SdkError::ResponseError(_) => true,
            SdkError::ServiceError(e) => e
                .err()
                .code()
                .is_some_and(|code| TRANSIENT_CODES.contains(&code)),
            _ => false,
        };
        StoreError::Sdk {
            operation,
            transient,
            source: Box::new(source),
        }
    }

    /// Whether retrying the request a moment later may well succeed.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            StoreError::Sdk {
                transient: true,
                ..
            }
        )
    }
}

/// The table, the client to reach it, and the sealer of the secrets outbox
/// messages carry (none in a function that never hashes nor seals).
#[derive(Debug, Clone)]
pub struct Store {
    client: Client,
    table: String,
    sealer: Option<Sealer>,
}

impl Store {
    pub fn new(client: Client, table: impl Into<String>, sealer: Sealer) -> Self {
        Self {
            client,
            table: table.into(),
            sealer: Some(sealer),
        }
    }

    /// A store without a key: it reads and writes everything but outbox
    /// messages (for list-slots, which never sees a secret).
    pub fn keyless(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
            sealer: None,
        }
    }

    pub(crate) fn sealer(&self) -> Result<&Sealer, StoreError> {
        self.sealer.as_ref().ok_or(StoreError::Keyless)
    }

    /// The outbox message a stream image holds (its secrets opened), or
    /// `None` when the image is not an outbox item.
    pub fn outbox_message_from_image(
        &self,
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
        Ok(Some(item.open(self.sealer()?)?))
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

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::config::http::HttpResponse;
    use aws_sdk_dynamodb::error::{ConnectorError, ErrorMetadata};
    use aws_sdk_dynamodb::operation::get_item::GetItemError;

    fn service_error(code: &str) -> StoreError {
        let error = GetItemError::generic(ErrorMetadata::builder().code(code).build());
        let response = HttpResponse::new(
            400.try_into().unwrap(),
            aws_smithy_types::body::SdkBody::empty(),
        );
        StoreError::sdk("GetItem", SdkError::service_error(error, response))
    }

    #[test]
    fn an_unreachable_or_throttled_dynamodb_is_transient_and_a_bad_request_is_not() {
        let unreachable = SdkError::<GetItemError, HttpResponse>::dispatch_failure(
            ConnectorError::io(Box::new(std::io::Error::other("connection closed"))),
        );
        assert!(StoreError::sdk("GetItem", unreachable).is_transient());
        for code in [
            "ThrottlingException",
            "ProvisionedThroughputExceededException",
        ] {
            assert!(service_error(code).is_transient(), "{code}");
        }
        assert!(!service_error("ValidationException").is_transient());
        assert!(
            !StoreError::Build(aws_sdk_dynamodb::error::BuildError::missing_field("f", "d"))
                .is_transient()
        );
    }
}
