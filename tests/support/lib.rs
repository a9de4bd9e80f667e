//! Test support: one DynamoDB Local per test binary (started on first use, or
//! reused from `TERMIN_TEST_DYNAMODB_ENDPOINT`), a fresh table per test created
//! from the SAM template, the demo offices, a fixed clock and seeded randomness.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use lambda_http::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use termin::config::NotifyConfig;
use termin::domain::clock::FixedClock;
use termin::domain::codes::SeededEntropy;
use termin::domain::secrets::Keyring;
use termin::service::App;
use termin::service::notify::Notifier;
use termin::store::Store;
use termin_local::moto::{self, Sent};
use termin_local::router::Router;
use termin_local::streams::{PollReport, StreamPump};
use termin_local::template::Template;
use termin_local::{demo, dynamodb_local};

pub type Item = HashMap<String, AttributeValue>;

/// Monday 23 November 2026, 09:00 in Warsaw.
pub fn monday_9am() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T08:00:00Z")
        .unwrap()
        .to_utc()
}

fn endpoint() -> &'static str {
    static ENDPOINT: OnceLock<String> = OnceLock::new();
    ENDPOINT.get_or_init(|| {
        if let Ok(endpoint) = std::env::var("TERMIN_TEST_DYNAMODB_ENDPOINT") {
            return endpoint;
        }
        let dir = dynamodb_local::find_jar_dir()
            .expect("DynamoDB Local installed (tests/run installs it)");
        dynamodb_local::start(&dir, 0)
            .expect("DynamoDB Local starts")
            .endpoint
    })
}

fn moto_endpoint() -> &'static str {
    static ENDPOINT: OnceLock<String> = OnceLock::new();
    ENDPOINT.get_or_init(|| {
        if let Ok(endpoint) = std::env::var("TERMIN_TEST_MOTO_ENDPOINT") {
            return endpoint;
        }
        moto::start(0)
            .expect("moto installed (tests/run installs it)")
            .endpoint
    })
}

async fn sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("eu-central-1"))
        // DynamoDB Local keeps one database per access key and region: use the store's.
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "local",
            "local",
            None,
            None,
            "termin-tests",
        ))
        .endpoint_url(endpoint)
        .load()
        .await
}

/// One test's world: its own table, clock and randomness, its own sender
/// domain, recipient address and phone number in the shared moto server, and
/// a consumer of its table's stream.
pub struct TestEnv {
    pub app: App,
    pub clock: Arc<FixedClock>,
    pub router: Router,
    pub notifier: Notifier,
    pub pump: tokio::sync::Mutex<StreamPump>,
    /// This test's citizen address and phone: moto is shared, so messages are told apart by them.
    pub email: String,
    pub phone: String,
    pub sender_domain: String,
}

/// Every log line of this test binary, captured by a global subscriber at DEBUG.
/// (A global one, because tracing caches per-callsite interest across threads.)
pub fn captured_log() -> String {
    String::from_utf8_lossy(&log_buffer().lock().unwrap_or_else(|p| p.into_inner())).into_owned()
}

fn log_buffer() -> &'static Arc<Mutex<Vec<u8>>> {
    static BUFFER: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    BUFFER.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = CapturedWriter(buffer.clone());
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_max_level(tracing::Level::DEBUG)
            .with_writer(move || writer.clone())
            .finish();
        let _ = tracing::subscriber::set_global_default(subscriber);
        buffer
    })
}

#[derive(Clone)]
struct CapturedWriter(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for CapturedWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl TestEnv {
    pub async fn new() -> Self {
        log_buffer();
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let client = dynamodb_local::client(endpoint()).await;
        let table = format!("t{}-{}", std::process::id(), n);
        let template = Template::workspace().unwrap();
        template.create_table(&client, &table).await.unwrap();
        let store = Store::new(client, table);
        demo::load(&store).await.unwrap();
        let clock = Arc::new(FixedClock::new(monday_9am()));
        let app = App {
            store,
            clock: clock.clone(),
            entropy: Arc::new(SeededEntropy::new(n)),
            keyring: Keyring::new(&[42; 32]).unwrap(),
        };
        let messaging = sdk_config(moto_endpoint()).await;
        let sender_domain = format!("t{}-{n}.example.pl", std::process::id());
        let notify_config = NotifyConfig {
            email_from: format!("termin@{sender_domain}"),
            public_base_url: "https://termin.example.pl".into(),
        };
        let notifier = Notifier::new(app.clone(), &messaging, notify_config);
        notifier
            .senders
            .ses()
            .create_email_identity()
            .email_identity(&sender_domain)
            .send()
            .await
            .unwrap();
        let streams = aws_sdk_dynamodbstreams::Client::new(&sdk_config(endpoint()).await);
        let pump = StreamPump::new(
            app.store.client().clone(),
            streams,
            app.store.table().to_owned(),
        );
        let unique = u64::from(std::process::id()) * 1000 + n;
        Self {
            app,
            clock,
            router: Router::from_template(&template).unwrap(),
            notifier,
            pump: tokio::sync::Mutex::new(pump),
            email: format!("anna.{unique}@example.pl"),
            phone: format!("+4860{:07}", unique % 10_000_000),
            sender_domain,
        }
    }

    /// A valid booking request with this test's own email and phone.
    pub fn contact_body(&self, office: &str, service: &str, start: &str, pesel: &str) -> Value {
        let mut body = booking_body(office, service, start, pesel);
        body["email"] = Value::from(self.email.clone());
        body["phone"] = Value::from(self.phone.clone());
        body
    }

    /// Runs the notify function over everything new on the table's stream.
    pub async fn deliver(&self) -> PollReport {
        let notifier = &self.notifier;
        self.pump
            .lock()
            .await
            .drain(
                |event| async move { notify::process(notifier, &event).await },
                1,
            )
            .await
            .unwrap()
    }

    /// What was sent to this test's citizen (and only them), oldest first.
    pub async fn sent(&self) -> Sent {
        let endpoint = moto_endpoint().to_owned();
        let all = tokio::task::spawn_blocking(move || moto::sent(&endpoint))
            .await
            .unwrap()
            .unwrap();
        Sent {
            emails: all
                .emails
                .into_iter()
                .filter(|m| m.to.contains(&self.email))
                .collect(),
            sms: all.sms.into_iter().filter(|m| m.to == self.phone).collect(),
        }
    }

    /// Every SMS sent to `phone`.
    pub async fn sms_to(&self, phone: &str) -> Vec<termin_local::moto::SentSms> {
        let endpoint = moto_endpoint().to_owned();
        let all = tokio::task::spawn_blocking(move || moto::sent(&endpoint))
            .await
            .unwrap()
            .unwrap();
        all.sms.into_iter().filter(|m| m.to == phone).collect()
    }

    /// Calls the API through the template's routes, as API Gateway would.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        self.call_raw(
            method,
            path,
            body.map(|b| b.to_string()).unwrap_or_default(),
            headers,
        )
        .await
    }

    pub async fn call_raw(
        &self,
        method: Method,
        path: &str,
        body: String,
        headers: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.insert(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        let response = self
            .router
            .dispatch(&self.app, method, path, map, body.into_bytes())
            .await;
        let status = response.status();
        let value = serde_json::from_slice(response.body()).unwrap_or(Value::Null);
        (status, value)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None, &[]).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body), &[]).await
    }

    /// Every item in the table.
    pub async fn items(&self) -> Vec<Item> {
        self.app
            .store
            .client()
            .scan()
            .table_name(self.app.store.table())
            .consistent_read(true)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .unwrap()
    }

    pub async fn items_of(&self, entity: &str) -> Vec<Item> {
        self.items()
            .await
            .into_iter()
            .filter(|i| s(i, "entity") == entity)
            .collect()
    }

    /// Sum of `booked` over capacity-unit counters of a department.
    pub async fn booked_units(&self, office: &str, department: &str) -> i64 {
        let prefix = format!("CAPACITY#{office}#{department}");
        self.items()
            .await
            .into_iter()
            .filter(|i| s(i, "pk") == prefix && s(i, "sk").starts_with("UNIT#"))
            .map(|i| n(&i, "booked"))
            .sum()
    }

    /// Books with this test's contact details (and `extra` fields), returning the booking id.
    pub async fn book(
        &self,
        office: &str,
        service: &str,
        start: &str,
        pesel: &str,
        extra: Value,
    ) -> String {
        let mut body = self.contact_body(office, service, start, pesel);
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            body.extend(extra.clone());
        }
        let (status, answer) = self.post("/bookings", &body).await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
        answer["booking_id"].as_str().unwrap().to_owned()
    }

    /// The outbox messages of a booking.
    pub async fn outbox(&self, booking_id: &str) -> Vec<Item> {
        self.items_of("outbox")
            .await
            .into_iter()
            .filter(|i| s(i, "booking_id") == booking_id)
            .collect()
    }

    /// The one message of `kind` for a booking.
    pub async fn message(&self, booking_id: &str, kind: &str) -> Item {
        let mut found: Vec<Item> = self
            .outbox(booking_id)
            .await
            .into_iter()
            .filter(|m| s(m, "kind") == kind)
            .collect();
        assert_eq!(found.len(), 1, "one {kind} message for {booking_id}");
        found.remove(0)
    }

    /// The first free slot of a service on or after `date` (RFC 3339 start).
    pub async fn first_free_slot(&self, office: &str, service: &str, date: NaiveDate) -> String {
        let (status, body) = self
            .get(&format!(
                "/offices/{office}/services/{service}/slots?from={date}"
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["days"][0]["slots"][0]["start"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }
}

pub fn s(item: &Item, key: &str) -> String {
    item.get(key)
        .and_then(|v| v.as_s().ok())
        .cloned()
        .unwrap_or_default()
}

pub fn n(item: &Item, key: &str) -> i64 {
    item.get(key)
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// The `i`-th of many distinct valid PESELs (people born in the 1980s).
pub fn pesel(i: u32) -> String {
    let born = NaiveDate::from_ymd_opt(1980, 1, 1).unwrap() + Duration::days(i64::from(i % 3000));
    let serial = 1000 + i / 3000;
    let first_ten = format!("{}{}{:04}", born.format("%y%m%d"), "", serial % 10000);
    let weights = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
    let sum: u32 = first_ten
        .chars()
        .zip(weights)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    format!("{first_ten}{}", (10 - sum % 10) % 10)
}

/// A complete, valid booking request.
pub fn booking_body(office: &str, service: &str, start: &str, pesel: &str) -> Value {
    serde_json::json!({
        "office_id": office,
        "service_id": service,
        "start": start,
        "first_name": "Anna",
        "last_name": "Kowalska",
        "email": "anna.kowalska@example.pl",
        "national_id": pesel,
        "phone": "601 234 567",
        "accept_terms": true,
        "consent_data_processing": true
    })
}

/// Tuesday 24 November 2026.
pub fn tuesday() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}
