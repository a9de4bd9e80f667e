//! `POST /bookings/{booking_id}/cancel` with the manage token from an email;
//! `POST /bookings/cancel` with national ID, service and day (seed 001) sends
//! a cancel link to the booking's own email address and answers 202 alike
//! whether or not a booking matched;
//! `GET /bookings/{booking_id}` with the manage token as `Authorization: Bearer`
//! shows the booking on its manage page.

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Error, Request, Response};
use serde_json::json;
use termin::api::{
    self, ApiError, bearer_token, booking_id, client_address, json_response, parse_json, path_param,
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
    if path_param(req, "booking_id").is_none() {
        let request = parse_json::<CancelByPersonRequest>(req)?;
        service::request_cancel_link(app, request, client_address(req)).await?;
        return Ok(json_response(StatusCode::ACCEPTED, &cancel_link_answer()));
    }
    let id = booking_id(req)?;
    let token = parse_json::<CancelRequest>(req)?.validate()?;
    Ok(respond(service::cancel_with_token(app, id, &token).await?))
}

/// The one answer to a cancellation by national ID, whether or not a booking
/// matched, so it tells nobody whether a person has an appointment.
fn cancel_link_answer() -> serde_json::Value {
    json!({
        "status": "cancel_link_sent_if_booked",
        "message": "if an open booking matches, a link to cancel it has been sent to the email address it was booked with",
    })
}

fn respond(outcome: CancelOutcome) -> Response<Body> {
    json_response(
        StatusCode::OK,
        &json!({ "booking": outcome.booking, "already_cancelled": outcome.already_cancelled }),
    )
}
