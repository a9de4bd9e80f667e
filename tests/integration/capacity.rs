use lambda_http::http::{Method, StatusCode};
use serde_json::json;
use termin_tests::*;

async fn concurrent_bookings(
    env: &TestEnv,
    bodies: Vec<serde_json::Value>,
) -> Vec<(StatusCode, serde_json::Value)> {
    let calls = bodies.iter().map(|b| env.post("/bookings", b));
    futures::future::join_all(calls).await
}

#[tokio::test]
async fn fifty_concurrent_bookings_for_a_slot_with_three_seats_make_exactly_three_holds() {
    let env = TestEnv::new().await;
    let start = env.first_free_id_card_slot().await;
    let bodies = (0..50)
        .map(|i| booking_body(OLSZTYN, ID_CARD_APPLICATION, &start, &pesel(100 + i)))
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
    assert_eq!(env.booked_units(OLSZTYN, CIVIL_AFFAIRS).await, bookings);
}

#[tokio::test]
async fn twenty_concurrent_bookings_by_one_person_make_one() {
    let env = TestEnv::new().await;
    let starts: Vec<String> = env
        .slots_on(OLSZTYN, ID_CARD_APPLICATION, tuesday())
        .await
        .iter()
        .take(20)
        .map(|s| s["start"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(starts.len(), 20);
    let bodies = starts
        .iter()
        .map(|start| booking_body(OLSZTYN, ID_CARD_APPLICATION, start, &pesel(5)))
        .collect();
    let results = concurrent_bookings(&env, bodies).await;

    assert_eq!(
        results.iter().filter(|(s, _)| *s == 201).count(),
        1,
        "{results:?}"
    );
    env.assert_one_booking_made(&results).await;
    // Another matter the same day is a separate booking.
    let pickup = env
        .first_free_slot(OLSZTYN, "id-card-pickup", tuesday())
        .await;
    let mut body = booking_body(OLSZTYN, "id-card-pickup", &pickup, &pesel(5));
    body["application_number"] = json!("OLS/2026/123");
    assert_eq!(env.post("/bookings", &body).await.0, 201);
}

#[tokio::test]
async fn a_full_slot_is_refused_with_the_next_free_slots_and_hidden_from_the_list() {
    let env = TestEnv::new().await;
    let start = env.first_free_id_card_slot().await;
    for i in 0..3 {
        env.book_with(&booking_body(
            OLSZTYN,
            ID_CARD_APPLICATION,
            &start,
            &pesel(i),
        ))
        .await;
    }
    let (status, body) = env
        .post(
            "/bookings",
            &booking_body(OLSZTYN, ID_CARD_APPLICATION, &start, &pesel(9)),
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
    assert_ne!(env.first_free_id_card_slot().await, start);
}

#[tokio::test]
async fn a_long_visit_takes_every_unit_it_spans_from_the_shared_desks() {
    let env = TestEnv::new().await;
    // Mielec: 4 desks, 20-minute units; make the registration 40 minutes.
    env.edit_catalog("mielec", |catalog| {
        catalog
            .services
            .iter_mut()
            .find(|s| s.id.as_str() == "vehicle-registration")
            .unwrap()
            .visit_minutes = 40;
    })
    .await;
    let start = env
        .first_free_slot("mielec", "vehicle-registration", tuesday())
        .await;
    for i in 0..4 {
        env.book_with(&booking_body(
            "mielec",
            "vehicle-registration",
            &start,
            &pesel(i),
        ))
        .await;
    }
    assert_eq!(env.booked_units("mielec", "vehicles").await, 8);
    // The short service shares the desks: its first two slots are now full.
    let slots = env.slots_on("mielec", "driving-licence", tuesday()).await;
    let first = slots[0]["start"].as_str().unwrap();
    assert!(first > start.as_str());
    assert_eq!(slots[0]["time"], "08:10");
}

#[tokio::test]
async fn the_weekly_online_cap_closes_the_week_but_not_the_next() {
    let env = TestEnv::new().await;
    env.edit_catalog("opava", |catalog| {
        catalog.departments[0].weekly_online_cap = Some(2);
    })
    .await;

    let slots = env.slots_on("opava", "passport", tuesday()).await;
    let start = |i: usize| slots[i]["start"].as_str().unwrap().to_owned();
    env.book_with(&booking_body("opava", "passport", &start(0), "736028/5163"))
        .await;
    env.book_with(&booking_body("opava", "id-card", &start(1), "7103192745"))
        .await;
    let third = booking_body("opava", "passport", &start(5), "0001010009");
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

#[tokio::test]
async fn a_zero_desk_count_or_weekly_cap_lets_no_booking_in_even_into_a_fresh_slot_or_week() {
    let env = TestEnv::new().await;
    let slots = env.slots_on("opava", "passport", tuesday()).await;
    let start = slots[0]["start"].as_str().unwrap().to_owned();
    let request = booking_body("opava", "passport", &start, "736028/5163");

    env.edit_catalog("opava", |catalog| {
        catalog.departments[0].weekly_online_cap = Some(0);
    })
    .await;
    let (status, body) = env.post("/bookings", &request).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "weekly_cap_reached");

    env.edit_catalog("opava", |catalog| {
        catalog.departments[0].weekly_online_cap = None;
        catalog.departments[0].desks_online = 0;
    })
    .await;
    let (status, body) = env.post("/bookings", &request).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "slot_full");
    assert!(env.items_of("booking").await.is_empty());
    assert!(
        env.items_of("counter")
            .await
            .iter()
            .all(|c| n(c, "booked") == 0),
        "no counter took a seat"
    );
}

#[tokio::test]
async fn a_catalog_that_breaks_the_rules_is_not_stored_by_any_writer() {
    let env = TestEnv::new().await;
    let office = termin::domain::ids::OfficeId::parse("opava").unwrap();
    let mut catalog = env.app.store.load_catalog(&office).await.unwrap().unwrap();
    catalog.departments[0].slot_minutes = 7;
    let refused = env.app.store.put_catalog(&catalog).await;
    assert!(
        matches!(refused, Err(termin::store::StoreError::InvalidCatalog(_))),
        "{refused:?}"
    );
    let stored = env.app.store.load_catalog(&office).await.unwrap().unwrap();
    assert_ne!(stored.departments[0].slot_minutes, 7);
}

#[tokio::test]
async fn two_bookings_never_share_a_booking_reference_even_when_the_same_one_is_drawn() {
    use std::sync::Arc;
    use termin::domain::codes::SeededEntropy;
    use termin::service::App;
    let env = TestEnv::new().await;
    // Two containers whose randomness runs alike: the second draws the
    // reference the first took (a 1-in-17-billion chance made certain).
    let alike = |mut app: App| {
        app.base.entropy = Arc::new(SeededEntropy::new(7));
        app
    };
    let first = alike(env.container(1).await);
    let second = alike(env.container(2).await);
    let on = |day: chrono::NaiveDate, who: u32| {
        let env = &env;
        async move {
            let start = env.first_free_slot(OLSZTYN, ID_CARD_APPLICATION, day).await;
            booking_body(OLSZTYN, ID_CARD_APPLICATION, &start, &pesel(who))
        }
    };
    let (status, a) = env
        .call_in(
            &first,
            Method::POST,
            "/bookings",
            Some(&on(tuesday(), 1).await),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    // Another day (so the kiosk code does not collide first), a moment later.
    env.advance(chrono::Duration::milliseconds(1));
    let wednesday = tuesday() + chrono::Duration::days(1);
    let (status, b) = env
        .call_in(
            &second,
            Method::POST,
            "/bookings",
            Some(&on(wednesday, 2).await),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    assert_ne!(a["public_ref"], b["public_ref"], "drawn again");
    assert_eq!(env.items_of("public_ref").await.len(), 2);
}

#[tokio::test]
async fn one_person_holds_one_matter_on_one_day_only_even_when_bookings_for_several_days_race() {
    let env = TestEnv::new().await;
    let mut bodies = Vec::new();
    for day in 0..5 {
        let date = tuesday() + chrono::Duration::days(day);
        let start = env
            .first_free_slot(OLSZTYN, ID_CARD_APPLICATION, date)
            .await;
        bodies.push(booking_body(
            OLSZTYN,
            ID_CARD_APPLICATION,
            &start,
            &pesel(6),
        ));
    }
    let results = concurrent_bookings(&env, bodies).await;
    assert_eq!(
        results.iter().filter(|(s, _)| *s == 201).count(),
        1,
        "{results:?}"
    );
    assert!(
        results
            .iter()
            .filter(|(s, _)| *s != 201)
            .all(|(s, b)| *s == 409 && b["error"]["code"] == "already_booked"),
        "{results:?}"
    );

    // The same matter at two offices (both register vehicles): one each.
    for office in [OLSZTYN, "mielec"] {
        let start = env
            .first_free_slot(office, "vehicle-registration", tuesday())
            .await;
        let body = booking_body(office, "vehicle-registration", &start, &pesel(6));
        let (status, answer) = env.post("/bookings", &body).await;
        assert_eq!(status, 201, "{office}: {answer}");
    }

    // An office whose rule is per day lets the person come on another day.
    env.edit_catalog(OLSZTYN, |catalog| {
        catalog.office.person_rule = termin::domain::catalog::PersonRule::OnePerMatterAndDay;
    })
    .await;
    let start = env
        .first_free_slot(
            OLSZTYN,
            ID_CARD_APPLICATION,
            tuesday() + chrono::Duration::days(7),
        )
        .await;
    let later = booking_body(OLSZTYN, ID_CARD_APPLICATION, &start, &pesel(6));
    assert_eq!(env.post("/bookings", &later).await.0, 201);
}
