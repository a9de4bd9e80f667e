//! Staff routes: the token checked as the HttpApi JWT authorizer checks it,
//! the role and office by the function.

use lambda_http::http::{Method, StatusCode};
use serde_json::{Value, json};
use termin_tests::*;

async fn admission_list(env: &TestEnv, user: Option<&str>, query: &str) -> (StatusCode, Value) {
    let path = format!("/staff/offices/{OLSZTYN}/admission-list?{query}");
    env.call_as(user, Method::GET, &path, None).await
}

#[tokio::test]
async fn a_clerk_sees_the_days_admission_list_without_names_or_contacts() {
    let env = TestEnv::new().await;
    let first = env.first_free_id_card_slot().await;
    let id_card = env
        .book(OLSZTYN, ID_CARD_APPLICATION, &first, &pesel(1), json!({}))
        .await;
    let pickup_slot = env
        .first_free_slot(OLSZTYN, "id-card-pickup", tuesday())
        .await;
    env.book(
        OLSZTYN,
        "id-card-pickup",
        &pickup_slot,
        &pesel(2),
        json!({ "application_number": "ZAS/2026/0042" }),
    )
    .await;
    let vehicles = env
        .first_free_slot(OLSZTYN, "vehicle-registration", tuesday())
        .await;
    env.book(
        OLSZTYN,
        "vehicle-registration",
        &vehicles,
        &pesel(3),
        json!({}),
    )
    .await;

    let (status, list) = admission_list(&env, Some("clerk.olsztyn"), "date=2026-11-24").await;
    assert_eq!(status, 200, "{list}");
    let entries = list["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    let starts: Vec<&str> = entries
        .iter()
        .map(|e| e["start"].as_str().unwrap())
        .collect();
    assert!(starts.windows(2).all(|w| w[0] <= w[1]), "in start order");
    let pickup = entries
        .iter()
        .find(|e| e["service_id"] == "id-card-pickup")
        .unwrap();
    assert_eq!(pickup["application_number"], "ZAS/2026/0042");
    assert_eq!(pickup["status"], "pending");
    let text = list.to_string();
    for personal in ["Anna", "Kowalska", "example.pl", &pesel(1), "+48"] {
        assert!(!text.contains(personal), "{personal} is not on the list");
    }
    assert!(
        entries
            .iter()
            .any(|e| e["public_ref"].as_str().unwrap().len() == 8
                && e["service_id"] == ID_CARD_APPLICATION),
        "{id_card}: the booking reference"
    );

    let (status, list) =
        admission_list(&env, Some("admin.olsztyn"), "date=2026-11-24&desk_group=P").await;
    assert_eq!(status, 200);
    assert_eq!(
        list["entries"].as_array().unwrap().len(),
        1,
        "vehicles only"
    );

    let (status, _) = admission_list(&env, None, "date=2026-11-24").await;
    assert_eq!(status, 401);
    let (status, body) = admission_list(&env, Some("clerk.mielec"), "date=2026-11-24").await;
    assert_eq!(
        (status.as_u16(), body["error"]["code"].clone()),
        (403, json!("forbidden"))
    );
    let (status, _) = admission_list(&env, Some("clerk.olsztyn"), "date=24.11.2026").await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn the_sample_staff_event_lifts_a_block_through_the_staff_handler() {
    let env = TestEnv::new().await;
    // The sample's person (PESEL 44051401359) misses a visit and is blocked.
    let start = env.first_free_id_card_slot().await;
    let id = env
        .book(
            OLSZTYN,
            ID_CARD_APPLICATION,
            &start,
            "44051401359",
            json!({}),
        )
        .await;
    let token = s(&env.message(&id, "hold_created").await, "confirm_token");
    assert_eq!(env.confirm(&id, By::Token(&token)).await.0, 200);
    let start = chrono::DateTime::parse_from_rfc3339(&start)
        .unwrap()
        .to_utc();
    env.clock.set(start + chrono::Duration::minutes(11));
    let report = termin::service::sweeper::sweep(&env.app, Default::default())
        .await
        .unwrap();
    assert_eq!(report.blocks, 1);

    // API Gateway hands the handler the verified claims in the request context.
    let request = lambda_http::request::from_str(&sample_event("staff-lift-block.json")).unwrap();
    let response = staff::handle(&env.app, request).await.unwrap();
    let body: Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(response.status(), 200, "{body}");
    assert_eq!(body["lifted"], true);
    assert!(env.items_of("block").await.is_empty());
}
