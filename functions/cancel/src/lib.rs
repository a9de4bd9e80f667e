//! `POST /bookings/{booking_id}/cancel` with the manage token from an email, or
//! `POST /bookings/cancel` with national ID, service and day (seed 001).

use lambda_http::http::StatusCode;
use lambda_http::{Body, Error, Request, Response};
use serde_json::json;
use termin::api::dto::{CancelByPersonRequest, CancelRequest, FieldError};
use termin::api::{self, ApiError, json_response, parse_json, path_param};
use termin::domain::codes::Token;
use termin::domain::ids::BookingId;
use termin::service::{self, App, CancelOutcome, ServiceError};

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, Error> {
    Ok(api::respond(cancel(app, &req).await))
}

async fn cancel(app: &App, req: &Request) -> Result<Response<Body>, ApiError> {
    let outcome = match path_param(req, "booking_id") {
        Some(raw) => {
            let id = BookingId::parse(&raw)
                .map_err(|_| ApiError::from(ServiceError::BookingNotFound))?;
            let request: CancelRequest = parse_json(req)?;
            let token = Token::parse(&request.token)
                .map_err(|e| ApiError::invalid(vec![FieldError::new("token", "invalid", e)]))?;
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
