//! The AWS SDK configuration, loaded once at cold start by every function,
//! by `termin-local` and by the tests.
//!
//! The standard provider chains (region, credentials, `AWS_ENDPOINT_URL_*`)
//! with one HTTPS client built here instead of the SDK's default: rustls with
//! the ring provider (not aws-lc-rs, whose C library is about 0.9 MB of each
//! bootstrap), trusting only the roots AWS endpoints chain to. They are
//! embedded in the binary, so no system certificate directory is read and
//! parsed at init (that was most of a function's init time).
//!
//! Local endpoints (DynamoDB Local, moto) are plain `http://`, which the same
//! client speaks, so nothing here adds a certificate for them.

use aws_config::{BehaviorVersion, ConfigLoader, SdkConfig};
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore, rustls_provider::CryptoMode};
use aws_smithy_runtime_api::client::http::SharedHttpClient;

/// Amazon Root CA 1–4 and Starfield Services Root Certificate Authority G2,
/// as PEM.
pub const AWS_ROOTS_PEM: &str = include_str!("../certs/aws-roots.pem");

/// The SDK configuration from the environment, with [`https_client`].
pub async fn load() -> SdkConfig {
    loader().load().await
}

/// [`load`]'s loader, for callers that set more (region, credentials,
/// endpoint) before loading.
pub fn loader() -> ConfigLoader {
    aws_config::defaults(BehaviorVersion::latest()).http_client(https_client())
}

/// The HTTP client every SDK client here uses: rustls with ring, trusting
/// [`AWS_ROOTS_PEM`] only.
pub fn https_client() -> SharedHttpClient {
    let trust_store = TrustStore::empty().with_pem_certificate(AWS_ROOTS_PEM.as_bytes());
    let context = TlsContext::builder()
        .with_trust_store(trust_store)
        .build()
        .expect("a trust store without server names is always a valid TLS context");
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .tls_context(context)
        .build_https()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;

    /// Parsed the way the HTTP client parses it when it builds its root
    /// store (where a bad certificate would panic at cold start).
    fn roots() -> Vec<CertificateDer<'static>> {
        CertificateDer::pem_slice_iter(AWS_ROOTS_PEM.as_bytes())
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn the_trust_store_holds_the_five_roots_aws_endpoints_chain_to() {
        let roots = roots();

        assert_eq!(roots.len(), 5);
        let names: &[&[u8]] = &[
            b"Amazon Root CA 1",
            b"Amazon Root CA 2",
            b"Amazon Root CA 3",
            b"Amazon Root CA 4",
            b"Starfield Services Root Certificate Authority - G2",
        ];
        for (root, name) in roots.iter().zip(names) {
            assert!(
                root.windows(name.len()).any(|w| w == *name),
                "{} is not the root expected here",
                String::from_utf8_lossy(name)
            );
        }
    }
}
