//! Runs Termin on one machine, with the same definitions as the cloud:
//! the table is read from `infra/template.yaml`, the HTTP routes from the
//! OpenAPI document its HttpApi is built from (`infra/openapi.yaml`).
//!
//! - [`dynamodb_local`] starts Amazon's DynamoDB Local (from the npm package) on Java;
//! - [`template`] reads the table definition from the SAM template and finds
//!   its API document (and `template_audit`, a test, checks its logs, alarms,
//!   policies and key);
//! - [`openapi`] reads the routes and schemas of the API document (and
//!   `api_audit`, a test, holds it and the template to each other and its
//!   schemas to the sample events);
//! - [`moto`] starts the SES/SNS stand-in and reads what was sent;
//! - [`streams`] feeds the table's stream to the notify function;
//! - [`router`] dispatches a request to the function the document names for it;
//! - [`demo`] loads the demo offices modelled on the seed documents;
//! - [`server`] serves the API under `/api` (its document at `/api/openapi.json`)
//!   and `web/` at `/`.

#[cfg(test)]
mod api_audit;
pub mod demo;
pub mod dynamodb_local;
pub mod moto;
pub mod openapi;
pub mod process;
#[cfg(test)]
mod release_audit;
pub mod replay;
pub mod router;
pub mod server;
pub mod staff;
pub mod streams;
pub mod template;
#[cfg(test)]
mod template_audit;

use std::path::PathBuf;

/// The workspace root (this crate lives in `<root>/local`).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// The SDK configuration for a service on this machine (DynamoDB Local, moto):
/// `endpoint`, eu-central-1 and dummy credentials. DynamoDB Local keeps one
/// database per access key and region, so every client made from this sees
/// the same tables. The HTTP client is the functions' own (`termin::sdk`).
pub async fn sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    termin::sdk::loader()
        .region(aws_config::Region::new("eu-central-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "local",
            "local",
            None,
            None,
            "termin-local",
        ))
        .endpoint_url(endpoint)
        .load()
        .await
}

/// An SNS event carrying one inbound SMS, shaped as AWS End User Messaging
/// two-way SMS publishes it (the sample in `events/sms-reply.json`).
pub fn inbound_sms_event(
    from: &str,
    body: &str,
    inbound_id: &str,
) -> aws_lambda_events::event::sns::SnsEvent {
    let message = serde_json::json!({
        "originationNumber": from,
        "destinationNumber": "+48732000000",
        "messageKeyword": "KEYWORD_TERMIN",
        "messageBody": body,
        "inboundMessageId": inbound_id,
        "previousPublishedMessageId": "local",
    });
    let event = serde_json::json!({
        "Records": [{
            "EventSource": "aws:sns",
            "EventVersion": "1.0",
            "EventSubscriptionArn": "arn:aws:sns:eu-central-1:000000000000:termin-inbound-sms:local",
            "Sns": {
                "Type": "Notification",
                "MessageId": inbound_id,
                "TopicArn": "arn:aws:sns:eu-central-1:000000000000:termin-inbound-sms",
                "Subject": null,
                "Message": message.to_string(),
                "Timestamp": "2026-11-23T08:00:00.000Z",
                "SignatureVersion": "1",
                "Signature": "local",
                "SigningCertUrl": "https://sns.eu-central-1.amazonaws.com/local.pem",
                "UnsubscribeUrl": "https://sns.eu-central-1.amazonaws.com/?Action=Unsubscribe",
                "MessageAttributes": {}
            }
        }]
    });
    // The shape above is fixed; a failure here is a bug in this function, caught by its test.
    serde_json::from_value(event).unwrap_or_default()
}
