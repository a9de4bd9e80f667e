//! SES event publishing (the configuration set's bounce and complaint events,
//! delivered through an SNS topic): `Records[].Sns.Message` is a JSON string
//! with an `eventType` (or, from identity notifications, a
//! `notificationType`). A permanent bounce or a complaint marks each named
//! address undeliverable; transient bounces, deliveries and anything else
//! change nothing.
//!
//! A record that cannot be read is logged (without its content, which holds
//! addresses) and skipped: retrying cannot make it readable. A failure of the
//! store is returned, so Lambda retries the event; marking twice is harmless.

use aws_lambda_events::event::sns::SnsEvent;
use lambda_runtime::{Error, LambdaEvent};
use serde::Deserialize;
use termin::domain::contact::Email;
use termin::error::error_chain;
use termin::service::App;
use termin::service::bounces::{AddressReport, record_undeliverable};

/// The fields of an SES event that matter here.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SesEvent {
    #[serde(alias = "notificationType")]
    event_type: String,
    #[serde(default)]
    bounce: Option<Bounce>,
    #[serde(default)]
    complaint: Option<Complaint>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Bounce {
    bounce_type: String,
    #[serde(default)]
    bounced_recipients: Vec<Recipient>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Complaint {
    #[serde(default)]
    complained_recipients: Vec<Recipient>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Recipient {
    email_address: String,
}

/// What one SES event asks for.
#[derive(Debug, PartialEq)]
pub enum Report {
    /// These addresses must not be mailed again.
    Undeliverable(AddressReport, Vec<Email>),
    /// Nothing to do (a delivery, a transient bounce, another event type).
    Nothing,
}

/// The SNS message was not an SES event.
#[derive(Debug, PartialEq, Eq)]
pub struct Unreadable;

/// Reads one SES event. Addresses SES reports that Termin would not accept
/// are left out (no booking can hold them).
pub fn parse(message: &str) -> Result<Report, Unreadable> {
    let event: SesEvent = serde_json::from_str(message).map_err(|_| Unreadable)?;
    let addresses = |recipients: &[Recipient]| {
        recipients
            .iter()
            .filter_map(|r| Email::parse(&r.email_address).ok())
            .collect::<Vec<_>>()
    };
    Ok(
        match (event.event_type.as_str(), &event.bounce, &event.complaint) {
            ("Bounce", Some(bounce), _) if bounce.bounce_type == "Permanent" => {
                Report::Undeliverable(AddressReport::Bounce, addresses(&bounce.bounced_recipients))
            }
            ("Complaint", _, Some(complaint)) => Report::Undeliverable(
                AddressReport::Complaint,
                addresses(&complaint.complained_recipients),
            ),
            _ => Report::Nothing,
        },
    )
}

pub async fn handle(app: &App, event: LambdaEvent<SnsEvent>) -> Result<usize, Error> {
    process(app, &event.payload).await
}

/// Acts on every SES event of the SNS event; returns how many addresses were marked.
pub async fn process(app: &App, event: &SnsEvent) -> Result<usize, Error> {
    let mut marked = 0;
    for record in &event.records {
        match parse(&record.sns.message) {
            Ok(Report::Undeliverable(report, addresses)) => {
                record_undeliverable(app, &addresses, report)
                    .await
                    .map_err(|e| error_chain(&e))?;
                marked += addresses.len();
            }
            Ok(Report::Nothing) => {}
            Err(Unreadable) => {
                tracing::error!(sns_message_id = %record.sns.message_id, "SES event skipped: not readable");
            }
        }
    }
    Ok(marked)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounce(kind: &str) -> String {
        serde_json::json!({
            "eventType": "Bounce",
            "bounce": {
                "bounceType": kind,
                "bounceSubType": "General",
                "bouncedRecipients": [{"emailAddress": "jan@example.pl", "status": "5.1.1"}],
            },
            "mail": {"messageId": "m-1"},
        })
        .to_string()
    }

    #[test]
    fn a_permanent_bounce_names_its_recipients_and_a_transient_one_nothing() {
        let Ok(Report::Undeliverable(AddressReport::Bounce, addresses)) =
            parse(&bounce("Permanent"))
        else {
            panic!("a permanent bounce is a report");
        };
        assert_eq!(addresses.len(), 1);
        assert_eq!(addresses[0].as_str(), "jan@example.pl");
        assert_eq!(parse(&bounce("Transient")), Ok(Report::Nothing));
        assert_eq!(parse(&bounce("Undetermined")), Ok(Report::Nothing));
    }

    #[test]
    fn a_complaint_names_its_recipients_and_other_events_nothing() {
        let complaint = r#"{"notificationType": "Complaint", "complaint": {"complainedRecipients": [{"emailAddress": "ANNA@Example.PL"}]}}"#;
        let Ok(Report::Undeliverable(AddressReport::Complaint, addresses)) = parse(complaint)
        else {
            panic!("a complaint is a report");
        };
        assert_eq!(addresses[0].as_str(), "ANNA@example.pl");
        assert_eq!(
            parse(r#"{"eventType": "Delivery", "delivery": {}}"#),
            Ok(Report::Nothing)
        );
        assert_eq!(parse("not json"), Err(Unreadable));
    }
}
