use chrono::Duration;
use lambda_http::http::StatusCode;
use serde_json::json;
use termin_tests::*;

async fn book(env: &TestEnv, who: u32) -> (String, String) {
    env.book_first_free(&pesel(who)).await
}

/// A secret the booking's `kind` message carries until it is sent.
async fn secret(env: &TestEnv, id: &str, kind: &str, field: &str) -> String {
    s(&env.message(id, kind).await, field)
}

#[tokio::test]
async fn a_citizen_books_confirms_and_cancels() {
    let env = TestEnv::new().await;
    let (id, start) = book(&env, 1).await;
    assert_eq!(env.booked_units(OLSZTYN, CIVIL_AFFAIRS).await, 1);

    assert_eq!(env.outbox(&id).await.len(), 1);
    let token = secret(&env, &id, "hold_created", "confirm_token").await;
    env.advance(Duration::minutes(10));
    let (status, body) = env.confirm(&id, By::Token(&token)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["booking"]["status"], "confirmed");
    assert_eq!(body["already_confirmed"], false);
    let kiosk_code = body["booking"]["kiosk_code"].as_str().unwrap().to_owned();
    assert_eq!(kiosk_code.len(), 6);

    // Confirming again is harmless and says so.
    let (status, body) = env.confirm(&id, By::Token(&token)).await;
    assert_eq!(
        (status.as_u16(), body["already_confirmed"].clone()),
        (200, json!(true))
    );

    let manage = secret(&env, &id, "confirmed", "manage_token").await;
    let (status, body) = env.cancel(&id, &manage).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["booking"]["status"], "cancelled");
    assert_eq!(env.booked_units(OLSZTYN, CIVIL_AFFAIRS).await, 0);
    assert!(env.items_of("person_rule").await.is_empty());
    assert!(env.items_of("kiosk_code").await.is_empty());

    let (status, body) = env.cancel(&id, &manage).await;
    assert_eq!(
        (status.as_u16(), body["already_cancelled"].clone()),
        (200, json!(true))
    );
    assert_eq!(
        env.booked_units(OLSZTYN, CIVIL_AFFAIRS).await,
        0,
        "a second cancel returns nothing"
    );
    let mut kinds: Vec<String> = env.outbox(&id).await.iter().map(|m| s(m, "kind")).collect();
    kinds.sort();
    assert_eq!(kinds, ["cancelled", "confirmed", "hold_created"]);

    // The seat is free again.
    assert_eq!(env.first_free_id_card_slot().await, start);
}

#[tokio::test]
async fn the_cancel_link_from_the_hold_email_also_works() {
    let env = TestEnv::new().await;
    let (id, _) = book(&env, 1).await;
    let manage = secret(&env, &id, "hold_created", "manage_token").await;
    let (status, body) = env.cancel(&id, &manage).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(env.booked_units(OLSZTYN, CIVIL_AFFAIRS).await, 0);
}

#[tokio::test]
async fn the_sms_code_confirms_and_five_wrong_codes_lock_it() {
    let env = TestEnv::new().await;
    let (id, _) = book(&env, 1).await;
    let code = secret(&env, &id, "hold_created", "confirm_code").await;
    let wrong = if code == "333333" { "444444" } else { "333333" };
    for _ in 0..5 {
        let (status, body) = env.confirm(&id, By::Code(wrong)).await;
        assert_eq!(status, 403, "{body}");
    }
    let (status, body) = env.confirm(&id, By::Code(&code)).await;
    assert_eq!(
        (status.as_u16(), body["error"]["code"].clone()),
        (429, json!("code_locked"))
    );

    let (id, _) = book(&env, 2).await;
    let code = secret(&env, &id, "hold_created", "confirm_code")
        .await
        .to_lowercase();
    let typed = format!("{} {}", &code[..3], &code[3..]);
    let (status, body) = env.confirm(&id, By::Code(&typed)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["booking"]["status"], "confirmed");
}

#[tokio::test]
async fn an_expired_hold_is_refused_and_its_capacity_returns_exactly_once() {
    let env = TestEnv::new().await;
    let (id, _) = book(&env, 1).await;
    let token = secret(&env, &id, "hold_created", "confirm_token").await;
    env.advance(Duration::minutes(59));
    assert_eq!(env.booked_units(OLSZTYN, CIVIL_AFFAIRS).await, 1);
    env.advance(Duration::minutes(1));

    let attempts = (0..8).map(|_| env.confirm(&id, By::Token(&token)));
    for (status, body) in futures::future::join_all(attempts).await {
        assert_eq!(
            (status.as_u16(), body["error"]["code"].clone()),
            (410, json!("hold_expired"))
        );
    }
    assert_eq!(env.booked_units(OLSZTYN, CIVIL_AFFAIRS).await, 0);
    assert_eq!(
        env.outbox_count(&id, "expired").await,
        1,
        "released exactly once"
    );
    assert!(env.items_of("person_rule").await.is_empty());

    // The same person may book again.
    book(&env, 1).await;
}

#[tokio::test]
async fn an_old_confirm_link_answers_410_after_the_hold_rule_items_are_gone() {
    let env = TestEnv::new().await;
    let (id, _) = book(&env, 1).await;
    let token = secret(&env, &id, "hold_created", "confirm_token").await;
    // Days later, the person rule and the kiosk code have gone with their
    // TTL, and the sweeper never released the hold.
    env.advance(Duration::days(3));
    env.delete_items_of("person_rule").await;
    env.delete_items_of("kiosk_code").await;

    let (status, body) = env.confirm(&id, By::Token(&token)).await;
    assert_eq!(status, 410, "{body}");
    assert_eq!(body["error"]["code"], "hold_expired");
    assert_eq!(env.booked_units(OLSZTYN, CIVIL_AFFAIRS).await, 0);
    assert_eq!(env.outbox_count(&id, "expired").await, 1);
}

#[tokio::test]
async fn pesel_service_and_day_send_a_cancel_link_to_the_bookings_own_email_and_cancel_nothing() {
    let env = TestEnv::new().await;
    let start = env.first_free_id_card_slot().await;
    let id = env
        .book(OLSZTYN, ID_CARD_APPLICATION, &start, &pesel(7), json!({}))
        .await;
    let day = &start[..10];
    // `pesel` is accepted as another name for `national_id`.
    let request = json!({ "office_id": OLSZTYN, "service_id": ID_CARD_APPLICATION, "date": day, "pesel": pesel(7) });
    let (status, body) = env.cancel_by_national_id(&request).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["status"], "cancel_link_sent_if_booked");
    assert_eq!(
        env.booked_units(OLSZTYN, CIVIL_AFFAIRS).await,
        1,
        "nothing cancelled yet"
    );
    assert_eq!(env.outbox_count(&id, "cancel_link").await, 1);

    // The link (a fresh manage token) cancels; the email goes to the booking's address.
    let manage = secret(&env, &id, "cancel_link", "manage_token").await;
    env.deliver().await;
    let sent = env.sent().await;
    let link = sent
        .emails
        .iter()
        // The hold email has both links; the cancel link email only this one.
        .find(|e| {
            e.text.contains(&format!("cancel.html#booking={id}"))
                && !e.text.contains("confirm.html")
        })
        .expect("the cancel link email");
    assert!(
        link.to.iter().any(|to| to.contains(&env.email)),
        "{:?}",
        link.to
    );
    assert!(
        !link.text.contains(&pesel(7)),
        "the email does not repeat the PESEL"
    );
    assert!(
        link.text.contains(&format!("token={manage}")),
        "the link carries the new token"
    );
    assert_eq!(env.cancel(&id, &manage).await.0, 200);
    assert_eq!(env.booked_units(OLSZTYN, CIVIL_AFFAIRS).await, 0);

    // Asked again once cancelled: the same answer, and no second link.
    let (status, again) = env.cancel_by_national_id(&request).await;
    assert_eq!((status.as_u16(), &again), (202, &body));
    assert_eq!(env.outbox_count(&id, "cancel_link").await, 1);
}

#[tokio::test]
async fn a_booking_cannot_be_cancelled_once_the_appointment_has_begun() {
    let env = TestEnv::new().await;
    let (id, start) = book(&env, 1).await;
    let token = secret(&env, &id, "hold_created", "confirm_token").await;
    assert_eq!(env.confirm(&id, By::Token(&token)).await.0, 200);
    let manage = secret(&env, &id, "confirmed", "manage_token").await;
    env.clock.set(
        chrono::DateTime::parse_from_rfc3339(&start)
            .unwrap()
            .to_utc(),
    );
    let (status, body) = env.cancel(&id, &manage).await;
    assert_eq!(
        (status.as_u16(), body["error"]["code"].clone()),
        (409, json!("too_late"))
    );
    assert_eq!(env.booked_units(OLSZTYN, CIVIL_AFFAIRS).await, 1);
}

#[tokio::test]
async fn a_cancelled_hold_cannot_be_confirmed() {
    let env = TestEnv::new().await;
    let (id, _) = book(&env, 1).await;
    let token = secret(&env, &id, "hold_created", "confirm_token").await;
    let manage = secret(&env, &id, "hold_created", "manage_token").await;
    assert_eq!(env.cancel(&id, &manage).await.0, 200);
    let (status, body) = env.confirm(&id, By::Token(&token)).await;
    assert_eq!(
        (status.as_u16(), body["error"]["code"].clone()),
        (409, json!("booking_cancelled"))
    );
}

#[tokio::test]
async fn a_walk_up_booking_at_the_door_takes_the_shorter_notice() {
    let env = TestEnv::new().await;
    let today = monday_9am().date_naive();
    let slots = |walk_up: bool| {
        let env = &env;
        async move {
            let (status, body) = env
                .get(&format!(
                    "/offices/{OLSZTYN}/services/{ID_CARD_APPLICATION}/slots?from={today}&to={today}&walk_up={walk_up}"
                ))
                .await;
            assert_eq!(status, 200, "{body}");
            body["days"][0]["slots"][0]["start"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    // 09:00 now: the usual 60 minutes' notice allows 10:00, the walk-up 10 minutes 09:15.
    let usual = slots(false).await;
    let walk_up = slots(true).await;
    assert!(usual.contains("T10:00"), "{usual}");
    assert!(walk_up.contains("T09:15"), "{walk_up}");

    let mut request = env.contact_body(OLSZTYN, ID_CARD_APPLICATION, &walk_up, &pesel(1));
    let (status, body) = env.post("/bookings", &request).await;
    assert_eq!(status, 422, "not without saying it is a walk-up: {body}");
    assert_eq!(body["error"]["code"], "slot_unavailable");
    request["walk_up"] = json!(true);
    let (status, body) = env.post("/bookings", &request).await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn the_manage_page_shows_the_booking_to_whoever_holds_its_cancel_link() {
    let env = TestEnv::new().await;
    let (id, _) = book(&env, 1).await;
    let token = s(&env.message(&id, "hold_created").await, "confirm_token");
    let (status, _) = env.confirm(&id, By::Token(&token)).await;
    assert_eq!(status, 200);
    let manage = s(&env.message(&id, "confirmed").await, "manage_token");
    let view = |authorization: Option<String>| {
        let env = &env;
        let id = id.clone();
        async move {
            let headers: Vec<(&str, &str)> = authorization
                .as_deref()
                .map(|a| vec![("authorization", a)])
                .unwrap_or_default();
            env.call(
                lambda_http::http::Method::GET,
                &format!("/bookings/{id}"),
                None,
                &headers,
            )
            .await
        }
    };
    let (status, body) = view(Some(format!("Bearer {manage}"))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["booking"]["status"], "confirmed");
    assert_eq!(body["booking"]["kiosk_code"].as_str().unwrap().len(), 6);
    let (status, _) = view(None).await;
    assert_eq!(status, 401);
    let (status, body) = view(Some(format!("Bearer {token}"))).await;
    assert_eq!(
        status, 403,
        "the confirm token is not a manage token: {body}"
    );
}

#[tokio::test]
async fn guessing_a_confirmed_bookings_code_locks_and_a_code_never_reveals_the_kiosk_code() {
    let env = TestEnv::new().await;
    let start = env.first_free_id_card_slot().await;
    let id = env
        .book(OLSZTYN, ID_CARD_APPLICATION, &start, &pesel(9), json!({}))
        .await;
    let message = env.message(&id, "hold_created").await;
    let code = s(&message, "confirm_code");
    let token = s(&message, "confirm_token");

    let (status, body) = env.confirm(&id, By::Code(&code)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body["booking"]["kiosk_code"].is_null(),
        "a short code does not earn the kiosk code: {body}"
    );
    let stored = env
        .items_of("booking")
        .await
        .into_iter()
        .find(|b| s(b, "id") == id)
        .unwrap();
    assert!(
        !stored.contains_key("confirm_code"),
        "the used code's digest is gone"
    );

    // The right code again, then guesses: each counts, and the code locks.
    let (status, _) = env.confirm(&id, By::Code(&code)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a used code proves nothing");
    let mut answers = Vec::new();
    for _ in 0..termin::domain::booking::MAX_CODE_ATTEMPTS {
        answers.push(env.confirm(&id, By::Code("ACE347")).await.0);
    }
    assert_eq!(
        answers.last(),
        Some(&StatusCode::TOO_MANY_REQUESTS),
        "{answers:?}"
    );

    // The email's link still answers "already confirmed", with the kiosk code.
    let (status, body) = env.confirm(&id, By::Token(&token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["already_confirmed"], true);
    assert!(body["booking"]["kiosk_code"].is_string());
}
