//! Round trips to DynamoDB, counted by an SDK interceptor on the test
//! client: one entry per attempt sent (a page of a paginated Query is one),
//! named by the operation, so a test can assert how many calls a request
//! costs and a change that adds one fails.

use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// The operations sent since the last [`RoundTrips::take`], in order.
#[derive(Debug, Clone, Default)]
pub struct RoundTrips(Arc<Mutex<Vec<String>>>);

impl RoundTrips {
    /// The operations sent since the last call, and starts counting afresh.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// [`RoundTrips::take`], counted per operation.
    pub fn take_counts(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for operation in self.take() {
            *counts.entry(operation).or_insert(0) += 1;
        }
        counts
    }
}

impl Intercept for RoundTrips {
    fn name(&self) -> &'static str {
        "RoundTrips"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let operation = cfg
            .load::<Metadata>()
            .map_or("unknown", |m| m.name())
            .to_owned();
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(operation);
        Ok(())
    }
}

/// A DynamoDB client for `config` whose calls `trips` counts.
pub fn counted_client(
    config: &aws_config::SdkConfig,
    trips: &RoundTrips,
) -> aws_sdk_dynamodb::Client {
    let conf = aws_sdk_dynamodb::config::Builder::from(config)
        .interceptor(trips.clone())
        .build();
    aws_sdk_dynamodb::Client::from_conf(conf)
}
