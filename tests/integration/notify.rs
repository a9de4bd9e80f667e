//! Notifications: the stream → notify → SES/SNS (moto), end to end.

use lambda_http::http::StatusCode;
use serde_json::json;
use termin_local::sdk_config;
use termin_tests::*;

/// The value of `name=` in a link found in `text`.
fn link_param(text: &str, page: &str, name: &str) -> Option<String> {
    let start = text.find(page)?;
    let link: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '"' && *c != '<')
        .collect();
    // The booking and token ride in the fragment: never sent to a server.
    let query = link.split_once('#')?.1.replace("&amp;", "&");
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix(&format!("{name}=")).map(str::to_owned))
}

/// Books an ID card application in Olsztyn for person `i` with this test's
/// contact details, at the first free slot on or after `day`.
async fn book_olsztyn_on(env: &TestEnv, i: u32, day: chrono::NaiveDate) -> String {
    let start = env.first_free_slot(OLSZTYN, ID_CARD_APPLICATION, day).await;
    env.book(OLSZTYN, ID_CARD_APPLICATION, &start, &pesel(i), json!({}))
        .await
}

async fn book_olsztyn(env: &TestEnv, i: u32) -> String {
    book_olsztyn_on(env, i, tuesday()).await
}

/// How long before a visit its reminder is due.
const REMINDER_LEAD: chrono::Duration = chrono::Duration::hours(24);

/// Runs the reminder job once, returning how many reminders it queued.
async fn queue_reminders(env: &TestEnv) -> usize {
    termin::service::queue_reminders(&env.app, REMINDER_LEAD)
        .await
        .unwrap()
}

/// Sends what is waiting, then reads the token of the `page` link in the
/// first email sent to the citizen.
async fn emailed_token(env: &TestEnv, page: &str) -> String {
    env.deliver().await;
    link_param(&env.sent().await.emails[0].text, page, "token")
        .unwrap_or_else(|| panic!("the first email links to {page}"))
}

#[tokio::test]
async fn a_booking_emails_the_confirm_link_and_confirming_emails_the_qr_code_and_calendar_entry() {
    let env = TestEnv::new().await;
    let id = book_olsztyn(&env, 1).await;

    let report = env.deliver().await;
    assert_eq!(report.failed, 0);
    let sent = env.sent().await;
    assert_eq!(sent.emails.len(), 1, "one email for the hold");
    let hold = &sent.emails[0];
    assert!(!hold.subject.is_empty());
    assert!(
        hold.html.contains("confirm.html#booking="),
        "html has the confirm link, its token in the fragment"
    );
    assert!(
        !hold.text.contains("?booking=") && !hold.text.contains("?token="),
        "no token in a query string"
    );
    assert_eq!(
        link_param(&hold.text, "confirm.html", "booking").as_deref(),
        Some(id.as_str())
    );
    let token = link_param(&hold.text, "confirm.html", "token").expect("text has the confirm link");

    // The raw secrets leave the outbox item once it is sent.
    let outbox = env.message(&id, "hold_created").await;
    assert!(!outbox.contains_key("confirm_token") && !outbox.contains_key("confirm_code"));
    assert_eq!(s(&outbox, "outcome"), "sent");

    let (status, body) = env.confirm(&id, By::Token(&token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    env.deliver().await;
    let sent = env.sent().await;
    assert_eq!(sent.emails.len(), 2);
    let confirmed = &sent.emails[1];
    let kiosk_code = body["booking"]["kiosk_code"].as_str().unwrap();
    assert!(
        confirmed.text.contains(kiosk_code),
        "kiosk code in the text"
    );
    let qr = confirmed
        .attachments
        .iter()
        .find(|a| a.content_type == "image/png")
        .expect("a QR image");
    assert_eq!(qr.content_id.as_deref(), Some("kiosk-qr"));
    assert!(confirmed.html.contains("cid:kiosk-qr"));
    assert!(qr.bytes.starts_with(b"\x89PNG"));
    let ics = confirmed
        .attachments
        .iter()
        .find(|a| a.content_type.starts_with("text/calendar") || a.file_name.ends_with(".ics"))
        .expect("an .ics attachment");
    let calendar = parse_ics(&ics.bytes);
    assert_eq!(calendar.method.as_deref(), Some("PUBLISH"));
    assert_eq!(calendar.uid, format!("{id}@termin"));
    assert_eq!(calendar.sequence, 0);
    assert!(
        link_param(&confirmed.text, "cancel.html", "token").is_some(),
        "cancel link"
    );
}

struct Ics {
    method: Option<String>,
    uid: String,
    sequence: u32,
}

fn parse_ics(bytes: &[u8]) -> Ics {
    use icalendar::{Calendar, CalendarComponent, Component};
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let calendar: Calendar = text.parse().expect("a parseable .ics");
    let method = calendar.property_value("METHOD").map(str::to_owned);
    let event = calendar
        .components
        .iter()
        .find_map(|c| match c {
            CalendarComponent::Event(e) => Some(e.clone()),
            _ => None,
        })
        .expect("one VEVENT");
    Ics {
        method,
        uid: event.get_uid().unwrap_or_default().to_owned(),
        sequence: event.get_sequence().unwrap_or_default(),
    }
}

#[tokio::test]
async fn cancelling_sends_a_calendar_cancellation_with_the_same_uid_and_a_higher_sequence() {
    let env = TestEnv::new().await;
    let id = book_olsztyn(&env, 2).await;
    let token = emailed_token(&env, "cancel.html").await;
    let (status, body) = env.cancel(&id, &token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    env.deliver().await;
    let sent = env.sent().await;
    assert_eq!(sent.emails.len(), 2);
    let ics = sent.emails[1]
        .attachments
        .iter()
        .find(|a| a.file_name.ends_with(".ics"))
        .expect("an .ics with the cancellation");
    let calendar = parse_ics(&ics.bytes);
    assert_eq!(calendar.method.as_deref(), Some("CANCEL"));
    assert_eq!(calendar.uid, format!("{id}@termin"));
    assert!(calendar.sequence > 0);
}

#[tokio::test]
async fn a_record_delivered_twice_sends_one_email() {
    let env = TestEnv::new().await;
    book_olsztyn(&env, 3).await;
    let notifier = &env.notifier;
    env.pump
        .lock()
        .await
        .drain(
            |event| async move {
                let first = notify::process(notifier, &event).await;
                let second = notify::process(notifier, &event).await;
                assert!(
                    first.batch_item_failures.is_empty() && second.batch_item_failures.is_empty()
                );
                second
            },
            1,
        )
        .await
        .unwrap();
    assert_eq!(env.sent().await.emails.len(), 1);
}

#[tokio::test]
async fn a_failing_send_is_reported_for_retry_and_sent_on_the_retry() {
    let env = TestEnv::new().await;
    let id = book_olsztyn(&env, 4).await;
    // SES refuses a sender that is not verified.
    env.set_sender_verified(false).await;
    let report = env.deliver().await;
    assert_eq!(report.failed, 1, "the record is reported failed");
    assert!(env.sent().await.emails.is_empty());
    let outbox = env.message(&id, "hold_created").await;
    assert!(
        outbox.contains_key("confirm_token"),
        "nothing lost: the secret waits for the retry"
    );
    let log = captured_log();
    assert!(log.contains("reported for retry") && log.contains("MessageRejected"));
    assert!(!log.contains(&env.email), "no recipient address in the log");

    env.set_sender_verified(true).await;
    let report = env.deliver().await;
    assert_eq!(report.failed, 0);
    assert!(
        report.handled >= 1,
        "the failed record is handled on the retry"
    );
    assert_eq!(env.sent().await.emails.len(), 1);
}

#[tokio::test]
async fn an_expired_hold_is_announced_and_a_hold_confirmed_before_sending_is_not() {
    let env = TestEnv::new().await;
    let id = book_olsztyn(&env, 5).await;
    let token = emailed_token(&env, "confirm.html").await;
    env.advance(chrono::Duration::minutes(61));
    let (status, _) = env.confirm(&id, By::Token(&token)).await;
    assert_eq!(status, StatusCode::GONE);
    env.deliver().await;
    assert_eq!(env.sent().await.emails.len(), 2, "the expiry is announced");

    // A hold confirmed before its first message went out: the stale confirm link is not sent.
    let other = TestEnv::new().await;
    let id = book_olsztyn(&other, 6).await;
    let code = termin::domain::codes::ShortCode::parse(&s(
        &other.message(&id, "hold_created").await,
        "confirm_code",
    ))
    .unwrap();
    let (status, _) = other.confirm(&id, By::Code(code.as_str())).await;
    assert_eq!(status, StatusCode::OK);
    other.deliver().await;
    assert_eq!(
        s(&other.message(&id, "hold_created").await, "outcome"),
        "stale"
    );
    assert_eq!(other.sent().await.emails.len(), 1, "only the confirmation");
}

#[tokio::test]
async fn a_reminder_goes_out_once_a_day_before_and_its_link_cancels() {
    let env = TestEnv::new().await;
    // Thursday: confirmed on Monday, well before the reminder is due.
    let id = book_olsztyn_on(&env, 7, tuesday() + chrono::Duration::days(2)).await;
    let token = emailed_token(&env, "confirm.html").await;
    env.confirm(&id, By::Token(&token)).await;
    assert_eq!(queue_reminders(&env).await, 0, "not due yet");

    let booking = env
        .app
        .store
        .get_booking(termin::domain::ids::BookingId::parse(&id).unwrap())
        .await
        .unwrap()
        .unwrap();
    env.clock
        .set(booking.start - REMINDER_LEAD + chrono::Duration::minutes(5));
    assert_eq!(queue_reminders(&env).await, 1);
    assert_eq!(queue_reminders(&env).await, 0, "only once");
    env.deliver().await;
    let sent = env.sent().await;
    assert_eq!(sent.emails.len(), 3, "hold, confirmation, reminder");
    let cancel = link_param(&sent.emails[2].text, "cancel.html", "token")
        .expect("reminder has a cancel link");
    let (status, body) = env.cancel(&id, &cancel).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn the_sample_scheduled_event_runs_the_reminder_function() {
    let env = TestEnv::new().await;
    let raw = sample_event("remind.json");
    let event: aws_lambda_events::event::eventbridge::EventBridgeEvent<serde_json::Value> =
        serde_json::from_str(&raw).unwrap();
    let answer = remind::handle(
        &env.app,
        REMINDER_LEAD,
        lambda_runtime::LambdaEvent::new(event, lambda_runtime::Context::default()),
    )
    .await
    .unwrap();
    assert_eq!(answer, json!({ "queued": 0 }));
}

#[tokio::test]
async fn a_message_that_keeps_failing_is_moved_to_the_dead_letters_after_bounded_tries() {
    let env = TestEnv::new().await;
    book_olsztyn(&env, 8).await;
    env.set_sender_verified(false).await;
    let mut failures = 0;
    for _ in 0..termin_local::streams::MAX_TRIES + 2 {
        failures += env.deliver().await.failed;
    }
    assert_eq!(
        failures,
        termin_local::streams::MAX_TRIES as usize,
        "bounded tries"
    );
    let pump = env.pump.lock().await;
    assert_eq!(
        pump.dead_letters.len(),
        1,
        "the record is set aside, not lost"
    );
    assert!(pump.dead_letters[0].keys.contains("OUTBOX#"));
    let dead_letter = pump.dead_letters[0].lambda_message().to_string();
    drop(pump);
    assert!(env.sent().await.emails.is_empty());

    // The cause fixed, the operator replays the dead letter (README, "Operations").
    env.set_sender_verified(true).await;
    let streams = aws_sdk_dynamodbstreams::Client::new(&sdk_config(dynamodb_endpoint()).await);
    let event = termin_local::replay::replay_event(&streams, &dead_letter)
        .await
        .unwrap();
    assert_eq!(
        event.records.len(),
        1,
        "the record the dead letter points at"
    );
    for _ in 0..2 {
        let answer = notify::process(&env.notifier, &event).await;
        assert!(answer.batch_item_failures.is_empty());
    }
    assert_eq!(
        env.sent().await.emails.len(),
        1,
        "sent once, replayed twice"
    );
}
