//! `POST /bookings/{booking_id}/cancel` with the manage token from an email, or
//! `POST /bookings/cancel` with national ID, service and day (seed 001);
//! `GET /bookings/{booking_id}` with the manage token as `Authorization: Bearer`
//! shows the booking on its manage page.

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Error, Request, Response};
use serde_json::json;
use termin::api::{
    self, ApiError, bearer_token, booking_id, json_response, parse_json, path_param,
};
use termin::service::input::{CancelByPersonRequest, CancelRequest};
use termin::service::{self, App, CancelOutcome};

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, Error> {
    Ok(api::respond(cancel(app, &req).await))
}

async fn cancel(app: &App, req: &Request) -> Result<Response<Body>, ApiError> {
    if req.method() == Method::GET {
        let booking = service::view_with_token(app, booking_id(req)?, &bearer_token(req)?).await?;
        return Ok(json_response(
            StatusCode::OK,
            &json!({ "booking": booking }),
        ));
    }
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
