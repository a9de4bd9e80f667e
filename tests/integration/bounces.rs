//! SES's bounce and complaint events: the addresses are marked, and a later
//! booking with one of them is refused with a clear message.

use aws_lambda_events::event::sns::SnsEvent;
use lambda_http::http::StatusCode;
use serde_json::Value;
use termin_tests::*;

#[tokio::test]
async fn bounced_and_complaining_addresses_are_refused_for_later_bookings_and_others_are_not() {
    let env = TestEnv::new().await;
    let event: SnsEvent = serde_json::from_str(&sample_event("bounces.json")).unwrap();
    let marked = bounces::process(&env.app, &event).await.unwrap();
    assert_eq!(
        marked, 2,
        "the permanent bounce and the complaint, not the full mailbox"
    );

    let start = env.first_free_id_card_slot().await;
    for (i, email, refused) in [
        (1, "nieistnieje@example.pl", true),
        (2, "skarga@EXAMPLE.pl", true),
        (3, "pelna@example.pl", false),
    ] {
        let mut body = booking_body(OLSZTYN, ID_CARD_APPLICATION, &start, &pesel(i));
        body["email"] = Value::from(email);
        let (status, answer) = env.post("/bookings", &body).await;
        if refused {
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{email}: {answer}"
            );
            let field = &answer["error"]["fields"][0];
            assert_eq!(field["field"], "email");
            assert_eq!(field["code"], "undeliverable");
        } else {
            assert_eq!(status, StatusCode::CREATED, "{email}: {answer}");
        }
    }
    assert_eq!(
        env.items_of("booking").await.len(),
        1,
        "nothing written for a refused address"
    );
    let log = captured_log();
    assert!(!log.contains("nieistnieje@") && !log.contains("skarga@"));
}
