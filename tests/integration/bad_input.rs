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
    let good = env.first_free_request(&pesel(1)).await;
    let unborn = with_pesel_check_digit("2732310000");
    let changed = |field: &str, value: Value| with(good.clone(), field, value).to_string();
    let pickup = with(good.clone(), "service_id", json!("id-card-pickup"));
    let before = env.items().await.len();

    // Not a booking request at all: 400 invalid_json.
    let not_requests = [
        ("malformed JSON", "{\"office_id\": ".to_owned()),
        ("empty body", String::new()),
        ("wrong type", changed("accept_terms", json!("yes"))),
        ("unknown field", changed("admin", json!(true))),
    ];
    // One field wrong: 422 invalid_request.
    let invalid_fields = [
        ("PESEL checksum", "national_id", json!("44051401358")),
        ("PESEL 30 February", "national_id", json!("02023000008")),
        (
            "PESEL of someone not yet born",
            "national_id",
            json!(unborn),
        ),
        ("email", "email", json!("anna@")),
        ("phone", "phone", json!("12")),
        ("name", "first_name", json!("<script>")),
        ("terms", "accept_terms", json!(false)),
        ("consent", "consent_data_processing", json!(false)),
        ("start not RFC 3339", "start", json!("tomorrow 8am")),
        ("bad office id", "office_id", json!("Gdańsk!")),
    ];
    // Starts the schedule does not offer: 422 slot_unavailable.
    let unavailable_starts = [
        ("off the grid", "2026-11-24T07:37:00+01:00"),
        ("in the past", "2026-11-20T08:00:00+01:00"),
        ("too soon", "2026-11-23T09:30:00+01:00"),
        ("beyond the horizon", "2027-01-04T08:00:00+01:00"),
        ("a Sunday", "2026-11-29T08:00:00+01:00"),
        ("a public holiday", "2026-12-24T08:00:00+01:00"),
    ];
    let sms_without_phone = with(
        with(good.clone(), "phone", Value::Null),
        "confirm_by",
        json!("sms"),
    )
    .to_string();
    let lost_document = with(pickup.clone(), "lost_document", json!(true)).to_string();

    const INVALID_JSON: (u16, &str) = (400, "invalid_json");
    const INVALID: (u16, &str) = (422, "invalid_request");
    const UNAVAILABLE: (u16, &str) = (422, "slot_unavailable");
    let mut cases: Vec<(&str, String, (u16, &str))> = vec![
        ("SMS without phone", sms_without_phone, INVALID),
        ("no application number", pickup.to_string(), INVALID),
        ("lost document not offered", lost_document, INVALID),
        (
            "unknown office",
            changed("office_id", json!("gdansk")),
            (404, "office_not_found"),
        ),
        (
            "unknown service",
            changed("service_id", json!("fishing-licence")),
            (404, "service_not_found"),
        ),
        (
            "walk-in matter",
            changed("service_id", json!("id-card-lost")),
            UNAVAILABLE,
        ),
    ];
    cases.extend(not_requests.map(|(name, body)| (name, body, INVALID_JSON)));
    cases.extend(invalid_fields.map(|(name, field, value)| (name, changed(field, value), INVALID)));
    cases.extend(
        unavailable_starts.map(|(name, start)| (name, changed("start", json!(start)), UNAVAILABLE)),
    );
    for (name, body, (status, code)) in cases {
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
    let (id, _) = &env.book_first_free(&pesel(1)).await;
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
            cancel_request(OLSZTYN, ID_CARD_APPLICATION, "2026-11-24", "44051401358"),
            422,
            "invalid_request",
        ),
        (
            "/bookings/cancel".into(),
            cancel_request(OLSZTYN, ID_CARD_APPLICATION, "24.11.2026", &pesel(1)),
            422,
            "invalid_request",
        ),
        (
            "/bookings/cancel".into(),
            cancel_request(OLSZTYN, "passport", "2026-11-24", &pesel(1)),
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

#[tokio::test]
async fn sms_go_only_to_the_countries_the_office_allows() {
    let env = TestEnv::new().await;
    let good = env.first_free_request(&pesel(2)).await;
    let by_sms = |phone: &str| {
        let mut body = good.clone();
        body["confirm_by"] = json!("sms");
        body["phone"] = json!(phone);
        body
    };
    // A valid number abroad (the USA): no SMS to it.
    let (status, body) = env.post("/bookings", &by_sms("+1 201 555 0123")).await;
    assert_eq!(status, 422, "{body}");
    let field = &body["error"]["fields"][0];
    assert_eq!(
        (field["field"].clone(), field["code"].clone()),
        (json!("phone"), json!("country_not_served"))
    );
    assert!(
        field["message"]
            .as_str()
            .unwrap()
            .contains("+48, +420, +380")
    );
    assert!(env.items_of("booking").await.is_empty());

    // Ukraine is served by default.
    let (status, body) = env.post("/bookings", &by_sms("+380 50 123 4567")).await;
    assert_eq!(status, 201, "{body}");
}
