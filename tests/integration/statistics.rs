//! Statistics per day and matter: a scripted day counted exactly, kept by
//! the sweeper once the day is over, and still there when the bookings and
//! tickets it came from are gone; as JSON and as a CSV download.

use crate::kiosk::{Kiosk, confirmed};
use chrono::Duration;
use lambda_http::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use serde_json::{Value, json};
use termin::domain::ids::{OfficeId, ServiceId};
use termin::domain::schedule::day_slots;
use termin::service::sweeper::{self, SweepConfig};
use termin_tests::*;

const STATISTICS: &str = "/staff/offices/olsztyn/statistics?from=2026-11-24&to=2026-11-24";

async fn at_desk(env: &TestEnv, action: &str) {
    let path = format!("/staff/offices/{OLSZTYN}/desks/1/{action}");
    let body = (action == "open").then(|| json!({ "groups": ["A"] }));
    let (status, answer) = env
        .call_as(Some("clerk.olsztyn"), Method::POST, &path, body.as_ref())
        .await;
    assert_eq!(status, 200, "{action}: {answer}");
}

async fn tuesday_row(env: &TestEnv) -> Value {
    let (status, body) = env
        .call_as(Some("admin.olsztyn"), Method::GET, STATISTICS, None)
        .await;
    assert_eq!(status, 200, "{body}");
    let rows: Vec<&Value> = body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["service_id"] == ID_CARD_APPLICATION)
        .collect();
    assert_eq!(rows.len(), 1, "one row for the day and matter: {body}");
    rows[0].clone()
}

async fn sweep(env: &TestEnv) -> sweeper::SweepReport {
    sweeper::sweep(&env.app, SweepConfig::default())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_scripted_day_is_counted_exactly_and_kept_after_its_bookings_and_tickets_are_gone() {
    let env = TestEnv::new().await;
    // Monday: three confirmed bookings for Tuesday and a hold never confirmed.
    let (_, start, code) = confirmed(&env, 1).await;
    let (_no_show, _, _) = confirmed(&env, 2).await;
    let (cancelled, _, _) = confirmed(&env, 3).await;
    let token = s(
        &env.message(&cancelled, "hold_created").await,
        "manage_token",
    );
    assert_eq!(env.cancel(&cancelled, &token).await.0, 200);
    let slot = env.first_free_id_card_slot().await;
    env.book(OLSZTYN, ID_CARD_APPLICATION, &slot, &pesel(4), json!({}))
        .await;
    env.advance(Duration::minutes(61));
    assert_eq!(sweep(&env).await.expired, 1);

    // Tuesday: the first comes with their code, a walk-in takes a ticket;
    // one desk calls both (waits 4 and 10 minutes) and serves them (6 and 8).
    let arrival = start - Duration::minutes(5);
    env.clock.set(arrival);
    let kiosk = Kiosk::new(&env, "olsztyn-hall-1");
    assert_eq!(kiosk.redeem(&code).await.0, 200);
    assert_eq!(kiosk.walk_in(ID_CARD_APPLICATION).await.0, 201);
    at_desk(&env, "open").await;
    env.clock.set(arrival + Duration::minutes(4));
    at_desk(&env, "call-next").await;
    env.clock.set(arrival + Duration::minutes(10));
    at_desk(&env, "served").await;
    at_desk(&env, "call-next").await;
    env.clock.set(arrival + Duration::minutes(18));
    at_desk(&env, "served").await;
    // The second never came: a no-show once the kiosk window closed.
    env.clock.set(start + Duration::minutes(11));
    assert_eq!(sweep(&env).await.no_shows, 1);

    let catalog = env
        .app
        .store
        .load_catalog(&OfficeId::parse(OLSZTYN).unwrap())
        .await
        .unwrap()
        .unwrap();
    let (department, service) = catalog
        .service(&ServiceId::parse(ID_CARD_APPLICATION).unwrap())
        .unwrap();
    let offered = day_slots(&catalog.office, department, service, tuesday()).len() as u32
        * department.desks_online;
    let row = tuesday_row(&env).await;
    let expected = json!({
        "date": "2026-11-24",
        "service_id": ID_CARD_APPLICATION,
        "offered": offered,
        "booked": 4,
        "confirmed": 3,
        "redeemed": 1,
        "no_show": 1,
        "expired": 1,
        "cancelled": 1,
        "resigned": 0,
        "walk_ins": 1,
        "waits": 2,
        "wait_seconds_total": 14 * 60,
        "services": 2,
        "service_seconds_total": 14 * 60,
    });
    assert!(offered > 0);
    assert_eq!(row, expected);

    // Thursday: the sweeper keeps Tuesday's rows; the bookings and tickets
    // go (as their TTL would take them), the statistics stay.
    env.clock.set(start + Duration::days(2));
    assert!(sweep(&env).await.statistics_days >= 1);
    env.delete_items_of("booking").await;
    env.delete_items_of("ticket").await;
    assert_eq!(tuesday_row(&env).await, expected);

    // As a CSV download, averages in seconds.
    let mut headers = HeaderMap::new();
    let bearer = env.staff_authorization("admin.olsztyn");
    headers.insert(
        header::AUTHORIZATION,
        HeaderValue::from_str(&bearer).unwrap(),
    );
    let response = env
        .router
        .dispatch(
            &env.app,
            Method::GET,
            &format!("{STATISTICS}&format=csv"),
            headers,
            Vec::new(),
            Some(TEST_CLIENT),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/csv; charset=utf-8"
    );
    let csv = String::from_utf8(response.body().to_vec()).unwrap();
    let line = format!("2026-11-24,{ID_CARD_APPLICATION},{offered},4,3,1,1,1,1,0,1,420,420");
    assert!(csv.lines().any(|l| l == line), "{csv}");
    assert!(csv.starts_with("date,service_id,offered,"));
}

#[tokio::test]
async fn statistics_are_for_the_offices_administrators_and_a_bad_range_is_refused() {
    let env = TestEnv::new().await;
    let (status, _) = env
        .call_as(Some("clerk.olsztyn"), Method::GET, STATISTICS, None)
        .await;
    assert_eq!(status, 403);
    let (status, _) = env
        .call_as(Some("admin.mielec"), Method::GET, STATISTICS, None)
        .await;
    assert_eq!(status, 403);
    for query in [
        "from=2026-11-24&to=2026-11-01",
        "from=2025-01-01&to=2026-11-24",
        "from=yesterday",
        "format=xml",
    ] {
        let (status, body) = env
            .call_as(
                Some("admin.olsztyn"),
                Method::GET,
                &format!("/staff/offices/olsztyn/statistics?{query}"),
                None,
            )
            .await;
        assert_eq!(status, 422, "{query}: {body}");
    }
}
