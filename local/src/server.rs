//! The local HTTP server: the API under `/api` (routed as its OpenAPI document
//! routes it, the document itself at `/api/openapi.json`), `web/` at `/`, and the local-only mailbox: `/_local/mailbox` (a page),
//! `/_local/sent` (every email and SMS the notify function sent, read back from
//! the SES/SNS stand-in), `/_local/sms` (play an inbound SMS reply) and
//! `/_local/kiosks` (the demo kiosks with the secrets staff would type in) and
//! `/_local/clock` (read, move or reset the clock the handlers read, to try the
//! day of a visit now) and `/_local/staff-token` (a token for a demo staff
//! account, as Cognito would issue one: `POST {"user": "clerk.olsztyn"}`;
//! `/_local/staff` lists the accounts, for the desk screen's sign-in).

use crate::router::Router;
use crate::staff::{StaffTokens, demo_staff};
use crate::streams::DeadLetter;
use axum::body::{Body as AxumBody, to_bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use serde_json::json;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::Mutex;
use termin::domain::clock::{Clock, ShiftedClock};
use termin::service::App;
use tower_http::services::ServeDir;

/// Lambda's limit on a synchronous request (a document template's upload is the largest).
const MAX_BODY: usize = 6 * 1024 * 1024;

#[derive(Clone)]
struct Shared {
    app: App,
    router: Arc<Router>,
    local: Arc<LocalServices>,
}

/// What only the local mailbox needs.
pub struct LocalServices {
    /// The moto server standing in for SES and SNS.
    pub moto_endpoint: String,
    /// Stream records the notify function gave up on.
    pub dead_letters: Arc<Mutex<Vec<DeadLetter>>>,
    /// The page itself (`local/mailbox.html`).
    pub mailbox_page: PathBuf,
    /// The clock every handler reads, which `/_local/clock` moves.
    pub clock: Arc<ShiftedClock>,
    /// Issues tokens for the demo staff accounts (`/_local/staff-token`).
    pub staff_tokens: StaffTokens,
    /// moto's S3 and the bucket of document templates, served under
    /// `/documents/` as CloudFront serves the bucket in AWS.
    pub documents: Option<(aws_config::SdkConfig, String)>,
}

pub fn app(app: App, router: Router, web_dir: PathBuf, local: LocalServices) -> axum::Router {
    let shared = Shared {
        app,
        router: Arc::new(router),
        local: Arc::new(local),
    };
    axum::Router::new()
        .route("/api/openapi.json", get(openapi))
        .route("/api/{*path}", any(api))
        .route("/_local/mailbox", get(mailbox_page))
        .route("/_local/sent", get(sent))
        .route("/_local/sms", post(inbound_sms))
        .route("/_local/kiosks", get(kiosks))
        .route("/_local/clock", get(clock_now).post(set_clock))
        .route("/_local/staff", get(staff_accounts))
        .route("/_local/staff-token", post(staff_token))
        .route("/documents/{*key}", get(document))
        .fallback_service(ServeDir::new(web_dir))
        .with_state(shared)
}

async fn api(State(shared): State<Shared>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            axum::Json(json!({"error":{"code":"too_large","message":"body too large"}})),
        )
            .into_response();
    };
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let path_and_query = path_and_query
        .strip_prefix("/api")
        .unwrap_or(path_and_query);
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    let response = shared
        .router
        .dispatch(
            &shared.app,
            parts.method,
            path_and_query,
            parts.headers,
            bytes.to_vec(),
            peer,
        )
        .await;
    let (parts, body) = response.into_parts();
    Response::from_parts(parts, AxumBody::from(body.to_vec()))
}

/// A document template from the bucket (in AWS: CloudFront's `documents/*`
/// behaviour over the bucket), with the headers it was kept with.
async fn document(
    State(shared): State<Shared>,
    axum::extract::Path(key): axum::extract::Path<String>,
) -> Response {
    let Some((aws, bucket)) = &shared.local.documents else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let key = format!("{}/{key}", termin::domain::documents::DOCUMENTS_PREFIX);
    match crate::moto::kept_file(aws, bucket, &key).await {
        Ok(Some(file)) => {
            let mut response = Response::new(AxumBody::from(file.bytes));
            let headers = response.headers_mut();
            for (name, value) in [
                (http::header::CONTENT_TYPE, file.content_type),
                (http::header::CONTENT_DISPOSITION, file.disposition),
                (http::header::CACHE_CONTROL, file.cache_control),
            ] {
                if let Some(value) = value.and_then(|v| http::HeaderValue::from_str(&v).ok()) {
                    headers.insert(name, value);
                }
            }
            headers.insert(
                http::header::X_CONTENT_TYPE_OPTIONS,
                http::HeaderValue::from_static("nosniff"),
            );
            response
        }
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "reading a document from moto failed");
            StatusCode::BAD_GATEWAY.into_response()
        }
    }
}

/// The API document (local only: the deployed API has no such route).
async fn openapi(State(shared): State<Shared>) -> Response {
    axum::Json(shared.router.document().clone()).into_response()
}

async fn mailbox_page(State(shared): State<Shared>) -> Response {
    match tokio::fs::read_to_string(&shared.local.mailbox_page).await {
        Ok(html) => axum::response::Html(html).into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn sent(State(shared): State<Shared>) -> Response {
    let endpoint = shared.local.moto_endpoint.clone();
    let sent = tokio::task::spawn_blocking(move || crate::moto::sent(&endpoint)).await;
    let dead_letters = shared
        .local
        .dead_letters
        .lock()
        .map(|d| d.clone())
        .unwrap_or_default();
    match sent {
        Ok(Ok(mut sent)) => {
            sent.emails.reverse();
            sent.sms.reverse();
            axum::Json(
                json!({ "emails": sent.emails, "sms": sent.sms, "dead_letters": dead_letters }),
            )
            .into_response()
        }
        Ok(Err(e)) => {
            tracing::error!(error = %termin::error::error_chain(&e), "reading the sent messages failed");
            StatusCode::BAD_GATEWAY.into_response()
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// The demo kiosks and their secrets, as an administrator hands them to
/// whoever sets up the machine. Local only: in the cloud a secret is shown
/// once, when the kiosk is registered.
async fn kiosks(State(shared): State<Shared>) -> Response {
    match crate::demo::kiosks() {
        Ok(kiosks) => {
            let listed: Vec<_> = kiosks
                .iter()
                .map(|k| {
                    json!({
                        "kiosk_id": k.id,
                        "office_id": k.office_id.as_str(),
                        "secret": termin::service::kiosk::kiosk_secret(&shared.app.keyring, k),
                        "screen": format!("/kiosk.html#kiosk={}", k.id),
                    })
                })
                .collect();
            axum::Json(json!({ "kiosks": listed })).into_response()
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// The demo staff accounts and their groups (local only), so the desk screen
/// can offer them; the token for one comes from `/_local/staff-token`.
async fn staff_accounts() -> Response {
    match demo_staff() {
        Ok(accounts) => axum::Json(json!({ "staff": accounts })).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

#[derive(serde::Deserialize)]
struct StaffTokenRequest {
    user: String,
}

/// A token for a demo staff account (local only; in AWS staff sign in with Cognito).
async fn staff_token(State(shared): State<Shared>, body: axum::body::Bytes) -> Response {
    let accounts = demo_staff().unwrap_or_default();
    let users: Vec<&str> = accounts.iter().map(|a| a.user.as_str()).collect();
    let account = serde_json::from_slice::<StaffTokenRequest>(&body)
        .ok()
        .and_then(|r| accounts.iter().find(|a| a.user == r.user));
    let Some(account) = account else {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error":{"code":"unknown_user","message":"one of the demo staff accounts","users": users}})),
        )
            .into_response();
    };
    match shared
        .local
        .staff_tokens
        .issue(account, shared.local.clock.now().timestamp())
    {
        Ok(token) => {
            axum::Json(json!({ "token": token, "groups": account.groups })).into_response()
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

async fn clock_now(State(shared): State<Shared>) -> Response {
    axum::Json(json!({ "now": shared.local.clock.now() })).into_response()
}

#[derive(serde::Deserialize)]
struct SetClock {
    /// RFC 3339; absent or null: back to the wall clock.
    now: Option<chrono::DateTime<chrono::FixedOffset>>,
}

/// Moves the clock every handler reads (local only).
async fn set_clock(State(shared): State<Shared>, body: axum::body::Bytes) -> Response {
    let Ok(request) = serde_json::from_slice::<SetClock>(&body) else {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error":{"code":"invalid_json","message":"expected {\"now\": \"2026-12-08T07:20:00+01:00\"} or {\"now\": null}"}})),
        )
            .into_response();
    };
    match request.now {
        Some(at) => shared.local.clock.set_now(at.to_utc()),
        None => shared.local.clock.reset(),
    }
    clock_now(State(shared)).await
}

#[derive(serde::Deserialize)]
struct LocalSms {
    from: String,
    body: String,
}

/// Plays an inbound SMS as the two-way SMS topic would deliver it.
async fn inbound_sms(State(shared): State<Shared>, body: axum::body::Bytes) -> Response {
    let Ok(sms) = serde_json::from_slice::<LocalSms>(&body) else {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error":{"code":"invalid_json","message":"expected {\"from\": \"+48…\", \"body\": \"code\"}"}})),
        )
            .into_response();
    };
    let event = crate::inbound_sms_event(&sms.from, &sms.body, &ulid::Ulid::new().to_string());
    match sms_reply::process(&shared.app, &event).await {
        Ok(outcomes) => axum::Json(json!({ "outcomes": format!("{outcomes:?}") })).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "inbound SMS failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::Template;
    use termin::domain::codes::OsEntropy;
    use termin::domain::secrets::Keyring;
    use termin::service::Base;
    use termin::store::Store;

    /// The server with a table it never reaches (the document needs none).
    fn server() -> axum::Router {
        let keyring = Keyring::new(&[7; 32]).unwrap();
        let router =
            Router::from_template(&Template::workspace().unwrap(), StaffTokens::new(&keyring))
                .unwrap();
        let client = aws_sdk_dynamodb::Client::from_conf(
            aws_sdk_dynamodb::Config::builder()
                .behavior_version(aws_config::BehaviorVersion::latest())
                .region(aws_config::Region::new("eu-central-1"))
                .build(),
        );
        let clock = Arc::new(ShiftedClock::default());
        let state = App {
            base: Base {
                store: Store::new(client, "unused", keyring.sealer()),
                clock: clock.clone(),
                entropy: Arc::new(OsEntropy),
                warm: Arc::default(),
            },
            keyring: keyring.clone(),
            files: None,
        };
        let local = LocalServices {
            documents: None,
            moto_endpoint: String::new(),
            dead_letters: Arc::default(),
            mailbox_page: PathBuf::new(),
            clock,
            staff_tokens: StaffTokens::new(&keyring),
        };
        app(state, router, PathBuf::from("web-not-needed"), local)
    }

    #[tokio::test]
    async fn the_api_document_is_served_as_json_at_api_openapi_json() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let serving = tokio::spawn(axum::serve(listener, server()).into_future());
        let url = format!("http://{addr}/api/openapi.json");
        let (status, content_type, doc) = tokio::task::spawn_blocking(move || {
            let mut response = ureq::get(&url).call().unwrap();
            let content_type = response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let doc: serde_json::Value = response.body_mut().read_json().unwrap();
            (response.status().as_u16(), content_type, doc)
        })
        .await
        .unwrap();
        serving.abort();

        assert_eq!(status, 200);
        assert!(
            content_type.starts_with("application/json"),
            "{content_type}"
        );
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.0."));
        assert_eq!(doc["servers"][0]["url"], "/api");
        assert!(doc["paths"]["/bookings"]["post"]["requestBody"].is_object());
        assert!(doc["components"]["schemas"]["Booking"].is_object());
        assert!(!doc.to_string().contains("x-amazon-apigateway"));
    }
}
