//! Staff routes behind the JWT authorizer (Cognito in AWS; tokens `local/`
//! issues locally), for an office's clerks (and its administrators):
//! `GET /staff/offices/{office_id}/admission-list?date=&desk_group=` is the
//! day's list for the desks (seeds 000, 002); `POST /staff/blocks/lift`
//! lifts a person's no-show block (seed 002);
//! `POST /staff/offices/{office_id}/bookings` books for a caller, confirmed
//! at once (seeds 002, 003); `POST /staff/offices/{office_id}/bookings/search`
//! finds bookings by kiosk code, reference or national ID (in the body: a
//! national ID never goes into a URL, which logs keep); `POST /staff/offices/{office_id}/bookings/{booking_id}/cancel`
//! cancels one; `POST /staff/offices/{office_id}/persons/export` gives
//! everything the office holds about a person and
//! `POST /staff/offices/{office_id}/bookings/{booking_id}/contact` corrects
//! a booking's name, email or phone (GDPR Art. 15, 16). Every action is
//! recorded in the office's audit log.

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Error, Request, Response};
use serde_json::json;
use termin::api::{
    self, ApiError, booking_id, idempotency, json_response, not_found, office_id, parse_json,
    query_param, raw_json_response, route_path, staff,
};
use termin::service::admission::admission_list;
use termin::service::clerk::{BookingQuery, cancel_for_caller, find_bookings};
use termin::service::person::{correct_contact, export_person};
use termin::service::sweeper::lift_block;
use termin::service::{App, BookOutcome, book_for_caller};

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, Error> {
    Ok(api::respond(route(app, &req).await))
}

async fn route(app: &App, req: &Request) -> Result<Response<Body>, ApiError> {
    let staff = staff(req)?;
    let path = route_path(req);
    if path == "/staff/blocks/lift" && req.method() == Method::POST {
        let lifted = lift_block(app, &staff, parse_json(req)?).await?;
        return Ok(json_response(StatusCode::OK, &json!({ "lifted": lifted })));
    }
    let office = office_id(req)?;
    let last = path.rsplit('/').next().unwrap_or_default();
    match (req.method(), last) {
        (&Method::GET, "admission-list") => {
            let list = admission_list(
                app,
                &staff,
                &office,
                query_param(req, "date").as_deref(),
                query_param(req, "desk_group").as_deref(),
            )
            .await?;
            Ok(json_response(StatusCode::OK, &list))
        }
        (&Method::POST, "bookings") => {
            let key = idempotency(req)?;
            match book_for_caller(app, &staff, &office, parse_json(req)?, key).await? {
                BookOutcome::Created(booking) => Ok(json_response(StatusCode::CREATED, &booking)),
                BookOutcome::Replayed { status, body } => Ok(raw_json_response(
                    StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
                    body,
                )),
            }
        }
        (&Method::POST, "search") => {
            let query: BookingQuery = parse_json(req)?;
            let found = find_bookings(app, &staff, &office, query).await?;
            Ok(json_response(StatusCode::OK, &json!({ "bookings": found })))
        }
        (&Method::POST, "export") => {
            let export = export_person(app, &staff, &office, parse_json(req)?).await?;
            Ok(json_response(StatusCode::OK, &export))
        }
        (&Method::POST, "contact") => {
            let corrected =
                correct_contact(app, &staff, &office, booking_id(req)?, parse_json(req)?).await?;
            Ok(json_response(StatusCode::OK, &corrected))
        }
        (&Method::POST, "cancel") => {
            let outcome = cancel_for_caller(app, &staff, &office, booking_id(req)?).await?;
            Ok(json_response(
                StatusCode::OK,
                &json!({ "booking": outcome.booking, "already_cancelled": outcome.already_cancelled }),
            ))
        }
        _ => Err(not_found()),
    }
}
