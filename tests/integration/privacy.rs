//! No national ID in plain text in any item or log line.

use serde_json::json;
use termin_tests::*;

#[tokio::test]
async fn no_personal_data_is_stored_as_a_plain_national_id_or_logged() {
    let env = TestEnv::new().await;
    let national_id = pesel(77);
    let (id, start) = env.book_first_free(&national_id).await;
    // Bad input with personal data in it, and a cancellation by national ID.
    env.post(
        "/bookings",
        &json!({ "national_id": national_id, "email": 5 }),
    )
    .await;
    let cancel = cancel_request(OLSZTYN, ID_CARD_APPLICATION, &start[..10], &national_id);
    assert_eq!(env.cancel_by_national_id(&cancel).await.0, 202);

    let items = format!("{:?}", env.items().await);
    assert!(items.contains(&id), "the scan saw the booking");
    assert!(
        !items.contains(&national_id),
        "a national ID is stored in plain text"
    );

    let log = captured_log();
    assert!(
        log.contains("hold created") && log.contains(&id),
        "the log was captured"
    );
    for personal in [
        national_id.as_str(),
        "Kowalska",
        email_of(&national_id).as_str(),
        "601234567",
        "601 234 567",
    ] {
        assert!(!log.contains(personal), "{personal} appears in the log");
    }
}

#[tokio::test]
async fn no_raw_token_or_code_is_stored_where_the_stream_or_a_backup_can_read_it() {
    let env = TestEnv::new().await;
    let start = env.first_free_id_card_slot().await;
    let id = env
        .book(OLSZTYN, ID_CARD_APPLICATION, &start, &pesel(78), json!({}))
        .await;
    let hold = env.message(&id, "hold_created").await;
    let secrets = ["confirm_token", "confirm_code", "manage_token"].map(|f| s(&hold, f));
    assert!(secrets.iter().all(|v| v.len() >= 6), "{secrets:?}");
    // Every item as the table holds it (the stream carries the same images).
    let items = format!("{:?}", env.items().await);
    for secret in &secrets {
        assert!(!items.contains(secret.as_str()), "a raw secret is stored");
    }
    // Notify opens them: the email carries the links and the code.
    env.deliver().await;
    let text: String = env
        .sent()
        .await
        .emails
        .into_iter()
        .map(|e| e.text)
        .collect();
    for secret in &secrets {
        assert!(text.contains(secret.as_str()), "{text}");
    }
}
