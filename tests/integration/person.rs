//! Data-subject requests (GDPR Art. 15, 16): an export of what one office
//! holds about a person, found by national ID or email, with nobody else's
//! data; a booking's contact details corrected; both in the audit log
//! without the values.

use lambda_http::http::{Method, StatusCode};
use serde_json::{Value, json};
use termin_local::inbound_sms_event;
use termin_tests::*;

const EXPORT: &str = "/staff/offices/olsztyn/persons/export";

async fn as_clerk(env: &TestEnv, path: &str, body: &Value) -> (StatusCode, Value) {
    env.call_as(Some("clerk.olsztyn"), Method::POST, path, Some(body))
        .await
}

fn booking_ids(export: &Value) -> Vec<String> {
    let mut ids: Vec<String> = export["bookings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["booking_id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn an_export_holds_the_persons_bookings_at_the_office_and_nothing_of_anyone_else() {
    let env = TestEnv::new().await;
    let first = env.first_free_id_card_slot().await;
    let card = env
        .book_with(&booking_body(
            OLSZTYN,
            ID_CARD_APPLICATION,
            &first,
            &pesel(1),
        ))
        .await;
    let day = tuesday();
    let car_slot = env
        .first_free_slot(OLSZTYN, "vehicle-registration", day)
        .await;
    let car = env
        .book_with(&booking_body(
            OLSZTYN,
            "vehicle-registration",
            &car_slot,
            &pesel(1),
        ))
        .await;
    // Someone else here, and the same person at another office.
    env.book_with(&booking_body(
        OLSZTYN,
        ID_CARD_APPLICATION,
        &first,
        &pesel(2),
    ))
    .await;
    let mielec = env
        .first_free_slot("mielec", "vehicle-registration", day)
        .await;
    env.book_with(&booking_body(
        "mielec",
        "vehicle-registration",
        &mielec,
        &pesel(1),
    ))
    .await;
    let mut theirs = vec![card.clone(), car.clone()];
    theirs.sort();

    for (query, found_by) in [
        (json!({ "national_id": pesel(1) }), "national_id"),
        (json!({ "email": email_of(&pesel(1)) }), "email"),
    ] {
        let (status, export) = as_clerk(&env, EXPORT, &query).await;
        assert_eq!(status, 200, "{query}: {export}");
        assert_eq!(export["found_by"], found_by);
        assert_eq!(booking_ids(&export), theirs, "{query}");
        let booking = &export["bookings"][0];
        assert_eq!(booking["last_name"], "Kowalska");
        assert_eq!(booking["email"], email_of(&pesel(1)));
        assert!(booking["created_at"].is_string());
        assert!(export["retention"].as_str().unwrap().contains("30 days"));
        let text = export.to_string();
        assert!(!text.contains(&email_of(&pesel(2))), "nobody else's data");
    }

    let (status, _) = env
        .call_as(
            Some("clerk.mielec"),
            Method::POST,
            EXPORT,
            Some(&json!({ "national_id": pesel(1) })),
        )
        .await;
    assert_eq!(status, 403);
    for bad in [
        json!({ "national_id": pesel(1), "email": email_of(&pesel(1)) }),
        json!({ "national_id": "44051401358" }),
        json!({}),
    ] {
        let (status, body) = as_clerk(&env, EXPORT, &bad).await;
        assert_eq!(status, 422, "{bad}: {body}");
    }
    let audit = env.items_of("audit").await;
    let exports = audit
        .iter()
        .filter(|e| s(e, "action") == "person_exported")
        .count();
    assert_eq!(exports, 2);
    let logged = format!("{audit:?}");
    assert!(!logged.contains(&pesel(1)) && !logged.contains(&email_of(&pesel(1))));
}

#[tokio::test]
async fn a_clerk_corrects_a_bookings_contact_details_and_the_log_keeps_only_which_fields() {
    let env = TestEnv::new().await;
    let start = env.first_free_id_card_slot().await;
    let id = env
        .book(
            OLSZTYN,
            ID_CARD_APPLICATION,
            &start,
            &pesel(3),
            json!({ "confirm_by": "sms" }),
        )
        .await;
    let contact = format!("/staff/offices/olsztyn/bookings/{id}/contact");
    let change = json!({ "last_name": "Nowak", "email": "anna.nowak@example.pl", "phone": "+48 602 111 222" });
    let (status, booking) = as_clerk(&env, &contact, &change).await;
    assert_eq!(status, 200, "{booking}");
    assert_eq!(booking["last_name"], "Nowak");
    assert_eq!(booking["first_name"], "Anna", "unchanged");
    assert_eq!(booking["email"], "anna.nowak@example.pl");
    assert_eq!(booking["phone"], "+48602111222");

    // The hold confirms by SMS from the corrected number.
    let code = s(&env.message(&id, "hold_created").await, "confirm_code");
    let event = inbound_sms_event("+48602111222", &code, "corrected-1");
    sms_reply::process(&env.app, &event).await.unwrap();
    let (_, found) = as_clerk(
        &env,
        "/staff/offices/olsztyn/bookings/search",
        &json!({ "national_id": pesel(3) }),
    )
    .await;
    assert_eq!(found["bookings"][0]["status"], "confirmed", "{found}");

    for (bad, status) in [
        (json!({}), 422),
        (json!({ "email": "no address" }), 422),
        (json!({ "first_name": "" }), 422),
        (json!({ "nickname": "Ania" }), 400),
    ] {
        assert_eq!(as_clerk(&env, &contact, &bad).await.0, status, "{bad}");
    }
    let (status, _) = env
        .call_as(
            Some("clerk.mielec"),
            Method::POST,
            &contact.replace("olsztyn", "mielec"),
            Some(&change),
        )
        .await;
    assert_eq!(status, 404, "another office's booking is not found");

    let audit = env.items_of("audit").await;
    let corrected: Vec<&_> = audit
        .iter()
        .filter(|e| s(e, "action") == "person_corrected")
        .collect();
    assert_eq!(corrected.len(), 1);
    let note = format!("{:?}", corrected[0]);
    assert!(note.contains("last_name") && note.contains("phone"));
    assert!(!note.contains("Nowak") && !note.contains("602"), "{note}");
}
