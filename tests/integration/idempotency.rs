use lambda_http::http::Method;
use termin_tests::*;

#[tokio::test]
async fn a_repeated_idempotency_key_returns_the_same_answer_and_one_booking() {
    let env = TestEnv::new().await;
    let body = env.first_free_request(&pesel(1)).await;
    let key = [("idempotency-key", "3f1c2a-retry-1")];

    let first = env.call(Method::POST, "/bookings", Some(&body), &key).await;
    assert_eq!(first.0, 201, "{}", first.1);
    let second = env.call(Method::POST, "/bookings", Some(&body), &key).await;
    assert_eq!(second, first);
    assert_eq!(env.items_of("booking").await.len(), 1);

    let mut other = body.clone();
    other["first_name"] = serde_json::json!("Ewa");
    let (status, reply) = env
        .call(Method::POST, "/bookings", Some(&other), &key)
        .await;
    assert_eq!(status, 422);
    assert_eq!(reply["error"]["code"], "idempotency_key_reused");
    assert_eq!(env.items_of("booking").await.len(), 1);
}

#[tokio::test]
async fn concurrent_requests_with_one_idempotency_key_all_get_the_one_answer() {
    let env = TestEnv::new().await;
    let body = env.first_free_request(&pesel(2)).await;
    let key = [("idempotency-key", "same-key")];
    let calls = (0..10).map(|_| env.call(Method::POST, "/bookings", Some(&body), &key));
    let results = futures::future::join_all(calls).await;
    assert_eq!(results[0].0, 201, "{results:?}");
    assert!(
        results.iter().all(|r| *r == results[0]),
        "the racing retries replay the first answer: {results:?}"
    );
    env.assert_one_booking_made(&results).await;
}

#[tokio::test]
async fn the_stored_request_digest_is_keyed_so_a_table_copy_cannot_reverse_it() {
    use sha2::Digest as _;
    let env = TestEnv::new().await;
    let body = env.first_free_request(&pesel(3)).await;
    let raw = body.to_string();
    let (status, _) = env
        .call_raw(
            Method::POST,
            "/bookings",
            raw.clone(),
            &[("idempotency-key", "keyed-1")],
        )
        .await;
    assert_eq!(status, 201);
    let stored = s(&env.items_of("idempotency").await[0], "request_digest");
    let unkeyed: String = sha2::Sha256::digest(raw.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_ne!(stored, unkeyed, "not a plain hash of the body");
    assert!(!stored.is_empty());
}

#[tokio::test]
async fn a_stored_answer_past_its_retention_is_not_replayed_and_the_key_is_free_again() {
    let env = TestEnv::new().await;
    let key = [("idempotency-key", "old-key")];
    let body = env.first_free_request(&pesel(4)).await;
    let (status, _) = env.call(Method::POST, "/bookings", Some(&body), &key).await;
    assert_eq!(status, 201);

    // A day later (the item still there: TTL deletes within days), another request.
    env.advance(chrono::Duration::hours(25));
    let other = env.first_free_request(&pesel(5)).await;
    let (status, reply) = env
        .call(Method::POST, "/bookings", Some(&other), &key)
        .await;
    assert_eq!(status, 201, "not idempotency_key_reused: {reply}");
    let (again, replayed) = env
        .call(Method::POST, "/bookings", Some(&other), &key)
        .await;
    assert_eq!(again, 201);
    assert_eq!(replayed, reply, "and the new answer is replayed");
}

#[tokio::test]
async fn a_booking_whose_answer_was_lost_and_retried_by_the_sdk_is_created_once_with_201() {
    let env = TestEnv::new().await;
    let faults = Faults::default();
    let app = env.faulty_container(&faults).await;
    let start = env.first_free_id_card_slot().await;
    let body = env.contact_body(OLSZTYN, ID_CARD_APPLICATION, &start, &pesel(6));
    faults.arm("TransactWriteItems", Fault::LostAnswer, 1);
    let (status, reply) = env
        .call_in(&app, Method::POST, "/bookings", Some(&body))
        .await;
    assert_eq!(faults.injected(), 1);
    assert_eq!(
        status, 201,
        "the SDK's retry is answered as done, not as already booked: {reply}"
    );
    assert_eq!(env.items_of("booking").await.len(), 1);
    env.deliver().await;
    assert_eq!(env.sent().await.emails.len(), 1);
}
