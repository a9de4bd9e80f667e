//! The adapter to the email and SMS providers: SES v2 for email (raw MIME),
//! SNS for SMS. Endpoints come from the standard `AWS_ENDPOINT_URL_*`
//! variables through the SDK configuration, never from code.
//!
//! Only the provider's error code is kept on failure: SES and SNS messages may
//! quote the recipient's address or number, which must not reach the log.
//!
//! A failure is *permanent* when the provider refused this recipient or this
//! message as such (an address or number it cannot take): sending it again
//! cannot succeed. Anything else (throttling, a timeout, an unverified sender,
//! a paused account) may succeed later and is retried.

use aws_sdk_sesv2::config::timeout::TimeoutConfig;
use aws_sdk_sesv2::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sesv2::primitives::Blob;
use aws_sdk_sesv2::types::{Destination, EmailContent, RawMessage};
use aws_sdk_sns::types::MessageAttributeValue;
use std::time::Duration;

/// The longest one send may take, the SDK's retries included. The delivery
/// lease is longer, so a live sender is never overtaken.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// SES v2 codes that refuse the message itself (a malformed or impossible address).
const EMAIL_PERMANENT: [&str; 1] = ["BadRequestException"];

/// SNS codes that refuse the number itself (not a number SNS can text).
const SMS_PERMANENT: [&str; 2] = ["InvalidParameter", "InvalidParameterValue"];

/// A provider refused or failed a message.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("SES refused or failed the email ({code})")]
    Email { code: String, permanent: bool },
    #[error("SNS refused or failed the SMS ({code})")]
    Sms { code: String, permanent: bool },
}

impl SendError {
    /// Whether sending the same message again cannot succeed.
    pub fn is_permanent(&self) -> bool {
        match self {
            SendError::Email { permanent, .. } | SendError::Sms { permanent, .. } => *permanent,
        }
    }

    /// The provider's error code (never its message, which may quote the recipient).
    pub fn code(&self) -> &str {
        match self {
            SendError::Email { code, .. } | SendError::Sms { code, .. } => code,
        }
    }

    fn email(code: String) -> Self {
        let permanent = EMAIL_PERMANENT.contains(&code.as_str());
        SendError::Email { code, permanent }
    }

    fn sms(code: String) -> Self {
        let permanent = SMS_PERMANENT.contains(&code.as_str());
        SendError::Sms { code, permanent }
    }
}

/// The SES and SNS clients, built once per container.
#[derive(Debug, Clone)]
pub struct Senders {
    ses: aws_sdk_sesv2::Client,
    sns: aws_sdk_sns::Client,
}

impl Senders {
    /// Both clients from the SDK configuration, each send bounded by [`SEND_TIMEOUT`].
    pub fn new(aws: &aws_config::SdkConfig) -> Self {
        Self::with_timeout(aws, SEND_TIMEOUT)
    }

    /// Both clients, each send bounded by `timeout` (tests use a short one).
    pub fn with_timeout(aws: &aws_config::SdkConfig, timeout: Duration) -> Self {
        let timeouts = TimeoutConfig::builder().operation_timeout(timeout).build();
        let ses = aws_sdk_sesv2::config::Builder::from(aws).timeout_config(timeouts.clone());
        let sns = aws_sdk_sns::config::Builder::from(aws).timeout_config(timeouts);
        Self::from_clients(
            aws_sdk_sesv2::Client::from_conf(ses.build()),
            aws_sdk_sns::Client::from_conf(sns.build()),
        )
    }

    /// Senders over clients built elsewhere (tests add interceptors to them).
    pub fn from_clients(ses: aws_sdk_sesv2::Client, sns: aws_sdk_sns::Client) -> Self {
        Self { ses, sns }
    }

    /// The SES client (tests and the local runner manage sender identities with it).
    pub fn ses(&self) -> &aws_sdk_sesv2::Client {
        &self.ses
    }

    /// Sends a raw MIME email, its events reported through
    /// `configuration_set` when given; returns the provider's message id.
    pub async fn send_email(
        &self,
        from: &str,
        to: &str,
        raw: Vec<u8>,
        configuration_set: Option<&str>,
    ) -> Result<String, SendError> {
        let raw = RawMessage::builder()
            .data(Blob::new(raw))
            .build()
            .map_err(|_| SendError::email("invalid raw message".into()))?;
        let out = self
            .ses
            .send_email()
            .from_email_address(from)
            .destination(Destination::builder().to_addresses(to).build())
            .content(EmailContent::builder().raw(raw).build())
            .set_configuration_set_name(configuration_set.map(str::to_owned))
            .send()
            .await
            .map_err(|e| SendError::email(error_code(&e)))?;
        Ok(out.message_id().unwrap_or_default().to_owned())
    }

    /// Sends a transactional SMS; returns the provider's message id.
    pub async fn send_sms(&self, to: &str, text: String) -> Result<String, SendError> {
        let transactional = MessageAttributeValue::builder()
            .data_type("String")
            .string_value("Transactional")
            .build()
            .map_err(|_| SendError::sms("invalid message attribute".into()))?;
        let out = self
            .sns
            .publish()
            .phone_number(to)
            .message(text)
            .message_attributes("AWS.SNS.SMS.SMSType", transactional)
            .send()
            .await
            .map_err(|e| SendError::sms(error_code(&e)))?;
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
