//! `POST /bookings`: creates a pending hold. Honours `Idempotency-Key`.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Error, Request, Response};
use termin::api::dto::BookRequest;
use termin::api::{self, ApiError, body_bytes, json_response, parse_json, raw_json_response};
use termin::service::{self, App, BookOutcome, Idempotency, ServiceError};

pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, Error> {
    Ok(api::respond(book(app, &req).await))
}

async fn book(app: &App, req: &Request) -> Result<Response<Body>, ApiError> {
    let idempotency = match req.headers().get(IDEMPOTENCY_HEADER) {
        None => None,
        Some(value) => {
            let key = value.to_str().map_err(|_| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_idempotency_key",
                    "Idempotency-Key must be visible ASCII",
                )
            })?;
            Some(Idempotency {
                key: key.to_owned(),
                body: body_bytes(req).to_vec(),
            })
        }
    };
    let request: BookRequest = parse_json(req)?;
    match service::book(app, request, idempotency).await {
        Ok(BookOutcome::Created(view)) => Ok(json_response(StatusCode::CREATED, &view)),
        Ok(BookOutcome::Replayed { status, body }) => Ok(raw_json_response(
            StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            body,
        )),
        Err(ServiceError::Invalid(fields))
            if fields.iter().any(|f| f.field == "Idempotency-Key") =>
        {
            Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_idempotency_key",
                "Idempotency-Key must be 1 to 255 visible ASCII characters",
            ))
        }
        Err(e) => Err(e.into()),
    }
}
