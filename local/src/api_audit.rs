//! Holds `infra/openapi.yaml` and `infra/template.yaml` to each other: every
//! operation names a function of the template that API Gateway may invoke and
//! that the local router can run, no function routes by events of its own, the
//! staff routes and only they sit behind the HttpApi's `StaffJwt` authorizer;
//! and holds the document's schemas to what the functions take and answer.

use crate::openapi::ApiDocument;
use crate::router::{FUNCTIONS, STAFF_AUTHORIZER};
use crate::template::{Route, Template};
use serde_json::{Value, json};
use serde_yaml::Value as Yaml;
use std::collections::BTreeSet;

fn template() -> Template {
    Template::workspace().unwrap()
}

fn routes() -> Vec<Route> {
    let routes = template().routes().unwrap();
    assert!(routes.len() >= 20, "found {} routes", routes.len());
    routes
}

fn document() -> ApiDocument {
    template().api_document().unwrap()
}

/// The resource a `!Ref Name` points at.
fn reference(v: &Yaml) -> Option<&str> {
    match v {
        Yaml::Tagged(t) if t.tag == "Ref" => t.value.as_str(),
        _ => None,
    }
}

/// The functions the template lets API Gateway invoke from the HttpApi.
fn invocable_from_the_api(template: &Template) -> BTreeSet<String> {
    let mut functions = BTreeSet::new();
    for name in template.names_of_type("AWS::Lambda::Permission").unwrap() {
        let props = template.resource(&name).unwrap().get("Properties").unwrap();
        let source = match props.get("SourceArn") {
            Some(Yaml::Tagged(t)) if t.tag == "Sub" => t.value.as_str().unwrap_or_default(),
            _ => "",
        };
        if props.get("Principal").and_then(Yaml::as_str) != Some("apigateway.amazonaws.com")
            || !source.contains(":execute-api:")
        {
            continue;
        }
        assert!(
            source.ends_with(":${HttpApi}/*"),
            "{name}: API Gateway may invoke from another API: {source}"
        );
        assert_eq!(
            props.get("Action").and_then(Yaml::as_str),
            Some("lambda:InvokeFunction"),
            "{name}"
        );
        let function = props
            .get("FunctionName")
            .and_then(reference)
            .unwrap_or_else(|| panic!("{name}: FunctionName is not a !Ref"));
        functions.insert(function.to_owned());
    }
    functions
}

#[test]
fn every_operation_names_a_function_the_api_may_invoke_and_the_router_can_run() {
    let template = template();
    let functions = template.names_of_type("AWS::Serverless::Function").unwrap();
    let routed: BTreeSet<String> = routes().into_iter().map(|r| r.function).collect();
    for function in &routed {
        assert!(
            functions.contains(function),
            "{function} is not a function of the template"
        );
    }
    assert_eq!(
        invocable_from_the_api(&template),
        routed,
        "the functions API Gateway may invoke are not those the document routes to"
    );
    assert_eq!(
        FUNCTIONS
            .iter()
            .map(|f| f.to_string())
            .collect::<BTreeSet<_>>(),
        routed,
        "the local router's handlers are not those the document routes to"
    );
}

#[test]
fn the_document_is_the_only_source_of_routes() {
    let template = template();
    for function in template.names_of_type("AWS::Serverless::Function").unwrap() {
        let events = template
            .resource(&function)
            .and_then(|r| r.get("Properties"))
            .and_then(|p| p.get("Events"))
            .and_then(Yaml::as_mapping);
        for event in events.into_iter().flat_map(|m| m.values()) {
            let kind = event.get("Type").and_then(Yaml::as_str).unwrap_or_default();
            assert!(
                !["HttpApi", "Api"].contains(&kind),
                "{function} has an {kind} event: routes belong in infra/openapi.yaml"
            );
        }
    }
    let routes = routes();
    let keys: BTreeSet<(&str, &str)> = routes
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    assert_eq!(keys.len(), routes.len(), "a route is in the document twice");
}

#[test]
fn staff_routes_and_only_they_sit_behind_the_http_apis_staff_authorizer() {
    let template = template();
    let api = template
        .names_of_type("AWS::Serverless::HttpApi")
        .unwrap()
        .into_iter()
        .next()
        .unwrap();
    let authorizers = template
        .resource(&api)
        .and_then(|r| r.get("Properties"))
        .and_then(|p| p.get("Auth"))
        .and_then(|a| a.get("Authorizers"))
        .and_then(Yaml::as_mapping)
        .unwrap();
    let staff_jwt = authorizers.get(STAFF_AUTHORIZER).unwrap();
    assert!(staff_jwt.get("JwtConfiguration").is_some());
    assert!(
        document()
            .raw()
            .pointer(&format!("/components/securitySchemes/{STAFF_AUTHORIZER}"))
            .is_some()
    );
    let routes = routes();
    for route in &routes {
        let staff = route.path.starts_with("/staff/");
        assert_eq!(
            route.authorizer.as_deref(),
            staff.then_some(STAFF_AUTHORIZER),
            "{} {}",
            route.method,
            route.path
        );
    }
    assert!(routes.iter().any(|r| r.path == "/staff/blocks/lift"));
}

#[test]
fn the_document_routes_each_use_case_to_its_function() {
    let routes = routes();
    let has = |m: &str, p: &str, f: &str| {
        routes
            .iter()
            .any(|r| r.method == m && r.path == p && r.function == f)
    };
    for (method, path, function) in [
        ("GET", "/offices", "ListSlotsFunction"),
        (
            "GET",
            "/offices/{office_id}/services/{service_id}/slots",
            "ListSlotsFunction",
        ),
        ("POST", "/bookings", "BookFunction"),
        ("POST", "/bookings/{booking_id}/confirm", "ConfirmFunction"),
        ("POST", "/bookings/cancel", "CancelFunction"),
        ("GET", "/bookings/{booking_id}", "CancelFunction"),
        ("POST", "/kiosk/redeem", "KioskFunction"),
        ("POST", "/staff/blocks/lift", "StaffFunction"),
        ("GET", "/queue/offices/{office_id}", "QueueFunction"),
        (
            "POST",
            "/staff/offices/{office_id}/desks/{desk}/call-next",
            "QueueFunction",
        ),
    ] {
        assert!(has(method, path, function), "{method} {path} → {function}");
    }
}

#[test]
fn every_path_parameter_is_declared_and_required() {
    let doc = document();
    let raw = doc.raw();
    let follow = |p: &Value| -> Value {
        match p.get("$ref").and_then(Value::as_str) {
            Some(r) => raw.pointer(&r[1..]).unwrap().clone(),
            None => p.clone(),
        }
    };
    for route in routes() {
        let in_path: BTreeSet<String> = route
            .path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(str::to_owned)
            .collect();
        let item = &raw["paths"][&route.path];
        let operation = &item[route.method.to_ascii_lowercase()];
        let declared: Vec<Value> = [&item["parameters"], &operation["parameters"]]
            .into_iter()
            .filter_map(Value::as_array)
            .flatten()
            .map(follow)
            .filter(|p| p["in"] == "path")
            .collect();
        for p in &declared {
            assert_eq!(p["required"], true, "{}: {p}", route.path);
        }
        let names: BTreeSet<String> = declared
            .iter()
            .filter_map(|p| p["name"].as_str().map(str::to_owned))
            .collect();
        assert_eq!(names, in_path, "{} {}", route.method, route.path);
    }
}

#[test]
fn the_document_has_no_yaml_tags_which_aws_include_cannot_read() {
    fn tags(v: &Yaml, found: &mut Vec<String>) {
        match v {
            Yaml::Tagged(t) => found.push(t.tag.to_string()),
            Yaml::Sequence(items) => items.iter().for_each(|i| tags(i, found)),
            Yaml::Mapping(m) => m.values().for_each(|i| tags(i, found)),
            _ => {}
        }
    }
    let path = template().api_document_path().unwrap();
    let doc: Yaml = serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut found = Vec::new();
    tags(&doc, &mut found);
    assert!(found.is_empty(), "short-form intrinsics: {found:?}");
    assert_eq!(
        doc.get("openapi")
            .and_then(Yaml::as_str)
            .map(|v| v.starts_with("3.0.")),
        Some(true),
        "API Gateway HTTP APIs import OpenAPI 3.0"
    );
}

/// The sample events of API routes, as (route key, body).
fn sample_requests() -> Vec<(String, String, Option<Value>)> {
    let dir = crate::workspace_root().join("events");
    let mut requests = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let event: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let Some(key) = event["routeKey"].as_str() else {
            continue;
        };
        let (method, route) = key.split_once(' ').unwrap();
        // A file's bytes (base64, as API Gateway passes them) are not JSON.
        let binary = event["isBase64Encoded"] == true;
        let body = event["body"]
            .as_str()
            .filter(|b| !b.is_empty() && !binary)
            .map(|b| serde_json::from_str(b).unwrap());
        requests.push((method.to_owned(), route.to_owned(), body));
    }
    requests
}

#[test]
fn the_sample_events_send_what_their_routes_take() {
    let doc = document();
    let requests = sample_requests();
    let routes = routes();
    let mut checked = 0;
    for (method, path, body) in &requests {
        assert!(
            routes
                .iter()
                .any(|r| &r.method == method && &r.path == path),
            "a sample event for {method} {path}, which the document does not route"
        );
        match (doc.request_schema(method, path), body) {
            (Some(schema), Some(body)) => {
                assert_eq!(ApiDocument::check(&schema, body), Ok(()), "{method} {path}");
                checked += 1;
            }
            (None, None) => {}
            (schema, body) => {
                panic!("{method} {path}: the schema is {schema:?} and the sample's body {body:?}")
            }
        }
    }
    assert!(checked >= 3, "only {checked} sample bodies checked");
}

fn booking_body() -> Value {
    json!({
        "office_id": "olsztyn",
        "service_id": "id-card-application",
        "start": "2026-11-24T07:30:00+01:00",
        "first_name": "Anna",
        "last_name": "Kowalska",
        "email": "anna.kowalska@example.pl",
        "national_id": "44051401359",
        "accept_terms": true,
        "consent_data_processing": true
    })
}

/// A body changed by `f`.
fn with(mut body: Value, f: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Value {
    f(body.as_object_mut().unwrap());
    body
}

/// A method, a path, a body and whether the function's body type takes it.
type BodyCase = (&'static str, &'static str, Value, fn(&Value) -> bool);

#[test]
fn a_request_schema_takes_what_the_functions_body_type_takes() {
    use termin::service::input::{
        BookRequest, CancelByPersonRequest, ConfirmRequest, LiftBlockRequest, OpenDeskRequest,
        RedeemRequest, WalkInRequest,
    };
    fn serde_takes<T: serde::de::DeserializeOwned>(v: &Value) -> bool {
        serde_json::from_value::<T>(v.clone()).is_ok()
    }
    let doc = document();
    let cases: Vec<BodyCase> = vec![
        (
            "POST",
            "/bookings",
            booking_body(),
            serde_takes::<BookRequest>,
        ),
        (
            "POST",
            "/bookings",
            with(booking_body(), |b| {
                b.insert("phone".into(), json!("+48600100200"));
                b.insert("confirm_by".into(), json!("sms"));
                b.insert("language".into(), json!("uk"));
                b.insert("application_number".into(), json!(null));
                b.insert("walk_up".into(), json!(true));
            }),
            serde_takes::<BookRequest>,
        ),
        (
            "POST",
            "/bookings",
            with(booking_body(), |b| {
                b.insert("clerk_id".into(), json!("anna-nowicka"));
            }),
            serde_takes::<BookRequest>,
        ),
        (
            "POST",
            "/bookings",
            with(booking_body(), |b| {
                b.insert("clerk_id".into(), json!(null));
            }),
            serde_takes::<BookRequest>,
        ),
        (
            "POST",
            "/bookings",
            with(booking_body(), |b| {
                b.insert("clerk_id".into(), json!(7));
            }),
            serde_takes::<BookRequest>,
        ),
        (
            "POST",
            "/bookings",
            with(booking_body(), |b| {
                b.insert("phone".into(), json!(null));
                b.insert("confirm_by".into(), json!(null));
                b.insert("language".into(), json!(null));
            }),
            serde_takes::<BookRequest>,
        ),
        (
            "POST",
            "/bookings",
            with(booking_body(), |b| {
                let id = b.remove("national_id").unwrap();
                b.insert("pesel".into(), id);
            }),
            serde_takes::<BookRequest>,
        ),
        (
            "POST",
            "/bookings",
            with(booking_body(), |b| {
                b.remove("email");
            }),
            serde_takes::<BookRequest>,
        ),
        (
            "POST",
            "/bookings",
            with(booking_body(), |b| {
                b.remove("national_id");
            }),
            serde_takes::<BookRequest>,
        ),
        (
            "POST",
            "/bookings",
            with(booking_body(), |b| {
                b.insert("confirm_by".into(), json!("fax"));
            }),
            serde_takes::<BookRequest>,
        ),
        (
            "POST",
            "/bookings",
            with(booking_body(), |b| {
                b.insert("admin".into(), json!(true));
            }),
            serde_takes::<BookRequest>,
        ),
        (
            "POST",
            "/bookings",
            with(booking_body(), |b| {
                b.insert("accept_terms".into(), json!("yes"));
            }),
            serde_takes::<BookRequest>,
        ),
        (
            "POST",
            "/bookings/{booking_id}/confirm",
            json!({"token": "t"}),
            serde_takes::<ConfirmRequest>,
        ),
        (
            "POST",
            "/bookings/{booking_id}/confirm",
            json!({"code": "123456"}),
            serde_takes::<ConfirmRequest>,
        ),
        (
            "POST",
            "/bookings/{booking_id}/confirm",
            json!({"code": 123456}),
            serde_takes::<ConfirmRequest>,
        ),
        (
            "POST",
            "/bookings/cancel",
            json!({"office_id": "olsztyn", "service_id": "s", "date": "2026-11-24", "pesel": "44051401359"}),
            serde_takes::<CancelByPersonRequest>,
        ),
        (
            "POST",
            "/bookings/cancel",
            json!({"office_id": "olsztyn", "service_id": "s", "national_id": "44051401359"}),
            serde_takes::<CancelByPersonRequest>,
        ),
        (
            "POST",
            "/staff/blocks/lift",
            json!({"office_id": "olsztyn", "national_id": "44051401359"}),
            serde_takes::<LiftBlockRequest>,
        ),
        (
            "POST",
            "/kiosk/redeem",
            json!({"code": "123456"}),
            serde_takes::<RedeemRequest>,
        ),
        (
            "POST",
            "/kiosk/redeem",
            json!({}),
            serde_takes::<RedeemRequest>,
        ),
        (
            "POST",
            "/kiosk/walk-in",
            json!({"service_id": "vehicle-registration"}),
            serde_takes::<WalkInRequest>,
        ),
        (
            "POST",
            "/staff/offices/{office_id}/desks/{desk}/open",
            json!({"groups": ["A", "K"]}),
            serde_takes::<OpenDeskRequest>,
        ),
        (
            "POST",
            "/staff/offices/{office_id}/desks/{desk}/open",
            json!({"groups": "A"}),
            serde_takes::<OpenDeskRequest>,
        ),
    ];
    for (method, path, body, serde_takes) in cases {
        let schema = doc.request_schema(method, path).unwrap();
        assert_eq!(
            ApiDocument::check(&schema, &body).is_ok(),
            serde_takes(&body),
            "{method} {path} {body}: the schema and the function disagree"
        );
    }
}

#[test]
fn a_booking_as_answered_matches_its_response_schema() {
    use termin::domain::booking::{BookingStatus, Channel};
    use termin::service::views::BookingView;
    let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap();
    let pending = BookingView {
        booking_id: "01JD0000000000000000000000".into(),
        public_ref: "K7Q2M9".into(),
        status: BookingStatus::Pending,
        office_id: "olsztyn".into(),
        department_id: "citizens-affairs".into(),
        service_id: "id-card-application".into(),
        start: at("2026-11-24T07:30:00+01:00"),
        end: at("2026-11-24T07:45:00+01:00"),
        time_zone: "Europe/Warsaw".into(),
        hold_expires_at: Some(at("2026-11-23T11:00:00+01:00")),
        confirm_by: Channel::Email,
        kiosk_code: None,
        clerk: None,
    };
    let doc = document();
    let created = doc.response_schema("POST", "/bookings", 201).unwrap();
    let body = serde_json::to_value(&pending).unwrap();
    assert_eq!(ApiDocument::check(&created, &body), Ok(()));
    let confirmed = BookingView {
        status: BookingStatus::Confirmed,
        hold_expires_at: None,
        kiosk_code: Some("123456".into()),
        clerk: Some(termin::service::views::ClerkRef {
            id: "anna-nowicka".into(),
            name: "Anna Nowicka".into(),
        }),
        ..pending
    };
    let answer = json!({ "booking": confirmed, "already_confirmed": false });
    let schema = doc
        .response_schema("POST", "/bookings/{booking_id}/confirm", 200)
        .unwrap();
    assert_eq!(ApiDocument::check(&schema, &answer), Ok(()));
    assert!(ApiDocument::check(&created, &answer).is_err());
}

#[test]
fn every_error_answers_the_one_error_shape() {
    use lambda_http::http::StatusCode;
    use termin::api::ApiError;
    use termin::service::{FieldError, ServiceError};
    let doc = document();
    let errors = [
        ApiError::invalid(vec![FieldError::new("email", "invalid", "not an email")]),
        ServiceError::SlotFull { next: vec![] }.into(),
        ServiceError::ClerkBusy { next: vec![] }.into(),
        ServiceError::KioskLocked {
            retry_after_seconds: 300,
        }
        .into(),
        ServiceError::BookingBlocked {
            from: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        }
        .into(),
        ServiceError::TooEarly {
            valid_from: chrono::DateTime::parse_from_rfc3339("2026-11-24T07:00:00+01:00").unwrap(),
        }
        .into(),
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such route"),
    ];
    for route in routes() {
        let schema = doc
            .response_schema(&route.method, &route.path, 599)
            .unwrap_or_else(|| panic!("{} {} has no default answer", route.method, route.path));
        for error in &errors {
            assert_eq!(
                ApiDocument::check(&schema, &error.body()),
                Ok(()),
                "{} {}: {}",
                route.method,
                route.path,
                error.code
            );
        }
    }
}

/// The OpenAPI Initiative's JSON Schema of OpenAPI 3.0 documents (2021-09-28,
/// Apache-2.0), as the openapi-spec-validator package on PyPI ships it.
const OPENAPI_3_0_SCHEMA: &str = include_str!("../openapi-3.0.schema.json");

#[test]
fn the_document_is_valid_openapi_3_0() {
    let schema: Value = serde_json::from_str(OPENAPI_3_0_SCHEMA).unwrap();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&schema)
        .unwrap();
    let doc = document();
    let errors: Vec<String> = validator
        .iter_errors(doc.raw())
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");

    // A comma in an unquoted flow-style description splits it into a key.
    let broken = doc
        .raw()
        .pointer("/components/schemas/Booking")
        .cloned()
        .map(|mut s| {
            s["properties"]["kiosk_code"]["to whoever holds a token"] = Value::Null;
            s
        })
        .unwrap();
    let mut bad = doc.raw().clone();
    bad["components"]["schemas"]["Booking"] = broken;
    assert!(!validator.is_valid(&bad));
}
