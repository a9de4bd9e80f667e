//! The sample events in `events/` drive the handlers as Lambda would.

use termin_tests::*;

#[tokio::test]
async fn the_sample_api_gateway_event_books_through_the_book_handler() {
    let env = TestEnv::new().await;
    let raw = sample_event("book.json");
    let request = lambda_http::request::from_str(&raw).unwrap();
    let response = book::handle(&env.app, request).await.unwrap();
    assert_eq!(response.status(), 201);
    let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(body["status"], "pending");
    assert_eq!(env.items_of("booking").await.len(), 1);
}
