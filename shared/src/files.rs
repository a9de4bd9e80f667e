//! The adapter to the bucket of files citizens download: the document
//! templates administrators attach to matters (seed 001). S3 in AWS (served
//! by the site's CloudFront distribution under `documents/`), moto's S3
//! locally and in tests (served by termin-local under the same path); the
//! endpoint comes from the standard `AWS_ENDPOINT_URL_S3`, never from code.

use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::ByteStream;

/// The bucket, and the site address its files are published under.
#[derive(Clone)]
pub struct Files {
    client: aws_sdk_s3::Client,
    bucket: String,
    /// `https://…` of the site; a file's address is this and its key.
    public_base_url: String,
}

/// The settings a function that keeps files reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilesConfig {
    /// `DOCUMENTS_BUCKET`.
    pub bucket: String,
    /// `PUBLIC_BASE_URL`: the site that serves the files.
    pub public_base_url: String,
    /// `DOCUMENTS_PATH_STYLE=true`: bucket in the path, not the host name
    /// (an S3 stand-in on an IP address, such as moto).
    pub path_style: bool,
}

impl FilesConfig {
    /// From `get` (the environment): `None` when `DOCUMENTS_BUCKET` is not
    /// set (a deployment that keeps no files).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Option<Self> {
        let bucket = get("DOCUMENTS_BUCKET").filter(|b| !b.is_empty())?;
        Some(Self {
            bucket,
            public_base_url: get("PUBLIC_BASE_URL")
                .unwrap_or_default()
                .trim_end_matches('/')
                .to_owned(),
            path_style: get("DOCUMENTS_PATH_STYLE").is_some_and(|v| v == "true"),
        })
    }
}

/// S3 refused or failed a write (only its error code is kept).
#[derive(Debug, thiserror::Error)]
#[error("S3 refused or failed the write ({code})")]
pub struct FilesError {
    pub code: String,
}

impl Files {
    pub fn new(aws: &aws_config::SdkConfig, config: FilesConfig) -> Self {
        let s3 = aws_sdk_s3::config::Builder::from(aws)
            .force_path_style(config.path_style)
            .build();
        Self {
            client: aws_sdk_s3::Client::from_conf(s3),
            bucket: config.bucket,
            public_base_url: config.public_base_url,
        }
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The address citizens download the file at `key` from.
    pub fn public_url(&self, key: &str) -> String {
        format!("{}/{key}", self.public_base_url)
    }

    /// Keeps `bytes` at `key`, served with `content_type` and `disposition`.
    pub async fn put(
        &self,
        key: &str,
        bytes: Vec<u8>,
        content_type: &str,
        disposition: &str,
    ) -> Result<(), FilesError> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .body(ByteStream::from(bytes))
            .content_type(content_type)
            .content_disposition(disposition)
            // A file never changes under its address (a new upload gets a new one).
            .cache_control("public, max-age=31536000, immutable")
            .send()
            .await
            .map(|_| ())
            .map_err(|e| FilesError {
                code: e.code().unwrap_or("unknown").to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_bucket_named_means_no_files() {
        assert_eq!(FilesConfig::from_lookup(|_| None), None);
        assert_eq!(
            FilesConfig::from_lookup(|n| (n == "DOCUMENTS_BUCKET").then(String::new)),
            None
        );
    }

    #[test]
    fn the_bucket_the_site_and_the_path_style_come_from_the_environment() {
        let config = FilesConfig::from_lookup(|n| {
            Some(match n {
                "DOCUMENTS_BUCKET" => "termin-documents".into(),
                "PUBLIC_BASE_URL" => "https://termin.example.pl/".into(),
                "DOCUMENTS_PATH_STYLE" => "true".into(),
                _ => return None,
            })
        })
        .unwrap();
        assert_eq!(config.bucket, "termin-documents");
        assert_eq!(config.public_base_url, "https://termin.example.pl");
        assert!(config.path_style);
    }
}
