//! Rotating the HMAC key: every digest, person key, sealed value and kiosk
//! secret carries the id of the key it was made with, so while the earlier
//! key stays in the ring beside the new one, what it made still verifies, is
//! found and still refuses what it should; once it leaves, it does not.

use aws_lambda_events::event::sns::SnsEvent;
use chrono::{DateTime, Duration, Utc};
use lambda_http::http::{Method, StatusCode};
use serde_json::{Value, json};
use termin::domain::catalog::{Lang, Text};
use termin::domain::ids::OfficeId;
use termin::domain::secrets::Keyring;
use termin::service::kiosk::{KioskRegistration, register_kiosk};
use termin::service::sweeper::{self, SweepConfig};
use termin_local::inbound_sms_event;
use termin_tests::*;

use crate::kiosk::Kiosk;

/// The test deployment's key ([`TestEnv`] starts with it alone, as `k1`).
const FIRST: [u8; 32] = [42; 32];
const SECOND: [u8; 32] = [43; 32];

fn during_rotation() -> Keyring {
    Keyring::with_ids(&[("k2", &SECOND), ("k1", &FIRST)]).unwrap()
}

fn after_rotation() -> Keyring {
    Keyring::with_ids(&[("k2", &SECOND)]).unwrap()
}

/// The booking item's stored value of `field`.
async fn booking_field(env: &TestEnv, id: &str, field: &str) -> String {
    let bookings = env.items_of("booking").await;
    let item = bookings.iter().find(|b| s(b, "id") == id).unwrap();
    s(item, field)
}

#[tokio::test]
async fn holds_made_before_a_key_rotation_are_sent_confirmed_found_and_still_hold_their_rules_after_it()
 {
    let mut env = TestEnv::new().await;
    // Before: a hold confirmed by SMS (its code already sent), a hold whose
    // email is still waiting in the outbox, a booking made with an
    // idempotency key, and an address that bounced.
    let sms_start = env.first_free_id_card_slot().await;
    let by_sms = env
        .book(
            OLSZTYN,
            ID_CARD_APPLICATION,
            &sms_start,
            &pesel(1),
            json!({ "confirm_by": "sms" }),
        )
        .await;
    env.deliver().await;
    let code = code_in(&env.sent().await.sms[0].text);
    let by_email_start = env.first_free_id_card_slot().await;
    let by_email = env
        .book(
            OLSZTYN,
            ID_CARD_APPLICATION,
            &by_email_start,
            &pesel(2),
            json!({}),
        )
        .await;
    assert!(
        booking_field(&env, &by_email, "person_key")
            .await
            .starts_with("k1.")
    );
    let idempotent = env.first_free_request(&pesel(3)).await;
    let key = [("idempotency-key", "rotation-1")];
    let first_answer = env
        .call(Method::POST, "/bookings", Some(&idempotent), &key)
        .await;
    assert_eq!(first_answer.0, 201, "{}", first_answer.1);
    let bounced: SnsEvent = serde_json::from_str(&sample_event("bounces.json")).unwrap();
    assert_eq!(bounces::process(&env.app, &bounced).await.unwrap(), 2);

    env.rotate_key(during_rotation());

    // The waiting email is opened and sent, and its token confirms.
    let token = s(
        &env.message(&by_email, "hold_created").await,
        "confirm_token",
    );
    assert_eq!(env.deliver().await.failed, 0);
    let emails = env.sent().await.emails;
    assert!(
        emails.iter().any(|m| m.text.contains(&token)),
        "the email sealed under k1 went out with its link"
    );
    let (status, body) = env.confirm(&by_email, By::Token(&token)).await;
    assert_eq!(status, 200, "{body}");

    // The SMS reply is matched under the earlier phone digest.
    let event = inbound_sms_event(&env.phone, &code, "rotation-sms-1");
    sms_reply::process(&env.app, &event).await.unwrap();
    assert_eq!(booking_field(&env, &by_sms, "status").await, "confirmed");

    // The person rule recorded under k1 still refuses a second booking.
    let free = env.first_free_id_card_slot().await;
    let again = env.contact_body(OLSZTYN, ID_CARD_APPLICATION, &free, &pesel(2));
    let (status, body) = env.post("/bookings", &again).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "already_booked");

    // A cancellation by national ID finds the k1 booking and sends a link.
    let cancel = cancel_request(
        OLSZTYN,
        ID_CARD_APPLICATION,
        &by_email_start[..10],
        &pesel(2),
    );
    assert_eq!(env.cancel_by_national_id(&cancel).await.0, 202);
    assert_eq!(env.outbox_count(&by_email, "cancel_link").await, 1);

    // The idempotent answer stored under k1 is replayed, and still guards its body.
    let replayed = env
        .call(Method::POST, "/bookings", Some(&idempotent), &key)
        .await;
    assert_eq!(replayed, first_answer);
    let mut other = idempotent.clone();
    other["first_name"] = json!("Ewa");
    let (status, body) = env
        .call(Method::POST, "/bookings", Some(&other), &key)
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "idempotency_key_reused");

    // The address that bounced under k1 is still refused.
    let start = env.first_free_id_card_slot().await;
    let mut bounced_booking = booking_body(OLSZTYN, ID_CARD_APPLICATION, &start, &pesel(4));
    bounced_booking["email"] = Value::from("nieistnieje@example.pl");
    let (status, body) = env.post("/bookings", &bounced_booking).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["fields"][0]["code"], "undeliverable");

    // What is made now carries the new key's id.
    let fresh = env
        .book(OLSZTYN, ID_CARD_APPLICATION, &start, &pesel(5), json!({}))
        .await;
    for field in ["person_key", "confirm_token", "confirm_code"] {
        let stored = booking_field(&env, &fresh, field).await;
        assert!(stored.starts_with("k2."), "{field}: {stored}");
    }
    let sealed = env.outbox(&fresh).await;
    assert!(s(&sealed[0], "confirm_token").starts_with("sealed1:k2:"));
}

/// A no-show of person `who` at Olsztyn, swept into a block; the visit's start.
async fn blocked(env: &TestEnv, who: u32) -> DateTime<Utc> {
    let start = env.first_free_id_card_slot().await;
    let id = env
        .book(OLSZTYN, ID_CARD_APPLICATION, &start, &pesel(who), json!({}))
        .await;
    let token = s(&env.message(&id, "hold_created").await, "confirm_token");
    assert_eq!(env.confirm(&id, By::Token(&token)).await.0, 200);
    let start = DateTime::parse_from_rfc3339(&start).unwrap().to_utc();
    env.clock.set(start + Duration::minutes(11));
    let report = sweeper::sweep(&env.app, SweepConfig::default())
        .await
        .unwrap();
    assert_eq!(report.blocks, 1);
    start
}

/// Person `who` books the first free ID card slot on `day`: the answer.
async fn book_on(env: &TestEnv, who: u32, day: chrono::NaiveDate) -> (StatusCode, Value) {
    let slot = env.first_free_slot(OLSZTYN, ID_CARD_APPLICATION, day).await;
    let request = env.contact_body(OLSZTYN, ID_CARD_APPLICATION, &slot, &pesel(who));
    env.post("/bookings", &request).await
}

#[tokio::test]
async fn a_block_and_a_kiosk_from_before_a_key_rotation_still_hold_after_it() {
    let mut env = TestEnv::new().await;
    let start = blocked(&env, 1).await;
    env.rotate_key(during_rotation());

    let next_day = start.date_naive() + Duration::days(1);
    let (status, body) = book_on(&env, 1, next_day).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "booking_blocked");
    assert!(body["error"]["bookable_again_from"].is_string(), "{body}");

    let lift = json!({ "office_id": OLSZTYN, "national_id": pesel(1) });
    let (status, body) = env
        .call_as(
            Some("clerk.olsztyn"),
            Method::POST,
            "/staff/blocks/lift",
            Some(&lift),
        )
        .await;
    assert_eq!(
        (status.as_u16(), &body["lifted"]),
        (200, &json!(true)),
        "{body}"
    );
    let (status, body) = book_on(&env, 1, next_day).await;
    assert_eq!(status, 201, "{body}");

    // The demo kiosk was registered under k1 and still signs.
    let (status, body) = Kiosk::new(&env, "olsztyn-hall-1")
        .send(Method::GET, "/kiosk/config", "")
        .await;
    assert_eq!(status, 200, "{body}");
    // One registered now gets a secret from k2.
    let registration = KioskRegistration {
        id: "olsztyn-hall-2".into(),
        office_id: OfficeId::parse(OLSZTYN).unwrap(),
        languages: vec![Lang::Pl],
        message: Text::default(),
    };
    let (kiosk, secret) = register_kiosk(&env.app, registration).await.unwrap();
    assert_eq!(kiosk.key_id, "k2");
    let (status, body) = Kiosk::with_secret(&env, "olsztyn-hall-2", &secret)
        .send(Method::GET, "/kiosk/config", "")
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn once_the_earlier_key_leaves_the_ring_what_it_made_is_refused() {
    let mut env = TestEnv::new().await;
    let (id, _) = env.book_first_free(&pesel(1)).await;
    let token = s(&env.message(&id, "hold_created").await, "confirm_token");

    env.rotate_key(after_rotation());
    let (status, body) = env.confirm(&id, By::Token(&token)).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "invalid_token");
    let (status, _) = Kiosk::with_secret(
        &env,
        "olsztyn-hall-1",
        &Keyring::new(&FIRST)
            .unwrap()
            .kiosk_secret("k1", "olsztyn-hall-1", 1)
            .unwrap(),
    )
    .send(Method::GET, "/kiosk/config", "")
    .await;
    assert_eq!(status, 401, "the kiosk must be registered again");
}
