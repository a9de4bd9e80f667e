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

/// A DynamoDB client for `config` whose calls `trips` counts (and whose
/// consumed capacity `meter` adds up, when given).
pub fn counted_client(
    config: &aws_config::SdkConfig,
    trips: &RoundTrips,
    meter: Option<&CapacityMeter>,
    iam: Option<&crate::iam::IamRecorder>,
) -> aws_sdk_dynamodb::Client {
    let mut conf = aws_sdk_dynamodb::config::Builder::from(config).interceptor(trips.clone());
    if let Some(meter) = meter {
        conf = conf.interceptor(meter.clone());
    }
    if let Some(iam) = iam {
        conf = conf.interceptor(iam.clone());
    }
    aws_sdk_dynamodb::Client::from_conf(conf.build())
}

/// Read and write capacity units DynamoDB reports as consumed: the meter
/// asks every request for `ReturnConsumedCapacity: TOTAL` and adds up what
/// each answer says (for the cost benchmark; tests do not use it).
#[derive(Debug, Clone, Default)]
pub struct CapacityMeter(Arc<Mutex<Consumed>>);

/// Capacity units consumed, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Consumed {
    pub read: f64,
    pub write: f64,
}

impl CapacityMeter {
    /// What was consumed since the last call; starts afresh.
    pub fn take(&self) -> Consumed {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

/// Whether an operation writes (its units are write units).
fn writes(operation: &str) -> bool {
    matches!(
        operation,
        "PutItem" | "UpdateItem" | "DeleteItem" | "BatchWriteItem" | "TransactWriteItems"
    )
}

impl Intercept for CapacityMeter {
    fn name(&self) -> &'static str {
        "CapacityMeter"
    }

    fn modify_before_signing(
        &self,
        context: &mut aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextMut<
            '_,
        >,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request_mut();
        let Some(mut body) = request
            .body()
            .bytes()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(b).ok())
        else {
            return Ok(());
        };
        body["ReturnConsumedCapacity"] = serde_json::Value::from("TOTAL");
        let bytes = serde_json::to_vec(&body)?;
        request
            .headers_mut()
            .insert("content-length", bytes.len().to_string());
        *request.body_mut() = aws_smithy_types::body::SdkBody::from(bytes);
        Ok(())
    }

    fn read_after_deserialization(
        &self,
        context: &aws_sdk_dynamodb::config::interceptors::AfterDeserializationInterceptorContextRef<
            '_,
        >,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(answer) = context
            .response()
            .body()
            .bytes()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(b).ok())
        else {
            return Ok(());
        };
        let units: f64 = match &answer["ConsumedCapacity"] {
            serde_json::Value::Array(tables) => tables
                .iter()
                .filter_map(|t| t["CapacityUnits"].as_f64())
                .sum(),
            one => one["CapacityUnits"].as_f64().unwrap_or(0.0),
        };
        let operation = cfg.load::<Metadata>().map_or("", |m| m.name());
        let mut consumed = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if writes(operation) {
            consumed.write += units;
        } else {
            consumed.read += units;
        }
        Ok(())
    }
}
