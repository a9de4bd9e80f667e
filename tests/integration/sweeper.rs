//! The scheduled sweeper: lapsed holds released on time and once, no-shows
//! after the kiosk window, strikes and blocks from online booking.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, Utc};
use lambda_http::http::Method;
use serde_json::json;
use termin::domain::booking::BookingStatus;
use termin::domain::ids::BookingId;
use termin::service::sweeper::{self, SweepConfig, SweepReport};
use termin::store::items::entity;
use termin_tests::*;

use crate::kiosk::Kiosk;

async fn status_of(env: &TestEnv, id: &str) -> BookingStatus {
    let id = BookingId::parse(id).unwrap();
    env.app.store.get_booking(id).await.unwrap().unwrap().status
}

async fn sweep(env: &TestEnv) -> SweepReport {
    sweeper::sweep(&env.app, SweepConfig::default())
        .await
        .unwrap()
}

/// A confirmed booking for Tuesday's first ID card slot: its id and start.
async fn confirmed(env: &TestEnv, who: u32) -> (String, DateTime<Utc>) {
    // With this test's own address, so what is sent to it can be read back.
    let start = env.first_free_id_card_slot().await;
    let id = env
        .book(OLSZTYN, ID_CARD_APPLICATION, &start, &pesel(who), json!({}))
        .await;
    let token = s(&env.message(&id, "hold_created").await, "confirm_token");
    let (status, body) = env.confirm(&id, By::Token(&token)).await;
    assert_eq!(status, 200, "{body}");
    (id, DateTime::parse_from_rfc3339(&start).unwrap().to_utc())
}

/// Person `who` books the first free ID card slot on `day`: the answer.
async fn book_on(
    env: &TestEnv,
    who: u32,
    day: chrono::NaiveDate,
) -> (lambda_http::http::StatusCode, serde_json::Value) {
    let start = env.first_free_slot(OLSZTYN, ID_CARD_APPLICATION, day).await;
    let request = env.contact_body(OLSZTYN, ID_CARD_APPLICATION, &start, &pesel(who));
    env.post("/bookings", &request).await
}

#[tokio::test]
async fn a_hold_nobody_confirms_is_released_by_the_first_sweep_after_its_hour() {
    let env = TestEnv::new().await;
    let (id, _) = env.book_first_free(&pesel(1)).await;
    assert_eq!(env.booked_units(OLSZTYN, CIVIL_AFFAIRS).await, 1);

    env.advance(Duration::minutes(59));
    assert_eq!(sweep(&env).await.expired, 0);
    assert_eq!(status_of(&env, &id).await, BookingStatus::Pending);

    env.advance(Duration::minutes(1));
    let report = sweep(&env).await;
    assert_eq!((report.expired, report.failed), (1, 0));
    assert_eq!(status_of(&env, &id).await, BookingStatus::Expired);
    assert_eq!(env.booked_units(OLSZTYN, CIVIL_AFFAIRS).await, 0);
    assert_eq!(env.outbox_count(&id, "expired").await, 1);
    assert!(env.items_of("person_rule").await.is_empty());

    // Nothing is due any more: a second sweep reads nothing.
    assert_eq!(sweep(&env).await, SweepReport::default());
}

#[tokio::test]
async fn a_confirm_racing_two_sweeps_ends_in_one_outcome_and_capacity_returns_once() {
    let env = TestEnv::new().await;
    let (id, _) = env.book_first_free(&pesel(1)).await;
    let token = s(&env.message(&id, "hold_created").await, "confirm_token");
    env.advance(Duration::minutes(61));
    let (first, second, (status, body)) = tokio::join!(
        sweeper::sweep(&env.app, SweepConfig::default()),
        sweeper::sweep(&env.app, SweepConfig::default()),
        env.confirm(&id, By::Token(&token)),
    );
    let expired = first.unwrap().expired + second.unwrap().expired;
    assert_eq!(status, 410, "{body}");
    assert!(expired <= 1, "one release at most: {expired}");
    assert_eq!(status_of(&env, &id).await, BookingStatus::Expired);
    assert_eq!(env.booked_units(OLSZTYN, CIVIL_AFFAIRS).await, 0);
    assert_eq!(env.outbox_count(&id, "expired").await, 1);

    // The slot and the week are bookable again.
    let (again, _) = env.book_first_free(&pesel(1)).await;
    assert_eq!(status_of(&env, &again).await, BookingStatus::Pending);
}

#[tokio::test]
async fn a_hold_confirmed_in_time_is_left_alone() {
    let env = TestEnv::new().await;
    let (id, _) = confirmed(&env, 1).await;
    env.advance(Duration::hours(2));
    assert_eq!(sweep(&env).await.expired, 0);
    assert_eq!(status_of(&env, &id).await, BookingStatus::Confirmed);
    assert_eq!(env.booked_units(OLSZTYN, CIVIL_AFFAIRS).await, 1);
}

#[tokio::test]
async fn a_visit_is_a_no_show_after_its_kiosk_window_and_blocks_online_booking() {
    let env = TestEnv::new().await;
    let (missed, start) = confirmed(&env, 1).await;
    let (kept, _) = confirmed(&env, 2).await;
    // The second person came: their code was redeemed at the kiosk.
    let redeemed = env
        .app
        .store
        .get_booking(BookingId::parse(&kept).unwrap())
        .await
        .unwrap()
        .unwrap();
    env.clock.set(start - Duration::minutes(5));
    let code = redeemed.kiosk_code.as_str().to_owned();
    let (status, ticket) = Kiosk::new(&env, "olsztyn-hall-1").redeem(&code).await;
    assert_eq!(status, 200, "{ticket}");

    env.deliver().await;
    let before = env.sent().await.emails.len();
    env.clock.set(start + Duration::minutes(10));
    assert_eq!(sweep(&env).await.no_shows, 0, "the window is still open");
    assert_eq!(status_of(&env, &missed).await, BookingStatus::Confirmed);

    env.clock
        .set(start + Duration::minutes(10) + Duration::seconds(1));
    let report = sweep(&env).await;
    assert_eq!((report.no_shows, report.blocks, report.failed), (1, 1, 0));
    assert_eq!(status_of(&env, &missed).await, BookingStatus::NoShow);
    assert_eq!(status_of(&env, &kept).await, BookingStatus::Redeemed);
    assert_eq!(env.items_of(entity::STRIKE).await.len(), 1);
    assert_eq!(env.outbox_count(&missed, "no_show_block").await, 1);
    // The citizen is told by email, once, with the day booking works again.
    assert_eq!(env.deliver().await.failed, 0);
    let emails = env.sent().await.emails;
    assert_eq!(emails.len(), before + 1, "one email about the block");
    let told = emails.last().unwrap();
    assert!(
        told.text.contains("24 grudnia 2026"),
        "the email names the day booking works again: {}",
        told.text
    );
    let strike = &env.items_of(entity::STRIKE).await[0];
    assert!(
        !format!("{strike:?}").contains(&pesel(1)),
        "keyed by the HMAC only"
    );

    // Online booking at this office is refused, with the date it works again.
    let wednesday = tuesday().succ_opt().unwrap();
    let (status, body) = book_on(&env, 1, wednesday).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "booking_blocked");
    let again_from = (start + Duration::days(30))
        .with_timezone(&chrono_tz::Europe::Warsaw)
        .date_naive();
    assert_eq!(body["error"]["bookable_again_from"], json!(again_from));
    // Another person, and the same person at another office, are not blocked.
    let (other, _) = env.book_first_free(&pesel(3)).await;
    assert_eq!(status_of(&env, &other).await, BookingStatus::Pending);
    let mielec = env
        .first_free_slot(
            "mielec",
            "vehicle-registration",
            start.date_naive() + Duration::days(1),
        )
        .await;
    env.book(
        "mielec",
        "vehicle-registration",
        &mielec,
        &pesel(1),
        json!({}),
    )
    .await;

    // The block ends when its date begins: refused the evening before, taken at midnight.
    let midnight = again_from
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_local_timezone(chrono_tz::Europe::Warsaw)
        .unwrap()
        .to_utc();
    env.clock.set(midnight - Duration::seconds(1));
    let (status, _) = book_on(&env, 1, again_from).await;
    assert_eq!(status, 403);
    env.clock.set(midnight);
    let (status, body) = book_on(&env, 1, again_from).await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn staff_can_lift_a_block() {
    let env = TestEnv::new().await;
    let (_, start) = confirmed(&env, 1).await;
    env.clock.set(start + Duration::minutes(11));
    assert_eq!(sweep(&env).await.blocks, 1);
    let wednesday = tuesday().succ_opt().unwrap();
    let (status, _) = book_on(&env, 1, wednesday).await;
    assert_eq!(status, 403);

    // Through the staff route, as a clerk signs in: the token checked as the
    // HttpApi JWT authorizer checks it, the role and office by the function.
    let lift = |user: Option<&'static str>, national_id: String| {
        let env = &env;
        async move {
            let body = json!({ "office_id": OLSZTYN, "national_id": national_id });
            env.call_as(user, Method::POST, "/staff/blocks/lift", Some(&body))
                .await
        }
    };
    let (status, _) = lift(None, pesel(1)).await;
    assert_eq!(status, 401, "no token");
    let (status, body) = lift(Some("clerk.mielec"), pesel(1)).await;
    assert_eq!(status, 403, "a clerk of another office: {body}");
    assert_eq!(body["error"]["code"], "forbidden");
    let (status, body) = lift(Some("clerk.olsztyn"), "12345".into()).await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = lift(Some("clerk.olsztyn"), pesel(1)).await;
    assert_eq!(
        (status.as_u16(), body["lifted"].clone()),
        (200, json!(true))
    );
    let (status, body) = lift(Some("admin.olsztyn"), pesel(1)).await;
    assert_eq!(
        (status.as_u16(), body["lifted"].clone()),
        (200, json!(false)),
        "nothing left to lift"
    );
    // The lift is in the audit log, once, with who did it; not the national ID.
    let audit = env.items_of("audit").await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(s(&audit[0], "action"), "block_lifted");
    assert_eq!(s(&audit[0], "actor"), "clerk.olsztyn");
    assert!(!format!("{audit:?}").contains(&pesel(1)));
    let (status, body) = book_on(&env, 1, wednesday).await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn two_concurrent_sweeps_end_as_one_would() {
    let env = TestEnv::new().await;
    let (missed, start) = confirmed(&env, 1).await;
    let (lapsed, _) = env.book_first_free(&pesel(2)).await;
    env.clock.set(start + Duration::minutes(11));
    let (a, b) = tokio::join!(
        sweeper::sweep(&env.app, SweepConfig::default()),
        sweeper::sweep(&env.app, SweepConfig::default())
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.expired + b.expired, 1);
    assert_eq!(a.no_shows + b.no_shows, 1);
    assert_eq!(a.blocks + b.blocks, 1);
    assert_eq!(status_of(&env, &missed).await, BookingStatus::NoShow);
    assert_eq!(status_of(&env, &lapsed).await, BookingStatus::Expired);
    assert_eq!(env.items_of(entity::STRIKE).await.len(), 1);
    assert_eq!(env.items_of(entity::BLOCK).await.len(), 1);
    assert_eq!(env.outbox_count(&missed, "no_show_block").await, 1);
    assert_eq!(env.outbox_count(&lapsed, "expired").await, 1);
}

#[tokio::test]
async fn a_second_rule_counts_strikes_before_blocking() {
    let env = TestEnv::new().await;
    env.edit_catalog(OLSZTYN, |c| {
        for d in &mut c.departments {
            d.kiosk.no_show_rule.strikes = 2;
        }
    })
    .await;
    let (_, start) = confirmed(&env, 1).await;
    env.clock.set(start + Duration::minutes(11));
    let report = sweep(&env).await;
    assert_eq!((report.no_shows, report.blocks), (1, 0));
    assert!(env.items_of(entity::BLOCK).await.is_empty());
    let wednesday = tuesday().succ_opt().unwrap();
    let (status, body) = book_on(&env, 1, wednesday).await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn the_sample_scheduled_event_sweeps_through_the_sweeper_handler() {
    let env = TestEnv::new().await;
    let (id, _) = env.book_first_free(&pesel(1)).await;
    env.advance(Duration::minutes(61));
    let event: aws_lambda_events::event::eventbridge::EventBridgeEvent<serde_json::Value> =
        serde_json::from_str(&sample_event("sweeper.json")).unwrap();
    let answer = ::sweeper::handle(
        &env.app,
        SweepConfig::default(),
        lambda_runtime::LambdaEvent::new(event, lambda_runtime::Context::default()),
    )
    .await
    .unwrap();
    assert_eq!(answer["expired"], 1, "{answer}");
    assert_eq!(status_of(&env, &id).await, BookingStatus::Expired);
}

#[tokio::test]
async fn personal_data_is_removed_after_the_retention_period_keeping_statistics() {
    let env = TestEnv::new().await;
    let (old, start) = confirmed(&env, 1).await;
    env.clock.set(start - Duration::minutes(5));
    let code = env
        .app
        .store
        .get_booking(BookingId::parse(&old).unwrap())
        .await
        .unwrap()
        .unwrap()
        .kiosk_code
        .as_str()
        .to_owned();
    let (status, ticket) = Kiosk::new(&env, "olsztyn-hall-1").redeem(&code).await;
    assert_eq!(status, 200, "{ticket}");
    // Booked later, for a visit 20 days after the first: still inside its period.
    env.clock.set(start + Duration::days(12));
    let later_day = (start + Duration::days(20)).date_naive();
    let slot = env
        .first_free_slot(OLSZTYN, "id-card-pickup", later_day)
        .await;
    let recent = env
        .book(
            OLSZTYN,
            "id-card-pickup",
            &slot,
            &pesel(2),
            json!({ "application_number": "ZAS/123456" }),
        )
        .await;

    // The visit day plus 30 days: kept.
    env.clock.set(start + Duration::days(30));
    assert_eq!(sweep(&env).await.purged, 0);
    // One more day: the first booking loses its personal data.
    env.clock.set(start + Duration::days(31));
    let report = sweep(&env).await;
    assert_eq!((report.purged, report.failed), (1, 0));
    let items = env.items_of(entity::BOOKING).await;
    let item = |id: &str| items.iter().find(|i| s(i, "id") == id).unwrap().clone();
    let purged = item(&old);
    for field in [
        "first_name",
        "last_name",
        "email",
        "phone",
        "person_key",
        "phone_key",
        "application_number",
        "confirm_token",
        "manage_tokens",
        "gsi3pk",
    ] {
        assert!(!purged.contains_key(field), "{field} removed");
    }
    for field in [
        "office_id",
        "department_id",
        "service_id",
        "start_at",
        "status",
        "created_at",
        "channel",
        "language",
        "ticket",
    ] {
        assert!(purged.contains_key(field), "{field} kept for statistics");
    }
    assert_eq!(s(&purged, "status"), "redeemed");
    assert!(s(&purged, "gsi1pk").starts_with("STATS#"));
    assert!(
        env.app
            .store
            .get_booking(BookingId::parse(&old).unwrap())
            .await
            .unwrap()
            .is_none()
    );
    let kept = item(&recent);
    for field in ["first_name", "email", "person_key", "application_number"] {
        assert!(kept.contains_key(field), "{field} kept inside the period");
    }
    // The purge reads each booking once: the next sweep finds nothing to purge.
    assert_eq!(sweep(&env).await.purged, 0);
}

#[tokio::test]
async fn one_failing_booking_does_not_stop_the_sweep_and_the_run_reports_it() {
    let env = TestEnv::new().await;
    let (good, start) = confirmed(&env, 1).await;
    let (bad, _) = confirmed(&env, 2).await;
    // The second booking's item is damaged: it can no longer be read.
    let store = &env.app.store;
    store
        .client()
        .update_item()
        .table_name(store.table())
        .key("pk", AttributeValue::S(format!("BOOKING#{bad}")))
        .key("sk", AttributeValue::S("BOOKING".into()))
        .update_expression("SET email = :broken")
        .expression_attribute_values(":broken", AttributeValue::S("not an address".into()))
        .send()
        .await
        .unwrap();
    env.clock.set(start + Duration::minutes(11));
    let report = sweep(&env).await;
    assert_eq!((report.no_shows, report.failed), (1, 1));
    assert_eq!(status_of(&env, &good).await, BookingStatus::NoShow);

    let event: aws_lambda_events::event::eventbridge::EventBridgeEvent<serde_json::Value> =
        serde_json::from_str(&sample_event("sweeper.json")).unwrap();
    let answer = ::sweeper::handle(
        &env.app,
        SweepConfig::default(),
        lambda_runtime::LambdaEvent::new(event, lambda_runtime::Context::default()),
    )
    .await;
    assert!(answer.is_err(), "the run fails, so the schedule retries it");
}
