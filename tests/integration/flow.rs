use chrono::Duration;
use serde_json::json;
use termin_tests::*;

const OFFICE: &str = "olsztyn";
const SERVICE: &str = "id-card-application";

async fn book(env: &TestEnv, who: u32) -> (String, String) {
    let start = env.first_free_slot(OFFICE, SERVICE, tuesday()).await;
    let (status, body) = env
        .post(
            "/bookings",
            &booking_body(OFFICE, SERVICE, &start, &pesel(who)),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    (body["booking_id"].as_str().unwrap().to_owned(), start)
}

fn secret(message: &Item, field: &str) -> String {
    s(message, field)
}

#[tokio::test]
async fn a_citizen_books_confirms_and_cancels() {
    let env = TestEnv::new().await;
    let (id, start) = book(&env, 1).await;
    assert_eq!(env.booked_units(OFFICE, "civil-affairs").await, 1);

    assert_eq!(env.outbox(&id).await.len(), 1);
    let token = secret(&env.message(&id, "hold_created").await, "confirm_token");
    env.advance(Duration::minutes(10));
    let (status, body) = env
        .post(
            &format!("/bookings/{id}/confirm"),
            &json!({ "token": token }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["booking"]["status"], "confirmed");
    assert_eq!(body["already_confirmed"], false);
    let kiosk_code = body["booking"]["kiosk_code"].as_str().unwrap().to_owned();
    assert_eq!(kiosk_code.len(), 6);

    // Confirming again is harmless and says so.
    let (status, body) = env
        .post(
            &format!("/bookings/{id}/confirm"),
            &json!({ "token": token }),
        )
        .await;
    assert_eq!(
        (status.as_u16(), body["already_confirmed"].clone()),
        (200, json!(true))
    );

    let manage = secret(&env.message(&id, "confirmed").await, "manage_token");
    let (status, body) = env
        .post(
            &format!("/bookings/{id}/cancel"),
            &json!({ "token": manage }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["booking"]["status"], "cancelled");
    assert_eq!(env.booked_units(OFFICE, "civil-affairs").await, 0);
    assert!(env.items_of("person_rule").await.is_empty());
    assert!(env.items_of("kiosk_code").await.is_empty());

    let (status, body) = env
        .post(
            &format!("/bookings/{id}/cancel"),
            &json!({ "token": manage }),
        )
        .await;
    assert_eq!(
        (status.as_u16(), body["already_cancelled"].clone()),
        (200, json!(true))
    );
    assert_eq!(
        env.booked_units(OFFICE, "civil-affairs").await,
        0,
        "a second cancel returns nothing"
    );
    let mut kinds: Vec<String> = env.outbox(&id).await.iter().map(|m| s(m, "kind")).collect();
    kinds.sort();
    assert_eq!(kinds, ["cancelled", "confirmed", "hold_created"]);

    // The seat is free again.
    assert_eq!(env.first_free_slot(OFFICE, SERVICE, tuesday()).await, start);
}

#[tokio::test]
async fn the_cancel_link_from_the_hold_email_also_works() {
    let env = TestEnv::new().await;
    let (id, _) = book(&env, 1).await;
    let manage = secret(&env.message(&id, "hold_created").await, "manage_token");
    let (status, body) = env
        .post(
            &format!("/bookings/{id}/cancel"),
            &json!({ "token": manage }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(env.booked_units(OFFICE, "civil-affairs").await, 0);
}

#[tokio::test]
async fn the_sms_code_confirms_and_five_wrong_codes_lock_it() {
    let env = TestEnv::new().await;
    let (id, _) = book(&env, 1).await;
    let code = secret(&env.message(&id, "hold_created").await, "confirm_code");
    let wrong = if code == "333333" { "444444" } else { "333333" };
    for _ in 0..5 {
        let (status, body) = env
            .post(
                &format!("/bookings/{id}/confirm"),
                &json!({ "code": wrong }),
            )
            .await;
        assert_eq!(status, 403, "{body}");
    }
    let (status, body) = env
        .post(&format!("/bookings/{id}/confirm"), &json!({ "code": code }))
        .await;
    assert_eq!(
        (status.as_u16(), body["error"]["code"].clone()),
        (429, json!("code_locked"))
    );

    let (id, _) = book(&env, 2).await;
    let code = secret(&env.message(&id, "hold_created").await, "confirm_code").to_lowercase();
    let typed = format!("{} {}", &code[..3], &code[3..]);
    let (status, body) = env
        .post(
            &format!("/bookings/{id}/confirm"),
            &json!({ "code": typed }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["booking"]["status"], "confirmed");
}

#[tokio::test]
async fn an_expired_hold_is_refused_and_its_capacity_returns_exactly_once() {
    let env = TestEnv::new().await;
    let (id, _) = book(&env, 1).await;
    let token = secret(&env.message(&id, "hold_created").await, "confirm_token");
    env.advance(Duration::minutes(59));
    assert_eq!(env.booked_units(OFFICE, "civil-affairs").await, 1);
    env.advance(Duration::minutes(1));

    let path = format!("/bookings/{id}/confirm");
    let body = json!({ "token": token });
    let attempts = (0..8).map(|_| env.post(&path, &body));
    for (status, body) in futures::future::join_all(attempts).await {
        assert_eq!(
            (status.as_u16(), body["error"]["code"].clone()),
            (410, json!("hold_expired"))
        );
    }
    assert_eq!(env.booked_units(OFFICE, "civil-affairs").await, 0);
    let expired = env
        .outbox(&id)
        .await
        .iter()
        .filter(|m| s(m, "kind") == "expired")
        .count();
    assert_eq!(expired, 1, "released exactly once");
    assert!(env.items_of("person_rule").await.is_empty());

    // The same person may book again.
    book(&env, 1).await;
}

#[tokio::test]
async fn a_booking_is_cancelled_with_pesel_service_and_day() {
    let env = TestEnv::new().await;
    let (id, start) = book(&env, 7).await;
    let day = &start[..10];
    let request =
        json!({ "office_id": OFFICE, "service_id": SERVICE, "date": day, "pesel": pesel(7) });
    let (status, body) = env.post("/bookings/cancel", &request).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["booking"]["booking_id"], id.as_str());
    assert_eq!(env.booked_units(OFFICE, "civil-affairs").await, 0);
    let (status, body) = env.post("/bookings/cancel", &request).await;
    assert_eq!(
        (status.as_u16(), body["error"]["code"].clone()),
        (404, json!("booking_not_found"))
    );
    let other =
        json!({ "office_id": OFFICE, "service_id": SERVICE, "date": day, "pesel": pesel(8) });
    assert_eq!(env.post("/bookings/cancel", &other).await.0, 404);
}

#[tokio::test]
async fn a_booking_cannot_be_cancelled_once_the_appointment_has_begun() {
    let env = TestEnv::new().await;
    let (id, start) = book(&env, 1).await;
    let token = secret(&env.message(&id, "hold_created").await, "confirm_token");
    assert_eq!(
        env.post(
            &format!("/bookings/{id}/confirm"),
            &json!({ "token": token })
        )
        .await
        .0,
        200
    );
    let manage = secret(&env.message(&id, "confirmed").await, "manage_token");
    env.clock.set(
        chrono::DateTime::parse_from_rfc3339(&start)
            .unwrap()
            .to_utc(),
    );
    let (status, body) = env
        .post(
            &format!("/bookings/{id}/cancel"),
            &json!({ "token": manage }),
        )
        .await;
    assert_eq!(
        (status.as_u16(), body["error"]["code"].clone()),
        (409, json!("too_late"))
    );
    assert_eq!(env.booked_units(OFFICE, "civil-affairs").await, 1);
}

#[tokio::test]
async fn a_cancelled_hold_cannot_be_confirmed() {
    let env = TestEnv::new().await;
    let (id, _) = book(&env, 1).await;
    let first = &env.message(&id, "hold_created").await;
    let (token, manage) = (
        secret(first, "confirm_token"),
        secret(first, "manage_token"),
    );
    assert_eq!(
        env.post(
            &format!("/bookings/{id}/cancel"),
            &json!({ "token": manage })
        )
        .await
        .0,
        200
    );
    let (status, body) = env
        .post(
            &format!("/bookings/{id}/confirm"),
            &json!({ "token": token }),
        )
        .await;
    assert_eq!(
        (status.as_u16(), body["error"]["code"].clone()),
        (409, json!("booking_cancelled"))
    );
}
