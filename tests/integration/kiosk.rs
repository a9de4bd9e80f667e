//! The kiosk in the hall, through the API document's routes: signed requests,
//! booking codes into priority tickets inside the window, walk-in tickets,
//! and the lockout after wrong codes.

use chrono::{DateTime, Duration, Utc};
use futures::future::join_all;
use lambda_http::http::{Method, StatusCode};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU64, Ordering};
use termin::domain::booking::BookingStatus;
use termin::domain::clock::Clock;
use termin::domain::codes::{KioskCode, ShortCode};
use termin::domain::ids::BookingId;
use termin::domain::secrets::FIRST_KEY_ID;
use termin::domain::signing::{self, canonical, sha256_hex, sign};
use termin::service::warm::MAX_AGE;
use termin::store::items::{BookingItem, KioskCodeItem, entity};
use termin_tests::*;

const OFFICE: &str = "olsztyn";
const SERVICE: &str = "id-card-application";
const KIOSK: &str = "olsztyn-hall-1";

/// A kiosk that signs what it sends with its derived secret.
pub(crate) struct Kiosk<'e> {
    env: &'e TestEnv,
    id: &'static str,
    secret: String,
}

static NONCES: AtomicU64 = AtomicU64::new(1);

impl<'e> Kiosk<'e> {
    /// A demo kiosk, registered with the first key and generation 1.
    pub(crate) fn new(env: &'e TestEnv, id: &'static str) -> Self {
        let secret = env.app.keyring.kiosk_secret(FIRST_KEY_ID, id, 1).unwrap();
        Self { env, id, secret }
    }

    /// A kiosk that signs with `secret`.
    pub(crate) fn with_secret(env: &'e TestEnv, id: &'static str, secret: &str) -> Self {
        Self {
            env,
            id,
            secret: secret.to_owned(),
        }
    }

    /// The five signature headers for a request sent now.
    fn headers(&self, method: &str, path: &str, body: &str) -> Vec<(&'static str, String)> {
        let nonce = format!("{:032x}", NONCES.fetch_add(1, Ordering::Relaxed));
        let at = self.env.clock.now().timestamp();
        let body_sha256 = sha256_hex(body.as_bytes());
        let signature = sign(
            &self.secret,
            &canonical(method, path, at, &nonce, &body_sha256),
        );
        vec![
            (signing::KIOSK_ID, self.id.to_owned()),
            (signing::TIMESTAMP, at.to_string()),
            (signing::NONCE, nonce),
            (signing::BODY_SHA256, body_sha256),
            (signing::SIGNATURE, signature),
        ]
    }

    pub(crate) async fn send(&self, method: Method, path: &str, body: &str) -> (StatusCode, Value) {
        let headers = self.headers(method.as_str(), path, body);
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.env
            .call_raw(method, path, body.to_owned(), &headers)
            .await
    }

    pub(crate) async fn redeem(&self, code: &str) -> (StatusCode, Value) {
        let body = json!({ "code": code }).to_string();
        self.send(Method::POST, "/kiosk/redeem", &body).await
    }

    pub(crate) async fn walk_in(&self, service: &str) -> (StatusCode, Value) {
        let body = json!({ "service_id": service }).to_string();
        self.send(Method::POST, "/kiosk/walk-in", &body).await
    }
}

/// A confirmed booking for Tuesday's first slot: its id, start and kiosk code.
pub(crate) async fn confirmed(env: &TestEnv, who: u32) -> (String, DateTime<Utc>, String) {
    let start = env.first_free_slot(OFFICE, SERVICE, tuesday()).await;
    let id = env
        .book(OFFICE, SERVICE, &start, &pesel(who), json!({}))
        .await;
    let token = s(&env.message(&id, "hold_created").await, "confirm_token");
    let (status, body) = env
        .post(
            &format!("/bookings/{id}/confirm"),
            &json!({ "token": token }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let code = body["booking"]["kiosk_code"].as_str().unwrap().to_owned();
    let start = DateTime::parse_from_rfc3339(&start).unwrap().to_utc();
    (id, start, code)
}

async fn status_of(env: &TestEnv, id: &str) -> BookingStatus {
    let id = BookingId::parse(id).unwrap();
    env.app.store.get_booking(id).await.unwrap().unwrap().status
}

/// Gives a booking another kiosk code (an older alphanumeric one, or a fixed one).
async fn plant_code(env: &TestEnv, id: &str, code: KioskCode) {
    let store = &env.app.store;
    let mut booking = store
        .get_booking(BookingId::parse(id).unwrap())
        .await
        .unwrap()
        .unwrap();
    booking.kiosk_code = code;
    for item in [
        serde_dynamo::to_item(BookingItem::from(&booking)).unwrap(),
        serde_dynamo::to_item(KioskCodeItem::from(&booking)).unwrap(),
    ] {
        store
            .client()
            .put_item()
            .table_name(store.table())
            .set_item(Some(item))
            .send()
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn a_code_is_valid_from_30_minutes_before_to_10_minutes_after_the_start() {
    let env = TestEnv::new().await;
    let kiosk = Kiosk::new(&env, KIOSK);
    let (early, start, early_code) = confirmed(&env, 1).await;
    let (_, _, on_time_code) = confirmed(&env, 2).await;
    let (late, _, late_code) = confirmed(&env, 3).await;
    let second = Duration::seconds(1);

    env.clock.set(start - Duration::minutes(30) - second);
    let (status, body) = kiosk.redeem(&early_code).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "too_early");
    let valid_from =
        DateTime::parse_from_rfc3339(body["error"]["valid_from"].as_str().unwrap()).unwrap();
    assert_eq!(valid_from.to_utc(), start - Duration::minutes(30));
    assert_eq!(valid_from.offset().local_minus_utc(), 3600, "office time");
    assert_eq!(status_of(&env, &early).await, BookingStatus::Confirmed);

    env.clock.set(start - Duration::minutes(30));
    let (status, body) = kiosk.redeem(&early_code).await;
    assert_eq!(status, 200, "{body}");
    let ticket = &body["ticket"];
    assert_eq!(ticket["number"], "RA001");
    assert_eq!(ticket["kind"], "booked");
    assert_eq!(ticket["desk_group"], "A");
    assert_eq!(ticket["department"]["id"], "civil-affairs");
    assert_eq!(ticket["service"]["id"], SERVICE);
    assert_eq!(ticket["people_ahead"], 0);
    assert!(ticket["department"]["location"]["pl"].is_string());
    assert_eq!(
        DateTime::parse_from_rfc3339(ticket["appointment"].as_str().unwrap())
            .unwrap()
            .to_utc(),
        start
    );
    assert_eq!(status_of(&env, &early).await, BookingStatus::Redeemed);

    env.clock.set(start + Duration::minutes(10));
    let (status, body) = kiosk.redeem(&on_time_code).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["ticket"]["number"], "RA002");
    assert_eq!(body["ticket"]["people_ahead"], 1);

    env.clock.set(start + Duration::minutes(10) + second);
    let (status, body) = kiosk.redeem(&late_code).await;
    assert_eq!(status, 410, "{body}");
    assert_eq!(body["error"]["code"], "too_late");
    assert_eq!(status_of(&env, &late).await, BookingStatus::Resigned);
    let (status, _) = kiosk.redeem(&late_code).await;
    assert_eq!(status, 410, "still refused, still resigned");
    assert_eq!(env.items_of(entity::TICKET).await.len(), 2);
}

#[tokio::test]
async fn the_same_code_again_gives_the_same_ticket() {
    let env = TestEnv::new().await;
    let kiosk = Kiosk::new(&env, KIOSK);
    let (_, start, code) = confirmed(&env, 1).await;
    env.clock.set(start - Duration::minutes(5));
    let (_, first) = kiosk.redeem(&code).await;
    env.advance(Duration::minutes(20));
    let (status, again) = kiosk.redeem(&code).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["ticket"]["number"], first["ticket"]["number"]);
    assert_eq!(again["ticket"]["issued_at"], first["ticket"]["issued_at"]);
    assert_eq!(env.items_of(entity::TICKET).await.len(), 1);
}

#[tokio::test]
async fn twenty_concurrent_redeems_of_one_code_give_one_ticket() {
    let env = TestEnv::new().await;
    let kiosk = Kiosk::new(&env, KIOSK);
    let (_, start, code) = confirmed(&env, 1).await;
    env.clock.set(start - Duration::minutes(10));
    let answers = join_all((0..20).map(|_| kiosk.redeem(&code))).await;
    for (status, body) in &answers {
        assert_eq!(*status, 200, "{body}");
        assert_eq!(body["ticket"]["number"], "RA001");
    }
    assert_eq!(env.items_of(entity::TICKET).await.len(), 1);
}

#[tokio::test]
async fn only_a_confirmed_booking_of_this_office_gets_a_ticket() {
    let env = TestEnv::new().await;
    let kiosk = Kiosk::new(&env, KIOSK);
    let (_, start, code) = confirmed(&env, 1).await;
    // Cancelled: the code is given up with the booking.
    let (cancelled, _, cancelled_code) = confirmed(&env, 3).await;
    let manage = s(&env.message(&cancelled, "confirmed").await, "manage_token");
    let (status, _) = env
        .post(
            &format!("/bookings/{cancelled}/cancel"),
            &json!({ "token": manage }),
        )
        .await;
    assert_eq!(status, 200);
    env.clock.set(start - Duration::minutes(5));

    let (status, body) = Kiosk::new(&env, "opava-hall-1").redeem(&code).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "wrong_office");

    // A hold made minutes ago for later today, not yet confirmed.
    let slot = env.first_free_slot(OFFICE, SERVICE, tuesday()).await;
    let pending = env.book(OFFICE, SERVICE, &slot, &pesel(2), json!({})).await;
    plant_code(&env, &pending, KioskCode::Digits("123456".into())).await;
    let (status, body) = kiosk.redeem("123 456").await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "booking_not_confirmed");

    let (status, body) = kiosk.redeem(&cancelled_code).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error"]["code"], "code_unknown");

    let (status, body) = kiosk.redeem("12345").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "code");
    assert!(env.items_of(entity::TICKET).await.is_empty());
}

#[tokio::test]
async fn an_expired_hold_gets_no_ticket() {
    let env = TestEnv::new().await;
    let kiosk = Kiosk::new(&env, KIOSK);
    let slot = env.first_free_slot(OFFICE, SERVICE, tuesday()).await;
    let id = env.book(OFFICE, SERVICE, &slot, &pesel(1), json!({})).await;
    plant_code(&env, &id, KioskCode::Digits("654321".into())).await;
    let start = DateTime::parse_from_rfc3339(&slot).unwrap().to_utc();
    env.clock.set(start - Duration::minutes(5));
    let (status, body) = kiosk.redeem("654321").await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "booking_not_confirmed");
}

#[tokio::test]
async fn an_alphanumeric_code_from_before_digit_codes_still_works_on_its_day() {
    let env = TestEnv::new().await;
    let kiosk = Kiosk::new(&env, KIOSK);
    let (id, start, _) = confirmed(&env, 1).await;
    plant_code(
        &env,
        &id,
        KioskCode::Legacy(ShortCode::parse("AC34FH").unwrap()),
    )
    .await;
    env.clock.set(start - Duration::minutes(5));
    let (status, body) = kiosk.redeem("ac34fh").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["ticket"]["number"], "RA001");
}

/// Lets a department hand out `cap` walk-in tickets a day.
async fn set_walk_in_cap(env: &TestEnv, department: &str, cap: Option<u32>) {
    let office = termin::domain::ids::OfficeId::parse(OFFICE).unwrap();
    let mut catalog = env.app.store.load_catalog(&office).await.unwrap().unwrap();
    for d in &mut catalog.departments {
        if d.id.as_str() == department {
            d.kiosk.walk_in_daily_cap = cap;
        }
    }
    env.app.store.put_catalog(&catalog).await.unwrap();
    env.app.warm.forget();
}

#[tokio::test]
async fn a_hundred_concurrent_walk_ins_get_distinct_gap_free_numbers() {
    let env = TestEnv::new().await;
    set_walk_in_cap(&env, "civil-affairs", None).await;
    env.edit_catalog(OFFICE, |catalog| {
        for department in &mut catalog.departments {
            department.kiosk.waiting_room_limit = None;
        }
    })
    .await;
    let kiosk = Kiosk::new(&env, KIOSK);
    let answers = join_all((0..100).map(|_| kiosk.walk_in(SERVICE))).await;
    let mut numbers: Vec<String> = answers
        .iter()
        .map(|(status, body)| {
            assert_eq!(*status, 201, "{body}");
            assert_eq!(body["ticket"]["kind"], "walk_in");
            body["ticket"]["number"].as_str().unwrap().to_owned()
        })
        .collect();
    numbers.sort();
    let expected: Vec<String> = (1..=100).map(|n| format!("A{n:03}")).collect();
    assert_eq!(numbers, expected);
    assert_eq!(env.items_of(entity::TICKET).await.len(), 100);
}

#[tokio::test]
async fn the_walk_in_cap_refuses_clearly_and_booked_clients_are_still_served() {
    let env = TestEnv::new().await;
    set_walk_in_cap(&env, "civil-affairs", Some(2)).await;
    let kiosk = Kiosk::new(&env, KIOSK);
    let (_, start, code) = confirmed(&env, 1).await;
    env.clock.set(start - Duration::minutes(20));
    for expected in ["A001", "A002"] {
        let (status, body) = kiosk.walk_in(SERVICE).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["ticket"]["number"], expected);
    }
    let (status, body) = kiosk.walk_in(SERVICE).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "walk_in_cap_reached");

    let (status, body) = kiosk.redeem(&code).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["ticket"]["people_ahead"], 0, "booked clients go first");
    // Another department's walk-ins are counted on their own.
    let (status, body) = kiosk.walk_in("vehicle-registration").await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["ticket"]["number"], "P001");
    let (status, body) = kiosk.walk_in("no-such-service").await;
    assert_eq!(status, 404, "{body}");
}

#[tokio::test]
async fn the_emergency_switch_turns_a_departments_walk_ins_into_phone_registration() {
    let env = TestEnv::new().await;
    let kiosk = Kiosk::new(&env, KIOSK);
    let (_, start, code) = confirmed(&env, 1).await;
    let message = json!({ "pl": "Zapisy telefoniczne: 89 527 31 11", "en": "Register by phone: 89 527 31 11" });
    env.edit_catalog(OFFICE, |catalog| {
        let department = catalog
            .departments
            .iter_mut()
            .find(|d| d.id.as_str() == "civil-affairs")
            .unwrap();
        department.phone_registration = Some(serde_json::from_value(message.clone()).unwrap());
    })
    .await;
    env.clock.set(start - Duration::minutes(20));
    let (status, body) = kiosk.walk_in(SERVICE).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "walk_ins_disabled");
    assert_eq!(body["error"]["kiosk_message"], message);
    // The screen offers no walk-in for the department and says why.
    let (_, config) = kiosk.send(Method::GET, "/kiosk/config", "").await;
    let civil = config["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "civil-affairs")
        .unwrap();
    assert_eq!(civil["phone_registration"], message);
    assert!(
        civil["services"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["walk_in"] == false)
    );
    // Booked visits go on; another department still takes walk-ins.
    let (status, body) = kiosk.redeem(&code).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = kiosk.walk_in("vehicle-registration").await;
    assert_eq!(status, 201, "{body}");
    assert!(env.items_of("ticket").await.len() == 2);
}

#[tokio::test]
async fn a_kiosk_switched_off_says_so_in_its_languages() {
    let env = TestEnv::new().await;
    let kiosk = Kiosk::new(&env, KIOSK);
    let (status, config) = kiosk.send(Method::GET, "/kiosk/config", "").await;
    assert_eq!(status, 200, "{config}");
    assert_eq!(config["office"]["id"], OFFICE);
    assert_eq!(config["languages"], json!(["pl", "en", "uk"]));
    assert_eq!(config["enabled"], true);
    assert_eq!(config["departments"][0]["services"][0]["id"], SERVICE);

    let mut device = env.app.store.get_kiosk(KIOSK).await.unwrap().unwrap();
    device.walk_ins_enabled = false;
    env.app.store.put_kiosk(&device).await.unwrap();
    let (status, body) = kiosk.walk_in(SERVICE).await;
    assert_eq!(
        status, 201,
        "a warm container knows the kiosk for a minute: {body}"
    );
    env.clock.advance(MAX_AGE);
    let (status, body) = kiosk.walk_in(SERVICE).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "walk_ins_disabled");
    assert!(body["error"]["kiosk_message"]["uk"].is_string());
    let (status, body) = kiosk.redeem("000000").await;
    assert_eq!(status, 404, "booked codes are still taken: {body}");

    device.enabled = false;
    env.app.store.put_kiosk(&device).await.unwrap();
    env.clock.advance(MAX_AGE);
    let (status, body) = kiosk.redeem("000000").await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "kiosk_disabled");
    assert!(body["error"]["kiosk_message"]["pl"].is_string());
    let (status, config) = kiosk.send(Method::GET, "/kiosk/config", "").await;
    assert_eq!(status, 200);
    assert_eq!(config["enabled"], false);
}

#[tokio::test]
async fn unsigned_badly_signed_stale_or_replayed_requests_are_refused() {
    let env = TestEnv::new().await;
    set_walk_in_cap(&env, "civil-affairs", None).await;
    let kiosk = Kiosk::new(&env, KIOSK);
    let body = json!({ "service_id": SERVICE }).to_string();
    let call = |headers: Vec<(&'static str, String)>, body: String| {
        let env = &env;
        async move {
            let headers: Vec<(&str, &str)> =
                headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            env.call_raw(Method::POST, "/kiosk/walk-in", body, &headers)
                .await
        }
    };
    let refused = |(status, body): (StatusCode, Value)| {
        assert_eq!(status, 401, "{body}");
        assert_eq!(body["error"]["code"], "unauthorized");
    };

    refused(call(vec![], body.clone()).await);

    let impostor = Kiosk {
        secret: "0".repeat(64),
        ..Kiosk::new(&env, KIOSK)
    };
    refused(
        call(
            impostor.headers("POST", "/kiosk/walk-in", &body),
            body.clone(),
        )
        .await,
    );

    let stranger = Kiosk::new(&env, "nowhere-hall-1");
    refused(
        call(
            stranger.headers("POST", "/kiosk/walk-in", &body),
            body.clone(),
        )
        .await,
    );

    let old = kiosk.headers("POST", "/kiosk/walk-in", &body);
    env.advance(Duration::minutes(5) + Duration::seconds(1));
    refused(call(old, body.clone()).await);

    let tampered = kiosk.headers("POST", "/kiosk/walk-in", &body);
    let other_body = json!({ "service_id": "vehicle-registration" }).to_string();
    refused(call(tampered, other_body).await);

    let once = kiosk.headers("POST", "/kiosk/walk-in", &body);
    let (status, answer) = call(once.clone(), body.clone()).await;
    assert_eq!(status, 201, "{answer}");
    refused(call(once, body.clone()).await);

    assert_eq!(env.items_of(entity::TICKET).await.len(), 1);
}

#[tokio::test]
async fn a_redeem_replayed_at_once_or_later_is_refused_and_never_counts_towards_the_lock() {
    let env = TestEnv::new().await;
    let kiosk = Kiosk::new(&env, KIOSK);
    let (id, start, code) = confirmed(&env, 1).await;
    env.clock.set(start - Duration::minutes(5));
    let send = |headers: &Vec<(&'static str, String)>, body: &str| {
        let headers = headers.clone();
        let env = &env;
        let body = body.to_owned();
        async move {
            let headers: Vec<(&str, &str)> =
                headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            env.call_raw(Method::POST, "/kiosk/redeem", body, &headers)
                .await
        }
    };

    // Each body sent `times` at once under one signature: the statuses, sorted.
    let at_once = |body: &str, times: usize| {
        let body = body.to_owned();
        let signed = kiosk.headers("POST", "/kiosk/redeem", &body);
        async move {
            let answers = join_all((0..times).map(|_| send(&signed, &body))).await;
            let mut statuses: Vec<u16> = answers.iter().map(|(s, _)| s.as_u16()).collect();
            statuses.sort();
            (statuses, signed)
        }
    };

    // A wrong code sent once and replayed ten times counts once.
    let wrong = json!({ "code": "111111" }).to_string();
    let (statuses, _) = at_once(&wrong, 11).await;
    assert_eq!(statuses, [[401; 10].as_slice(), &[404]].concat());

    // The right code, sent five times at once with one signature: one ticket.
    let right = json!({ "code": code }).to_string();
    let (statuses, signed) = at_once(&right, 5).await;
    assert_eq!(statuses, [200, 401, 401, 401, 401]);
    let (status, body) = send(&signed, &right).await;
    assert_eq!(status, 401, "replayed later: {body}");
    assert_eq!(env.items_of(entity::TICKET).await.len(), 1);
    assert_eq!(status_of(&env, &id).await, BookingStatus::Redeemed);

    // Typed again with a fresh signature: the same ticket.
    let (status, again) = kiosk.redeem(&code).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["ticket"]["number"], "RA001");
}

#[tokio::test]
async fn five_wrong_codes_lock_the_kiosk_for_five_minutes() {
    let env = TestEnv::new().await;
    let kiosk = Kiosk::new(&env, KIOSK);
    let (_, start, code) = confirmed(&env, 1).await;
    env.clock.set(start - Duration::minutes(25));
    for wrong in ["111111", "222222", "333333", "444444", "555555"] {
        let (status, body) = kiosk.redeem(wrong).await;
        assert_eq!(status, 404, "{body}");
    }
    let (status, body) = kiosk.redeem(&code).await;
    assert_eq!(status, 429, "even a right code waits: {body}");
    assert_eq!(body["error"]["code"], "kiosk_locked");
    assert_eq!(body["error"]["retry_after_seconds"], 300);
    // Another kiosk is not locked.
    let (status, _) = Kiosk::new(&env, "opava-hall-1").redeem("111111").await;
    assert_eq!(status, 404);

    env.advance(Duration::minutes(4));
    let (status, body) = kiosk.redeem(&code).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["error"]["retry_after_seconds"], 60);

    env.advance(Duration::minutes(1));
    let (status, body) = kiosk.redeem(&code).await;
    assert_eq!(status, 200, "the lock has ended: {body}");
}

#[tokio::test]
async fn the_sample_kiosk_event_redeems_through_the_kiosk_handler() {
    let env = TestEnv::new().await;
    let (id, _, _) = confirmed(&env, 1).await;
    plant_code(&env, &id, KioskCode::Digits("123456".into())).await;
    let raw =
        std::fs::read_to_string(termin_local::workspace_root().join("events/kiosk-redeem.json"))
            .unwrap();
    let event: Value = serde_json::from_str(&raw).unwrap();
    let sent_at = event["headers"]["x-kiosk-timestamp"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    env.clock.set(DateTime::from_timestamp(sent_at, 0).unwrap());
    let request = lambda_http::request::from_str(&raw).unwrap();
    let response = kiosk::handle(&env.app, request).await.unwrap();
    let body: Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(response.status(), 200, "{body}");
    assert_eq!(body["ticket"]["number"], "RA001");
}

#[tokio::test]
async fn a_registered_kiosk_signs_with_its_secret_until_the_secret_is_rotated() {
    use termin::domain::catalog::{Lang, Text};
    use termin::domain::ids::OfficeId;
    use termin::service::kiosk::{KioskRegistration, register_kiosk};
    let env = TestEnv::new().await;
    let registration = KioskRegistration {
        id: "olsztyn-hall-2".into(),
        office_id: OfficeId::parse(OFFICE).unwrap(),
        languages: vec![Lang::Pl, Lang::Uk],
        message: Text::default(),
    };
    let (kiosk, first) = register_kiosk(&env.app, registration.clone())
        .await
        .unwrap();
    assert_eq!(kiosk.generation, 1);
    let with = |secret: &str| Kiosk {
        secret: secret.to_owned(),
        ..Kiosk::new(&env, "olsztyn-hall-2")
    };
    let (status, config) = with(&first).send(Method::GET, "/kiosk/config", "").await;
    assert_eq!(status, 200, "{config}");
    assert_eq!(config["languages"], json!(["pl", "uk"]));

    let (kiosk, second) = register_kiosk(&env.app, registration.clone())
        .await
        .unwrap();
    assert_eq!(kiosk.generation, 2);
    assert_ne!(first, second);
    let (status, _) = with(&first).send(Method::GET, "/kiosk/config", "").await;
    assert_eq!(status, 401, "the old secret no longer works");
    let (status, _) = with(&second).send(Method::GET, "/kiosk/config", "").await;
    assert_eq!(status, 200);

    let stored = env.items_of(entity::KIOSK).await;
    assert!(
        stored
            .iter()
            .all(|item| !format!("{item:?}").contains(&second)),
        "the secret is stored nowhere"
    );
    let bad = KioskRegistration {
        id: "Hall 2".into(),
        ..registration
    };
    assert!(register_kiosk(&env.app, bad).await.is_err());
}
