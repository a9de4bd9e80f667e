//! What the functions really answer, through the document's routes, against
//! the document's response schemas (`infra/openapi.yaml`): a booking's way
//! from the slot list to the desk, and the errors met on the way.

use crate::kiosk::{Kiosk, confirmed};
use chrono::Duration;
use lambda_http::http::{Method, StatusCode};
use serde_json::{Value, json};
use termin::domain::clock::Clock;
use termin_local::openapi::ApiDocument;
use termin_local::template::Template;
use termin_tests::*;

const CLERK: Option<&str> = Some("clerk.olsztyn");

/// Checks an answer against the schema the document gives its route and
/// status, and passes it on.
fn conforms(
    env: &TestEnv,
    doc: &ApiDocument,
    method: &Method,
    path: &str,
    (status, body): (StatusCode, Value),
) -> (StatusCode, Value) {
    let bare = path.split('?').next().unwrap_or(path);
    let (route, _) = env
        .router
        .find(method, bare)
        .unwrap_or_else(|| panic!("{method} {bare} is not routed"));
    let schema = doc
        .response_schema(method.as_str(), &route.path, status.as_u16())
        .unwrap_or_else(|| panic!("{method} {} has no {status} answer", route.path));
    assert_eq!(
        ApiDocument::check(&schema, &body),
        Ok(()),
        "{method} {path} answered {status} {body}"
    );
    (status, body)
}

#[tokio::test]
async fn every_answer_on_a_bookings_way_matches_the_documents_schema() {
    let env = TestEnv::new().await;
    let doc = Template::workspace().unwrap().api_document().unwrap();
    let get = |path: String| {
        let (env, doc) = (&env, &doc);
        async move { conforms(env, doc, &Method::GET, &path, env.get(&path).await) }
    };
    let post = |path: String, body: Value| {
        let (env, doc) = (&env, &doc);
        async move { conforms(env, doc, &Method::POST, &path, env.post(&path, &body).await) }
    };
    let staff = |method: Method, path: String, body: Option<Value>| {
        let (env, doc) = (&env, &doc);
        async move {
            let answer = env
                .call_as(CLERK, method.clone(), &path, body.as_ref())
                .await;
            conforms(env, doc, &method, &path, answer)
        }
    };

    assert_eq!(get("/offices".into()).await.0, 200);
    assert_eq!(get(format!("/offices/{OLSZTYN}")).await.0, 200);
    let slots = format!("/offices/{OLSZTYN}/services/{ID_CARD_APPLICATION}/slots");
    assert_eq!(get(format!("{slots}?from={}", tuesday())).await.0, 200);

    let request = env.first_free_request(&pesel(1)).await;
    let schema = doc.request_schema("POST", "/bookings").unwrap();
    assert_eq!(ApiDocument::check(&schema, &request), Ok(()));
    let (status, booking) = post("/bookings".into(), request.clone()).await;
    assert_eq!(status, 201, "{booking}");
    assert_eq!(booking["status"], "pending");
    let id = booking["booking_id"].as_str().unwrap().to_owned();
    let (status, _) = post("/bookings".into(), request).await;
    assert_eq!(status, 409, "the same person, matter and day again");

    let token = s(&env.message(&id, "hold_created").await, "confirm_token");
    let (status, _) = post(
        format!("/bookings/{id}/confirm"),
        json!({ "token": "not-the-token" }),
    )
    .await;
    assert!(status.is_client_error());
    let (status, body) = post(format!("/bookings/{id}/confirm"), json!({ "token": token })).await;
    assert_eq!(status, 200, "{body}");
    let manage = s(&env.message(&id, "confirmed").await, "manage_token");
    let view = format!("/bookings/{id}");
    let bearer = format!("Bearer {manage}");
    let answer = env
        .call(Method::GET, &view, None, &[("authorization", &bearer)])
        .await;
    assert_eq!(conforms(&env, &doc, &Method::GET, &view, answer).0, 200);

    let (_, start, code) = confirmed(&env, 2).await;
    env.advance(start - env.clock.now() - Duration::minutes(20));
    let kiosk = Kiosk::new(&env, "olsztyn-hall-1");
    let (status, ticket) = conforms(
        &env,
        &doc,
        &Method::POST,
        "/kiosk/redeem",
        kiosk.redeem(&code).await,
    );
    assert_eq!(status, 200, "{ticket}");
    let (status, _) = conforms(
        &env,
        &doc,
        &Method::POST,
        "/kiosk/walk-in",
        kiosk.walk_in(ID_CARD_APPLICATION).await,
    );
    assert_eq!(status, 201);
    let (status, _) = conforms(
        &env,
        &doc,
        &Method::POST,
        "/kiosk/redeem",
        kiosk.redeem("000000").await,
    );
    assert!(status.is_client_error());

    let desk = format!("/staff/offices/{OLSZTYN}/desks/1");
    let (status, _) = staff(Method::POST, format!("{desk}/call-next"), None).await;
    assert_eq!(status, 409, "a closed desk calls no one");
    let open = Some(json!({ "groups": ["A"] }));
    assert_eq!(
        staff(Method::POST, format!("{desk}/open"), open).await.0,
        200
    );
    let (status, called) = staff(Method::POST, format!("{desk}/call-next"), None).await;
    assert_eq!(status, 200, "{called}");
    assert!(called["current"]["ticket"].is_string(), "{called}");
    for action in ["recall", "served", "close"] {
        let (status, body) = staff(Method::POST, format!("{desk}/{action}"), None).await;
        assert_eq!(status, 200, "{action}: {body}");
    }
    let desks = format!("/staff/offices/{OLSZTYN}/desks");
    assert_eq!(staff(Method::GET, desks.clone(), None).await.0, 200);
    let list = format!("/staff/offices/{OLSZTYN}/admission-list?date={}", tuesday());
    assert_eq!(staff(Method::GET, list, None).await.0, 200);
    let lift = json!({ "office_id": OLSZTYN, "national_id": pesel(3) });
    let lifted = staff(Method::POST, "/staff/blocks/lift".into(), Some(lift)).await;
    assert_eq!(lifted.0, 200);
    assert_eq!(get(format!("/queue/offices/{OLSZTYN}")).await.0, 200);

    let no_token = env.call(Method::GET, &desks, None, &[]).await;
    assert_eq!(conforms(&env, &doc, &Method::GET, &desks, no_token).0, 401);

    let (status, _) = post(format!("/bookings/{id}/cancel"), json!({ "token": manage })).await;
    assert_eq!(status, 200);
    let mut unknown = cancel_request(OLSZTYN, ID_CARD_APPLICATION, "2026-11-24", &pesel(9));
    let (status, _) = post("/bookings/cancel".into(), unknown.clone()).await;
    assert_eq!(status, 202);
    unknown["office_id"] = json!("atlantis");
    assert!(
        post("/bookings/cancel".into(), unknown)
            .await
            .0
            .is_client_error()
    );
    assert_eq!(get("/offices/atlantis".into()).await.0, 404);
}
