//! Booking a named clerk (seed 004, Mielec: "a meeting with specific
//! clerks"): the clerk's own capacity beside the department's, taken in the
//! hold's transaction and returned by every release; the slots where the
//! clerk is free; clear refusals of a clerk who is not there; the clerk's
//! name in the views and messages; and on the day, the clerk's desk taking
//! the clerk's visits.

use crate::kiosk::Kiosk;
use chrono::{DateTime, Duration, Utc};
use futures::future::join_all;
use lambda_http::http::Method;
use serde_json::{Value, json};
use termin::service::sweeper::{self, SweepConfig};
use termin_tests::*;

const MIELEC: &str = "mielec";
const VEHICLES: &str = "vehicles";
const REGISTRATION: &str = "vehicle-registration";
const LICENCE: &str = "driving-licence";
/// Handles registrations; works as the demo account `clerk.mielec`.
const ANNA: &str = "anna-nowicka";
/// Handles registrations and licences; works as `clerk2.mielec`.
const PIOTR: &str = "piotr-zielinski";
/// Handles licences only; no staff account.
const EWA: &str = "ewa-wojcik";

/// A registration request of person `who` at `start`, with clerk `clerk`.
fn with_clerk(start: &str, who: u32, clerk: &str) -> Value {
    let mut body = booking_body(MIELEC, REGISTRATION, start, &pesel(who));
    body["clerk_id"] = json!(clerk);
    body
}

/// The starts of the registration slots listed on Tuesday, for `clerk` or any.
async fn starts(env: &TestEnv, clerk: Option<&str>) -> Vec<String> {
    let mut path =
        format!("/offices/{MIELEC}/services/{REGISTRATION}/slots?from=2026-11-24&to=2026-11-24");
    if let Some(clerk) = clerk {
        path.push_str(&format!("&clerk={clerk}"));
    }
    let (status, body) = env.get(&path).await;
    assert_eq!(status, 200, "{body}");
    body["days"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["slots"].as_array().unwrap().clone())
        .map(|s| s["start"].as_str().unwrap().to_owned())
        .collect()
}

/// The sum of a clerk's capacity unit counters.
async fn clerk_units(env: &TestEnv, clerk: &str) -> i64 {
    let pk = format!("CAPACITY#{MIELEC}#CLERK#{clerk}");
    env.items()
        .await
        .iter()
        .filter(|i| s(i, "pk") == pk && s(i, "sk").starts_with("UNIT#"))
        .map(|i| n(i, "booked"))
        .sum()
}

fn field_errors(body: &Value) -> Vec<(String, String)> {
    body["error"]["fields"]
        .as_array()
        .unwrap_or(&vec![])
        .iter()
        .map(|f| {
            (
                f["field"].as_str().unwrap().to_owned(),
                f["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn bookings_racing_for_named_clerks_at_one_time_make_exactly_one_per_clerk() {
    let env = TestEnv::new().await;
    let start = starts(&env, Some(ANNA)).await.remove(0);
    // Twelve people want Anna, twelve Piotr, at the same time: the
    // department has four desks, each clerk serves one visit at a time.
    let bodies: Vec<Value> = (0..24)
        .map(|i| with_clerk(&start, 100 + i, if i % 2 == 0 { ANNA } else { PIOTR }))
        .collect();
    let answers = join_all(bodies.iter().map(|b| env.post("/bookings", b))).await;

    let created: Vec<&Value> = answers
        .iter()
        .filter(|(status, _)| *status == 201)
        .map(|(_, body)| body)
        .collect();
    assert_eq!(created.len(), 2, "{answers:?}");
    let mut clerks: Vec<&str> = created
        .iter()
        .map(|b| b["clerk"]["id"].as_str().unwrap())
        .collect();
    clerks.sort();
    assert_eq!(clerks, [ANNA, PIOTR]);
    assert!(
        answers.iter().all(|(status, body)| *status == 201
            || (*status == 409 && body["error"]["code"] == "clerk_busy")),
        "{answers:?}"
    );
    assert_eq!(env.items_of("booking").await.len(), 2);
    assert_eq!(env.booked_units(MIELEC, VEHICLES).await, 2);
    assert_eq!(clerk_units(&env, ANNA).await, 1);
    assert_eq!(clerk_units(&env, PIOTR).await, 1);
}

#[tokio::test]
async fn a_named_clerk_is_offered_only_where_free_and_still_counts_in_the_departments_desks() {
    let env = TestEnv::new().await;
    let start = starts(&env, Some(ANNA)).await.remove(0);
    let (status, hold) = env.post("/bookings", &with_clerk(&start, 1, ANNA)).await;
    assert_eq!(status, 201, "{hold}");
    assert_eq!(hold["clerk"], json!({"id": ANNA, "name": "Anna Nowicka"}));

    assert!(!starts(&env, Some(ANNA)).await.contains(&start));
    assert!(starts(&env, Some(PIOTR)).await.contains(&start));
    assert!(
        starts(&env, None).await.contains(&start),
        "three desks left"
    );
    assert_eq!(env.booked_units(MIELEC, VEHICLES).await, 1);

    // Anna again at that time: refused with her next free times.
    let (status, body) = env.post("/bookings", &with_clerk(&start, 2, ANNA)).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "clerk_busy");
    let next = body["error"]["next_free_slots"].as_array().unwrap();
    assert_eq!(next.len(), 5);
    assert!(
        next.iter()
            .all(|s| s["start"].as_str().unwrap() > start.as_str())
    );

    // Three more with any clerk fill the department's desks: nobody is
    // offered that time any more, Piotr neither.
    for who in 3..6 {
        env.book_with(&booking_body(MIELEC, REGISTRATION, &start, &pesel(who)))
            .await;
    }
    assert!(!starts(&env, Some(PIOTR)).await.contains(&start));
    let (status, body) = env.post("/bookings", &with_clerk(&start, 7, PIOTR)).await;
    assert_eq!(
        (status.as_u16(), body["error"]["code"].clone()),
        (409, json!("slot_full"))
    );
}

#[tokio::test]
async fn every_release_returns_the_named_clerks_capacity() {
    let env = TestEnv::new().await;
    let start = starts(&env, Some(ANNA)).await.remove(0);

    // Cancelled by the citizen.
    let id = env
        .book(
            MIELEC,
            REGISTRATION,
            &start,
            &pesel(1),
            json!({"clerk_id": ANNA}),
        )
        .await;
    assert_eq!(clerk_units(&env, ANNA).await, 1);
    let token = s(&env.message(&id, "hold_created").await, "manage_token");
    let (status, body) = env.cancel(&id, &token).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(clerk_units(&env, ANNA).await, 0);
    assert!(starts(&env, Some(ANNA)).await.contains(&start));

    // Cancelled by a clerk of the office.
    let id = env.book_with(&with_clerk(&start, 2, ANNA)).await;
    assert_eq!(clerk_units(&env, ANNA).await, 1);
    let (status, body) = env
        .call_as(
            Some("clerk.mielec"),
            Method::POST,
            &format!("/staff/offices/{MIELEC}/bookings/{id}/cancel"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(clerk_units(&env, ANNA).await, 0);

    // A hold nobody confirms, released by the sweeper.
    env.book_with(&with_clerk(&start, 3, ANNA)).await;
    assert_eq!(clerk_units(&env, ANNA).await, 1);
    env.advance(Duration::hours(1));
    let report = sweeper::sweep(&env.app, SweepConfig::default())
        .await
        .unwrap();
    assert_eq!((report.expired, report.failed), (1, 0));
    assert_eq!(clerk_units(&env, ANNA).await, 0);
    assert_eq!(env.booked_units(MIELEC, VEHICLES).await, 0);
    assert!(starts(&env, Some(ANNA)).await.contains(&start));
}

#[tokio::test]
async fn a_clerk_who_is_not_there_or_not_for_the_matter_is_a_422_and_nothing_is_written() {
    let env = TestEnv::new().await;
    let start = starts(&env, None).await.remove(0);
    let before = env.items().await.len();
    for (clerk, code) in [
        ("nobody-here", "unknown"),
        ("Not A Slug!", "unknown"),
        (EWA, "not_for_this_matter"),
    ] {
        let (status, body) = env.post("/bookings", &with_clerk(&start, 1, clerk)).await;
        assert_eq!(status, 422, "{clerk}: {body}");
        assert_eq!(
            field_errors(&body),
            [("clerk_id".to_owned(), code.to_owned())]
        );

        let path = format!(
            "/offices/{MIELEC}/services/{REGISTRATION}/slots?clerk={}",
            clerk.replace(' ', "%20").replace('!', "%21")
        );
        let (status, body) = env.get(&path).await;
        assert_eq!(status, 422, "{clerk}: {body}");
        assert_eq!(field_errors(&body), [("clerk".to_owned(), code.to_owned())]);
    }
    // Olsztyn has no named clerks: Mielec's are unknown there.
    let (status, body) = env
        .get(&format!(
            "/offices/{OLSZTYN}/services/{ID_CARD_APPLICATION}/slots?clerk={ANNA}"
        ))
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        field_errors(&body),
        [("clerk".to_owned(), "unknown".to_owned())]
    );
    // The clerk's booking for a caller is checked the same way.
    let (status, body) = env
        .call_as(
            Some("clerk.mielec"),
            Method::POST,
            &format!("/staff/offices/{MIELEC}/bookings"),
            Some(&json!({
                "service_id": LICENCE,
                "start": start,
                "first_name": "Jan",
                "last_name": "Nowak",
                "national_id": pesel(2),
                "clerk_id": ANNA,
            })),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        field_errors(&body),
        [("clerk_id".to_owned(), "not_for_this_matter".to_owned())]
    );
    assert_eq!(env.items().await.len(), before, "nothing written");
    // A blank clerk is any clerk.
    let (status, body) = env.post("/bookings", &with_clerk(&start, 3, " ")).await;
    assert_eq!(status, 201, "{body}");
    assert!(body.get("clerk").is_none(), "{body}");
}

#[tokio::test]
async fn the_catalog_lists_each_matters_clerks_by_name_and_never_their_staff_accounts() {
    let env = TestEnv::new().await;
    let (status, catalog) = env.get(&format!("/offices/{MIELEC}")).await;
    assert_eq!(status, 200, "{catalog}");
    let department = &catalog["departments"][0];
    assert!(department.get("clerks").is_none(), "{department}");
    let clerks_of = |service: &str| -> Vec<Value> {
        department["services"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == service)
            .unwrap()["clerks"]
            .as_array()
            .unwrap()
            .clone()
    };
    assert_eq!(
        clerks_of(REGISTRATION),
        [
            json!({"id": ANNA, "name": "Anna Nowicka"}),
            json!({"id": PIOTR, "name": "Piotr Zieliński"}),
        ]
    );
    assert_eq!(clerks_of(LICENCE).len(), 2);
    let text = catalog.to_string();
    assert!(
        !text.contains("clerk.mielec") && !text.contains("staff_id"),
        "{text}"
    );
    // An office without named clerks lists none.
    let (_, olsztyn) = env.get(&format!("/offices/{OLSZTYN}")).await;
    assert!(!olsztyn.to_string().contains("clerks"));
}

#[tokio::test]
async fn the_confirmation_and_the_clerks_lists_name_the_chosen_clerk() {
    let env = TestEnv::new().await;
    let start = starts(&env, Some(PIOTR)).await.remove(0);
    let id = env
        .book(
            MIELEC,
            REGISTRATION,
            &start,
            &pesel(1),
            json!({"clerk_id": PIOTR}),
        )
        .await;
    let token = s(&env.message(&id, "hold_created").await, "confirm_token");
    let (status, body) = env.confirm(&id, By::Token(&token)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["booking"]["clerk"]["name"], "Piotr Zieliński");
    assert_eq!(env.deliver().await.failed, 0);
    let confirmation = env
        .sent()
        .await
        .emails
        .into_iter()
        .find(|e| {
            e.text
                .contains(body["booking"]["kiosk_code"].as_str().unwrap())
        })
        .expect("the confirmation");
    assert!(
        confirmation.text.contains("Piotr Zieliński"),
        "{}",
        confirmation.text
    );
    assert!(confirmation.html.contains("Piotr Zieliński"));

    let (status, list) = env
        .call_as(
            Some("clerk.mielec"),
            Method::GET,
            &format!("/staff/offices/{MIELEC}/admission-list?date=2026-11-24"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(
        list["entries"][0]["clerk"],
        json!({"id": PIOTR, "name": "Piotr Zieliński"})
    );

    // A clerk booking a caller with a named clerk: confirmed at once, the
    // clerk's time taken.
    let (status, booking) = env
        .call_as(
            Some("clerk2.mielec"),
            Method::POST,
            &format!("/staff/offices/{MIELEC}/bookings"),
            Some(&json!({
                "service_id": REGISTRATION,
                "start": starts(&env, Some(ANNA)).await[0],
                "first_name": "Jan",
                "last_name": "Nowak",
                "national_id": pesel(2),
                "clerk_id": ANNA,
            })),
        )
        .await;
    assert_eq!(status, 201, "{booking}");
    assert_eq!(booking["status"], "confirmed");
    assert_eq!(booking["clerk"]["id"], ANNA);
    assert_eq!(clerk_units(&env, ANNA).await, 1);
}

/// A confirmed registration with `clerk` at Tuesday's first slot free for
/// them, by person `who`: its kiosk code and start.
async fn confirmed_with(env: &TestEnv, who: u32, clerk: Option<&str>) -> (String, DateTime<Utc>) {
    let start = starts(env, clerk).await.remove(0);
    let mut body = booking_body(MIELEC, REGISTRATION, &start, &pesel(who));
    if let Some(clerk) = clerk {
        body["clerk_id"] = json!(clerk);
    }
    let id = env.book_with(&body).await;
    let token = s(&env.message(&id, "hold_created").await, "confirm_token");
    let (status, body) = env.confirm(&id, By::Token(&token)).await;
    assert_eq!(status, 200, "{body}");
    let code = body["booking"]["kiosk_code"].as_str().unwrap().to_owned();
    (code, DateTime::parse_from_rfc3339(&start).unwrap().to_utc())
}

/// `user` acts at Mielec's desk `desk` (opened for group P).
async fn at_desk(env: &TestEnv, user: &str, desk: &str, action: &str) -> Value {
    let path = format!("/staff/offices/{MIELEC}/desks/{desk}/{action}");
    let body = (action == "open").then(|| json!({ "groups": ["P"] }));
    let (status, answer) = env
        .call_as(Some(user), Method::POST, &path, body.as_ref())
        .await;
    assert_eq!(status, 200, "{answer}");
    answer
}

#[tokio::test]
async fn on_the_day_the_named_clerks_desk_takes_the_clerks_ticket_and_other_desks_leave_it() {
    let env = TestEnv::new().await;
    let (plain_code, start) = confirmed_with(&env, 1, None).await;
    let (anna_code, anna_start) = confirmed_with(&env, 2, Some(ANNA)).await;
    assert_eq!(start, anna_start, "both at the first slot");
    env.clock.set(start - Duration::minutes(10));
    let kiosk = Kiosk::new(&env, "mielec-hall-1");
    let (status, plain) = kiosk.redeem(&plain_code).await;
    assert_eq!(status, 200, "{plain}");
    assert_eq!(
        plain["ticket"]["clerk"],
        Value::Null,
        "no clerk chosen: none printed"
    );
    let (status, annas) = kiosk.redeem(&anna_code).await;
    assert_eq!(status, 200, "{annas}");
    assert_eq!(
        annas["ticket"]["clerk"],
        json!({ "id": ANNA, "name": "Anna Nowicka" }),
        "the ticket names the clerk to ask for"
    );
    let annas = annas["ticket"]["number"].as_str().unwrap().to_owned();
    let tickets = env.items_of("ticket").await;
    let remembered: Vec<String> = tickets.iter().map(|t| s(t, "clerk_id")).collect();
    assert!(remembered.contains(&ANNA.to_owned()), "{tickets:?}");

    env.clock.set(start);
    // Anna (clerk.mielec) and Piotr (clerk2.mielec) open their desks.
    at_desk(&env, "clerk.mielec", "1", "open").await;
    at_desk(&env, "clerk2.mielec", "2", "open").await;
    // Piotr calls first, but Anna's visit waits for Anna.
    let piotr = at_desk(&env, "clerk2.mielec", "2", "call-next").await;
    assert_ne!(piotr["current"]["ticket"], annas.as_str(), "{piotr}");
    assert_eq!(piotr["current"]["clerk"], Value::Null);
    let anna = at_desk(&env, "clerk.mielec", "1", "call-next").await;
    assert_eq!(anna["current"]["ticket"], annas.as_str(), "{anna}");
    assert_eq!(anna["current"]["reason"], "named_clerk");
    assert_eq!(anna["current"]["clerk"]["name"], "Anna Nowicka");
}

#[tokio::test]
async fn a_ticket_named_for_a_clerk_without_an_open_desk_goes_to_any_desk() {
    let env = TestEnv::new().await;
    let (code, start) = confirmed_with(&env, 1, Some(ANNA)).await;
    env.clock.set(start - Duration::minutes(10));
    let (status, ticket) = Kiosk::new(&env, "mielec-hall-1").redeem(&code).await;
    assert_eq!(status, 200, "{ticket}");
    let number = ticket["ticket"]["number"].as_str().unwrap().to_owned();

    env.clock.set(start);
    // Anna opened a desk and closed it again: nobody is kept waiting for her.
    at_desk(&env, "clerk.mielec", "1", "open").await;
    at_desk(&env, "clerk.mielec", "1", "close").await;
    at_desk(&env, "clerk2.mielec", "2", "open").await;
    let piotr = at_desk(&env, "clerk2.mielec", "2", "call-next").await;
    assert_eq!(piotr["current"]["ticket"], number.as_str(), "{piotr}");
    assert_eq!(piotr["current"]["reason"], "appointment");
}
