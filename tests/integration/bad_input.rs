//! Each kind of bad input gets a clear 4xx and changes nothing.

use lambda_http::http::Method;
use serde_json::{Value, json};
use termin_tests::*;

fn with(mut body: Value, field: &str, value: Value) -> Value {
    body[field] = value;
    body
}

#[tokio::test]
async fn every_kind_of_bad_booking_request_is_refused_and_writes_nothing() {
    let env = TestEnv::new().await;
    let start = env
        .first_free_slot("olsztyn", "id-card-application", tuesday())
        .await;
    let good = booking_body("olsztyn", "id-card-application", &start, &pesel(1));
    let pickup = booking_body("olsztyn", "id-card-pickup", &start, &pesel(1));
    let before = env.items().await.len();

    let cases: Vec<(&str, String, u16, &str)> = vec![
        (
            "malformed JSON",
            "{\"office_id\": ".into(),
            400,
            "invalid_json",
        ),
        ("empty body", String::new(), 400, "invalid_json"),
        (
            "wrong type",
            with(good.clone(), "accept_terms", json!("yes")).to_string(),
            400,
            "invalid_json",
        ),
        (
            "unknown field",
            with(good.clone(), "admin", json!(true)).to_string(),
            400,
            "invalid_json",
        ),
        (
            "PESEL checksum",
            with(good.clone(), "national_id", json!("44051401358")).to_string(),
            422,
            "invalid_request",
        ),
        (
            "PESEL 30 February",
            with(good.clone(), "national_id", json!("02023000008")).to_string(),
            422,
            "invalid_request",
        ),
        (
            "PESEL of someone not yet born",
            with(good.clone(), "national_id", json!(pesel_for("2732310000"))).to_string(),
            422,
            "invalid_request",
        ),
        (
            "email",
            with(good.clone(), "email", json!("anna@")).to_string(),
            422,
            "invalid_request",
        ),
        (
            "phone",
            with(good.clone(), "phone", json!("12")).to_string(),
            422,
            "invalid_request",
        ),
        (
            "SMS without phone",
            with(
                with(good.clone(), "phone", Value::Null),
                "confirm_by",
                json!("sms"),
            )
            .to_string(),
            422,
            "invalid_request",
        ),
        (
            "name",
            with(good.clone(), "first_name", json!("<script>")).to_string(),
            422,
            "invalid_request",
        ),
        (
            "terms",
            with(good.clone(), "accept_terms", json!(false)).to_string(),
            422,
            "invalid_request",
        ),
        (
            "consent",
            with(good.clone(), "consent_data_processing", json!(false)).to_string(),
            422,
            "invalid_request",
        ),
        (
            "no application number",
            pickup.to_string(),
            422,
            "invalid_request",
        ),
        (
            "lost document not offered",
            with(pickup.clone(), "lost_document", json!(true)).to_string(),
            422,
            "invalid_request",
        ),
        (
            "start not RFC 3339",
            with(good.clone(), "start", json!("tomorrow 8am")).to_string(),
            422,
            "invalid_request",
        ),
        (
            "unknown office",
            with(good.clone(), "office_id", json!("gdansk")).to_string(),
            404,
            "office_not_found",
        ),
        (
            "bad office id",
            with(good.clone(), "office_id", json!("Gdańsk!")).to_string(),
            422,
            "invalid_request",
        ),
        (
            "unknown service",
            with(good.clone(), "service_id", json!("fishing-licence")).to_string(),
            404,
            "service_not_found",
        ),
        (
            "walk-in matter",
            with(good.clone(), "service_id", json!("id-card-lost")).to_string(),
            422,
            "slot_unavailable",
        ),
        (
            "off the grid",
            with(good.clone(), "start", json!("2026-11-24T07:37:00+01:00")).to_string(),
            422,
            "slot_unavailable",
        ),
        (
            "in the past",
            with(good.clone(), "start", json!("2026-11-20T08:00:00+01:00")).to_string(),
            422,
            "slot_unavailable",
        ),
        (
            "too soon",
            with(good.clone(), "start", json!("2026-11-23T09:30:00+01:00")).to_string(),
            422,
            "slot_unavailable",
        ),
        (
            "beyond the horizon",
            with(good.clone(), "start", json!("2027-01-04T08:00:00+01:00")).to_string(),
            422,
            "slot_unavailable",
        ),
        (
            "a Sunday",
            with(good.clone(), "start", json!("2026-11-29T08:00:00+01:00")).to_string(),
            422,
            "slot_unavailable",
        ),
        (
            "a public holiday",
            with(good.clone(), "start", json!("2026-12-24T08:00:00+01:00")).to_string(),
            422,
            "slot_unavailable",
        ),
    ];
    for (name, body, status, code) in cases {
        let (got, reply) = env.call_raw(Method::POST, "/bookings", body, &[]).await;
        assert_eq!(got.as_u16(), status, "{name}: {reply}");
        assert_eq!(reply["error"]["code"], code, "{name}: {reply}");
        assert!(
            reply["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{name}"
        );
    }
    let (status, reply) = env
        .call(
            Method::POST,
            "/bookings",
            Some(&good),
            &[("idempotency-key", "")],
        )
        .await;
    assert_eq!(
        (status.as_u16(), reply["error"]["code"].clone()),
        (400, json!("invalid_idempotency_key"))
    );
    assert_eq!(env.items().await.len(), before, "nothing was written");
}

#[tokio::test]
async fn bad_confirmations_and_cancellations_are_refused_and_change_nothing() {
    let env = TestEnv::new().await;
    let start = env
        .first_free_slot("olsztyn", "id-card-application", tuesday())
        .await;
    let (_, booked) = env
        .post(
            "/bookings",
            &booking_body("olsztyn", "id-card-application", &start, &pesel(1)),
        )
        .await;
    let id = booked["booking_id"].as_str().unwrap();
    let other_token = "A".repeat(43);
    let before = env.items().await;

    let cases: Vec<(String, Value, u16, &str)> = vec![
        (
            format!("/bookings/{id}/confirm"),
            json!({ "token": other_token }),
            403,
            "invalid_token",
        ),
        (
            format!("/bookings/{id}/confirm"),
            json!({ "token": "short" }),
            422,
            "invalid_request",
        ),
        (
            format!("/bookings/{id}/confirm"),
            json!({}),
            422,
            "invalid_request",
        ),
        (
            format!("/bookings/{id}/confirm"),
            json!({ "token": other_token, "code": "333333" }),
            422,
            "invalid_request",
        ),
        (
            format!("/bookings/{id}/confirm"),
            json!({ "code": "O0O0O0" }),
            422,
            "invalid_request",
        ),
        (
            "/bookings/01ARZ3NDEKTSV4RRFFQ69G5FAV/confirm".into(),
            json!({ "token": other_token }),
            404,
            "booking_not_found",
        ),
        (
            "/bookings/not-a-booking/confirm".into(),
            json!({ "token": other_token }),
            404,
            "booking_not_found",
        ),
        (
            format!("/bookings/{id}/cancel"),
            json!({ "token": other_token }),
            403,
            "invalid_token",
        ),
        (
            format!("/bookings/{id}/cancel"),
            json!({ "tokn": other_token }),
            400,
            "invalid_json",
        ),
        (
            "/bookings/cancel".into(),
            json!({ "office_id": "olsztyn", "service_id": "id-card-application", "date": "2026-11-24", "national_id": "44051401358" }),
            422,
            "invalid_request",
        ),
        (
            "/bookings/cancel".into(),
            json!({ "office_id": "olsztyn", "service_id": "id-card-application", "date": "24.11.2026", "national_id": pesel(1) }),
            422,
            "invalid_request",
        ),
        (
            "/bookings/cancel".into(),
            json!({ "office_id": "olsztyn", "service_id": "passport", "date": "2026-11-24", "national_id": pesel(1) }),
            404,
            "service_not_found",
        ),
    ];
    for (path, body, status, code) in cases {
        let (got, reply) = env.post(&path, &body).await;
        assert_eq!(got.as_u16(), status, "{path} {body}: {reply}");
        assert_eq!(reply["error"]["code"], code, "{path} {body}: {reply}");
    }
    let mut after = env.items().await;
    // A wrong token changes nothing at all (wrong *codes* are counted, tested elsewhere).
    after.sort_by_key(|i| (s(i, "pk"), s(i, "sk")));
    let mut before = before;
    before.sort_by_key(|i| (s(i, "pk"), s(i, "sk")));
    assert_eq!(after, before);

    let (status, _) = env
        .get("/offices/olsztyn/services/id-card-application/slots?from=2026-13-01")
        .await;
    assert_eq!(status, 422);
    let (status, _) = env
        .get("/offices/olsztyn/services/id-card-application/slots?from=2026-12-02&to=2026-12-01")
        .await;
    assert_eq!(status, 422);
    let (status, body) = env.get("/offices/nowhere").await;
    assert_eq!(
        (status.as_u16(), body["error"]["code"].clone()),
        (404, json!("office_not_found"))
    );
}

fn pesel_for(first_ten: &str) -> String {
    let weights = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
    let sum: u32 = first_ten
        .chars()
        .zip(weights)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    format!("{first_ten}{}", (10 - sum % 10) % 10)
}
