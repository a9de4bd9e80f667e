use serde_json::json;
use termin::domain::catalog::Catalog;
use termin_tests::*;

async fn concurrent_bookings(
    env: &TestEnv,
    bodies: Vec<serde_json::Value>,
) -> Vec<(u16, serde_json::Value)> {
    let calls = bodies.iter().map(|b| env.post("/bookings", b));
    futures::future::join_all(calls)
        .await
        .into_iter()
        .map(|(s, b)| (s.as_u16(), b))
        .collect()
}

#[tokio::test]
async fn fifty_concurrent_bookings_for_a_slot_with_three_seats_make_exactly_three_holds() {
    let env = TestEnv::new().await;
    let start = env
        .first_free_slot("olsztyn", "id-card-application", tuesday())
        .await;
    let bodies = (0..50)
        .map(|i| booking_body("olsztyn", "id-card-application", &start, &pesel(100 + i)))
        .collect();
    let results = concurrent_bookings(&env, bodies).await;

    let created = results.iter().filter(|(s, _)| *s == 201).count();
    assert_eq!(created, 3, "{results:?}");
    assert!(
        results
            .iter()
            .all(|(s, b)| *s == 201 || (*s == 409 && b["error"]["code"] == "slot_full")),
        "{results:?}"
    );
    let bookings = env.items_of("booking").await.len() as i64;
    assert_eq!(bookings, 3);
    assert_eq!(env.booked_units("olsztyn", "civil-affairs").await, bookings);
}

#[tokio::test]
async fn twenty_concurrent_bookings_by_one_person_make_one() {
    let env = TestEnv::new().await;
    let (_, listing) = env
        .get(&format!(
            "/offices/olsztyn/services/id-card-application/slots?from={0}&to={0}",
            tuesday()
        ))
        .await;
    let starts: Vec<String> = listing["days"][0]["slots"]
        .as_array()
        .unwrap()
        .iter()
        .take(20)
        .map(|s| s["start"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(starts.len(), 20);
    let bodies = starts
        .iter()
        .map(|start| booking_body("olsztyn", "id-card-application", start, &pesel(5)))
        .collect();
    let results = concurrent_bookings(&env, bodies).await;

    assert_eq!(
        results.iter().filter(|(s, _)| *s == 201).count(),
        1,
        "{results:?}"
    );
    assert!(
        results
            .iter()
            .all(|(s, b)| *s == 201 || b["error"]["code"] == "already_booked"),
        "{results:?}"
    );
    assert_eq!(env.items_of("booking").await.len(), 1);
    assert_eq!(env.booked_units("olsztyn", "civil-affairs").await, 1);
    // Another matter the same day is a separate booking.
    let pickup = env
        .first_free_slot("olsztyn", "id-card-pickup", tuesday())
        .await;
    let mut body = booking_body("olsztyn", "id-card-pickup", &pickup, &pesel(5));
    body["application_number"] = json!("OLS/2026/123");
    assert_eq!(env.post("/bookings", &body).await.0, 201);
}

#[tokio::test]
async fn a_full_slot_is_refused_with_the_next_free_slots_and_hidden_from_the_list() {
    let env = TestEnv::new().await;
    let start = env
        .first_free_slot("olsztyn", "id-card-application", tuesday())
        .await;
    for i in 0..3 {
        let (status, body) = env
            .post(
                "/bookings",
                &booking_body("olsztyn", "id-card-application", &start, &pesel(i)),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, body) = env
        .post(
            "/bookings",
            &booking_body("olsztyn", "id-card-application", &start, &pesel(9)),
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(body["error"]["code"], "slot_full");
    let next = body["error"]["next_free_slots"].as_array().unwrap();
    assert_eq!(next.len(), 5);
    assert!(
        next.iter()
            .all(|s| s["start"].as_str().unwrap() > start.as_str())
    );
    assert_ne!(
        env.first_free_slot("olsztyn", "id-card-application", tuesday())
            .await,
        start
    );
}

#[tokio::test]
async fn a_long_visit_takes_every_unit_it_spans_from_the_shared_desks() {
    let env = TestEnv::new().await;
    // Mielec: 4 desks, 20-minute units; make the registration 40 minutes.
    let mut catalog: Catalog = env
        .app
        .store
        .load_catalog(&"mielec".parse_id())
        .await
        .unwrap()
        .unwrap();
    catalog
        .services
        .iter_mut()
        .find(|s| s.id.as_str() == "vehicle-registration")
        .unwrap()
        .visit_minutes = 40;
    env.app.store.put_catalog(&catalog).await.unwrap();
    let start = env
        .first_free_slot("mielec", "vehicle-registration", tuesday())
        .await;
    for i in 0..4 {
        assert_eq!(
            env.post(
                "/bookings",
                &booking_body("mielec", "vehicle-registration", &start, &pesel(i))
            )
            .await
            .0,
            201
        );
    }
    assert_eq!(env.booked_units("mielec", "vehicles").await, 8);
    // The short service shares the desks: its first two slots are now full.
    let (_, listing) = env
        .get(&format!(
            "/offices/mielec/services/driving-licence/slots?from={0}&to={0}",
            tuesday()
        ))
        .await;
    let first = listing["days"][0]["slots"][0]["start"].as_str().unwrap();
    assert!(first > start.as_str());
    assert_eq!(listing["days"][0]["slots"][0]["time"], "08:10");
}

#[tokio::test]
async fn the_weekly_online_cap_closes_the_week_but_not_the_next() {
    let env = TestEnv::new().await;
    let mut catalog: Catalog = env
        .app
        .store
        .load_catalog(&"opava".parse_id())
        .await
        .unwrap()
        .unwrap();
    catalog.departments[0].weekly_online_cap = Some(2);
    env.app.store.put_catalog(&catalog).await.unwrap();

    let (_, listing) = env
        .get(&format!(
            "/offices/opava/services/passport/slots?from={0}&to={0}",
            tuesday()
        ))
        .await;
    let slots = listing["days"][0]["slots"].as_array().unwrap();
    for (i, service) in ["passport", "id-card"].iter().enumerate() {
        let body = booking_body(
            "opava",
            service,
            slots[i].get("start").unwrap().as_str().unwrap(),
            "736028/5163",
        );
        let mut body = body;
        body["national_id"] = json!(if i == 0 { "736028/5163" } else { "7103192745" });
        let (status, body) = env.post("/bookings", &body).await;
        assert_eq!(status, 201, "{body}");
    }
    let mut third = booking_body("opava", "passport", slots[5]["start"].as_str().unwrap(), "");
    third["national_id"] = json!("0001010009");
    let (status, body) = env.post("/bookings", &third).await;
    assert_eq!(
        (status.as_u16(), body["error"]["code"].clone()),
        (409, json!("weekly_cap_reached")),
        "{body}"
    );
    // The list shows nothing more this week, and slots again from Monday 30 November.
    let (_, listing) = env.get("/offices/opava/services/passport/slots").await;
    assert_eq!(listing["days"][0]["date"], "2026-11-30");
    assert_eq!(env.items_of("booking").await.len(), 2);
}

trait ParseId {
    fn parse_id(&self) -> termin::domain::ids::OfficeId;
}

impl ParseId for str {
    fn parse_id(&self) -> termin::domain::ids::OfficeId {
        termin::domain::ids::OfficeId::parse(self).unwrap()
    }
}
