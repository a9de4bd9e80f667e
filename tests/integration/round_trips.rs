//! What each request costs in DynamoDB round trips, counted by an SDK
//! interceptor on the handlers' client (one per attempt sent; a Query page is
//! one). The targets of issue 9 are asserted; the walk-in's and the desk's
//! paths are held at what they cost today, so a change that adds a call to
//! any of them fails here. Catalogs and kiosks are kept by a warm container
//! for a minute: each test says whether it counts a cold or a warm one.

use crate::kiosk::{Kiosk, confirmed};
use chrono::Duration;
use lambda_http::http::Method;
use serde_json::json;
use std::collections::BTreeMap;
use termin_tests::*;

fn counts(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|(op, n)| ((*op).to_owned(), *n)).collect()
}

#[tokio::test]
async fn booking_is_an_attempt_count_and_one_write_transaction_after_one_catalog_read() {
    let env = TestEnv::new().await;
    let start = env.first_free_id_card_slot().await;
    env.app.warm.forget();
    env.round_trips.take();
    let body = env.contact_body(OLSZTYN, ID_CARD_APPLICATION, &start, &pesel(1));
    let (status, booked) = env.post("/bookings", &body).await;
    assert_eq!(status, 201, "{booked}");
    assert_eq!(
        env.round_trips.take_counts(),
        counts(&[("Query", 1), ("UpdateItem", 1), ("TransactWriteItems", 1)]),
        "a cold container reads the catalog"
    );

    // The attempt is counted per client address before the hold's transaction.
    let body = env.contact_body(OLSZTYN, ID_CARD_APPLICATION, &start, &pesel(2));
    let (status, booked) = env.post("/bookings", &body).await;
    assert_eq!(status, 201, "{booked}");
    assert_eq!(
        env.round_trips.take(),
        ["UpdateItem", "TransactWriteItems"],
        "a warm one has the catalog for a minute"
    );
}

#[tokio::test]
async fn confirming_and_cancelling_take_two_round_trips_each() {
    let env = TestEnv::new().await;
    let (id, _) = env.book_first_free(&pesel(1)).await;
    let token = s(&env.message(&id, "hold_created").await, "confirm_token");
    env.round_trips.take();
    assert_eq!(env.confirm(&id, By::Token(&token)).await.0, 200);
    let expected = counts(&[("GetItem", 1), ("TransactWriteItems", 1)]);
    assert_eq!(env.round_trips.take_counts(), expected, "confirm");

    let manage = s(&env.message(&id, "confirmed").await, "manage_token");
    env.round_trips.take();
    assert_eq!(env.cancel(&id, &manage).await.0, 200);
    assert_eq!(env.round_trips.take_counts(), expected, "cancel");
}

#[tokio::test]
async fn thirty_days_of_slots_are_one_catalog_read_and_one_query_page() {
    let env = TestEnv::new().await;
    let from = tuesday();
    let to = from + Duration::days(29);
    env.app.warm.forget();
    env.round_trips.take();
    let path =
        format!("/offices/{OLSZTYN}/services/{ID_CARD_APPLICATION}/slots?from={from}&to={to}");
    let (status, body) = env.get(&path).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(env.round_trips.take(), ["Query", "Query"], "cold");
    let (status, body) = env.get(&path).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        env.round_trips.take(),
        ["Query"],
        "warm: the page of counters"
    );
}

#[tokio::test]
async fn a_kiosk_redeems_a_code_in_one_query_and_one_transaction() {
    let env = TestEnv::new().await;
    let (_, start, code) = confirmed(&env, 1).await;
    let (_, _, second) = confirmed(&env, 2).await;
    env.clock.set(start);
    let kiosk = Kiosk::new(&env, "olsztyn-hall-1");
    env.app.warm.forget();
    env.round_trips.take();
    let (status, ticket) = kiosk.redeem(&code).await;
    assert_eq!(status, 200, "{ticket}");
    // Cold: the kiosk and the catalog are read once for the minute after.
    assert_eq!(
        env.round_trips.take_counts(),
        counts(&[("GetItem", 1), ("Query", 2), ("TransactWriteItems", 1)]),
        "cold"
    );
    let (status, ticket) = kiosk.redeem(&second).await;
    assert_eq!(status, 200, "{ticket}");
    assert_eq!(ticket["ticket"]["number"], "RA002", "{ticket}");
    // The hall with the code's arrival; the ticket with the nonce and the lock.
    assert_eq!(
        env.round_trips.take(),
        ["Query", "TransactWriteItems"],
        "warm: the issue's target of two"
    );
}

#[tokio::test]
async fn the_kiosk_and_the_desk_cost_what_they_cost_today() {
    let env = TestEnv::new().await;
    let (_, start, code) = confirmed(&env, 1).await;
    env.clock.set(start);
    let kiosk = Kiosk::new(&env, "olsztyn-hall-1");
    assert_eq!(kiosk.redeem(&code).await.0, 200);
    env.round_trips.take();

    assert_eq!(kiosk.walk_in(ID_CARD_APPLICATION).await.0, 201);
    // The nonce, the waiting room, the number (one ADD), the ticket with
    // the room, the hall for the printed wait.
    assert_eq!(
        env.round_trips.take_counts(),
        counts(&[
            ("GetItem", 1),
            ("PutItem", 1),
            ("Query", 1),
            ("TransactWriteItems", 1),
            ("UpdateItem", 1)
        ]),
        "walk-in"
    );

    let desk = format!("/staff/offices/{OLSZTYN}/desks/1");
    let open = json!({ "groups": ["A"] });
    let clerk = Some("clerk.olsztyn");
    env.call_as(clerk, Method::POST, &format!("{desk}/open"), Some(&open))
        .await;
    env.round_trips.take();
    let (status, called) = env
        .call_as(clerk, Method::POST, &format!("{desk}/call-next"), None)
        .await;
    assert_eq!(status, 200, "{called}");
    assert_eq!(called["current"]["kind"], "booked");
    // The hall; the call; the booking's reference for the clerk; the audit entry.
    assert_eq!(
        env.round_trips.take_counts(),
        counts(&[
            ("GetItem", 1),
            ("Query", 1),
            ("TransactWriteItems", 1),
            ("PutItem", 1)
        ]),
        "call next"
    );
}
