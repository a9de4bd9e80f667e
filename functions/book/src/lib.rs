//! `POST /bookings`: creates a pending hold. Honours `Idempotency-Key`;
//! attempts are counted per client address (API Gateway's `sourceIp`).

use lambda_http::http::StatusCode;
use lambda_http::{Body, Error, Request, Response};
use termin::api::{self, ApiError, body_bytes, json_response, parse_json, raw_json_response};
use termin::service::input::{BookRequest, Idempotency, IdempotencyKey};
use termin::service::{self, App, BookOutcome};

pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

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

/// The `Idempotency-Key` header with the exact body it came with, if given.
fn idempotency(req: &Request) -> Result<Option<Idempotency>, ApiError> {
    let Some(value) = req.headers().get(IDEMPOTENCY_HEADER) else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .and_then(|raw| IdempotencyKey::parse(raw).ok())
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_idempotency_key",
                "Idempotency-Key must be 1 to 255 visible ASCII characters",
            )
        })?;
    Ok(Some(Idempotency {
        key,
        body: body_bytes(req).to_vec(),
    }))
}
