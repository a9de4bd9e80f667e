//! What the API fuzz test (tests/fuzz/run) and the domain property tests
//! found on the server's side, each kept as the request that showed it.

use lambda_http::http::Method;
use serde_json::json;
use termin::domain::secrets::FIRST_KEY_ID;
use termin::domain::signing::{self, canonical, sha256_hex, sign};
use termin_tests::*;

/// A kiosk request carrying the smallest timestamp a header can hold made
/// the replay-window check overflow: the handler panicked (termin-local
/// dropped the connection) instead of answering 401.
#[tokio::test]
async fn a_kiosk_request_stamped_at_the_smallest_timestamp_is_refused_as_stale() {
    let env = TestEnv::new().await;
    let kiosk = "olsztyn-hall-1";
    let secret = env
        .app
        .keyring
        .kiosk_secret(FIRST_KEY_ID, kiosk, 1)
        .unwrap();
    let body = json!({ "service_id": "id-card-application" }).to_string();
    let timestamp = i64::MIN;
    let nonce = "0123456789abcdef0123456789abcdef";
    let body_sha256 = sha256_hex(body.as_bytes());
    let signature = sign(
        &secret,
        &canonical("POST", "/kiosk/walk-in", timestamp, nonce, &body_sha256),
    );
    let timestamp = timestamp.to_string();
    let headers = [
        (signing::KIOSK_ID, kiosk),
        (signing::TIMESTAMP, timestamp.as_str()),
        (signing::NONCE, nonce),
        (signing::BODY_SHA256, body_sha256.as_str()),
        (signing::SIGNATURE, signature.as_str()),
    ];

    let (status, answer) = env
        .call_raw(Method::POST, "/kiosk/walk-in", body, &headers)
        .await;

    assert_eq!(status, 401, "{answer}");
    assert_eq!(answer["error"]["code"], "unauthorized");
}

/// A day outside RFC 3339's full-date (`+10000-01-01`) was accepted as a
/// query parameter and echoed back, so the answer broke the document's
/// `format: date`; it is now refused as any malformed day is.
#[tokio::test]
async fn a_day_beyond_yyyy_mm_dd_is_refused_not_echoed() {
    let env = TestEnv::new().await;
    let slots = "/offices/olsztyn/services/id-card-application/slots";
    for (path, user, field) in [
        (format!("{slots}?from=%2B10000-01-01"), None, "from"),
        (format!("{slots}?to=-0001-01-01"), None, "to"),
        (format!("{slots}?from=1-01-01"), None, "from"),
        (
            "/staff/offices/olsztyn/admission-list?date=%2B10000-01-01".to_owned(),
            Some("clerk.olsztyn"),
            "date",
        ),
    ] {
        let (status, answer) = env.call_as(user, Method::GET, &path, None).await;

        assert_eq!(status, 422, "{path}: {answer}");
        assert_eq!(answer["error"]["code"], "invalid_request", "{path}");
        assert_eq!(answer["error"]["fields"][0]["field"], field, "{path}");
    }
}
