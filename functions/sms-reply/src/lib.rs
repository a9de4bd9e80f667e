//! Inbound SMS (AWS End User Messaging two-way SMS, delivered through an SNS
//! topic): `Records[].Sns.Message` is a JSON string naming the sender, the
//! text and the provider's message id. A reply with the right code confirms
//! the hold; anything else is answered by SMS (through the outbox).
//!
//! A record that cannot be read (not JSON, no valid number) is logged and
//! skipped: retrying cannot make it readable. A failure of the store is
//! returned, so Lambda retries the event; the inbound message id makes the
//! retry harmless.

use aws_lambda_events::event::sns::SnsEvent;
use lambda_runtime::{Error, LambdaEvent};
use serde::Deserialize;
use termin::domain::catalog::Country;
use termin::domain::contact::PhoneNumber;
use termin::domain::sms_reply::InboundSms;
use termin::error::error_chain;
use termin::service::{self, App, SmsOutcome};

/// The two-way SMS payload (only the fields used are required).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InboundSmsPayload {
    pub origination_number: String,
    #[serde(default)]
    pub destination_number: Option<String>,
    #[serde(default)]
    pub message_keyword: Option<String>,
    pub message_body: String,
    pub inbound_message_id: String,
    #[serde(default)]
    pub previous_published_message_id: Option<String>,
}

/// Why an SNS record is not an inbound SMS Termin can act on.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Unreadable {
    #[error("the SNS message is not an inbound SMS payload")]
    NotJson,
    #[error("the sender is not a valid phone number")]
    BadNumber,
    #[error("the inbound message id is empty")]
    NoId,
}

impl InboundSmsPayload {
    pub fn parse(message: &str) -> Result<InboundSms, Unreadable> {
        let payload: InboundSmsPayload =
            serde_json::from_str(message).map_err(|_| Unreadable::NotJson)?;
        let id = payload.inbound_message_id.trim();
        if id.is_empty() || id.len() > 200 {
            return Err(Unreadable::NoId);
        }
        // Two-way numbers deliver E.164; the country only matters for a bare national number.
        let from = PhoneNumber::parse(&payload.origination_number, Country::Pl)
            .map_err(|_| Unreadable::BadNumber)?;
        Ok(InboundSms {
            id: id.to_owned(),
            from,
            body: payload.message_body,
        })
    }
}

pub async fn handle(app: &App, event: LambdaEvent<SnsEvent>) -> Result<Vec<SmsOutcome>, Error> {
    process(app, &event.payload).await
}

/// Acts on every inbound SMS of the event; the outcomes are returned for tests and logs.
pub async fn process(app: &App, event: &SnsEvent) -> Result<Vec<SmsOutcome>, Error> {
    let mut outcomes = Vec::with_capacity(event.records.len());
    for record in &event.records {
        let sms = match InboundSmsPayload::parse(&record.sns.message) {
            Ok(sms) => sms,
            Err(why) => {
                tracing::error!(sns_message_id = %record.sns.message_id, error = %why, "inbound SMS skipped");
                continue;
            }
        };
        match service::handle_inbound_sms(app, &sms).await {
            Ok(outcome) => outcomes.push(outcome),
            Err(e) => {
                tracing::error!(error = %error_chain(&e), inbound_id = %sms.id, "inbound SMS failed; the event will be retried");
                return Err(Box::new(e));
            }
        }
    }
    Ok(outcomes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_two_way_sms_payload_is_read_and_bad_ones_are_refused() {
        let ok = r#"{"originationNumber":"+48500100200","destinationNumber":"+48732000000","messageKeyword":"KEYWORD_1","messageBody":"ac34fh","inboundMessageId":"m-1","previousPublishedMessageId":"p-1"}"#;
        let sms = InboundSmsPayload::parse(ok).unwrap();
        assert_eq!(sms.from.as_str(), "+48500100200");
        assert_eq!(sms.body, "ac34fh");
        assert_eq!(sms.id, "m-1");
        assert_eq!(
            InboundSmsPayload::parse("not json").unwrap_err(),
            Unreadable::NotJson
        );
        let bad_number = ok.replace("+48500100200", "12");
        assert_eq!(
            InboundSmsPayload::parse(&bad_number).unwrap_err(),
            Unreadable::BadNumber
        );
        let no_id = ok.replace("\"m-1\"", "\"  \"");
        assert_eq!(
            InboundSmsPayload::parse(&no_id).unwrap_err(),
            Unreadable::NoId
        );
    }
}
