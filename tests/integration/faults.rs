//! Faults injected between the functions and DynamoDB, SES or SNS (see
//! `termin_tests::faults`): the citizen gets 503 with `Retry-After`, nothing
//! is half-written, a stream record is retried, and every outbox message is
//! sent exactly once in effect after the fault clears.

use lambda_http::http::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;
use termin::service::notify::DELIVERY_LEASE;
use termin_tests::*;

/// Every item of the table, in key order.
async fn snapshot(env: &TestEnv) -> Vec<Item> {
    let mut items = env.items().await;
    items.sort_by_key(|i| (s(i, "pk"), s(i, "sk")));
    items
}

/// Every item but the rate-limit counters (a booking attempt is counted
/// before its transaction, whatever the transaction's fate).
async fn snapshot_without_counters(env: &TestEnv) -> Vec<Item> {
    let mut items = snapshot(env).await;
    items.retain(|i| s(i, "entity") != "limit_counter");
    items
}

/// The faults DynamoDB may answer a write with.
const STORE_FAULTS: [Fault; 4] = [
    Fault::Throttling,
    Fault::ProvisionedThroughputExceeded,
    Fault::Cancelled("ThrottlingError"),
    Fault::Cancelled("TransactionConflict"),
];

#[tokio::test]
async fn a_throttled_or_conflicting_booking_answers_503_with_retry_after_and_writes_nothing() {
    let env = TestEnv::new().await;
    let faults = Faults::default();
    let app = env.faulty_container(&faults).await;
    let start = env.first_free_id_card_slot().await;
    let request = env.contact_body(OLSZTYN, ID_CARD_APPLICATION, &start, &pesel(1));
    let before = snapshot_without_counters(&env).await;

    for fault in STORE_FAULTS {
        faults.arm("TransactWriteItems", fault, ALWAYS);
        let (status, body, headers) = env
            .call_in_with_headers(&app, Method::POST, "/bookings", Some(&request))
            .await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{fault:?}: {body}");
        assert_eq!(headers["retry-after"], "1", "{fault:?}");
        assert_eq!(body["error"]["retry_after_seconds"], 1, "{fault:?}");
        faults.clear();
    }
    assert!(faults.injected() >= STORE_FAULTS.len());
    assert_eq!(
        snapshot_without_counters(&env).await,
        before,
        "nothing half-written"
    );
    let attempts = env.items_of("limit_counter").await;
    assert_eq!(attempts.len(), 1, "one address's attempts in one counter");
    assert_eq!(n(&attempts[0], "hits"), STORE_FAULTS.len() as i64);

    let (status, body) = env
        .call_in(&app, Method::POST, "/bookings", Some(&request))
        .await;
    assert_eq!(status, StatusCode::CREATED, "the fault cleared: {body}");
    env.deliver().await;
    assert_eq!(env.sent().await.emails.len(), 1, "one hold, one email");
}

#[tokio::test]
async fn a_throttled_confirmation_or_read_answers_503_and_the_retry_confirms_once() {
    let env = TestEnv::new().await;
    let start = env.first_free_id_card_slot().await;
    let id = env
        .book(OLSZTYN, ID_CARD_APPLICATION, &start, &pesel(2), json!({}))
        .await;
    let code = s(&env.message(&id, "hold_created").await, "confirm_code");
    let faults = Faults::default();
    let app = env.faulty_container(&faults).await;
    let confirm = |code: &str| json!({ "code": code });
    let path = format!("/bookings/{id}/confirm");
    let before = snapshot(&env).await;

    for fault in STORE_FAULTS {
        faults.arm("TransactWriteItems", fault, ALWAYS);
        let (status, body, headers) = env
            .call_in_with_headers(&app, Method::POST, &path, Some(&confirm(&code)))
            .await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{fault:?}: {body}");
        assert_eq!(headers["retry-after"], "1", "{fault:?}");
        faults.clear();
    }
    // Reads throttled too: the booking and the slot list.
    for (operation, path) in [
        ("GetItem", format!("/bookings/{id}/confirm")),
        (
            "Query",
            format!("/offices/{OLSZTYN}/services/{ID_CARD_APPLICATION}/slots"),
        ),
    ] {
        faults.arm(operation, Fault::Throttling, ALWAYS);
        let method = if operation == "GetItem" {
            Method::POST
        } else {
            Method::GET
        };
        let body = (method == Method::POST).then(|| confirm(&code));
        let (status, answer, headers) = env
            .call_in_with_headers(&app, method, &path, body.as_ref())
            .await;
        assert_eq!(
            status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{operation}: {answer}"
        );
        assert_eq!(headers["retry-after"], "1", "{operation}");
        faults.clear();
    }
    assert_eq!(snapshot(&env).await, before, "nothing half-written");

    let (status, body) = env
        .call_in(&app, Method::POST, &path, Some(&confirm(&code)))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    env.deliver().await;
    assert_eq!(env.outbox_count(&id, "confirmed").await, 1);
    assert_eq!(
        env.sent().await.emails.len(),
        1,
        "one confirmation (the hold's message went stale unsent)"
    );
}

#[tokio::test]
async fn a_throttled_table_fails_the_stream_record_and_the_retry_sends_once() {
    let env = TestEnv::new().await;
    let start = env.first_free_id_card_slot().await;
    env.book(OLSZTYN, ID_CARD_APPLICATION, &start, &pesel(3), json!({}))
        .await;
    let faults = Faults::default();
    let app = env.faulty_container(&faults).await;
    let notifier = env
        .faulty_notifier(&Faults::default(), Duration::from_secs(5), app)
        .await;
    faults.arm("UpdateItem", Fault::ProvisionedThroughputExceeded, ALWAYS);
    let report = env.deliver_with(&notifier).await;
    assert_eq!(report.failed, 1, "reported for retry, not lost");
    assert!(env.sent().await.emails.is_empty());

    faults.clear();
    let report = env.deliver_with(&notifier).await;
    assert_eq!(report.failed, 0);
    assert_eq!(
        env.sent().await.emails.len(),
        1,
        "sent once after the fault"
    );
}

/// Books person `i` at the first free ID card slot, confirming by `channel`.
async fn book(env: &TestEnv, i: u32, channel: &str) -> String {
    let start = env.first_free_id_card_slot().await;
    let extra = json!({ "confirm_by": channel });
    env.book(OLSZTYN, ID_CARD_APPLICATION, &start, &pesel(i), extra)
        .await
}

#[tokio::test]
async fn ses_and_sns_failing_or_not_answering_are_retried_and_each_message_goes_out_once() {
    let env = TestEnv::new().await;
    let faults = Faults::default();
    let notifier = env
        .faulty_notifier(&faults, Duration::from_millis(500), env.app.clone())
        .await;
    // Fewer failures per record than the stream's bounded tries.
    let rounds = [
        (
            "email",
            "SendEmail",
            [
                Fault::Ses(429, "TooManyRequestsException"),
                Fault::Ses(500, "InternalFailure"),
                Fault::Hang,
            ],
        ),
        (
            "sms",
            "Publish",
            [
                Fault::Sns(400, "Throttling"),
                Fault::Sns(500, "InternalError"),
                Fault::Hang,
            ],
        ),
    ];
    for (i, (channel, operation, round)) in (1..).zip(rounds) {
        let id = book(&env, i, channel).await;
        for fault in round {
            faults.arm(operation, fault, ALWAYS);
            let report = env.deliver_with(&notifier).await;
            assert_eq!(report.failed, 1, "{operation} {fault:?}: retried");
            faults.clear();
        }
        let report = env.deliver_with(&notifier).await;
        assert_eq!(report.failed, 0, "{operation}: sent once the fault cleared");
        assert_eq!(
            s(&env.message(&id, "hold_created").await, "outcome"),
            "sent"
        );
    }
    let sent = env.sent().await;
    assert_eq!(sent.emails.len(), 2, "one email per hold in effect");
    assert_eq!(sent.sms.len(), 1, "one SMS in effect");
}

#[tokio::test]
async fn a_recipient_the_provider_refuses_for_good_finishes_the_message_at_once_and_staff_see_it() {
    let env = TestEnv::new().await;
    let start = env.first_free_id_card_slot().await;
    let id = env
        .book(
            OLSZTYN,
            ID_CARD_APPLICATION,
            &start,
            &pesel(5),
            json!({ "confirm_by": "sms" }),
        )
        .await;
    let faults = Faults::default();
    let notifier = env
        .faulty_notifier(&faults, Duration::from_secs(5), env.app.clone())
        .await;
    faults.arm("SendEmail", Fault::Ses(400, "BadRequestException"), ALWAYS);

    let report = env.deliver_with(&notifier).await;
    assert_eq!(report.failed, 0, "not retried: it cannot succeed");
    let message = env.message(&id, "hold_created").await;
    assert_eq!(s(&message, "outcome"), "undeliverable");
    assert_eq!(s(&message, "email_undeliverable"), "BadRequestException");
    let sent = env.sent().await;
    assert!(sent.emails.is_empty());
    assert_eq!(sent.sms.len(), 1, "the other channel still went out");
    assert!(
        !captured_log().contains(&env.email),
        "no address in the log"
    );

    // Confirmed by SMS: the clerk's list names the channel to avoid.
    assert!(
        !message.contains_key("confirm_code"),
        "the finished message keeps no code"
    );
    let code = code_in(&sent.sms[0].text);
    let (status, body) = env.confirm(&id, By::Code(&code)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let day = start[..10].to_owned();
    let (status, list) = env
        .call_as(
            Some("clerk.olsztyn"),
            Method::GET,
            &format!("/staff/offices/{OLSZTYN}/admission-list?date={day}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let entry = list["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["status"] == "confirmed")
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(entry["unreachable_by"], json!(["email"]));

    // A later message to the same booking is not held up either.
    let report = env.deliver_with(&notifier).await;
    assert_eq!(report.failed, 0);
}

#[tokio::test]
async fn a_lease_left_by_a_crashed_sender_is_waited_out_and_the_message_sent_once() {
    let env = TestEnv::new().await;
    let start = env.first_free_id_card_slot().await;
    let id = env
        .book(OLSZTYN, ID_CARD_APPLICATION, &start, &pesel(6), json!({}))
        .await;
    let outbox =
        termin::domain::ids::OutboxId::parse(&s(&env.message(&id, "hold_created").await, "id"))
            .unwrap();
    // A sender claimed the email and died before sending or giving it back.
    let claim = env
        .app
        .store
        .claim_delivery(
            outbox,
            termin::domain::booking::Channel::Email,
            env.app.clock.now(),
            DELIVERY_LEASE,
        )
        .await
        .unwrap();
    assert_eq!(claim, termin::store::Claim::Claimed);

    let before = env.app.clock.now();
    let report = env.deliver().await;
    assert_eq!(report.failed, 0, "the retry waited the lease out");
    assert!(env.app.clock.now() - before >= DELIVERY_LEASE);
    assert_eq!(env.sent().await.emails.len(), 1);
    let report = env.deliver().await;
    assert_eq!(report.failed, 0);
    assert_eq!(env.sent().await.emails.len(), 1, "and only once");
}

#[test]
fn the_delivery_lease_outlasts_a_send_and_ends_well_before_the_notify_function_times_out() {
    let template = termin_local::template::Template::workspace().unwrap();
    let timeout = template
        .resource("NotifyFunction")
        .and_then(|f| f["Properties"]["Timeout"].as_i64())
        .expect("the notify function has its own timeout");
    let send = chrono::Duration::from_std(termin::senders::SEND_TIMEOUT).unwrap();
    assert!(send < DELIVERY_LEASE, "a live sender is never overtaken");
    assert!(
        DELIVERY_LEASE + send < chrono::Duration::seconds(timeout),
        "a retry can wait out a lease and still send within {timeout} s"
    );
}

#[tokio::test]
async fn a_throttled_inbound_sms_or_sweep_is_a_retried_event_that_acts_once_when_the_fault_clears()
{
    use termin::service::SmsOutcome;
    use termin::service::sweeper::SweepConfig;
    let env = TestEnv::new().await;
    let faults = Faults::default();
    let app = env.faulty_container(&faults).await;

    // SNS: an inbound SMS with the right code while the table throttles.
    let id = book(&env, 7, "sms").await;
    env.deliver().await;
    let code = code_in(&env.sent().await.sms[0].text);
    let event = termin_local::inbound_sms_event(&env.phone, &code, "throttled-1");
    faults.arm("TransactWriteItems", Fault::Throttling, ALWAYS);
    assert!(
        sms_reply::process(&app, &event).await.is_err(),
        "an error, so Lambda retries the event"
    );
    assert_eq!(
        env.items_of("inbound_sms").await.len(),
        0,
        "nothing written"
    );
    faults.clear();
    let outcomes = sms_reply::process(&app, &event).await.unwrap();
    assert!(
        matches!(&outcomes[..], [SmsOutcome::Confirmed(_)]),
        "{outcomes:?}"
    );
    let again = sms_reply::process(&app, &event).await.unwrap();
    assert_eq!(again, vec![SmsOutcome::Duplicate], "acts once");
    assert_eq!(env.outbox_count(&id, "confirmed").await, 1);

    // Schedule: a sweep that meets throttling fails the run, the retry expires the hold.
    let lapsed = book(&env, 8, "email").await;
    env.advance(chrono::Duration::minutes(61));
    faults.arm(
        "TransactWriteItems",
        Fault::Cancelled("ThrottlingError"),
        ALWAYS,
    );
    let report = termin::service::sweeper::sweep(&app, SweepConfig::default()).await;
    assert!(
        report.is_err() || report.as_ref().is_ok_and(|r| r.failed > 0),
        "the run fails, so the schedule retries it: {report:?}"
    );
    faults.clear();
    let report = termin::service::sweeper::sweep(&app, SweepConfig::default())
        .await
        .unwrap();
    assert_eq!((report.expired, report.failed), (1, 0));
    assert_eq!(env.outbox_count(&lapsed, "expired").await, 1);
}
