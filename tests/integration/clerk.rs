//! A clerk's work with bookings (seeds 001–003): booking for a caller,
//! confirmed at once and with or without an email address; finding a
//! booking by code, reference or national ID; cancelling one. Every action
//! lands in the office's audit log, without the national ID.

use chrono::DateTime;
use lambda_http::http::{Method, StatusCode};
use serde_json::{Value, json};
use termin_tests::*;

use crate::kiosk::Kiosk;

const BOOKINGS: &str = "/staff/offices/olsztyn/bookings";
const SEARCH: &str = "/staff/offices/olsztyn/bookings/search";

/// What a clerk types in for caller `who` at `start`, without an email address.
fn caller(start: &str, who: u32) -> Value {
    json!({
        "service_id": ID_CARD_APPLICATION,
        "start": start,
        "first_name": "Jan",
        "last_name": "Wiśniewski",
        "national_id": pesel(who),
        "phone": "601 234 567",
    })
}

async fn as_clerk(env: &TestEnv, method: Method, path: &str, body: &Value) -> (StatusCode, Value) {
    env.call_as(Some("clerk.olsztyn"), method, path, Some(body))
        .await
}

async fn audit_actions(env: &TestEnv) -> Vec<(String, String)> {
    let mut entries: Vec<(String, String, String)> = env
        .items_of("audit")
        .await
        .iter()
        .map(|e| (s(e, "id"), s(e, "action"), s(e, "target")))
        .collect();
    entries.sort();
    entries.into_iter().map(|(_, a, t)| (a, t)).collect()
}

#[tokio::test]
async fn a_clerk_books_a_caller_without_an_email_confirmed_at_once_and_the_kiosk_takes_the_code() {
    let env = TestEnv::new().await;
    let start = env.first_free_id_card_slot().await;
    let (status, booking) = as_clerk(&env, Method::POST, BOOKINGS, &caller(&start, 1)).await;
    assert_eq!(status, 201, "{booking}");
    assert_eq!(booking["status"], "confirmed");
    assert_eq!(booking["email"], Value::Null);
    assert_eq!(booking["last_name"], "Wiśniewski");
    let code = booking["kiosk_code"].as_str().unwrap().to_owned();
    let id = booking["booking_id"].as_str().unwrap();
    assert_eq!(env.booked_units(OLSZTYN, CIVIL_AFFAIRS).await, 1);
    assert!(
        env.outbox(id).await.is_empty(),
        "no address: nothing to send"
    );
    assert_eq!(
        audit_actions(&env).await,
        [("phone_booking".to_owned(), id.to_owned())]
    );
    assert!(!format!("{:?}", env.items_of("audit").await).contains(&pesel(1)));

    // On the day the kiosk takes the code the clerk read out.
    let at = DateTime::parse_from_rfc3339(&start).unwrap().to_utc();
    env.clock.set(at - chrono::Duration::minutes(5));
    let (status, ticket) = Kiosk::new(&env, "olsztyn-hall-1").redeem(&code).await;
    assert_eq!(status, 200, "{ticket}");
}

#[tokio::test]
async fn a_caller_who_gives_an_email_gets_the_confirmation_with_the_kiosk_code() {
    let env = TestEnv::new().await;
    let start = env.first_free_id_card_slot().await;
    let mut body = caller(&start, 2);
    body["email"] = json!(env.email);
    let (status, booking) = as_clerk(&env, Method::POST, BOOKINGS, &body).await;
    assert_eq!(status, 201, "{booking}");
    let id = booking["booking_id"].as_str().unwrap();
    assert_eq!(env.outbox_count(id, "confirmed").await, 1);
    assert_eq!(
        env.outbox_count(id, "hold_created").await,
        0,
        "nothing to confirm"
    );
    assert_eq!(env.deliver().await.failed, 0);
    let emails = env.sent().await.emails;
    assert_eq!(emails.len(), 1);
    assert!(
        emails[0]
            .text
            .contains(booking["kiosk_code"].as_str().unwrap())
    );
}

#[tokio::test]
async fn a_booking_for_a_caller_keeps_the_rules_and_bad_input_changes_nothing() {
    let env = TestEnv::new().await;
    let start = env.first_free_id_card_slot().await;
    assert_eq!(
        as_clerk(&env, Method::POST, BOOKINGS, &caller(&start, 3))
            .await
            .0,
        201
    );
    // The same person again for the same matter: the person rule holds.
    let other = env.first_free_id_card_slot().await;
    let (status, body) = as_clerk(&env, Method::POST, BOOKINGS, &caller(&other, 3)).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "already_booked");
    // A wrong PESEL, a bad address, a time off the grid: clear 4xx, nothing written.
    let mut bad = caller(&other, 4);
    bad["national_id"] = json!("44051401358");
    bad["email"] = json!("not an address");
    let (status, body) = as_clerk(&env, Method::POST, BOOKINGS, &bad).await;
    assert_eq!(status, 422, "{body}");
    let fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["email", "national_id"]);
    let mut off_grid = caller(&other, 4);
    off_grid["start"] = json!(other.replace(":00+", ":07+"));
    let (status, body) = as_clerk(&env, Method::POST, BOOKINGS, &off_grid).await;
    assert_eq!(status, 422, "{body}");
    let (status, _) = env
        .call_as(
            Some("clerk.mielec"),
            Method::POST,
            BOOKINGS,
            Some(&caller(&other, 4)),
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(env.items_of("booking").await.len(), 1);
    assert_eq!(audit_actions(&env).await.len(), 1);
}

#[tokio::test]
async fn a_clerk_finds_bookings_by_code_reference_or_national_id_at_their_own_office() {
    let env = TestEnv::new().await;
    let start = env.first_free_id_card_slot().await;
    let (_, booking) = as_clerk(&env, Method::POST, BOOKINGS, &caller(&start, 5)).await;
    let id = booking["booking_id"].as_str().unwrap();
    let day = &start[..10];
    let reference = booking["public_ref"].as_str().unwrap().to_ascii_lowercase();
    for query in [
        json!({ "code": booking["kiosk_code"], "date": day }),
        json!({ "ref": reference }),
        json!({ "national_id": pesel(5) }),
    ] {
        let (status, found) = as_clerk(&env, Method::POST, SEARCH, &query).await;
        assert_eq!(status, 200, "{query}: {found}");
        let found = found["bookings"].as_array().unwrap();
        assert_eq!(found.len(), 1, "{query}");
        assert_eq!(found[0]["booking_id"], id);
        assert_eq!(found[0]["first_name"], "Jan");
    }
    let (status, found) = as_clerk(
        &env,
        Method::POST,
        SEARCH,
        &json!({ "national_id": pesel(6) }),
    )
    .await;
    assert_eq!(
        (status.as_u16(), found["bookings"].clone()),
        (200, json!([]))
    );
    // One criterion at a time; another office's clerk may not look.
    let (status, body) = as_clerk(
        &env,
        Method::POST,
        SEARCH,
        &json!({ "ref": reference, "national_id": pesel(5) }),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let (status, _) = env
        .call_as(
            Some("clerk.mielec"),
            Method::POST,
            SEARCH,
            Some(&json!({ "ref": reference })),
        )
        .await;
    assert_eq!(status, 403);
    let (status, body) = env
        .call_as(
            Some("clerk.mielec"),
            Method::POST,
            "/staff/offices/mielec/bookings/search",
            Some(&json!({ "ref": reference })),
        )
        .await;
    assert_eq!(
        (status.as_u16(), body["bookings"].clone()),
        (200, json!([])),
        "not Mielec's"
    );

    // Every lookup, Mielec's too (its own office's log), by what it looked by.
    let mut looked_up: Vec<String> = audit_actions(&env)
        .await
        .into_iter()
        .filter(|(action, _)| action == "bookings_looked_up")
        .map(|(_, target)| target)
        .collect();
    looked_up.sort();
    assert_eq!(
        looked_up,
        ["code", "national_id", "national_id", "ref", "ref"]
    );
    assert!(!format!("{:?}", env.items_of("audit").await).contains(&pesel(5)));
}

#[tokio::test]
async fn a_clerk_cancels_a_booking_of_their_office_once_and_it_is_audited() {
    let env = TestEnv::new().await;
    let start = env.first_free_id_card_slot().await;
    let id = env
        .book(OLSZTYN, ID_CARD_APPLICATION, &start, &pesel(7), json!({}))
        .await;
    let cancel = format!("{BOOKINGS}/{id}/cancel");
    let (status, body) = env
        .call_as(
            Some("clerk.mielec"),
            Method::POST,
            &cancel.replace("olsztyn", "mielec"),
            None,
        )
        .await;
    assert_eq!(status, 404, "another office's booking is not found: {body}");
    let (status, body) = env
        .call_as(Some("clerk.olsztyn"), Method::POST, &cancel, None)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["booking"]["status"], "cancelled");
    assert_eq!(body["already_cancelled"], false);
    assert_eq!(env.booked_units(OLSZTYN, CIVIL_AFFAIRS).await, 0);
    assert_eq!(
        env.outbox_count(&id, "cancelled").await,
        1,
        "the citizen is told"
    );
    let (status, body) = env
        .call_as(Some("clerk.olsztyn"), Method::POST, &cancel, None)
        .await;
    assert_eq!(
        (status.as_u16(), &body["already_cancelled"]),
        (200, &json!(true))
    );
    assert_eq!(
        audit_actions(&env).await,
        [("booking_cancelled".to_owned(), id.clone())]
    );
}

#[tokio::test]
async fn the_sample_booking_for_a_caller_runs_through_the_staff_handler() {
    let env = TestEnv::new().await;
    let mut event: Value =
        serde_json::from_str(&sample_event("staff-book-for-caller.json")).unwrap();
    let start = env.first_free_id_card_slot().await;
    let mut body: Value = serde_json::from_str(event["body"].as_str().unwrap()).unwrap();
    body["start"] = json!(start);
    event["body"] = json!(body.to_string());
    let request = lambda_http::request::from_str(&event.to_string()).unwrap();
    let response = staff::handle(&env.app, request).await.unwrap();
    assert_eq!(response.status(), 201);
    let answer: Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(answer["status"], "confirmed");
}

#[tokio::test]
async fn a_clerks_booking_repeated_or_raced_with_one_idempotency_key_makes_one_booking() {
    let env = TestEnv::new().await;
    let start = env.first_free_id_card_slot().await;
    let body = caller(&start, 1).to_string();
    let clerk = env.staff_authorization("clerk.olsztyn");
    let send = |key: &'static str, body: String, who: String| {
        let env = &env;
        async move {
            env.call_raw(
                Method::POST,
                BOOKINGS,
                body,
                &[("authorization", &who), ("idempotency-key", key)],
            )
            .await
        }
    };
    // A double click: both requests at once, one booking, both answered with it.
    let (first, second) = tokio::join!(
        send("call-42", body.clone(), clerk.clone()),
        send("call-42", body.clone(), clerk.clone())
    );
    assert_eq!(first.0, 201, "{}", first.1);
    assert_eq!(second.0, 201, "{}", second.1);
    assert_eq!(first.1["booking_id"], second.1["booking_id"]);
    assert_eq!(first.1["kiosk_code"], second.1["kiosk_code"]);
    assert_eq!(env.booked_units(OLSZTYN, CIVIL_AFFAIRS).await, 1);
    assert_eq!(audit_actions(&env).await.len(), 1, "one booking, one entry");

    // Later, the same again: the booking as it is now.
    let (status, again) = send("call-42", body.clone(), clerk.clone()).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again["booking_id"], first.1["booking_id"]);
    assert_eq!(again["last_name"], "Wiśniewski");
    assert!(
        !format!("{:?}", env.items_of("idempotency").await).contains("Wiśniewski"),
        "the stored answer keeps the booking's id, not the caller's data"
    );

    // The same key with another caller's details is refused; nothing is booked.
    let other = caller(&start, 2).to_string();
    let (status, refused) = send("call-42", other, clerk.clone()).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["error"]["code"], "idempotency_key_reused");
    assert_eq!(env.booked_units(OLSZTYN, CIVIL_AFFAIRS).await, 1);

    // Another member of staff's key is their own: the same key books anew
    // (and meets the person rule, as the caller already has this matter).
    let admin = env.staff_authorization("admin.olsztyn");
    let (status, answer) = send("call-42", body, admin).await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["error"]["code"], "already_booked");
}
