//! What 1,000 bookings cost in AWS: each is booked, confirmed by its email
//! link, sent its two emails (the hold and the confirmation) and reminded
//! the day before (a third email), through the handlers against DynamoDB
//! Local and the SES stand-in. DynamoDB calls are counted by operation and
//! the capacity DynamoDB reports as consumed is added up; Lambda time is
//! each handler's measured time rounded up to the millisecond. Multiplied by
//! public list prices (us-east-1, on-demand, arm64; see PRICES).
//!
//! ```sh
//! cargo bench -p termin-tests --bench cost
//! ```

use chrono::Duration;
use serde_json::json;
use std::time::Instant;
use termin_tests::*;

/// Bookings measured; the cost is scaled to 1,000.
const BOOKINGS: u32 = 200;
/// The configured memory of every function (infra/template.yaml Globals).
const MEMORY_GB: f64 = 256.0 / 1024.0;

/// Public list prices, us-east-1, December 2026.
mod prices {
    /// Lambda arm64, per GB-second.
    pub const LAMBDA_GB_SECOND: f64 = 0.000_013_333_4;
    /// Lambda, per request.
    pub const LAMBDA_REQUEST: f64 = 0.20 / 1e6;
    /// HTTP API, per request (first 300 million a month).
    pub const HTTP_API_REQUEST: f64 = 1.00 / 1e6;
    /// DynamoDB on-demand, per write request unit.
    pub const WRITE_UNIT: f64 = 0.625 / 1e6;
    /// DynamoDB on-demand, per read request unit.
    pub const READ_UNIT: f64 = 0.125 / 1e6;
    /// SES, per email sent.
    pub const EMAIL: f64 = 0.10 / 1000.0;
}

/// One handler's share: invocations, time, API requests and capacity.
#[derive(Default)]
struct Meter {
    invocations: u64,
    billed_ms: u64,
    api_requests: u64,
    consumed: Consumed,
    calls: usize,
}

impl Meter {
    fn add(&mut self, started: Instant, api: bool, env: &TestEnv, meter: &CapacityMeter) {
        self.invocations += 1;
        self.billed_ms += started.elapsed().as_millis() as u64 + 1;
        self.api_requests += u64::from(api);
        let consumed = meter.take();
        self.consumed.read += consumed.read;
        self.consumed.write += consumed.write;
        self.calls += env.round_trips.take().len();
    }

    fn compute(&self) -> f64 {
        self.billed_ms as f64 / 1000.0 * MEMORY_GB * prices::LAMBDA_GB_SECOND
            + self.invocations as f64 * prices::LAMBDA_REQUEST
    }

    fn api(&self) -> f64 {
        self.api_requests as f64 * prices::HTTP_API_REQUEST
    }

    fn database(&self) -> f64 {
        self.consumed.read * prices::READ_UNIT + self.consumed.write * prices::WRITE_UNIT
    }
}

#[tokio::main]
async fn main() {
    if !std::env::args().any(|arg| arg == "--bench") {
        println!("cost benchmark: run it with `cargo bench -p termin-tests --bench cost`");
        return;
    }
    let capacity = CapacityMeter::default();
    let env = TestEnv::metered(&capacity).await;
    // Every booking goes to this run's one mailbox (to read its emails) and
    // comes from one client address; the per-address limits still count each
    // hold and each attempt, they only have room for all.
    env.edit_catalog(OLSZTYN, |catalog| {
        catalog.office.limits.holds_per_email.max = BOOKINGS + 1;
        catalog.office.limits.booking_attempts_per_client.max = BOOKINGS + 1;
    })
    .await;
    let (mut book, mut confirm, mut notify, mut remind) = (
        Meter::default(),
        Meter::default(),
        Meter::default(),
        Meter::default(),
    );
    let days: Vec<chrono::NaiveDate> = (1..=8)
        .map(|d| tuesday() + Duration::days(d))
        .filter(|d| chrono::Datelike::weekday(d).number_from_monday() <= 5)
        .collect();
    let mut slots = vec![];
    for day in &days {
        for slot in env.slots_on(OLSZTYN, ID_CARD_APPLICATION, *day).await {
            for _ in 0..slot["seats_left"].as_u64().unwrap() {
                slots.push(slot["start"].as_str().unwrap().to_owned());
            }
        }
    }
    assert!(slots.len() >= BOOKINGS as usize, "enough seats");
    env.round_trips.take();
    capacity.take();
    for i in 0..BOOKINGS {
        let body = env.contact_body(OLSZTYN, ID_CARD_APPLICATION, &slots[i as usize], &pesel(i));
        let started = Instant::now();
        let (status, booked) = env.post("/bookings", &body).await;
        book.add(started, true, &env, &capacity);
        assert_eq!(status, 201, "{booked}");
        let id = booked["booking_id"].as_str().unwrap().to_owned();
        // The link's token, read before the email is sent (sending removes it).
        let token = s(&env.message(&id, "hold_created").await, "confirm_token");
        env.round_trips.take();
        capacity.take();

        let started = Instant::now();
        env.deliver().await;
        notify.add(started, false, &env, &capacity);

        let started = Instant::now();
        let (status, body) = env
            .post(
                &format!("/bookings/{id}/confirm"),
                &json!({ "token": token }),
            )
            .await;
        confirm.add(started, true, &env, &capacity);
        assert_eq!(status, 200, "{body}");

        let started = Instant::now();
        env.deliver().await;
        notify.add(started, false, &env, &capacity);
    }
    // The reminders: the scheduled run once an hour over the days booked.
    for day in &days {
        env.clock
            .set(day.and_hms_opt(6, 0, 0).unwrap().and_utc() - Duration::hours(24));
        for _ in 0..10 {
            let started = Instant::now();
            termin::service::queue_reminders(&env.app, Duration::hours(24))
                .await
                .unwrap();
            remind.add(started, false, &env, &capacity);
            let started = Instant::now();
            env.deliver().await;
            notify.add(started, false, &env, &capacity);
            env.advance(Duration::hours(1));
        }
    }

    // Every email this run's citizen address received (moto keeps them).
    let emails = env.sent().await.emails.len();
    let scale = 1000.0 / f64::from(BOOKINGS);
    println!("per 1,000 bookings (booked, confirmed by link, two emails, reminded by email):");
    println!(
        "{:<8} {:>11} {:>10} {:>12} {:>9} {:>9} {:>11} {:>9} {:>9}",
        "function",
        "invocations",
        "billed s",
        "DynamoDB calls",
        "RRU",
        "WRU",
        "Lambda $",
        "API $",
        "DB $"
    );
    let mut total = 0.0;
    for (name, m) in [
        ("book", &book),
        ("confirm", &confirm),
        ("notify", &notify),
        ("remind", &remind),
    ] {
        let cost = (m.compute() + m.api() + m.database()) * scale;
        total += cost;
        println!(
            "{:<8} {:>11.0} {:>10.1} {:>12.0} {:>9.0} {:>9.0} {:>11.5} {:>9.5} {:>9.5}",
            name,
            m.invocations as f64 * scale,
            m.billed_ms as f64 / 1000.0 * scale,
            m.calls as f64 * scale,
            m.consumed.read * scale,
            m.consumed.write * scale,
            m.compute() * scale,
            m.api() * scale,
            m.database() * scale,
        );
    }
    println!("compute + API + DynamoDB: ${total:.4} per 1,000 bookings (target <= $0.01)");
    println!(
        "separately: SES {:.0} emails = ${:.4}; SMS (confirm_by=sms, not in this run) per message at SNS's price for the country",
        emails as f64 * scale,
        emails as f64 * scale * prices::EMAIL
    );
}
