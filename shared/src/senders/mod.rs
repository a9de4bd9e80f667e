//! The adapter to the email and SMS providers: SES v2 for email (raw MIME),
//! SNS for SMS. Endpoints come from the standard `AWS_ENDPOINT_URL_*`
//! variables through the SDK configuration, never from code.
//!
//! Only the provider's error code is kept on failure: SES and SNS messages may
//! quote the recipient's address or number, which must not reach the log.

use aws_sdk_sesv2::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sesv2::primitives::Blob;
use aws_sdk_sesv2::types::{Destination, EmailContent, RawMessage};
use aws_sdk_sns::types::MessageAttributeValue;

/// A provider refused or failed a message.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("SES refused or failed the email ({0})")]
    Email(String),
    #[error("SNS refused or failed the SMS ({0})")]
    Sms(String),
}

/// The SES and SNS clients, built once per container.
#[derive(Debug, Clone)]
pub struct Senders {
    ses: aws_sdk_sesv2::Client,
    sns: aws_sdk_sns::Client,
}

impl Senders {
    pub fn new(aws: &aws_config::SdkConfig) -> Self {
        Self {
            ses: aws_sdk_sesv2::Client::new(aws),
            sns: aws_sdk_sns::Client::new(aws),
        }
    }

    /// The SES client (tests and the local runner manage sender identities with it).
    pub fn ses(&self) -> &aws_sdk_sesv2::Client {
        &self.ses
    }

    /// Sends a raw MIME email; returns the provider's message id.
    pub async fn send_email(
        &self,
        from: &str,
        to: &str,
        raw: Vec<u8>,
    ) -> Result<String, SendError> {
        let raw = RawMessage::builder()
            .data(Blob::new(raw))
            .build()
            .map_err(|_| SendError::Email("invalid raw message".into()))?;
        let out = self
            .ses
            .send_email()
            .from_email_address(from)
            .destination(Destination::builder().to_addresses(to).build())
            .content(EmailContent::builder().raw(raw).build())
            .send()
            .await
            .map_err(|e| SendError::Email(error_code(&e)))?;
        Ok(out.message_id().unwrap_or_default().to_owned())
    }

    /// Sends a transactional SMS; returns the provider's message id.
    pub async fn send_sms(&self, to: &str, text: String) -> Result<String, SendError> {
        let transactional = MessageAttributeValue::builder()
            .data_type("String")
            .string_value("Transactional")
            .build()
            .map_err(|_| SendError::Sms("invalid message attribute".into()))?;
        let out = self
            .sns
            .publish()
            .phone_number(to)
            .message(text)
            .message_attributes("AWS.SNS.SMS.SMSType", transactional)
            .send()
            .await
            .map_err(|e| SendError::Sms(error_code(&e)))?;
        Ok(out.message_id().unwrap_or_default().to_owned())
    }
}

/// The error code of an SDK failure (or its kind, when there is no response), never its message.
fn error_code<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> String {
    match err {
        SdkError::ServiceError(e) => e.err().code().unwrap_or("unknown service error").to_owned(),
        SdkError::TimeoutError(_) => "timeout".into(),
        SdkError::DispatchFailure(_) => "dispatch failure".into(),
        SdkError::ResponseError(_) => "unreadable response".into(),
        SdkError::ConstructionFailure(_) => "request construction".into(),
        _ => "unknown".into(),
    }
}
