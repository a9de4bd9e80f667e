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
async fn concurrent_requests_with_one_idempotency_key_make_one_booking() {
    let env = TestEnv::new().await;
    let body = env.first_free_request(&pesel(2)).await;
    let key = [("idempotency-key", "same-key")];
    let calls = (0..10).map(|_| env.call(Method::POST, "/bookings", Some(&body), &key));
    let results = futures::future::join_all(calls).await;
    let ids: std::collections::HashSet<String> = results
        .iter()
        .filter(|(s, _)| *s == 201)
        .map(|(_, b)| b["booking_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 1, "{results:?}");
    env.assert_one_booking_made(&results).await;
}
