//! How the sweeper's work grows: items read and time per sweep with 1,000 and
//! with 100,000 stored past bookings, and the same 100 visits due in both.
//! Against DynamoDB Local (installed by `tests/install-deps`):
//!
//! ```sh
//! cargo bench -p termin-tests --bench sweeper
//! ```
//!
//! Past bookings are spread over the last 29 days (redeemed, so neither due
//! for a no-show nor old enough for the purge); the due ones are confirmed
//! visits whose kiosk window closed an hour ago.

use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
use chrono::{DateTime, Duration, Utc};
use std::time::Instant;
use termin::domain::booking::{Booking, BookingStatus, Channel};
use termin::domain::catalog::Lang;
use termin::domain::clock::Clock;
use termin::domain::codes::KioskCode;
use termin::domain::contact::{Email, PersonName};
use termin::domain::ids::{BookingId, DepartmentId, OfficeId, ServiceId};
use termin::domain::secrets::{Digest, PersonKey};
use termin::service::sweeper::{SweepConfig, sweep};
use termin::store::items::BookingItem;
use termin_tests::TestEnv;

const DUE: usize = 100;

fn booking(n: usize, start: DateTime<Utc>, status: BookingStatus) -> Booking {
    Booking {
        id: BookingId::from_ulid(ulid::Ulid::from_parts(
            start.timestamp_millis() as u64,
            n as u128,
        )),
        public_ref: format!("B{n:07}"),
        office_id: OfficeId::parse("olsztyn").unwrap(),
        department_id: DepartmentId::parse("civil-affairs").unwrap(),
        service_id: ServiceId::parse("id-card-application").unwrap(),
        start,
        end: start + Duration::minutes(15),
        local_date: start.with_timezone(&chrono_tz::Europe::Warsaw).date_naive(),
        time_zone: chrono_tz::Europe::Warsaw,
        status,
        created_at: start - Duration::days(2),
        hold_expires_at: start - Duration::days(2) + Duration::hours(1),
        confirmed_at: Some(start - Duration::days(2)),
        closed_at: None,
        person: PersonKey(format!("{n:064x}")),
        person_rule: Default::default(),
        first_name: PersonName::parse("Anna").unwrap(),
        last_name: PersonName::parse("Kowalska").unwrap(),
        email: Some(Email::parse("anna.kowalska@example.pl").unwrap()),
        phone: None,
        phone_key: None,
        channel: Channel::Email,
        language: Lang::Pl,
        application_number: None,
        lost_document: false,
        kiosk_code: KioskCode::Digits(format!("{:06}", n % 1_000_000)),
        capacity_units: vec![start],
        week: "2026-W48".into(),
        confirm_token: Digest("c".into()),
        confirm_code: Digest("s".into()),
        manage_tokens: vec![Digest("m".into())],
        code_attempts: 0,
        reminded_at: None,
        ticket: None,
        undeliverable: Vec::new(),
        clerk: None,
    }
}

/// Writes bookings 25 at a time, as fast as DynamoDB Local takes them.
async fn store_all(env: &TestEnv, bookings: Vec<Booking>) {
    let store = &env.app.store;
    for chunk in bookings.chunks(25) {
        let mut requests: Vec<WriteRequest> = chunk
            .iter()
            .map(|b| {
                let item = serde_dynamo::to_item(BookingItem::from(b)).unwrap();
                WriteRequest::builder()
                    .put_request(PutRequest::builder().set_item(Some(item)).build().unwrap())
                    .build()
            })
            .collect();
        while !requests.is_empty() {
            let out = store
                .client()
                .batch_write_item()
                .request_items(store.table(), requests)
                .send()
                .await
                .unwrap();
            requests = out
                .unprocessed_items
                .and_then(|mut left| left.remove(store.table()))
                .unwrap_or_default();
        }
    }
}

async fn measure(past: usize) {
    let env = TestEnv::new().await;
    let now = env.clock.now();
    let mut bookings: Vec<Booking> = (0..past)
        .map(|n| {
            let start =
                now - Duration::days(1 + (n % 29) as i64) - Duration::minutes((n % 480) as i64);
            booking(n, start, BookingStatus::Redeemed)
        })
        .collect();
    bookings.extend(
        (0..DUE).map(|n| booking(past + n, now - Duration::hours(1), BookingStatus::Confirmed)),
    );
    let loading = Instant::now();
    store_all(&env, bookings).await;
    let loaded = loading.elapsed();

    let started = Instant::now();
    let report = sweep(&env.app, SweepConfig::default()).await.unwrap();
    let first = started.elapsed();
    let started = Instant::now();
    let again = sweep(&env.app, SweepConfig::default()).await.unwrap();
    let second = started.elapsed();
    assert_eq!(report.no_shows, DUE);
    println!(
        "{past:>7} past + {DUE} due | sweep: read {:>4}, no-shows {:>3}, {:>6.0} ms | next sweep: read {:>3}, {:>5.0} ms | (load {:.1} s)",
        report.read,
        report.no_shows,
        first.as_secs_f64() * 1000.0,
        again.read,
        second.as_secs_f64() * 1000.0,
        loaded.as_secs_f64(),
    );
}

#[tokio::main]
async fn main() {
    // `cargo test --all-targets` runs bench targets too: a measurement runs only under `cargo bench`.
    if !std::env::args().any(|arg| arg == "--bench") {
        println!("sweeper benchmark: run it with `cargo bench -p termin-tests --bench sweeper`");
        return;
    }
    println!("sweeper: items read and time per sweep (DynamoDB Local, this machine)");
    for past in [1_000, 100_000] {
        measure(past).await;
    }
}
