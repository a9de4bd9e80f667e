//! Office administration: every staff route checks role and office, a
//! catalog change is versioned, audited and reports the bookings it strands,
//! refuses what bookings rely on, and bad changes change nothing.

use lambda_http::http::{Method, StatusCode};
use serde_json::{Value, json};
use termin_tests::*;

use crate::kiosk::Kiosk;

const CATALOG: &str = "/staff/offices/olsztyn/catalog";

async fn catalog_as_admin(env: &TestEnv) -> Value {
    let (status, body) = env
        .call_as(Some("admin.olsztyn"), Method::GET, CATALOG, None)
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn put_catalog(env: &TestEnv, document: &Value) -> (StatusCode, Value) {
    env.call_as(Some("admin.olsztyn"), Method::PUT, CATALOG, Some(document))
        .await
}

/// The document with department `id` edited by `edit`.
fn with_department(mut document: Value, id: &str, edit: impl FnOnce(&mut Value)) -> Value {
    let departments = document["catalog"]["departments"].as_array_mut().unwrap();
    edit(departments.iter_mut().find(|d| d["id"] == id).unwrap());
    document
}

/// Who may do what: `A` the office's administrator only; `C` its clerks
/// and its administrator.
#[derive(Clone, Copy, PartialEq)]
enum Needs {
    Admin,
    Clerk,
}

#[tokio::test]
async fn every_staff_route_answers_by_role_and_office() {
    let env = TestEnv::new().await;
    let document = catalog_as_admin(&env).await;
    let start = env.first_free_id_card_slot().await;
    let booked = env
        .book_with(&booking_body(
            OLSZTYN,
            ID_CARD_APPLICATION,
            &start,
            &pesel(9),
        ))
        .await;
    let kiosk = json!({ "id": "olsztyn-hall-9", "languages": ["pl"] });
    let lift = json!({ "office_id": OLSZTYN, "national_id": pesel(1) });
    let person = json!({ "national_id": pesel(1) });
    let contact = json!({ "last_name": "Nowak" });
    let open = json!({ "groups": ["A"] });
    let wednesday = tuesday().succ_opt().unwrap();
    let other = env
        .first_free_slot(OLSZTYN, ID_CARD_APPLICATION, wednesday)
        .await;
    let caller = |who: u32| {
        json!({
            "service_id": ID_CARD_APPLICATION,
            "start": other,
            "first_name": "Jan",
            "last_name": "Nowak",
            "national_id": pesel(who),
        })
    };
    let o = "/staff/offices/olsztyn";
    // Every staff route of the API document: (method, route, path, body,
    // who may, status when allowed).
    type Row = (Method, &'static str, String, Option<Value>, Needs, u16);
    let rows: Vec<Row> = vec![
        (
            Method::GET,
            "/staff/offices/{office_id}/catalog",
            format!("{o}/catalog"),
            None,
            Needs::Admin,
            200,
        ),
        (
            Method::PUT,
            "/staff/offices/{office_id}/catalog",
            format!("{o}/catalog"),
            Some(document.clone()),
            Needs::Admin,
            200,
        ),
        (
            Method::POST,
            "/staff/offices/{office_id}/kiosks",
            format!("{o}/kiosks"),
            Some(kiosk),
            Needs::Admin,
            201,
        ),
        (
            Method::POST,
            "/staff/offices/{office_id}/documents",
            format!("{o}/documents?name=form.pdf"),
            None,
            Needs::Admin,
            // No file in the body: the roles pass, the empty file does not.
            422,
        ),
        (
            Method::GET,
            "/staff/offices/{office_id}/kiosks",
            format!("{o}/kiosks"),
            None,
            Needs::Admin,
            200,
        ),
        (
            Method::PATCH,
            "/staff/offices/{office_id}/kiosks/{kiosk_id}",
            format!("{o}/kiosks/olsztyn-hall-9"),
            Some(json!({ "walk_ins_enabled": false })),
            Needs::Admin,
            200,
        ),
        (
            Method::GET,
            "/staff/offices/{office_id}/audit",
            format!("{o}/audit"),
            None,
            Needs::Admin,
            200,
        ),
        (
            Method::GET,
            "/staff/offices/{office_id}/statistics",
            format!("{o}/statistics"),
            None,
            Needs::Admin,
            200,
        ),
        (
            Method::GET,
            "/staff/offices/{office_id}/admission-list",
            format!("{o}/admission-list"),
            None,
            Needs::Clerk,
            200,
        ),
        (
            Method::POST,
            "/staff/blocks/lift",
            "/staff/blocks/lift".into(),
            Some(lift),
            Needs::Clerk,
            200,
        ),
        (
            Method::POST,
            "/staff/offices/{office_id}/bookings",
            format!("{o}/bookings"),
            None,
            Needs::Clerk,
            201,
        ),
        (
            Method::POST,
            "/staff/offices/{office_id}/bookings/search",
            format!("{o}/bookings/search"),
            Some(person.clone()),
            Needs::Clerk,
            200,
        ),
        (
            Method::POST,
            "/staff/offices/{office_id}/bookings/{booking_id}/contact",
            format!("{o}/bookings/{booked}/contact"),
            Some(contact),
            Needs::Clerk,
            200,
        ),
        (
            Method::POST,
            "/staff/offices/{office_id}/persons/export",
            format!("{o}/persons/export"),
            Some(person),
            Needs::Clerk,
            200,
        ),
        (
            Method::GET,
            "/staff/offices/{office_id}/desks",
            format!("{o}/desks"),
            None,
            Needs::Clerk,
            200,
        ),
        (
            Method::POST,
            "/staff/offices/{office_id}/desks/{desk}/open",
            format!("{o}/desks/7/open"),
            Some(open),
            Needs::Clerk,
            200,
        ),
        (
            Method::POST,
            "/staff/offices/{office_id}/desks/{desk}/call-next",
            format!("{o}/desks/7/call-next"),
            None,
            Needs::Clerk,
            200,
        ),
        (
            Method::POST,
            "/staff/offices/{office_id}/desks/{desk}/recall",
            format!("{o}/desks/7/recall"),
            None,
            Needs::Clerk,
            409,
        ),
        (
            Method::POST,
            "/staff/offices/{office_id}/desks/{desk}/served",
            format!("{o}/desks/7/served"),
            None,
            Needs::Clerk,
            409,
        ),
        (
            Method::POST,
            "/staff/offices/{office_id}/desks/{desk}/missed",
            format!("{o}/desks/7/missed"),
            None,
            Needs::Clerk,
            409,
        ),
        (
            Method::POST,
            "/staff/offices/{office_id}/desks/{desk}/close",
            format!("{o}/desks/7/close"),
            None,
            Needs::Clerk,
            200,
        ),
        (
            Method::POST,
            "/staff/offices/{office_id}/bookings/{booking_id}/cancel",
            format!("{o}/bookings/{booked}/cancel"),
            None,
            Needs::Clerk,
            200,
        ),
    ];
    // The table covers the document: a new staff route must be added here.
    let mut documented: Vec<(String, String)> = env
        .router
        .routes()
        .iter()
        .filter(|r| r.path.starts_with("/staff/"))
        .map(|r| (r.method.clone(), r.path.clone()))
        .collect();
    let mut tabled: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r.0.to_string(), r.1.to_owned()))
        .collect();
    documented.sort();
    tabled.sort();
    assert_eq!(tabled, documented);

    let people: [(&str, Option<&str>); 5] = [
        ("no token", None),
        ("another office's clerk", Some("clerk.mielec")),
        ("another office's admin", Some("admin.mielec")),
        ("the office's clerk", Some("clerk.olsztyn")),
        ("the office's admin", Some("admin.olsztyn")),
    ];
    let mut next_caller = 20;
    for (who, user) in people {
        for (method, route, path, body, needs, allowed) in &rows {
            let want = match user {
                None => 401,
                Some("clerk.olsztyn") if *needs == Needs::Admin => 403,
                Some("clerk.olsztyn" | "admin.olsztyn") => *allowed,
                Some(_) => 403,
            };
            // What changes state gets what it needs to succeed again.
            let body = match (
                route.ends_with("/catalog"),
                *method == Method::POST && route.ends_with("/bookings"),
            ) {
                (true, _) if *method == Method::PUT => Some(json!({
                    "version": catalog_as_admin(&env).await["version"],
                    "catalog": document["catalog"],
                })),
                (_, true) => {
                    next_caller += 1;
                    Some(caller(next_caller))
                }
                _ => body.clone(),
            };
            let (status, answer) = env.call_as(user, method.clone(), path, body.as_ref()).await;
            assert_eq!(status.as_u16(), want, "{who}: {method} {path}: {answer}");
        }
    }
}

#[tokio::test]
async fn a_catalog_change_is_saved_with_its_version_and_audit_entry_and_lists_the_bookings_it_strands()
 {
    let env = TestEnv::new().await;
    let (booking, start) = env.book_first_free(&pesel(1)).await;
    let day = &start[..10];
    let document = catalog_as_admin(&env).await;
    assert_eq!(document["version"], 0);

    let closed = with_department(document.clone(), CIVIL_AFFAIRS, |d| {
        d["closed_on"].as_array_mut().unwrap().push(json!(day));
    });
    let (status, report) = put_catalog(&env, &closed).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["version"], 1);
    assert_eq!(report["changed_fields"], 1);
    assert_eq!(report["stranded"].as_array().unwrap().len(), 1, "{report}");
    assert_eq!(report["stranded"][0]["booking_id"], booking.as_str());
    assert_eq!(report["stranded"][0]["reason"], "day_closed");

    // Saved, and in force: the day is closed to new bookings.
    let saved = catalog_as_admin(&env).await;
    assert_eq!(saved["version"], 1);
    assert_eq!(saved["catalog"], closed["catalog"]);
    let (_, slots) = env
        .get(&format!(
            "/offices/olsztyn/services/id-card-application/slots?from={day}&to={day}"
        ))
        .await;
    assert!(
        slots["days"].as_array().is_none_or(|days| days
            .iter()
            .all(|d| d["slots"].as_array().unwrap().is_empty())),
        "{slots}"
    );

    // The audit log names who, what changed, and the stranded booking.
    let (status, audit) = env
        .call_as(
            Some("admin.olsztyn"),
            Method::GET,
            "/staff/offices/olsztyn/audit",
            None,
        )
        .await;
    assert_eq!(status, 200, "{audit}");
    let entry = &audit["entries"][0];
    assert_eq!(entry["action"], "catalog_changed");
    assert_eq!(entry["actor"], "admin.olsztyn");
    assert_eq!(
        entry["changes"][0]["path"],
        "departments[civil-affairs].closed_on"
    );
    assert_eq!(entry["note"]["stranded"][0]["booking_id"], booking.as_str());

    // A change started from the old version is refused and changes nothing.
    let stale = with_department(document, CIVIL_AFFAIRS, |d| d["horizon_days"] = json!(10));
    let (status, body) = put_catalog(&env, &stale).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "version_conflict");
    assert_eq!(body["error"]["current_version"], 1);
    assert_eq!(catalog_as_admin(&env).await, saved);
}

#[tokio::test]
async fn fewer_desks_than_booked_or_a_new_unit_length_under_bookings_is_refused_and_changes_nothing()
 {
    let env = TestEnv::new().await;
    // Two people in one slot of a department with three desks.
    let start = env.first_free_id_card_slot().await;
    for who in [1, 2] {
        let body = booking_body(OLSZTYN, ID_CARD_APPLICATION, &start, &pesel(who));
        env.book_with(&body).await;
    }
    let document = catalog_as_admin(&env).await;
    let refused = |edit: fn(&mut Value)| with_department(document.clone(), CIVIL_AFFAIRS, edit);

    let (status, body) = put_catalog(&env, &refused(|d| d["desks_online"] = json!(1))).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "change_refused");
    assert_eq!(body["error"]["refusal"]["code"], "capacity_below_booked");
    assert_eq!(body["error"]["refusal"]["booked"], 2);

    let (status, body) = put_catalog(&env, &refused(|d| d["slot_minutes"] = json!(5))).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["refusal"]["code"], "slot_length_in_use");

    let (status, body) = put_catalog(&env, &refused(|d| d["weekly_online_cap"] = json!(1))).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["refusal"]["code"], "weekly_cap_below_booked");

    assert_eq!(catalog_as_admin(&env).await, document, "nothing changed");
    assert!(env.items_of("audit").await.is_empty());
    // Two desks still hold both bookings: allowed.
    let (status, body) = put_catalog(&env, &refused(|d| d["desks_online"] = json!(2))).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn an_invalid_change_gets_a_clear_4xx_and_changes_nothing() {
    let env = TestEnv::new().await;
    let document = catalog_as_admin(&env).await;
    let mut odd_visit = document.clone();
    odd_visit["catalog"]["services"][0]["visit_minutes"] = json!(7);
    let mut other_office = document.clone();
    other_office["catalog"]["office"]["id"] = json!("mielec");
    let mut twice = document.clone();
    let first = twice["catalog"]["services"][0].clone();
    twice["catalog"]["services"]
        .as_array_mut()
        .unwrap()
        .push(first);
    let overlapping = with_department(document.clone(), CIVIL_AFFAIRS, |d| {
        d["hours"]["mon"] =
            json!([{"from": "08:00", "to": "12:00"}, {"from": "11:00", "to": "15:00"}]);
    });
    let far = with_department(document.clone(), CIVIL_AFFAIRS, |d| {
        d["horizon_days"] = json!(5000)
    });
    let group = json!({ "id": "ids", "name": { "pl": "Dowody osobiste" } });
    let group_twice = with_department(document.clone(), CIVIL_AFFAIRS, |d| {
        d["groups"] = json!([group, group])
    });
    let nameless_group = with_department(document.clone(), CIVIL_AFFAIRS, |d| {
        d["groups"] = json!([{ "id": "ids", "name": { "pl": "  " } }])
    });
    let mut unknown_group = document.clone();
    unknown_group["catalog"]["services"][0]["group_id"] = json!("no-such-group");
    for (what, body, field) in [
        (
            "a visit not a multiple of the unit",
            &odd_visit,
            "catalog.services",
        ),
        ("another office's id", &other_office, "catalog.office.id"),
        ("a matter twice", &twice, "catalog"),
        ("overlapping hours", &overlapping, "catalog.departments"),
        ("a horizon over a year", &far, "catalog.departments"),
        ("a group twice", &group_twice, "catalog"),
        (
            "a group without a name",
            &nameless_group,
            "catalog.departments",
        ),
        (
            "a matter in a group its department lacks",
            &unknown_group,
            "catalog.services",
        ),
    ] {
        let (status, answer) = put_catalog(&env, body).await;
        assert_eq!(status, 422, "{what}: {answer}");
        assert_eq!(
            answer["error"]["fields"][0]["field"], field,
            "{what}: {answer}"
        );
    }
    let (status, answer) = env
        .call_raw(
            Method::PUT,
            CATALOG,
            "{\"version\": 0, \"catalog\": ".into(),
            &[("authorization", &env.staff_authorization("admin.olsztyn"))],
        )
        .await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["error"]["code"], "invalid_json");
    assert_eq!(catalog_as_admin(&env).await, document);
    assert!(env.items_of("audit").await.is_empty());
}

#[tokio::test]
async fn a_kiosk_registered_by_the_admin_signs_with_the_secret_shown_once_and_is_audited() {
    let env = TestEnv::new().await;
    let body = json!({ "id": "olsztyn-hall-2", "languages": ["pl", "uk"] });
    let (status, answer) = env
        .call_as(
            Some("admin.olsztyn"),
            Method::POST,
            "/staff/offices/olsztyn/kiosks",
            Some(&body),
        )
        .await;
    assert_eq!(status, 201, "{answer}");
    let secret = answer["secret"].as_str().unwrap();
    let (status, config) = Kiosk::with_secret(&env, "olsztyn-hall-2", secret)
        .send(Method::GET, "/kiosk/config", "")
        .await;
    assert_eq!(status, 200, "{config}");
    let audit = env.items_of("audit").await;
    assert_eq!(audit.len(), 1);
    assert_eq!(s(&audit[0], "action"), "kiosk_registered");
    assert_eq!(s(&audit[0], "target"), "olsztyn-hall-2");
    assert!(
        !format!("{audit:?}").contains(secret),
        "the secret is stored nowhere"
    );

    // Another office's administrator cannot take the kiosk over.
    let (status, answer) = env
        .call_as(
            Some("admin.mielec"),
            Method::POST,
            "/staff/offices/mielec/kiosks",
            Some(&body),
        )
        .await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["error"]["fields"][0]["code"], "taken");
    let (status, _) = Kiosk::with_secret(&env, "olsztyn-hall-2", secret)
        .send(Method::GET, "/kiosk/config", "")
        .await;
    assert_eq!(status, 200, "Olsztyn's kiosk still signs");
}

#[tokio::test]
async fn the_sample_admin_events_run_through_the_admin_handler() {
    let env = TestEnv::new().await;
    let request =
        lambda_http::request::from_str(&sample_event("admin-register-kiosk.json")).unwrap();
    let response = admin::handle(&env.app, request).await.unwrap();
    assert_eq!(response.status(), 201);
    let request = lambda_http::request::from_str(&sample_event("admin-change-kiosk.json")).unwrap();
    let response = admin::handle(&env.app, request).await.unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(body["enabled"], false, "{body}");
    let request = lambda_http::request::from_str(&sample_event("admin-audit.json")).unwrap();
    let response = admin::handle(&env.app, request).await.unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = serde_json::from_slice(response.body()).unwrap();
    let mut actions: Vec<&str> = body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    // The test clock stands still: both entries are of one millisecond.
    actions.sort();
    assert_eq!(actions, ["kiosk_changed", "kiosk_registered"]);
}

#[tokio::test]
async fn an_admin_lists_the_offices_kiosks_and_switches_one_off_and_on_with_an_audit_entry() {
    let env = TestEnv::new().await;
    let register = |id: &str| json!({ "id": id, "languages": ["pl"] });
    let mut secrets = Vec::new();
    for (who, path, id) in [
        (
            "admin.olsztyn",
            "/staff/offices/olsztyn/kiosks",
            "olsztyn-hall-2",
        ),
        (
            "admin.mielec",
            "/staff/offices/mielec/kiosks",
            "mielec-hall-2",
        ),
    ] {
        let (status, answer) = env
            .call_as(Some(who), Method::POST, path, Some(&register(id)))
            .await;
        assert_eq!(status, 201, "{answer}");
        secrets.push(answer["secret"].as_str().unwrap().to_owned());
    }
    let kiosks = "/staff/offices/olsztyn/kiosks";
    let (status, listed) = env
        .call_as(Some("admin.olsztyn"), Method::GET, kiosks, None)
        .await;
    assert_eq!(status, 200, "{listed}");
    let ids: Vec<&str> = listed["kiosks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"olsztyn-hall-2"), "{listed}");
    assert!(
        !ids.contains(&"mielec-hall-2"),
        "another office's kiosk is not listed: {listed}"
    );
    assert!(
        !listed.to_string().contains(&secrets[0]),
        "no secret in the list"
    );

    let one = "/staff/offices/olsztyn/kiosks/olsztyn-hall-2";
    let off =
        json!({ "enabled": false, "message": { "pl": "Kiosk nieczynny, prosimy do okienka 1" } });
    let (status, changed) = env
        .call_as(Some("admin.olsztyn"), Method::PATCH, one, Some(&off))
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["enabled"], false);
    assert_eq!(
        changed["walk_ins_enabled"], true,
        "what the change leaves out stays"
    );
    let kiosk = Kiosk::with_secret(&env, "olsztyn-hall-2", &secrets[0]);
    let (status, refused) = kiosk.walk_in("id-card-application").await;
    assert_eq!(status, 503, "{refused}");
    assert_eq!(refused["error"]["code"], "kiosk_disabled");
    assert_eq!(
        refused["error"]["kiosk_message"]["pl"],
        "Kiosk nieczynny, prosimy do okienka 1"
    );
    let audit = env.items_of("audit").await;
    let entry = audit
        .iter()
        .find(|e| s(e, "action") == "kiosk_changed")
        .expect("the switch is audited");
    assert_eq!(s(entry, "target"), "olsztyn-hall-2");
    assert!(
        format!("{entry:?}").contains("enabled"),
        "the entry holds the field before and after: {entry:?}"
    );

    let (status, changed) = env
        .call_as(
            Some("admin.olsztyn"),
            Method::PATCH,
            one,
            Some(&json!({ "enabled": true, "walk_ins_enabled": false })),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    let (status, refused) = kiosk.walk_in("id-card-application").await;
    assert_eq!(status, 503, "{refused}");
    assert_eq!(refused["error"]["code"], "walk_ins_disabled");
    let (status, config) = kiosk.send(Method::GET, "/kiosk/config", "").await;
    assert_eq!(status, 200, "the switched-on kiosk answers again: {config}");

    // Refusals change nothing: another office's kiosk through this office,
    // an unknown kiosk, no language, an unknown field, a clerk.
    let before = env.items_of("audit").await.len();
    for (who, path, body, status_wanted) in [
        (
            "admin.olsztyn",
            "/staff/offices/olsztyn/kiosks/mielec-hall-2",
            json!({ "enabled": false }),
            404,
        ),
        (
            "admin.mielec",
            "/staff/offices/mielec/kiosks/olsztyn-hall-2",
            json!({ "enabled": false }),
            404,
        ),
        (
            "admin.olsztyn",
            "/staff/offices/olsztyn/kiosks/no-such-kiosk",
            json!({ "enabled": false }),
            404,
        ),
        ("admin.olsztyn", one, json!({ "languages": [] }), 422),
        ("admin.olsztyn", one, json!({ "switched": false }), 400),
        ("clerk.olsztyn", one, json!({ "enabled": false }), 403),
    ] {
        let (status, answer) = env
            .call_as(Some(who), Method::PATCH, path, Some(&body))
            .await;
        assert_eq!(status, status_wanted, "{who} {path} {body}: {answer}");
    }
    assert_eq!(env.items_of("audit").await.len(), before);
    let (_, config) = Kiosk::with_secret(&env, "mielec-hall-2", &secrets[1])
        .send(Method::GET, "/kiosk/config", "")
        .await;
    assert_eq!(config["enabled"], true, "{config}");
}

#[tokio::test]
async fn matters_are_listed_to_citizens_in_the_groups_the_admin_defines() {
    let env = TestEnv::new().await;
    let document = catalog_as_admin(&env).await;
    let mut grouped = with_department(document, CIVIL_AFFAIRS, |d| {
        d["groups"] = json!([
            { "id": "applications", "name": { "pl": "Wnioski o dowód" } },
            { "id": "collection", "name": { "pl": "Odbiór dowodu" }, "description": { "pl": "Z numerem wniosku" } },
        ])
    });
    for s in grouped["catalog"]["services"].as_array_mut().unwrap() {
        match s["id"].as_str().unwrap() {
            "id-card-application" | "id-card-lost" => s["group_id"] = json!("applications"),
            "id-card-pickup" => s["group_id"] = json!("collection"),
            _ => {}
        }
    }
    let (status, report) = put_catalog(&env, &grouped).await;
    assert_eq!(status, 200, "{report}");
    let (status, office) = env.call(Method::GET, "/offices/olsztyn", None, &[]).await;
    assert_eq!(status, 200, "{office}");
    let civil = office["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == CIVIL_AFFAIRS)
        .unwrap();
    assert_eq!(
        civil["groups"][1]["id"], "collection",
        "in the admin's order"
    );
    assert_eq!(civil["groups"][1]["description"]["pl"], "Z numerem wniosku");
    let group_of = |id: &str| {
        civil["services"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap()["group_id"]
            .clone()
    };
    assert_eq!(group_of("id-card-application"), "applications");
    assert_eq!(group_of("id-card-pickup"), "collection");
    let audit = env.items_of("audit").await;
    assert!(
        format!("{audit:?}").contains("groups"),
        "the change is audited: {audit:?}"
    );
}
