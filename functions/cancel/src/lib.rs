//! `POST /bookings/{booking_id}/cancel` with the manage token from an email, or
//! `POST /bookings/cancel` with national ID, service and day (seed 001).

use lambda_http::http::StatusCode;
use lambda_http::{Body, Error, Request, Response};
use serde_json::json;
use termin::api::{self, ApiError, booking_id, json_response, parse_json, path_param};
use termin::service::input::{CancelByPersonRequest, CancelRequest};
use termin::service::{self, App, CancelOutcome};

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, Error> {
    Ok(api::respond(cancel(app, &req).await))
}

async fn cancel(app: &App, req: &Request) -> Result<Response<Body>, ApiError> {
    let outcome = match path_param(req, "booking_id") {
        Some(_) => {
            let id = booking_id(req)?;
            let token = parse_json::<CancelRequest>(req)?.validate()?;
            service::cancel_with_token(app, id, &token).await?
        }
        None => service::cancel_for_person(app, parse_json::<CancelByPersonRequest>(req)?).await?,
    };
    Ok(respond(outcome))
}

fn respond(outcome: CancelOutcome) -> Response<Body> {
    json_response(
        StatusCode::OK,
        &json!({ "booking": outcome.booking, "already_cancelled": outcome.already_cancelled }),
    )
}
