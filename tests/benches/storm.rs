//! A booking storm: 2,000 attempts at once for the 240 seats of Tuesday's
//! slots at three offices (Olsztyn ID cards, 3 desks; Opava ID cards, 2;
//! Mielec vehicle registration, 4), through the API document's routes and the
//! book handler against DynamoDB Local — then the same number of bare
//! TransactWriteItems on the same kind of items (the slot's counter with its
//! condition, the booking, the person rule, the outbox message) in the same
//! run, as the ceiling the handler is compared with. Each attempt is its own
//! warm Lambda container (its own SDK client, connections and retry token
//! bucket; the catalog read before the storm), as in AWS, and comes from an
//! address of its own (each counted against the per-address limit).
//!
//! ```sh
//! cargo bench -p termin-tests --bench storm
//! ```
//!
//! Prints successes against seats, 5xx, the 409s and whether each offers
//! alternatives, p50/p99 latency and throughput of both, and their ratio.
// The storm nests every handler under the test router and the IAM
// recorder's task scope: deeper than the default limit.
#![recursion_limit = "256"]

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use futures::future::join_all;
use futures::stream::{self, StreamExt};
use lambda_http::http::{Method, StatusCode};
use serde_json::Value;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use termin::service::App;
use termin_tests::*;

const ATTEMPTS: usize = 2_000;

/// The offices, matters and who may book them.
const MATTERS: [(&str, &str); 3] = [
    ("olsztyn", "id-card-application"),
    ("opava", "id-card"),
    ("mielec", "vehicle-registration"),
];

/// The `i`-th of many distinct valid rodná čísla (people born in the 1980s).
fn rodne_cislo(i: u32) -> String {
    let born = chrono::NaiveDate::from_ymd_opt(1980, 1, 1).unwrap()
        + chrono::Duration::days(i64::from(i % 3000));
    let mut serial = (i / 3000) * 10;
    loop {
        let base: u64 = format!("{}{:03}", born.format("%y%m%d"), serial % 1000)
            .parse()
            .unwrap();
        let check = (11 - (base * 10) % 11) % 11;
        if check < 10 {
            return format!("{}{check}", base);
        }
        serial += 1;
    }
}

/// The address of the `i`-th citizen (in 198.18.0.0/15, the range kept for benchmarks).
fn client(i: usize) -> std::net::IpAddr {
    let [_, _, a, b] = (i as u32).to_be_bytes();
    std::net::IpAddr::V4(std::net::Ipv4Addr::new(198, 18, a, b))
}

struct Outcome {
    status: StatusCode,
    took: Duration,
    offers_alternatives: bool,
    code: String,
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn latencies(outcomes: &[Duration]) -> (f64, f64) {
    let mut sorted = outcomes.to_vec();
    sorted.sort();
    (percentile(&sorted, 0.5), percentile(&sorted, 0.99))
}

/// The free slots of Tuesday for each matter, each with its seats.
async fn seats(env: &TestEnv) -> Vec<(usize, String, u64)> {
    let mut slots = vec![];
    for (m, (office, service)) in MATTERS.iter().enumerate() {
        for slot in env.slots_on(office, service, tuesday()).await {
            slots.push((
                m,
                slot["start"].as_str().unwrap().to_owned(),
                slot["seats_left"].as_u64().unwrap(),
            ));
        }
    }
    slots
}

async fn storm_through_the_handler(
    env: &TestEnv,
    slots: &[(usize, String, u64)],
) -> (Vec<Outcome>, Duration) {
    let bodies: Vec<Value> = (0..ATTEMPTS)
        .map(|i| {
            let (m, start, _) = &slots[i % slots.len()];
            let (office, service) = MATTERS[*m];
            let person = if office == "opava" {
                rodne_cislo(i as u32)
            } else {
                pesel(i as u32)
            };
            let mut body = booking_body(office, service, start, &person);
            body["email"] = Value::from(format!("storm.{i}@example.pl"));
            body["phone"] = Value::Null;
            body
        })
        .collect();
    // One warm container per attempt, as Lambda runs 2,000 requests at once:
    // each has its own client and has read its office's catalog before.
    let containers: Vec<App> = stream::iter(bodies.iter().enumerate())
        .map(|(i, body)| async move {
            let app = env.container(i).await;
            let office = body["office_id"].as_str().unwrap_or_default();
            let (status, _) = env
                .call_in(&app, Method::GET, &format!("/offices/{office}"), None)
                .await;
            assert_eq!(status, 200, "warming container {i}");
            app
        })
        .buffered(50)
        .collect()
        .await;
    let started = Instant::now();
    let outcomes = join_all(bodies.iter().zip(&containers).enumerate().map(
        |(i, (body, app))| async move {
            let at = Instant::now();
            let (status, answer, _) = env
                .call_from(app, client(i), Method::POST, "/bookings", Some(body))
                .await;
            Outcome {
                status,
                took: at.elapsed(),
                offers_alternatives: answer["error"]["next_free_slots"].is_array(),
                code: answer["error"]["code"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            }
        },
    ))
    .await;
    (outcomes, started.elapsed())
}

/// The bare writes the handler's transaction makes, on a fresh table: the
/// slot's counter under its condition, the booking, the person rule and the
/// outbox message, with items of the booking's size.
async fn storm_of_bare_transactions(
    env: &TestEnv,
    slots: &[(usize, String, u64)],
    booking_item: &HashMap<String, AttributeValue>,
) -> (Vec<(bool, Duration)>, Duration) {
    let table = env.app.store.table().to_owned();
    let clients: Vec<Client> = stream::iter(0..ATTEMPTS)
        .map(|i| async move { env.container(i).await.store.client().clone() })
        .buffered(50)
        .collect()
        .await;
    let started = Instant::now();
    let outcomes = join_all(clients.iter().enumerate().map(|(i, client)| {
        let (m, start, desks) = &slots[i % slots.len()];
        let table = table.clone();
        let booking = booking_item.clone();
        async move {
            let s = |v: String| AttributeValue::S(v);
            let counter = Update::builder()
                .table_name(&table)
                .key("pk", s(format!("CAP#{m}#{start}")))
                .key("sk", s("COUNTER".into()))
                .update_expression("ADD booked :one")
                .condition_expression("attribute_not_exists(booked) OR booked < :desks")
                .expression_attribute_values(":one", AttributeValue::N("1".into()))
                .expression_attribute_values(":desks", AttributeValue::N(desks.to_string()))
                .build()
                .unwrap();
            let put = |pk: String, item: &HashMap<String, AttributeValue>| {
                let mut item = item.clone();
                item.insert("pk".into(), s(pk));
                item.insert("sk".into(), s("ITEM".into()));
                TransactWriteItem::builder()
                    .put(
                        Put::builder()
                            .table_name(&table)
                            .set_item(Some(item))
                            .condition_expression("attribute_not_exists(pk)")
                            .build()
                            .unwrap(),
                    )
                    .build()
            };
            let small: HashMap<String, AttributeValue> =
                HashMap::from([("booking_id".into(), s(format!("B{i}")))]);
            let writes = vec![
                TransactWriteItem::builder().update(counter).build(),
                put(format!("BOOKING#{i}"), &booking),
                put(format!("PERSON#{i}"), &small),
                put(format!("OUTBOX#{i}"), &booking),
            ];
            let at = Instant::now();
            let result = client
                .transact_write_items()
                .set_transact_items(Some(writes))
                .send()
                .await;
            (result.is_ok(), at.elapsed())
        }
    }))
    .await;
    (outcomes, started.elapsed())
}

#[tokio::main]
async fn main() {
    if !std::env::args().any(|arg| arg == "--bench") {
        println!("storm benchmark: run it with `cargo bench -p termin-tests --bench storm`");
        return;
    }
    let env = TestEnv::new().await;
    for (office, _) in MATTERS {
        env.edit_catalog(office, |catalog| {
            for department in &mut catalog.departments {
                department.weekly_online_cap = None;
            }
        })
        .await;
    }
    let slots = seats(&env).await;
    let seat_count: u64 = slots.iter().map(|(_, _, n)| n).sum();

    let (outcomes, wall) = storm_through_the_handler(&env, &slots).await;
    let booked = outcomes.iter().filter(|o| o.status == 201).count();
    let server_errors = outcomes
        .iter()
        .filter(|o| o.status.is_server_error())
        .count();
    let refused: Vec<&Outcome> = outcomes.iter().filter(|o| o.status == 409).collect();
    let with_alternatives = refused.iter().filter(|o| o.offers_alternatives).count();
    let other = ATTEMPTS - booked - server_errors - refused.len();
    let mut codes: std::collections::BTreeMap<(u16, &str), usize> = Default::default();
    for o in outcomes.iter().filter(|o| o.status != 201) {
        *codes
            .entry((o.status.as_u16(), o.code.as_str()))
            .or_default() += 1;
    }
    let (p50, p99) = latencies(&outcomes.iter().map(|o| o.took).collect::<Vec<_>>());
    let (lose50, lose99) = latencies(&refused.iter().map(|o| o.took).collect::<Vec<_>>());
    let handler_rate = ATTEMPTS as f64 / wall.as_secs_f64();
    println!(
        "handler: {ATTEMPTS} attempts at once for {seat_count} seats in {} slots at 3 offices",
        slots.len()
    );
    println!(
        "  booked {booked} (seats {seat_count}), 5xx {server_errors}, 409 {} ({with_alternatives} offering alternatives), other {other}",
        refused.len()
    );
    println!("  refusals by status and code: {codes:?}");
    let log = captured_log();
    let mut failures: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("store failure"))
        .collect();
    failures.sort();
    failures.dedup();
    for failure in failures.iter().take(3) {
        println!("  store failure: {}", &failure[..failure.len().min(400)]);
    }
    println!(
        "  latency p50 {p50:.0} ms, p99 {p99:.0} ms; 409s p50 {lose50:.0} ms, p99 {lose99:.0} ms; {:.2} s, {handler_rate:.0} attempts/s",
        wall.as_secs_f64()
    );

    let items = env.items_of("booking").await;
    let sample = items.first().expect("a booking was made").clone();
    let bare_env = TestEnv::new().await;
    let (bare, bare_wall) = storm_of_bare_transactions(&bare_env, &slots, &sample).await;
    let bare_ok = bare.iter().filter(|(ok, _)| *ok).count();
    let (b50, b99) = latencies(&bare.iter().map(|(_, t)| *t).collect::<Vec<_>>());
    let bare_rate = ATTEMPTS as f64 / bare_wall.as_secs_f64();
    println!(
        "bare TransactWriteItems: {ATTEMPTS} at once, {bare_ok} written; p50 {b50:.0} ms, p99 {b99:.0} ms; {:.2} s, {bare_rate:.0} attempts/s",
        bare_wall.as_secs_f64()
    );
    println!(
        "throughput ratio handler / bare: {:.2} (target >= 0.8)",
        handler_rate / bare_rate
    );
    assert_eq!(
        booked as u64, seat_count,
        "exactly as many bookings as seats"
    );
    assert_eq!(server_errors, 0);
}
