//! The hall's queue through the API document's routes: desks opened by clerks,
//! tickets called by the rule under conditional writes, recalls and missed
//! tickets, the public status and its wait estimate, and the waiting room.

use crate::kiosk::{Kiosk, confirmed};
use chrono::Duration;
use futures::future::join_all;
use lambda_http::http::{Method, StatusCode};
use serde_json::{Value, json};
use termin_tests::*;

const KIOSK: &str = "olsztyn-hall-1";
const SERVICE: &str = "id-card-application";
const CLERK: Option<&str> = Some("clerk.olsztyn");

/// A clerk's action at desk `desk` of Olsztyn.
async fn at_desk(env: &TestEnv, desk: &str, action: &str) -> (StatusCode, Value) {
    let path = format!("/staff/offices/{OLSZTYN}/desks/{desk}/{action}");
    let body = (action == "open").then(|| json!({ "groups": ["A"] }));
    env.call_as(CLERK, Method::POST, &path, body.as_ref()).await
}

/// Opens desk `desk` for civil affairs (group A).
async fn open_desk(env: &TestEnv, desk: &str) {
    let (status, body) = at_desk(env, desk, "open").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["open"], true);
}

/// `count` walk-in tickets for an ID card; their numbers.
async fn walk_ins(env: &TestEnv, count: usize) -> Vec<String> {
    let kiosk = Kiosk::new(env, KIOSK);
    let mut numbers = vec![];
    for _ in 0..count {
        let (status, body) = kiosk.walk_in(SERVICE).await;
        assert_eq!(status, 201, "{body}");
        numbers.push(body["ticket"]["number"].as_str().unwrap().to_owned());
    }
    numbers
}

async fn queue_now(env: &TestEnv) -> Value {
    let (status, body) = env.get(&format!("/queue/offices/{OLSZTYN}")).await;
    assert_eq!(status, 200, "{body}");
    body
}

fn group<'v>(status: &'v Value, desk_group: &str) -> &'v Value {
    status["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["desk_group"] == desk_group)
        .unwrap()
}

fn current(desk: &Value) -> String {
    desk["current"]["ticket"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn two_clerks_calling_at_once_never_get_the_same_ticket() {
    let env = TestEnv::new().await;
    for desk in ["1", "2", "3", "4"] {
        open_desk(&env, desk).await;
    }
    let issued = walk_ins(&env, 3).await;

    let answers = join_all(["1", "2", "3", "4"].map(|desk| at_desk(&env, desk, "call-next"))).await;
    let mut called: Vec<String> = answers
        .iter()
        .map(|(status, body)| {
            assert_eq!(*status, 200, "{body}");
            current(body)
        })
        .filter(|t| !t.is_empty())
        .collect();
    called.sort();
    assert_eq!(
        called, issued,
        "each ticket called once, one desk left idle"
    );
    let status = queue_now(&env).await;
    assert_eq!(group(&status, "A")["waiting"], 0);
    assert_eq!(group(&status, "A")["serving"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn a_booked_client_whose_time_has_come_is_called_before_an_earlier_walk_in() {
    let env = TestEnv::new().await;
    let (_, start, code) = confirmed(&env, 1).await;
    env.clock.set(start - Duration::minutes(20));
    let walk_in = walk_ins(&env, 1).await.remove(0);
    let kiosk = Kiosk::new(&env, KIOSK);
    let (status, body) = kiosk.redeem(&code).await;
    assert_eq!(status, 200, "{body}");
    let booked = body["ticket"]["number"].as_str().unwrap().to_owned();
    open_desk(&env, "1").await;
    open_desk(&env, "2").await;

    // Before the appointment: the walk-in goes first.
    let (_, desk) = at_desk(&env, "1", "call-next").await;
    assert_eq!(current(&desk), walk_in);
    assert_eq!(desk["current"]["reason"], "walk_in");

    env.clock.set(start);
    let (_, desk) = at_desk(&env, "2", "call-next").await;
    assert_eq!(current(&desk), booked);
    assert_eq!(desk["current"]["reason"], "appointment");
    assert_eq!(desk["current"]["kind"], "booked");
    assert_eq!(
        desk["current"]["public_ref"].as_str().unwrap().len(),
        8,
        "{desk}: the booking reference to prepare the document"
    );
}

#[tokio::test]
async fn a_ticket_recalled_past_the_set_number_of_calls_is_missed() {
    let env = TestEnv::new().await;
    open_desk(&env, "1").await;
    let number = walk_ins(&env, 1).await.remove(0);
    let (_, desk) = at_desk(&env, "1", "call-next").await;
    assert_eq!(desk["current"]["calls"], 1);
    assert_eq!(desk["current"]["max_calls"], 3);

    env.advance(Duration::minutes(1));
    let (status, desk) = at_desk(&env, "1", "recall").await;
    assert_eq!(status, 200, "{desk}");
    assert_eq!(desk["current"]["calls"], 2);
    let board = queue_now(&env).await;
    assert_eq!(board["calls"][0]["ticket"], number.as_str());
    assert_eq!(board["calls"][0]["call"], 2, "the board shows the recall");

    let (_, desk) = at_desk(&env, "1", "recall").await;
    assert_eq!(desk["current"]["calls"], 3);
    let (status, desk) = at_desk(&env, "1", "recall").await;
    assert_eq!(status, 200, "{desk}");
    assert_eq!(desk["current"], Value::Null);
    assert_eq!(
        desk["finished"],
        json!({ "ticket": number, "status": "missed" })
    );
    let (status, body) = at_desk(&env, "1", "served").await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (StatusCode::CONFLICT, &json!("no_current_ticket"))
    );
}

#[tokio::test]
async fn service_times_measured_today_feed_the_public_wait_estimate() {
    let env = TestEnv::new().await;
    let status = queue_now(&env).await;
    assert_eq!(
        group(&status, "A")["wait_minutes"],
        Value::Null,
        "no desk open, no estimate"
    );
    open_desk(&env, "1").await;
    walk_ins(&env, 4).await;
    // Nothing served yet: the matters' 15 minutes, one desk, four waiting:
    // 4 × 15 = 60 to 5 × 15 = 75.
    let status = queue_now(&env).await;
    let a = group(&status, "A");
    assert_eq!(
        (a["service_minutes"].clone(), a["measured"].clone()),
        (json!(15), json!(false))
    );
    assert_eq!(a["wait_minutes"], json!({ "min": 60, "max": 75 }));

    for minutes in [6, 10] {
        at_desk(&env, "1", "call-next").await;
        env.advance(Duration::minutes(minutes));
        let (status, desk) = at_desk(&env, "1", "served").await;
        assert_eq!(status, 200, "{desk}");
        assert_eq!(desk["finished"]["status"], "served");
    }
    // Served in 6 and 10 minutes: 8 on average; two waiting at one desk:
    // 2 × 8 = 16 to 3 × 8 = 24. A second desk halves it: 8 to 12.
    let a = group(&queue_now(&env).await, "A").clone();
    assert_eq!(
        (a["service_minutes"].clone(), a["measured"].clone()),
        (json!(8), json!(true))
    );
    assert_eq!(a["waiting"], 2);
    assert_eq!(a["wait_minutes"], json!({ "min": 16, "max": 24 }));
    open_desk(&env, "2").await;
    let a = group(&queue_now(&env).await, "A").clone();
    assert_eq!(a["desks_open"], json!(["1", "2"]));
    assert_eq!(a["wait_minutes"], json!({ "min": 8, "max": 12 }));
}

#[tokio::test]
async fn a_full_waiting_room_refuses_walk_ins_but_not_booked_clients_until_someone_is_served() {
    let env = TestEnv::new().await;
    env.edit_catalog(OLSZTYN, |catalog| {
        for department in &mut catalog.departments {
            department.kiosk.waiting_room_limit = Some(2);
        }
    })
    .await;
    let (_, start, code) = confirmed(&env, 1).await;
    env.clock.set(start);
    walk_ins(&env, 2).await;
    let kiosk = Kiosk::new(&env, KIOSK);
    let (status, body) = kiosk.walk_in(SERVICE).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "waiting_room_full");
    let (status, body) = kiosk.redeem(&code).await;
    assert_eq!(
        status, 200,
        "{body}: a booked client still gets their ticket"
    );

    // Three inside; one served leaves two: still full.
    open_desk(&env, "1").await;
    at_desk(&env, "1", "call-next").await;
    assert_eq!(at_desk(&env, "1", "served").await.0, 200);
    assert_eq!(kiosk.walk_in(SERVICE).await.0, 409);
    // A missed one leaves the room too; now there is space for one.
    at_desk(&env, "1", "call-next").await;
    assert_eq!(at_desk(&env, "1", "missed").await.0, 200);
    let (status, body) = kiosk.walk_in(SERVICE).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(kiosk.walk_in(SERVICE).await.0, 409);
}

#[tokio::test]
async fn desks_keep_to_their_state_and_clerks_to_their_office() {
    let env = TestEnv::new().await;
    let (status, body) = at_desk(&env, "1", "call-next").await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (StatusCode::CONFLICT, &json!("desk_closed"))
    );
    let path = format!("/staff/offices/{OLSZTYN}/desks/1/open");
    let (status, body) = env
        .call_as(
            CLERK,
            Method::POST,
            &path,
            Some(&json!({ "groups": ["Z"] })),
        )
        .await;
    assert_eq!(status, 422, "{body}: no department issues Z tickets");
    let (status, _) = env
        .call_as(CLERK, Method::POST, &path, Some(&json!({ "groups": "A" })))
        .await;
    assert_eq!(status, 400, "malformed body");
    let (status, _) = at_desk(&env, "not%20a%20desk", "open").await;
    assert_eq!(status, 422);

    open_desk(&env, "1").await;
    walk_ins(&env, 2).await;
    at_desk(&env, "1", "call-next").await;
    for action in ["call-next", "close"] {
        let (status, body) = at_desk(&env, "1", action).await;
        assert_eq!(status, 409, "{action}: {body}");
        assert_eq!(body["error"]["code"], "desk_busy");
    }
    assert_eq!(at_desk(&env, "1", "served").await.0, 200);
    let (status, desk) = at_desk(&env, "1", "close").await;
    assert_eq!((status, &desk["open"]), (StatusCode::OK, &json!(false)));
    assert_eq!(desk["waiting"], 1);

    let (status, list) = env
        .call_as(
            CLERK,
            Method::GET,
            &format!("/staff/offices/{OLSZTYN}/desks"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["desks"][0]["desk"], "1");
    assert_eq!(list["desks"][0]["finished"]["status"], "served", "{list}");
    assert!(
        list["groups"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["desk_group"] == "P")
    );

    let (status, _) = env
        .call_as(
            Some("clerk.opava"),
            Method::POST,
            &path,
            Some(&json!({ "groups": ["A"] })),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = env
        .call_as(None, Method::POST, &path, Some(&json!({ "groups": ["A"] })))
        .await;
    assert_eq!(status, 401);
    assert_eq!(env.get("/queue/offices/atlantis").await.0, 404);
}

#[tokio::test]
async fn the_public_queue_shows_numbers_and_desks_but_nothing_personal() {
    let env = TestEnv::new().await;
    let (_, start, code) = confirmed(&env, 1).await;
    env.clock.set(start);
    Kiosk::new(&env, KIOSK).redeem(&code).await;
    open_desk(&env, "1").await;
    at_desk(&env, "1", "call-next").await;
    let status = queue_now(&env).await;
    assert_eq!(group(&status, "A")["serving"][0]["desk"], "1");
    assert_eq!(status["calls"][0]["ticket"], "RA001");
    let text = status.to_string();
    for personal in [
        "Anna",
        "Kowalska",
        "example.pl",
        &pesel(1),
        "+48",
        code.as_str(),
    ] {
        assert!(!text.contains(personal), "{personal} is not public");
    }
}

#[tokio::test]
async fn the_sample_event_calls_the_next_ticket_through_the_queue_handler() {
    let env = TestEnv::new().await;
    open_desk(&env, "3").await;
    let number = walk_ins(&env, 1).await.remove(0);
    let request = lambda_http::request::from_str(&sample_event("queue-call-next.json")).unwrap();
    let response = queue::handle(&env.app, request).await.unwrap();
    let body: Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(response.status(), 200, "{body}");
    assert_eq!(body["desk"], "3");
    assert_eq!(current(&body), number);
}
