//! `POST /bookings`: creates a pending hold. Honours `Idempotency-Key`;
//! attempts are counted per client address (API Gateway's `sourceIp`).

use lambda_http::http::StatusCode;
use lambda_http::{Body, Error, Request, Response};
use termin::api::{self, ApiError, idempotency, json_response, parse_json, raw_json_response};
use termin::service::input::BookRequest;
use termin::service::{self, App, BookOutcome};

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, Error> {
    Ok(api::respond(book(app, &req).await))
}

async fn book(app: &App, req: &Request) -> Result<Response<Body>, ApiError> {
    let idempotency = idempotency(req)?;
    let request: BookRequest = parse_json(req)?;
    match service::book(app, request, idempotency, api::source_ip(req)).await? {
        BookOutcome::Created(view) => Ok(json_response(StatusCode::CREATED, &view)),
        BookOutcome::Replayed { status, body } => Ok(raw_json_response(
            StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            body,
        )),
    }
}
