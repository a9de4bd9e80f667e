//! A local stand-in for SES and SNS: moto's server (PyPI `moto[server]`, in
//! the venv `local/install-deps` makes). The functions reach it only through
//! the standard `AWS_ENDPOINT_URL_SESV2` / `AWS_ENDPOINT_URL_SNS` variables.
//!
//! [`sent`] reads what was sent from moto's `/moto-api/data.json`: emails as
//! raw MIME (parsed here) and SMS as text. The local mailbox page and the
//! tests both read it this way.

use crate::process::{LaunchError, free_port, spawn_tied};
use mail_parser::{MessageParser, MimeHeaders};
use serde::Serialize;
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use termin::files::{Files, FilesConfig};

/// Where `local/install-deps` puts moto's server.
pub fn server_path() -> PathBuf {
    crate::workspace_root().join("local/.cache/venv-moto/bin/moto_server")
}

/// A running moto server.
#[derive(Debug, Clone)]
pub struct Moto {
    pub endpoint: String,
    pub port: u16,
}

/// Starts moto on `port` (0 picks a free one) and waits until it answers.
pub fn start(port: u16) -> Result<Moto, LaunchError> {
    let server = server_path();
    if !server.is_file() {
        return Err(LaunchError::NotInstalled(
            "moto",
            server.display().to_string(),
        ));
    }
    let port = if port == 0 { free_port()? } else { port };
    let mut command = Command::new(server);
    command
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    spawn_tied("moto", command, port)?;
    Ok(Moto {
        endpoint: format!("http://127.0.0.1:{port}"),
        port,
    })
}

/// An email as moto received it, parsed.
#[derive(Debug, Clone, Serialize)]
pub struct SentEmail {
    pub id: String,
    pub from: String,
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub attachments: Vec<SentAttachment>,
    /// The raw MIME message, for tests that inspect headers.
    #[serde(skip)]
    pub raw: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SentAttachment {
    pub file_name: String,
    pub content_type: String,
    pub content_id: Option<String>,
    #[serde(skip)]
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SentSms {
    pub id: String,
    pub to: String,
    pub text: String,
}

/// Everything sent so far, oldest first.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Sent {
    pub emails: Vec<SentEmail>,
    pub sms: Vec<SentSms>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("could not read moto's data.json")]
    Http(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("moto's data.json has an unexpected shape")]
    Shape,
}

/// Reads what moto at `endpoint` has received (blocking; call from `spawn_blocking`).
pub fn sent(endpoint: &str) -> Result<Sent, ReadError> {
    let body: Value = ureq::get(&format!("{endpoint}/moto-api/data.json"))
        .call()
        .map_err(|e| ReadError::Http(Box::new(e)))?
        .body_mut()
        .read_json()
        .map_err(|e| ReadError::Http(Box::new(e)))?;
    let list = |service: &str, model: &str| -> Vec<Value> {
        body.get(service)
            .and_then(|s| s.get(model))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let mut sent = Sent::default();
    for raw in list("ses", "RawMessage") {
        let str_of = |k: &str| raw.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        let data = str_of("raw_data");
        let parsed = MessageParser::default()
            .parse(data.as_bytes())
            .ok_or(ReadError::Shape)?;
        let attachments = parsed
            .attachments()
            .map(|a| SentAttachment {
                file_name: a.attachment_name().unwrap_or("").to_owned(),
                content_type: a
                    .content_type()
                    .map(|c| match c.subtype() {
                        Some(sub) => format!("{}/{sub}", c.ctype()),
                        None => c.ctype().to_owned(),
                    })
                    .unwrap_or_default(),
                content_id: a
                    .content_id()
                    .map(|c| c.trim_matches(['<', '>']).to_owned()),
                bytes: a.contents().to_vec(),
            })
            .collect();
        sent.emails.push(SentEmail {
            id: str_of("id"),
            from: str_of("source"),
            to: raw
                .get("destinations")
                .and_then(Value::as_array)
                .map(|d| {
                    let mut to: Vec<String> = d
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect();
                    to.dedup();
                    to
                })
                .unwrap_or_default(),
            subject: parsed.subject().unwrap_or("").to_owned(),
            text: parsed
                .body_text(0)
                .map(|t| t.into_owned())
                .unwrap_or_default(),
            html: parsed
                .body_html(0)
                .map(|t| t.into_owned())
                .unwrap_or_default(),
            attachments,
            raw: data,
        });
    }
    for sms in list("sns", "SMS") {
        let str_of = |k: &str| sms.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        sent.sms.push(SentSms {
            id: str_of("message_id"),
            to: str_of("phone_number"),
            text: str_of("message"),
        });
    }
    Ok(sent)
}

/// A client of moto's S3 (on an IP address: the bucket goes in the path).
fn s3(aws: &aws_config::SdkConfig) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(aws)
            .force_path_style(true)
            .build(),
    )
}

/// A failure of moto's S3.
pub type FileError = Box<dyn std::error::Error + Send + Sync>;

/// The bucket of document templates in moto's S3 (the template makes it in
/// AWS), made if new, with the [`Files`] adapter over it; files are
/// published under `public_base_url` (where termin-local serves them).
pub async fn documents_bucket(
    aws: &aws_config::SdkConfig,
    bucket: &str,
    public_base_url: &str,
) -> Result<Files, FileError> {
    let config = FilesConfig {
        bucket: bucket.to_owned(),
        public_base_url: public_base_url.to_owned(),
        path_style: true,
    };
    let s3 = s3(aws);
    let region = aws.region().map(|r| r.to_string()).unwrap_or_default();
    let mut create = s3.create_bucket().bucket(bucket);
    if region != "us-east-1" {
        create = create.create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(
                    region.as_str(),
                ))
                .build(),
        );
    }
    match create.send().await {
        Ok(_) => {}
        Err(e)
            if e.as_service_error().is_some_and(|s| {
                s.is_bucket_already_owned_by_you() || s.is_bucket_already_exists()
            }) => {}
        Err(e) => return Err(Box::new(aws_sdk_s3::Error::from(e))),
    }
    Ok(Files::new(aws, config))
}

/// A file kept in moto's S3: its bytes and how it is served.
#[derive(Debug, Clone)]
pub struct KeptFile {
    pub bytes: Vec<u8>,
    pub content_type: Option<String>,
    pub disposition: Option<String>,
    pub cache_control: Option<String>,
}

/// The file at `key` in `bucket`, if there is one (what CloudFront would serve).
pub async fn kept_file(
    aws: &aws_config::SdkConfig,
    bucket: &str,
    key: &str,
) -> Result<Option<KeptFile>, FileError> {
    let s3 = s3(aws);
    let object = match s3.get_object().bucket(bucket).key(key).send().await {
        Ok(object) => object,
        Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => return Ok(None),
        Err(e) => return Err(Box::new(aws_sdk_s3::Error::from(e))),
    };
    let content_type = object.content_type.clone();
    let disposition = object.content_disposition.clone();
    let cache_control = object.cache_control.clone();
    let bytes = object
        .body
        .collect()
        .await
        .map_err(|e| Box::new(e) as FileError)?
        .into_bytes()
        .to_vec();
    Ok(Some(KeptFile {
        bytes,
        content_type,
        disposition,
        cache_control,
    }))
}

/// The keys of every file in `bucket`.
pub async fn file_keys(
    aws: &aws_config::SdkConfig,
    bucket: &str,
) -> Result<Vec<String>, FileError> {
    let s3 = s3(aws);
    let listed = s3
        .list_objects_v2()
        .bucket(bucket)
        .send()
        .await
        .map_err(|e| Box::new(aws_sdk_s3::Error::from(e)) as FileError)?;
    Ok(listed
        .contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_owned))
        .collect())
}
