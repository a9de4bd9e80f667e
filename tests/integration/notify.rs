//! Notifications: the stream → notify → SES/SNS (moto), end to end.

use lambda_http::http::StatusCode;
use serde_json::json;
use termin_tests::*;

/// The value of `name=` in a link found in `text`.
fn link_param(text: &str, page: &str, name: &str) -> Option<String> {
    let start = text.find(page)?;
    let link: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '"' && *c != '<')
        .collect();
    let query = link.split_once('?')?.1.replace("&amp;", "&");
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix(&format!("{name}=")).map(str::to_owned))
}

async fn book_olsztyn(env: &TestEnv, i: u32, extra: serde_json::Value) -> String {
    book_olsztyn_on(env, i, extra, tuesday()).await
}

async fn book_olsztyn_on(
    env: &TestEnv,
    i: u32,
    extra: serde_json::Value,
    day: chrono::NaiveDate,
) -> String {
    let start = env
        .first_free_slot("olsztyn", "id-card-application", day)
        .await;
    env.book("olsztyn", "id-card-application", &start, &pesel(i), extra)
        .await
}

#[tokio::test]
async fn a_booking_emails_the_confirm_link_and_confirming_emails_the_qr_code_and_calendar_entry() {
    let env = TestEnv::new().await;
    let id = book_olsztyn(&env, 1, json!({})).await;

    let report = env.deliver().await;
    assert_eq!(report.failed, 0);
    let sent = env.sent().await;
    assert_eq!(sent.emails.len(), 1, "one email for the hold");
    let hold = &sent.emails[0];
    assert!(!hold.subject.is_empty());
    assert!(
        hold.html.contains("confirm.html?booking="),
        "html has the confirm link"
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

    let (status, body) = env
        .post(
            &format!("/bookings/{id}/confirm"),
            &json!({ "token": token }),
        )
        .await;
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
    let id = book_olsztyn(&env, 2, json!({})).await;
    env.deliver().await;
    let token = link_param(&env.sent().await.emails[0].text, "cancel.html", "token").unwrap();
    let (status, body) = env
        .post(
            &format!("/bookings/{id}/cancel"),
            &json!({ "token": token }),
        )
        .await;
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
    book_olsztyn(&env, 3, json!({})).await;
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
    let id = book_olsztyn(&env, 4, json!({})).await;
    // SES refuses a sender that is not verified.
    env.notifier
        .senders
        .ses()
        .delete_email_identity()
        .email_identity(&env.sender_domain)
        .send()
        .await
        .unwrap();
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

    env.notifier
        .senders
        .ses()
        .create_email_identity()
        .email_identity(&env.sender_domain)
        .send()
        .await
        .unwrap();
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
    let id = book_olsztyn(&env, 5, json!({})).await;
    env.deliver().await;
    let token = link_param(&env.sent().await.emails[0].text, "confirm.html", "token").unwrap();
    env.advance(chrono::Duration::minutes(61));
    let (status, _) = env
        .post(
            &format!("/bookings/{id}/confirm"),
            &json!({ "token": token }),
        )
        .await;
    assert_eq!(status, StatusCode::GONE);
    env.deliver().await;
    assert_eq!(env.sent().await.emails.len(), 2, "the expiry is announced");

    // A hold confirmed before its first message went out: the stale confirm link is not sent.
    let other = TestEnv::new().await;
    let id = book_olsztyn(&other, 6, json!({})).await;
    let code = termin::domain::codes::ShortCode::parse(&s(
        &other.message(&id, "hold_created").await,
        "confirm_code",
    ))
    .unwrap();
    let (status, _) = other
        .post(
            &format!("/bookings/{id}/confirm"),
            &json!({ "code": code.as_str() }),
        )
        .await;
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
    let id = book_olsztyn_on(&env, 7, json!({}), tuesday() + chrono::Duration::days(2)).await;
    env.deliver().await;
    let token = link_param(&env.sent().await.emails[0].text, "confirm.html", "token").unwrap();
    env.post(
        &format!("/bookings/{id}/confirm"),
        &json!({ "token": token }),
    )
    .await;
    let lead = chrono::Duration::hours(24);
    assert_eq!(
        termin::service::queue_reminders(&env.app, lead)
            .await
            .unwrap(),
        0,
        "not due yet"
    );

    let booking = env
        .app
        .store
        .get_booking(termin::domain::ids::BookingId::parse(&id).unwrap())
        .await
        .unwrap()
        .unwrap();
    env.clock
        .set(booking.start - lead + chrono::Duration::minutes(5));
    assert_eq!(
        termin::service::queue_reminders(&env.app, lead)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        termin::service::queue_reminders(&env.app, lead)
            .await
            .unwrap(),
        0,
        "only once"
    );
    env.deliver().await;
    let sent = env.sent().await;
    assert_eq!(sent.emails.len(), 3, "hold, confirmation, reminder");
    let cancel = link_param(&sent.emails[2].text, "cancel.html", "token")
        .expect("reminder has a cancel link");
    let (status, body) = env
        .post(
            &format!("/bookings/{id}/cancel"),
            &json!({ "token": cancel }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn the_sample_scheduled_event_runs_the_reminder_function() {
    let env = TestEnv::new().await;
    let raw =
        std::fs::read_to_string(termin_local::workspace_root().join("events/remind.json")).unwrap();
    let event: aws_lambda_events::event::eventbridge::EventBridgeEvent<serde_json::Value> =
        serde_json::from_str(&raw).unwrap();
    let answer = remind::handle(
        &env.app,
        chrono::Duration::hours(24),
        lambda_runtime::LambdaEvent::new(event, lambda_runtime::Context::default()),
    )
    .await
    .unwrap();
    assert_eq!(answer, json!({ "queued": 0 }));
}

#[tokio::test]
async fn a_message_that_keeps_failing_is_moved_to_the_dead_letters_after_bounded_tries() {
    let env = TestEnv::new().await;
    book_olsztyn(&env, 8, json!({})).await;
    env.notifier
        .senders
        .ses()
        .delete_email_identity()
        .email_identity(&env.sender_domain)
        .send()
        .await
        .unwrap();
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
    assert!(env.sent().await.emails.is_empty());
}
