//! What an attacker tries first: cancelling a stranger's visit with a
//! semi-public national ID, learning whether someone has an appointment, and
//! sending requests without end.

use chrono::Duration;
use lambda_http::http::Method;
use serde_json::{Value, json};
use std::net::{IpAddr, Ipv4Addr};
use termin::domain::clock::Clock;
use termin::domain::limits::{Limit, Limits};
use termin_tests::*;

const OTHER_CLIENT: IpAddr = IpAddr::V4(Ipv4Addr::new(198, 51, 100, 9));

/// A cancel-by-national-ID request from `client`: status, body as sent, Retry-After.
async fn ask_to_cancel(
    env: &TestEnv,
    client: IpAddr,
    request: &Value,
) -> (u16, String, Option<String>) {
    let (status, body, headers) = env
        .call_from(
            &env.app,
            client,
            Method::POST,
            "/bookings/cancel",
            Some(request),
        )
        .await;
    let retry_after = headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status.as_u16(), body.to_string(), retry_after)
}

#[tokio::test]
async fn the_cancel_by_national_id_answer_is_the_same_whether_or_not_a_booking_matched() {
    let env = TestEnv::new().await;
    let (id, start) = env.book_first_free(&pesel(1)).await;
    let day = &start[..10];
    let next_day = (chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap()
        + Duration::days(1))
    .to_string();
    let matched = ask_to_cancel(
        &env,
        TEST_CLIENT,
        &cancel_request(OLSZTYN, ID_CARD_APPLICATION, day, &pesel(1)),
    )
    .await;
    let nobody = ask_to_cancel(
        &env,
        TEST_CLIENT,
        &cancel_request(OLSZTYN, ID_CARD_APPLICATION, day, &pesel(2)),
    )
    .await;
    let other_day = ask_to_cancel(
        &env,
        TEST_CLIENT,
        &cancel_request(OLSZTYN, ID_CARD_APPLICATION, &next_day, &pesel(1)),
    )
    .await;
    assert_eq!(matched.0, 202, "{}", matched.1);
    assert_eq!(nobody, matched, "no booking for this person");
    assert_eq!(other_day, matched, "a booking on another day");

    // Only the matching booking got a link, and nothing was cancelled.
    assert_eq!(env.outbox_count(&id, "cancel_link").await, 1);
    assert_eq!(
        env.items_of("outbox").await.len(),
        2,
        "the hold's email and one link"
    );
    assert_eq!(env.booked_units(OLSZTYN, CIVIL_AFFAIRS).await, 1);
}

#[tokio::test]
async fn cancel_requests_are_limited_per_person_and_per_client_until_the_window_ends() {
    let env = TestEnv::new().await;
    env.edit_catalog(OLSZTYN, |catalog| {
        catalog.office.limits.cancel_requests_per_person = Limit {
            max: 2,
            window_minutes: 24 * 60,
        };
        catalog.office.limits.cancel_requests_per_client = Limit {
            max: 3,
            window_minutes: 60,
        };
    })
    .await;
    let (id, start) = env.book_first_free(&pesel(1)).await;
    let day = &start[..10];
    let victim = cancel_request(OLSZTYN, ID_CARD_APPLICATION, day, &pesel(1));
    let someone_else = cancel_request(OLSZTYN, ID_CARD_APPLICATION, day, &pesel(2));

    assert_eq!(ask_to_cancel(&env, TEST_CLIENT, &victim).await.0, 202);
    assert_eq!(ask_to_cancel(&env, TEST_CLIENT, &victim).await.0, 202);
    // The third for one person: 429 with Retry-After, and no third email.
    let (status, body, retry_after) = ask_to_cancel(&env, TEST_CLIENT, &victim).await;
    assert_eq!(status, 429, "{body}");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["error"]["code"], "too_many_requests");
    let seconds: i64 = retry_after.expect("Retry-After").parse().unwrap();
    assert!((1..=24 * 3600).contains(&seconds), "{seconds}");
    assert_eq!(body["error"]["retry_after_seconds"], json!(seconds));
    assert_eq!(env.outbox_count(&id, "cancel_link").await, 2);
    // From another address the person is still limited.
    assert_eq!(ask_to_cancel(&env, OTHER_CLIENT, &victim).await.0, 429);

    // The first client has used its three: anyone else's request from it is refused too,
    // while the same request from another address goes through.
    assert_eq!(ask_to_cancel(&env, TEST_CLIENT, &someone_else).await.0, 429);
    assert_eq!(
        ask_to_cancel(&env, OTHER_CLIENT, &someone_else).await.0,
        202
    );

    // A day later both windows have ended.
    env.advance(Duration::days(1));
    assert_eq!(ask_to_cancel(&env, TEST_CLIENT, &victim).await.0, 202);
}

/// One of an office's limits, to set in a test.
type LimitField = fn(&mut Limits) -> &mut Limit;

#[tokio::test]
async fn a_limit_that_allows_nothing_or_outlasts_a_week_is_not_stored() {
    let env = TestEnv::new().await;
    let office = termin::domain::ids::OfficeId::parse(OLSZTYN).unwrap();
    let stored = env.app.store.load_catalog(&office).await.unwrap().unwrap();
    let setters: [(&str, LimitField); 2] = [
        ("cancel_requests_per_client", |l| {
            &mut l.cancel_requests_per_client
        }),
        ("booking_attempts_per_client", |l| {
            &mut l.booking_attempts_per_client
        }),
    ];
    for (name, field) in setters {
        for limit in [
            Limit {
                max: 0,
                window_minutes: 60,
            },
            Limit {
                max: 5,
                window_minutes: 0,
            },
            Limit {
                max: 5,
                window_minutes: 7 * 24 * 60 + 1,
            },
        ] {
            let mut catalog = stored.clone();
            *field(&mut catalog.office.limits) = limit;
            let refused = env.app.store.put_catalog(&catalog).await;
            assert!(
                matches!(
                    &refused,
                    Err(termin::store::StoreError::InvalidCatalog(
                        termin::domain::catalog::CatalogError::Limit(refused_name)
                    )) if *refused_name == name
                ),
                "{name} {limit:?}: {refused:?}"
            );
        }
    }
    let after = env.app.store.load_catalog(&office).await.unwrap().unwrap();
    assert_eq!(after.office.limits, stored.office.limits);
}

/// A booking request at Olsztyn's first free slot of `service`, by `who`.
async fn request(env: &TestEnv, service: &str, who: u32) -> Value {
    let day = env.clock.now().date_naive() + Duration::days(1);
    let start = env.first_free_slot(OLSZTYN, service, day).await;
    booking_body(OLSZTYN, service, &start, &pesel(who))
}

#[tokio::test]
async fn holds_are_limited_per_email_phone_and_person_in_the_hold_transaction() {
    let env = TestEnv::new().await;
    env.edit_catalog(OLSZTYN, |catalog| {
        let day = |max| Limit {
            max,
            window_minutes: 24 * 60,
        };
        catalog.office.limits.holds_per_email = day(2);
        catalog.office.limits.sms_holds_per_phone = day(1);
        catalog.office.limits.holds_per_person = day(1);
    })
    .await;
    let refused = |(status, body): (lambda_http::http::StatusCode, Value)| {
        assert_eq!(status, 429, "{body}");
        assert_eq!(body["error"]["code"], "too_many_requests");
        let seconds = body["error"]["retry_after_seconds"].as_i64().unwrap();
        assert!((1..=24 * 3600).contains(&seconds), "{seconds}");
    };

    // Two holds for one address, the third refused; another address goes on.
    let shared = "one.inbox@example.pl";
    for who in [1, 2] {
        let mut body = request(&env, ID_CARD_APPLICATION, who).await;
        body["email"] = json!(shared);
        assert_eq!(env.post("/bookings", &body).await.0, 201);
    }
    let mut third = request(&env, ID_CARD_APPLICATION, 3).await;
    third["email"] = json!(shared);
    refused(env.post("/bookings", &third).await);
    assert_eq!(env.items_of("booking").await.len(), 2, "nothing written");
    assert_eq!(env.items_of("outbox").await.len(), 2, "no third email");
    third["email"] = json!("someone.else@example.pl");
    assert_eq!(env.post("/bookings", &third).await.0, 201);

    // One SMS hold per number here: a second one to the same phone is refused.
    let mut by_sms = request(&env, "vehicle-registration", 4).await;
    by_sms["confirm_by"] = json!("sms");
    assert_eq!(env.post("/bookings", &by_sms).await.0, 201);
    let mut again = request(&env, "driving-licence", 5).await;
    again["confirm_by"] = json!("sms");
    refused(env.post("/bookings", &again).await);

    // One hold per person a day here, whatever the matter.
    let other_matter = request(&env, "customer-service-matters", 1).await;
    refused(env.post("/bookings", &other_matter).await);
    assert_eq!(env.items_of("booking").await.len(), 4);
}

/// A booking request from `client`: status, body, Retry-After.
async fn book_from(env: &TestEnv, client: IpAddr, body: &Value) -> (u16, Value, Option<String>) {
    let (status, answer, headers) = env
        .call_from(&env.app, client, Method::POST, "/bookings", Some(body))
        .await;
    let retry_after = headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status.as_u16(), answer, retry_after)
}

#[tokio::test]
async fn the_61st_booking_attempt_from_one_address_in_an_hour_is_refused_and_writes_nothing() {
    let env = TestEnv::new().await;
    let office = termin::domain::ids::OfficeId::parse(OLSZTYN).unwrap();
    let catalog = env.app.store.load_catalog(&office).await.unwrap().unwrap();
    let hourly = Limit {
        max: 60,
        window_minutes: 60,
    };
    assert_eq!(catalog.office.limits.booking_attempts_per_client, hourly);

    // Sixty attempts from one address count whatever their answer: three
    // holds, then the same people again (already booked).
    let mut statuses = vec![];
    for i in 0..60 {
        let body = request(&env, ID_CARD_APPLICATION, 1 + i % 3).await;
        statuses.push(book_from(&env, TEST_CLIENT, &body).await.0);
    }
    assert_eq!(&statuses[..3], &[201, 201, 201]);
    assert!(statuses[3..].iter().all(|s| *s == 409), "{statuses:?}");

    // The 61st, a valid booking of a free slot, is refused and writes nothing.
    let items = env.items().await;
    let newcomer = request(&env, ID_CARD_APPLICATION, 4).await;
    let (status, body, retry_after) = book_from(&env, TEST_CLIENT, &newcomer).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["error"]["code"], "too_many_requests");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("try again later"), "{message}");
    let seconds: i64 = retry_after.expect("Retry-After").parse().unwrap();
    assert!((1..=3600).contains(&seconds), "{seconds}");
    assert_eq!(body["error"]["retry_after_seconds"], json!(seconds));
    assert_eq!(env.items().await, items, "nothing written, nothing sent");

    // Another address books the same slot.
    let (status, body, _) = book_from(&env, OTHER_CLIENT, &newcomer).await;
    assert_eq!(status, 201, "{body}");

    // In the next hour the first address books again.
    env.advance(Duration::hours(1));
    let later = request(&env, ID_CARD_APPLICATION, 5).await;
    let (status, body, _) = book_from(&env, TEST_CLIENT, &later).await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn booking_attempts_are_limited_by_each_office_on_its_own() {
    let env = TestEnv::new().await;
    env.edit_catalog(OLSZTYN, |catalog| {
        catalog.office.limits.booking_attempts_per_client = Limit {
            max: 2,
            window_minutes: 60,
        };
    })
    .await;
    for who in [1, 2] {
        let body = request(&env, ID_CARD_APPLICATION, who).await;
        assert_eq!(book_from(&env, TEST_CLIENT, &body).await.0, 201);
    }
    let third = request(&env, ID_CARD_APPLICATION, 3).await;
    let (status, body, _) = book_from(&env, TEST_CLIENT, &third).await;
    assert_eq!(status, 429, "{body}");

    // Mielec keeps its own count, at its own limit.
    let day = env.clock.now().date_naive() + Duration::days(1);
    let start = env
        .first_free_slot("mielec", "vehicle-registration", day)
        .await;
    let mielec = booking_body("mielec", "vehicle-registration", &start, &pesel(3));
    let (status, body, _) = book_from(&env, TEST_CLIENT, &mielec).await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn a_booking_without_a_client_address_is_not_counted_against_one() {
    let env = TestEnv::new().await;
    let counters = || async {
        env.items_of("limit_counter")
            .await
            .iter()
            .filter(|i| s(i, "pk").starts_with("LIMIT#book-client#"))
            .count()
    };
    let body = request(&env, ID_CARD_APPLICATION, 1).await;
    assert_eq!(book_from(&env, TEST_CLIENT, &body).await.0, 201);
    assert_eq!(counters().await, 1, "an address is counted");

    let body = request(&env, ID_CARD_APPLICATION, 2).await;
    let response = env
        .router
        .dispatch(
            &env.app,
            Method::POST,
            "/bookings",
            lambda_http::http::HeaderMap::new(),
            body.to_string().into_bytes(),
            None,
        )
        .await;
    assert_eq!(response.status(), 201);
    assert_eq!(counters().await, 1, "no counter for an unknown address");
}
