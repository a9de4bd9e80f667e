//! `POST /bookings/{booking_id}/confirm` with `{"token": …}` (email link) or
//! `{"code": …}` (the code from the SMS, typed on the page).

use lambda_http::http::StatusCode;
use lambda_http::{Body, Error, Request, Response};
use serde_json::json;
use termin::api::dto::ConfirmRequest;
use termin::api::{self, ApiError, json_response, parse_json, path_param};
use termin::domain::ids::BookingId;
use termin::service::{self, App, ServiceError};

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, Error> {
    Ok(api::respond(confirm(app, &req).await))
}

async fn confirm(app: &App, req: &Request) -> Result<Response<Body>, ApiError> {
    let id = booking_id(req)?;
    let request: ConfirmRequest = parse_json(req)?;
    let proof = request.validate().map_err(ApiError::invalid)?;
    let outcome = service::confirm(app, id, proof).await?;
    Ok(json_response(
        StatusCode::OK,
        &json!({ "booking": outcome.booking, "already_confirmed": outcome.already_confirmed }),
    ))
}

/// The booking id from the path; an id that cannot exist is simply not found.
pub fn booking_id(req: &Request) -> Result<BookingId, ApiError> {
    path_param(req, "booking_id")
        .and_then(|raw| BookingId::parse(&raw).ok())
        .ok_or_else(|| ServiceError::BookingNotFound.into())
}
