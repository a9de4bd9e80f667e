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

/// A sample event's answer from `handler`: its status and JSON (or text) body.
async fn run_sample<F, Fut>(name: &str, handler: F) -> (u16, String)
where
    F: FnOnce(lambda_http::Request) -> Fut,
    Fut: std::future::Future<
            Output = Result<lambda_http::Response<lambda_http::Body>, lambda_http::Error>,
        >,
{
    let request = lambda_http::request::from_str(&sample_event(name)).unwrap();
    let response = handler(request).await.unwrap();
    let body = String::from_utf8_lossy(response.body()).into_owned();
    (response.status().as_u16(), body)
}

#[tokio::test]
async fn the_sample_staff_and_admin_events_run_through_their_handlers() {
    let env = TestEnv::new().await;
    let request = lambda_http::request::from_str(&sample_event("book.json")).unwrap();
    assert_eq!(book::handle(&env.app, request).await.unwrap().status(), 201);
    let app = &env.app;

    let (status, body) = run_sample("staff-search-bookings.json", |r| staff::handle(app, r)).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("Kowalska"),
        "the booking of the sample's national ID: {body}"
    );
    let (status, body) = run_sample("staff-export-person.json", |r| staff::handle(app, r)).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("Kowalska"),
        "the booking of the sample's address: {body}"
    );
    let (status, body) = run_sample("staff-admission-list.json", |r| staff::handle(app, r)).await;
    assert_eq!(status, 200, "{body}");

    let (status, body) = run_sample("admin-catalog.json", |r| admin::handle(app, r)).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"version\""), "{body}");
    let (status, body) = run_sample("admin-kiosks.json", |r| admin::handle(app, r)).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("olsztyn-hall-1"), "the demo kiosk: {body}");
    let (status, body) = run_sample("admin-statistics.json", |r| admin::handle(app, r)).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.starts_with("date,"), "a CSV with its header: {body}");
}
