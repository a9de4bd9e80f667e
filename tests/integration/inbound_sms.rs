//! Confirming by SMS: the code goes out in one segment, an inbound reply with
//! it confirms, and duplicates, strangers and wrong codes change nothing else.

use serde_json::json;
use termin::domain::clock::Clock;
use termin::domain::sms_reply::{ReplyReason, Silence};
use termin::service::SmsOutcome;
use termin::store::TransitionRefusal;
use termin_local::inbound_sms_event;
use termin_tests::*;

async fn book_by_sms(env: &TestEnv, i: u32) -> String {
    let start = env.first_free_id_card_slot().await;
    env.book(
        OLSZTYN,
        ID_CARD_APPLICATION,
        &start,
        &pesel(i),
        json!({ "confirm_by": "sms" }),
    )
    .await
}

/// Sends what is waiting and reads the confirmation code from the first SMS.
async fn code_sent(env: &TestEnv) -> String {
    env.deliver().await;
    code_in(&env.sent().await.sms[0].text)
}

async fn reply(env: &TestEnv, from: &str, body: &str, id: &str) -> Vec<SmsOutcome> {
    sms_reply::process(&env.app, &inbound_sms_event(from, body, id))
        .await
        .unwrap()
}

async fn status(env: &TestEnv, id: &str) -> String {
    let booking = env.items_of("booking").await;
    let item = booking.iter().find(|b| s(b, "id") == id).unwrap();
    s(item, "status")
}

#[tokio::test]
async fn the_code_goes_out_in_one_sms_and_a_reply_with_it_confirms_once() {
    let env = TestEnv::new().await;
    let id = book_by_sms(&env, 1).await;
    env.deliver().await;
    let sms = env.sent().await.sms;
    assert_eq!(sms.len(), 1, "one SMS with the code");
    assert!(
        termin::messages::sms_segments::fits_one_segment(&sms[0].text),
        "{:?}",
        sms[0].text
    );
    let code = code_in(&sms[0].text);

    let spaced = format!(" {} {} ", code[..3].to_lowercase(), &code[3..]);
    let outcome = reply(&env, &env.phone, &spaced, "in-1").await;
    assert!(
        matches!(outcome[..], [SmsOutcome::Confirmed(_)]),
        "{outcome:?}"
    );
    assert_eq!(status(&env, &id).await, "confirmed");

    let again = reply(&env, &env.phone, &code, "in-1").await;
    assert_eq!(again, vec![SmsOutcome::Duplicate]);
    assert_eq!(
        env.outbox_count(&id, "confirmed").await,
        1,
        "the duplicate had no second effect"
    );

    env.deliver().await;
    let sms = env.sent().await.sms;
    assert_eq!(sms.len(), 2, "the confirmation goes out by SMS too");
    assert!(
        sms.iter()
            .all(|m| termin::messages::sms_segments::fits_one_segment(&m.text))
    );
}

#[tokio::test]
async fn a_reply_from_another_number_confirms_nothing_and_is_answered_once_a_day() {
    let env = TestEnv::new().await;
    let id = book_by_sms(&env, 2).await;
    let code = code_sent(&env).await;
    let stranger = "+48691000111";
    let outcome = reply(&env, stranger, &code, "in-2").await;
    assert_eq!(
        outcome,
        vec![SmsOutcome::Replied(ReplyReason::UnknownNumber)]
    );
    assert_eq!(status(&env, &id).await, "pending");
    env.deliver().await;
    let answer = env.sms_to(stranger).await;
    assert!(!answer.is_empty(), "the stranger is told");
    assert!(termin::messages::sms_segments::fits_one_segment(
        &answer.last().unwrap().text
    ));

    // An auto-responder answering back gets no second answer that day.
    let again = reply(&env, stranger, "Thank you for your message", "in-3").await;
    assert_eq!(again, vec![SmsOutcome::NotAnswered(Silence::AnsweredToday)]);
    env.deliver().await;
    assert_eq!(env.sms_to(stranger).await.len(), answer.len());
    // The next day it is answered once more.
    env.advance(chrono::Duration::days(1));
    let next_day = reply(&env, stranger, "Thank you for your message", "in-4").await;
    assert_eq!(
        next_day,
        vec![SmsOutcome::Replied(ReplyReason::UnknownNumber)]
    );
}

#[tokio::test]
async fn wrong_codes_count_towards_the_lockout_and_are_answered() {
    let env = TestEnv::new().await;
    let id = book_by_sms(&env, 3).await;
    let code = code_sent(&env).await;
    let wrong = if code == "AAAAAA" { "CCCCCC" } else { "AAAAAA" };
    for (i, left) in (0..5).zip([4u32, 3, 2, 1, 0]) {
        let outcome = reply(&env, &env.phone, wrong, &format!("wrong-{i}")).await;
        assert_eq!(
            outcome,
            vec![SmsOutcome::Replied(ReplyReason::WrongCode {
                tries_left: left
            })]
        );
    }
    let outcome = reply(&env, &env.phone, &code, "right-after-lock").await;
    assert_eq!(outcome, vec![SmsOutcome::Replied(ReplyReason::CodeLocked)]);
    assert_eq!(status(&env, &id).await, "pending");
    env.deliver().await;
    assert_eq!(env.sent().await.sms.len(), 1 + 6, "each reply is answered");
}

#[tokio::test]
async fn replies_arriving_in_either_order_end_confirmed() {
    for order in [["wrong", "right"], ["right", "wrong"]] {
        let env = TestEnv::new().await;
        let id = book_by_sms(&env, 4).await;
        let code = code_sent(&env).await;
        for (i, which) in order.iter().enumerate() {
            let body = if *which == "right" {
                code.clone()
            } else {
                "TTTTTT".into()
            };
            reply(&env, &env.phone, &body, &format!("{which}-{i}")).await;
        }
        assert_eq!(status(&env, &id).await, "confirmed", "{order:?}");
    }
}

#[tokio::test]
async fn a_wrong_code_for_several_holds_one_of_which_changed_meanwhile_is_a_state_change() {
    use termin::domain::contact::PhoneNumber;
    use termin::domain::ids::BookingId;
    use termin::domain::ids::OutboxId;
    use termin::domain::outbox::OutboxMessage;
    let env = TestEnv::new().await;
    let first = book_by_sms(&env, 1).await;
    let second = book_by_sms(&env, 2).await;
    // Read as open holds; then the second is cancelled before the write.
    let manage = s(&env.message(&second, "hold_created").await, "manage_token");
    let (cancelled, body) = env.cancel(&second, &manage).await;
    assert_eq!(cancelled, 200, "{body}");
    let holds = [first.as_str(), second.as_str()].map(|id| BookingId::parse(id).unwrap());
    let now = env.clock.now();
    let reply = OutboxMessage::sms_reply(
        OutboxId::from_ulid(ulid::Ulid::new()),
        None,
        PhoneNumber::from_e164(&env.phone).unwrap(),
        ReplyReason::WrongCode { tries_left: 4 },
        termin::domain::catalog::Lang::Pl,
        now,
    );
    let written = env
        .app
        .store
        .record_wrong_codes(&holds, &reply, now, "inbound-race-1")
        .await;
    assert_eq!(
        written.map_err(|e| e.to_string()),
        Ok(Err(TransitionRefusal::StateChanged)),
        "decided again, not a store error"
    );
    assert_eq!(status(&env, &first).await, "pending");
}

#[tokio::test]
async fn the_right_code_after_the_hour_expires_the_hold() {
    let env = TestEnv::new().await;
    let id = book_by_sms(&env, 5).await;
    let code = code_sent(&env).await;
    env.advance(chrono::Duration::minutes(61));
    let outcome = reply(&env, &env.phone, &code, "late").await;
    assert!(
        matches!(outcome[..], [SmsOutcome::Expired(_)]),
        "{outcome:?}"
    );
    assert_eq!(status(&env, &id).await, "expired");
    assert_eq!(
        env.booked_units(OLSZTYN, CIVIL_AFFAIRS).await,
        0,
        "the seat is back"
    );
}

#[tokio::test]
async fn the_sample_inbound_sms_event_is_answered_through_the_outbox() {
    let env = TestEnv::new().await;
    let raw = sample_event("sms-reply.json");
    let event: aws_lambda_events::event::sns::SnsEvent = serde_json::from_str(&raw).unwrap();
    let outcome = sms_reply::handle(
        &env.app,
        lambda_runtime::LambdaEvent::new(event, lambda_runtime::Context::default()),
    )
    .await
    .unwrap();
    assert_eq!(
        outcome,
        vec![SmsOutcome::Replied(ReplyReason::UnknownNumber)]
    );
    let replies = env.items_of("outbox").await;
    assert_eq!(replies.len(), 1);
    assert_eq!(s(&replies[0], "kind"), "sms_reply");
}

#[tokio::test]
async fn the_sample_stream_event_sends_its_outbox_message() {
    let env = TestEnv::new().await;
    let raw = sample_event("notify-stream.json");
    let event: aws_lambda_events::event::dynamodb::Event = serde_json::from_str(&raw).unwrap();
    // The record announces an item that was written: write it, as the table would have.
    let image = event.records[0].change.new_image.clone();
    let item: std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue> =
        image.into();
    env.app
        .store
        .client()
        .put_item()
        .table_name(env.app.store.table())
        .set_item(Some(item))
        .send()
        .await
        .unwrap();
    let response = notify::handle(
        &env.notifier,
        lambda_runtime::LambdaEvent::new(event, lambda_runtime::Context::default()),
    )
    .await
    .unwrap();
    assert!(response.batch_item_failures.is_empty());
    let sms = env.sms_to("+48601999001").await;
    assert_eq!(sms.len(), 1, "the sample reply went out");
}

#[tokio::test]
async fn the_right_code_confirms_a_hold_however_many_newer_holds_share_its_number() {
    let env = TestEnv::new().await;
    // An office that lets one number and address hold more than the default
    // three (phone) and five (email) a day.
    env.edit_catalog(OLSZTYN, |catalog| {
        catalog.office.limits.sms_holds_per_phone.max = 20;
        catalog.office.limits.holds_per_email.max = 20;
    })
    .await;
    let oldest = book_by_sms(&env, 1).await;
    let code = code_sent(&env).await;
    // Newer holds with the same number (someone else's, say) push it past
    // the newest ten.
    for i in 2..=12 {
        book_by_sms(&env, i).await;
    }
    let outcome = reply(&env, &env.phone, &code, "among-many").await;
    assert!(
        matches!(&outcome[..], [SmsOutcome::Confirmed(id)] if id.to_string() == oldest),
        "{outcome:?}"
    );
    assert_eq!(status(&env, &oldest).await, "confirmed");
}

#[tokio::test]
async fn an_sms_from_a_number_that_is_not_mobile_gets_no_answer_and_is_not_counted() {
    let env = TestEnv::new().await;
    // An Olsztyn fixed line and a Polish toll-free number: nothing waits for them.
    for (i, number) in ["+48895273111", "+48800123456"].into_iter().enumerate() {
        let outcome = reply(&env, number, "STOP", &format!("not-mobile-{i}")).await;
        assert_eq!(outcome, vec![SmsOutcome::NotAnswered(Silence::NotMobile)]);
    }
    // Alphanumeric sender IDs and short codes are no phone numbers at all.
    for (i, sender) in ["TERMIN", "8080"].into_iter().enumerate() {
        let outcome = reply(&env, sender, "Hello", &format!("no-number-{i}")).await;
        assert!(outcome.is_empty(), "{sender}: {outcome:?}");
    }
    // Mobiles, Polish and Czech, with nothing waiting are answered.
    for (i, mobile) in ["+48601000222", "+420601123456"].into_iter().enumerate() {
        let outcome = reply(&env, mobile, "STOP", &format!("mobile-{i}")).await;
        assert_eq!(
            outcome,
            vec![SmsOutcome::Replied(ReplyReason::UnknownNumber)],
            "{mobile}"
        );
    }
    // Nothing was counted or queued for the fixed line and the toll-free
    // number: the counters and messages are the mobiles' answers.
    assert_eq!(env.items_of("limit_counter").await.len(), 2);
    assert_eq!(env.items_of("outbox").await.len(), 2);

    env.deliver().await;
    for number in ["+48895273111", "+48800123456"] {
        assert!(env.sms_to(number).await.is_empty(), "{number} got an SMS");
    }
    for mobile in ["+48601000222", "+420601123456"] {
        assert_eq!(env.sms_to(mobile).await.len(), 1, "{mobile}");
    }
    let log = captured_log();
    assert!(
        log.contains("NotAnswered(NotMobile)"),
        "the outcome is logged"
    );
    for digits in ["895273111", "800123456"] {
        assert!(!log.contains(digits), "{digits} appears in the log");
    }
}
