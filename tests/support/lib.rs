//! Test support: one DynamoDB Local per test binary (started on first use, or
//! reused from `TERMIN_TEST_DYNAMODB_ENDPOINT`), a fresh table per test created
//! from the SAM template, the demo offices, a fixed clock and seeded randomness.
//! The citizen's actions (book, confirm, cancel) are [`TestEnv`] methods; the
//! sample people and requests are in [`fixtures`].

pub mod faults;
pub mod fixtures;
pub mod iam;
pub mod log_privacy;
pub mod round_trips;

pub use faults::{ALWAYS, Fault, Faults};
pub use fixtures::*;
pub use round_trips::{CapacityMeter, Consumed, RoundTrips, counted_client};

use aws_sdk_dynamodb::config::retry::RetryPartition;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{Duration, NaiveDate, Utc};
use lambda_http::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use termin::config::NotifyConfig;
use termin::domain::catalog::Catalog;
use termin::domain::clock::FixedClock;
use termin::domain::codes::SeededEntropy;
use termin::domain::ids::OfficeId;
use termin::domain::secrets::Keyring;
use termin::senders::Senders;
use termin::service::notify::Notifier;
use termin::service::{App, Base};
use termin::store::Store;
use termin_local::moto::{self, Sent, SentSms};
use termin_local::router::Router;
use termin_local::staff::StaffTokens;
use termin_local::streams::{PollReport, StreamPump};
use termin_local::template::Template;
use termin_local::{demo, dynamodb_local, sdk_config};

/// The address test requests come from, unless a test names another.
pub const TEST_CLIENT: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));

pub type Item = HashMap<String, AttributeValue>;

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

/// The DynamoDB Local every test of this binary uses (started on first use).
pub fn dynamodb_endpoint() -> &'static str {
    endpoint()
}

/// The moto server (SES and SNS) every test of this binary uses.
pub fn moto_server_endpoint() -> &'static str {
    moto_endpoint()
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

/// One test's world: its own table, clock and randomness, its own sender
/// domain, recipient address and phone number in the shared moto server, and
/// a consumer of its table's stream.
pub struct TestEnv {
    pub app: App,
    /// Every DynamoDB call the handlers (and the test) send.
    pub round_trips: RoundTrips,
    /// What each function's handler touched, checked against the template's
    /// IAM policies when the environment is dropped.
    pub iam: iam::IamRecorder,
    pub clock: Arc<FixedClock>,
    pub router: Router,
    pub notifier: Notifier,
    pub pump: tokio::sync::Mutex<StreamPump>,
    /// This test's citizen address and phone: moto is shared, so messages are told apart by them.
    pub email: String,
    pub phone: String,
    pub sender_domain: String,
}

impl Drop for TestEnv {
    /// Fails the test when a handler made a DynamoDB call its function's
    /// policy in the template would refuse in AWS.
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        static POLICIES: OnceLock<iam::Policies> = OnceLock::new();
        let policies = POLICIES.get_or_init(iam::Policies::workspace);
        let refused = policies.violations(&self.iam.accesses());
        assert!(
            refused.is_empty(),
            "calls infra/template.yaml's IAM policies would refuse:\n{}",
            refused.join("\n")
        );
    }
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
        let writer = CapturedWriter {
            buffer: buffer.clone(),
            file: log_file().map(|f| Arc::new(Mutex::new(f))),
        };
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_max_level(tracing::Level::DEBUG)
            .with_writer(move || writer.clone())
            .finish();
        let _ = tracing::subscriber::set_global_default(subscriber);
        buffer
    })
}

/// With `TERMIN_TEST_LOG_DIR` set (tests/run sets it), the file this process
/// appends its captured log to, `<dir>/<binary>-<pid>.jsonl`, for the log
/// privacy check of the whole run (see [`log_privacy`]).
fn log_file() -> Option<std::fs::File> {
    let dir = std::path::PathBuf::from(std::env::var_os("TERMIN_TEST_LOG_DIR")?);
    let binary = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "test".into());
    let path = dir.join(format!("{binary}-{}.jsonl", std::process::id()));
    let opened = std::fs::create_dir_all(&dir).and_then(|()| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
    });
    // A capture asked for and not made would pass the check unseen.
    Some(opened.unwrap_or_else(|e| panic!("cannot write the test log to {}: {e}", path.display())))
}

/// Each line into the in-memory capture and, when asked for, the log file.
#[derive(Clone)]
struct CapturedWriter {
    buffer: Arc<Mutex<Vec<u8>>>,
    file: Option<Arc<Mutex<std::fs::File>>>,
}

impl std::io::Write for CapturedWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.buffer
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        if let Some(file) = &self.file {
            file.lock()
                .unwrap_or_else(|p| p.into_inner())
                .write_all(buf)?;
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What a confirmation carries: the token from the email's link, or the code
/// sent by SMS.
#[derive(Debug, Clone, Copy)]
pub enum By<'a> {
    Token(&'a str),
    Code(&'a str),
}

impl TestEnv {
    pub async fn new() -> Self {
        Self::build(None).await
    }

    /// A test environment whose DynamoDB client also reports the capacity
    /// every call consumed to `meter` (for the cost benchmark).
    pub async fn metered(meter: &CapacityMeter) -> Self {
        Self::build(Some(meter)).await
    }

    async fn build(meter: Option<&CapacityMeter>) -> Self {
        log_buffer();
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let round_trips = RoundTrips::default();
        let iam = iam::IamRecorder::default();
        let client = counted_client(
            &sdk_config(endpoint()).await,
            &round_trips,
            meter,
            Some(&iam),
        );
        let table = format!("t{}-{}", std::process::id(), n);
        let template = Template::workspace().unwrap();
        template.create_table(&client, &table).await.unwrap();
        let keyring = Keyring::new(&[42; 32]).unwrap();
        let store = Store::new(client, table, keyring.sealer());
        demo::load(&store).await.unwrap();
        let clock = Arc::new(FixedClock::new(monday_9am()));
        let mut app = App {
            base: Base {
                store,
                clock: clock.clone(),
                entropy: Arc::new(SeededEntropy::new(n)),
                warm: Default::default(),
            },
            keyring,
            files: None,
        };
        let messaging = sdk_config(moto_endpoint()).await;
        app.files = Some(
            moto::documents_bucket(
                &messaging,
                &format!("t{}-{n}", std::process::id()),
                "https://termin.example.pl",
            )
            .await
            .unwrap(),
        );
        let sender_domain = format!("t{}-{n}.example.pl", std::process::id());
        let notify_config = NotifyConfig {
            email_from: format!("termin@{sender_domain}"),
            public_base_url: "https://termin.example.pl".into(),
            configuration_set: None,
        };
        let mut notifier = Notifier::new(app.clone(), &messaging, notify_config);
        // Waiting out a delivery lease moves the test's clock instead.
        notifier.sleeper = clock.clone();
        let streams = aws_sdk_dynamodbstreams::Client::new(&sdk_config(endpoint()).await);
        let pump = StreamPump::new(
            app.store.client().clone(),
            streams,
            app.store.table().to_owned(),
        );
        let unique = u64::from(std::process::id()) * 1000 + n;
        let router = Router::from_template(&template, StaffTokens::new(&app.keyring)).unwrap();
        let env = Self {
            round_trips,
            iam,
            app,
            clock,
            router,
            notifier,
            pump: tokio::sync::Mutex::new(pump),
            email: format!("anna.{unique}@example.pl"),
            phone: format!("+4860{:07}", unique % 10_000_000),
            sender_domain,
        };
        env.set_sender_verified(true).await;
        env
    }

    /// A valid booking request with this test's own email and phone.
    pub fn contact_body(&self, office: &str, service: &str, start: &str, pesel: &str) -> Value {
        let mut body = booking_body(office, service, start, pesel);
        body["email"] = Value::from(self.email.clone());
        body["phone"] = Value::from(self.phone.clone());
        body
    }

    /// Calls the API through the API document's routes, as API Gateway would.
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

    /// Another warm Lambda container of this deployment: its own DynamoDB
    /// client (its own connections, and its own retry token bucket — the SDK
    /// shares one per partition within a process, and every container is a
    /// process), its own warm cache; the same table, clock and keys.
    pub async fn container(&self, n: usize) -> App {
        let conf = aws_sdk_dynamodb::config::Builder::from(&sdk_config(endpoint()).await)
            .retry_partition(RetryPartition::new(format!("container-{n}")))
            .build();
        App {
            base: Base {
                store: Store::new(
                    aws_sdk_dynamodb::Client::from_conf(conf),
                    self.app.store.table(),
                    self.app.keyring.sealer(),
                ),
                warm: Default::default(),
                ..self.app.base.clone()
            },
            ..self.app.clone()
        }
    }

    /// A container whose DynamoDB calls go through `faults` (see [`faults`]).
    pub async fn faulty_container(&self, faults: &Faults) -> App {
        let conf = aws_sdk_dynamodb::config::Builder::from(&sdk_config(endpoint()).await)
            .retry_partition(RetryPartition::new("faulty"))
            .interceptor(faults.clone())
            .build();
        App {
            base: Base {
                store: Store::new(
                    aws_sdk_dynamodb::Client::from_conf(conf),
                    self.app.store.table(),
                    self.app.keyring.sealer(),
                ),
                warm: Default::default(),
                ..self.app.base.clone()
            },
            ..self.app.clone()
        }
    }

    /// This test's notifier over `app` (a faulty container for store faults),
    /// with SES and SNS calls going through `faults`, each send bounded by `timeout`.
    pub async fn faulty_notifier(
        &self,
        faults: &Faults,
        timeout: std::time::Duration,
        app: App,
    ) -> Notifier {
        let messaging = sdk_config(moto_endpoint()).await;
        let timeouts = aws_sdk_sesv2::config::timeout::TimeoutConfig::builder()
            .operation_timeout(timeout)
            .build();
        let ses = aws_sdk_sesv2::config::Builder::from(&messaging)
            .timeout_config(timeouts.clone())
            .interceptor(faults.clone())
            .build();
        let sns = aws_sdk_sns::config::Builder::from(&messaging)
            .timeout_config(timeouts)
            .interceptor(faults.clone())
            .build();
        Notifier {
            app,
            senders: Senders::from_clients(
                aws_sdk_sesv2::Client::from_conf(ses),
                aws_sdk_sns::Client::from_conf(sns),
            ),
            ..self.notifier.clone()
        }
    }

    /// Runs `notifier` over everything new on the table's stream.
    pub async fn deliver_with(&self, notifier: &Notifier) -> PollReport {
        self.pump
            .lock()
            .await
            .drain(
                |event| async move {
                    iam::as_function("NotifyFunction", notify::process(notifier, &event)).await
                },
                1,
            )
            .await
            .unwrap()
    }

    /// A request answered by `app`, with the answer's headers.
    pub async fn call_in_with_headers(
        &self,
        app: &App,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> (StatusCode, Value, HeaderMap) {
        self.call_from(app, TEST_CLIENT, method, path, body).await
    }

    /// A request from the client address `client`, with the answer's headers.
    pub async fn call_from(
        &self,
        app: &App,
        client: IpAddr,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> (StatusCode, Value, HeaderMap) {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let response = self
            .router
            .dispatch(
                app,
                method,
                path,
                HeaderMap::new(),
                body.into_bytes(),
                Some(client),
            )
            .await;
        let status = response.status();
        let value = serde_json::from_slice(response.body()).unwrap_or(Value::Null);
        (status, value, response.headers().clone())
    }

    /// A request answered by the container `app` (see [`TestEnv::container`]).
    pub async fn call_in(
        &self,
        app: &App,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        self.dispatch(app, method, path, body, &[]).await
    }

    pub async fn call_raw(
        &self,
        method: Method,
        path: &str,
        body: String,
        headers: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        self.dispatch(&self.app, method, path, body, headers).await
    }

    /// A request routed as API Gateway would, answered by `app`'s handlers.
    async fn dispatch(
        &self,
        app: &App,
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
        // Named for the function that handles the route, so its DynamoDB
        // calls are checked against that function's policy.
        let route_path = path.split('?').next().unwrap_or(path);
        let function = self
            .router
            .find(&method, route_path)
            .map(|(route, _)| route.function.clone())
            .unwrap_or_default();
        let response = iam::as_function(
            &function,
            self.router
                .dispatch(app, method, path, map, body.into_bytes(), Some(TEST_CLIENT)),
        )
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

    /// The slots of a service listed for one day.
    pub async fn slots_on(&self, office: &str, service: &str, day: NaiveDate) -> Vec<Value> {
        let (status, body) = self
            .get(&format!(
                "/offices/{office}/services/{service}/slots?from={day}&to={day}"
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["days"][0]["slots"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The first free ID card application slot in Olsztyn from Tuesday on.
    pub async fn first_free_id_card_slot(&self) -> String {
        self.first_free_slot(OLSZTYN, ID_CARD_APPLICATION, tuesday())
            .await
    }

    /// The sample request ([`booking_body`]) by `national_id` for
    /// [`TestEnv::first_free_id_card_slot`].
    pub async fn first_free_request(&self, national_id: &str) -> Value {
        let start = self.first_free_id_card_slot().await;
        booking_body(OLSZTYN, ID_CARD_APPLICATION, &start, national_id)
    }

    /// Books [`TestEnv::first_free_request`], returning the booking id and its start.
    pub async fn book_first_free(&self, national_id: &str) -> (String, String) {
        let request = self.first_free_request(national_id).await;
        let id = self.book_with(&request).await;
        (id, request["start"].as_str().unwrap().to_owned())
    }

    /// Posts a booking request that must succeed, returning the booking id.
    pub async fn book_with(&self, body: &Value) -> String {
        let (status, answer) = self.post("/bookings", body).await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
        answer["booking_id"].as_str().unwrap().to_owned()
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
        self.book_with(&body).await
    }

    /// Confirms a hold as the confirm page does.
    pub async fn confirm(&self, booking_id: &str, by: By<'_>) -> (StatusCode, Value) {
        let body = match by {
            By::Token(token) => json!({ "token": token }),
            By::Code(code) => json!({ "code": code }),
        };
        self.post(&format!("/bookings/{booking_id}/confirm"), &body)
            .await
    }

    /// Cancels with the token from a cancel link.
    pub async fn cancel(&self, booking_id: &str, token: &str) -> (StatusCode, Value) {
        self.post(
            &format!("/bookings/{booking_id}/cancel"),
            &json!({ "token": token }),
        )
        .await
    }

    /// Cancels by national ID, office, matter and day (see [`cancel_request`]).
    pub async fn cancel_by_national_id(&self, request: &Value) -> (StatusCode, Value) {
        self.post("/bookings/cancel", request).await
    }

    /// Changes an office's catalog in the table.
    pub async fn edit_catalog(&self, office: &str, edit: impl FnOnce(&mut Catalog)) {
        let office = OfficeId::parse(office).unwrap();
        let mut catalog = self.app.store.load_catalog(&office).await.unwrap().unwrap();
        edit(&mut catalog);
        self.app.store.put_catalog(&catalog).await.unwrap();
        // As the container that makes a change does; others within a minute.
        self.app.warm.forget();
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

    /// Deletes every item of `entity`, as their TTL would.
    pub async fn delete_items_of(&self, entity: &str) {
        for item in self.items_of(entity).await {
            self.app
                .store
                .client()
                .delete_item()
                .table_name(self.app.store.table())
                .key("pk", item["pk"].clone())
                .key("sk", item["sk"].clone())
                .send()
                .await
                .unwrap();
        }
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

    /// The outbox messages of a booking.
    pub async fn outbox(&self, booking_id: &str) -> Vec<Item> {
        self.items_of("outbox")
            .await
            .into_iter()
            .filter(|i| s(i, "booking_id") == booking_id)
            .collect()
    }

    /// How many outbox messages of `kind` a booking has.
    pub async fn outbox_count(&self, booking_id: &str, kind: &str) -> usize {
        self.outbox(booking_id)
            .await
            .iter()
            .filter(|m| s(m, "kind") == kind)
            .count()
    }

    /// The one message of `kind` for a booking, its sealed token and code
    /// opened as notify opens them (the table holds them sealed).
    pub async fn message(&self, booking_id: &str, kind: &str) -> Item {
        let mut found: Vec<Item> = self
            .outbox(booking_id)
            .await
            .into_iter()
            .filter(|m| s(m, "kind") == kind)
            .collect();
        assert_eq!(found.len(), 1, "one {kind} message for {booking_id}");
        let mut message = found.remove(0);
        let sealer = self.app.keyring.sealer();
        let pk = s(&message, "pk");
        for field in ["confirm_token", "confirm_code", "manage_token"] {
            if let Some(AttributeValue::S(sealed)) = message.get(field) {
                let opened = sealer
                    .open_or_plain(&format!("{pk}/{field}"), sealed)
                    .expect("a sealed value this keyring opens");
                message.insert(field.to_owned(), AttributeValue::S(opened));
            }
        }
        message
    }

    /// Runs the notify function over everything new on the table's stream.
    pub async fn deliver(&self) -> PollReport {
        self.deliver_with(&self.notifier).await
    }

    /// Lets SES send from this test's domain (as from the start), or makes it
    /// refuse the sender as it refuses one not verified.
    pub async fn set_sender_verified(&self, verified: bool) {
        let ses = self.notifier.senders.ses();
        let domain = &self.sender_domain;
        if verified {
            let request = ses.create_email_identity().email_identity(domain);
            request.send().await.unwrap();
        } else {
            let request = ses.delete_email_identity().email_identity(domain);
            request.send().await.unwrap();
        }
    }

    /// The file published at `url` (as the site would serve it), if any.
    pub async fn published_file(&self, url: &str) -> Option<moto::KeptFile> {
        let files = self.app.files.as_ref().expect("every test env keeps files");
        let key = url.strip_prefix("https://termin.example.pl/")?;
        moto::kept_file(&sdk_config(moto_endpoint()).await, files.bucket(), key)
            .await
            .unwrap()
    }

    /// Every file kept in this test's bucket, by key.
    pub async fn kept_files(&self) -> Vec<String> {
        let files = self.app.files.as_ref().expect("every test env keeps files");
        moto::file_keys(&sdk_config(moto_endpoint()).await, files.bucket())
            .await
            .unwrap()
    }

    /// What was sent to this test's citizen (and only them), oldest first.
    pub async fn sent(&self) -> Sent {
        let all = sent_by_anyone().await;
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
    pub async fn sms_to(&self, phone: &str) -> Vec<SentSms> {
        let all = sent_by_anyone().await;
        all.sms.into_iter().filter(|m| m.to == phone).collect()
    }

    /// After many requests by one person at once: every refusal says
    /// `already_booked`, and one booking holds one seat in Olsztyn.
    pub async fn assert_one_booking_made(&self, answers: &[(StatusCode, Value)]) {
        assert!(
            answers
                .iter()
                .all(|(s, b)| *s == StatusCode::CREATED || b["error"]["code"] == "already_booked"),
            "{answers:?}"
        );
        assert_eq!(self.items_of("booking").await.len(), 1);
        assert_eq!(self.booked_units(OLSZTYN, CIVIL_AFFAIRS).await, 1);
    }

    /// `Bearer …` for a demo staff account (`local/demo/staff.json`), as `local/` issues it.
    pub fn staff_authorization(&self, user: &str) -> String {
        let account = termin_local::staff::demo_staff()
            .unwrap()
            .into_iter()
            .find(|a| a.user == user)
            .unwrap();
        let token = StaffTokens::new(&self.app.keyring)
            .issue(&account, Utc::now().timestamp())
            .unwrap();
        format!("Bearer {token}")
    }

    /// Calls a staff route as the demo account `user` (or with no token).
    pub async fn call_as(
        &self,
        user: Option<&str>,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let bearer = user.map(|u| self.staff_authorization(u));
        let headers: Vec<(&str, &str)> = bearer
            .as_deref()
            .map(|b| vec![("authorization", b)])
            .unwrap_or_default();
        self.call(method, path, body, &headers).await
    }

    /// This deployment after its key was rotated to `keyring` (with the
    /// earlier key kept beside the new one, or dropped): the same table,
    /// clock and senders; every container starts cold with the new secret.
    pub fn rotate_key(&mut self, keyring: Keyring) {
        let store = Store::new(
            self.app.store.client().clone(),
            self.app.store.table(),
            keyring.sealer(),
        );
        self.app = App {
            base: Base {
                store,
                warm: Default::default(),
                ..self.app.base.clone()
            },
            keyring,
            ..self.app.clone()
        };
        self.notifier.app = self.app.clone();
        let template = Template::workspace().unwrap();
        self.router =
            Router::from_template(&template, StaffTokens::new(&self.app.keyring)).unwrap();
    }

    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }
}

/// Everything the shared moto server has sent, for every test.
async fn sent_by_anyone() -> Sent {
    let endpoint = moto_endpoint().to_owned();
    tokio::task::spawn_blocking(move || moto::sent(&endpoint))
        .await
        .unwrap()
        .unwrap()
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
