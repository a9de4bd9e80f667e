//! `POST /bookings/{booking_id}/confirm` with `{"token": …}` (email link) or
//! `{"code": …}` (the code from the SMS, typed on the page).

use lambda_http::http::StatusCode;
use lambda_http::{Body, Error, Request, Response};
use serde_json::json;
use termin::api::{self, ApiError, booking_id, json_response, parse_json};
use termin::service::input::ConfirmRequest;
use termin::service::{self, App};

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, Error> {
    Ok(api::respond(confirm(app, &req).await))
}

async fn confirm(app: &App, req: &Request) -> Result<Response<Body>, ApiError> {
    let id = booking_id(req)?;
    let proof = parse_json::<ConfirmRequest>(req)?.validate()?;
    let outcome = service::confirm(app, id, proof).await?;
    Ok(json_response(
        StatusCode::OK,
        &json!({ "booking": outcome.booking, "already_confirmed": outcome.already_confirmed }),
    ))
}
