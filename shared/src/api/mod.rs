//! The HTTP edge every function shares: one error shape, one mapping from
//! service errors to status codes, and the request helpers. It sits on top of
//! [`crate::service`] and nothing below imports it.
//!
//! Every error body is `{"error":{"code":"…","message":"…", …}}`. 5xx bodies are
//! generic; their cause chain goes to the log (which never holds personal data).

use crate::domain::codes::Token;
use crate::domain::ids::{BookingId, OfficeId, ServiceId};
use crate::domain::signing::{SignatureError, SignedHeaders};
use crate::domain::staff::Staff;
use crate::error::error_chain;
use crate::service::input::{Idempotency, IdempotencyKey};
use crate::service::{FieldError, ServiceError};
use lambda_http::http::{HeaderValue, StatusCode, header};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// An answer that is not a success.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Option<(&'static str, Value)>,
    /// Sent as `Retry-After` (seconds) with 429 and 503 answers.
    pub retry_after: Option<i64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: None,
            retry_after: None,
        }
    }

    /// The answer says when to try again, in the body and as `Retry-After`.
    pub fn retry_after(mut self, seconds: i64) -> Self {
        self.retry_after = Some(seconds);
        self.with("retry_after_seconds", json!(seconds))
    }

    pub fn with(mut self, key: &'static str, value: Value) -> Self {
        self.details = Some((key, value));
        self
    }

    pub fn invalid(fields: Vec<FieldError>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            "some fields are not valid",
        )
        .with("fields", json!(fields))
    }

    pub fn body(&self) -> Value {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let (Some((key, value)), Some(map)) = (&self.details, error.as_object_mut()) {
            map.insert((*key).to_owned(), value.clone());
        }
        json!({ "error": error })
    }

    pub fn into_response(self) -> Response<Body> {
        let mut response = json_response(self.status, &self.body());
        if let Some(value) = self
            .retry_after
            .and_then(|s| HeaderValue::from_str(&s.to_string()).ok())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

impl From<ServiceError> for ApiError {
    fn from(err: ServiceError) -> Self {
        use ServiceError as E;
        match err {
            E::Invalid(fields) => ApiError::invalid(fields),
            E::OfficeNotFound => {
                ApiError::new(StatusCode::NOT_FOUND, "office_not_found", "no such office")
            }
            E::ServiceNotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                "service_not_found",
                "no such service at this office",
            ),
            E::BookingNotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                "booking_not_found",
                "no such booking",
            ),
            E::SlotRefused(why) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "slot_unavailable",
                why.to_string(),
            )
            .with("reason", json!(format!("{why:?}").to_lowercase())),
            E::SlotFull { next } => ApiError::new(
                StatusCode::CONFLICT,
                "slot_full",
                "this slot has just been taken",
            )
            .with("next_free_slots", json!(next)),
            E::ClerkBusy { next } => ApiError::new(
                StatusCode::CONFLICT,
                "clerk_busy",
                "the chosen clerk has another visit at this time",
            )
            .with("next_free_slots", json!(next)),
            E::WeekFull { next } => ApiError::new(
                StatusCode::CONFLICT,
                "weekly_cap_reached",
                "all online appointments for that week are taken",
            )
            .with("next_free_slots", json!(next)),
            E::AlreadyBooked => ApiError::new(
                StatusCode::CONFLICT,
                "already_booked",
                "this person already has an open booking for this matter at this office",
            ),
            E::WrongProof => ApiError::new(
                StatusCode::FORBIDDEN,
                "invalid_token",
                "the token or code does not match this booking",
            ),
            E::CodeLocked => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "code_locked",
                "too many wrong codes; use the link from the email",
            ),
            E::HoldExpired => ApiError::new(
                StatusCode::GONE,
                "hold_expired",
                "the booking was not confirmed within one hour and has been released",
            ),
            E::BookingCancelled => ApiError::new(
                StatusCode::CONFLICT,
                "booking_cancelled",
                "the booking was cancelled",
            ),
            E::TooLate => ApiError::new(
                StatusCode::CONFLICT,
                "too_late",
                "the appointment has already begun",
            ),
            E::IdempotencyKeyReused => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "this Idempotency-Key was used with a different request",
            ),
            E::Busy => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "too many people are booking right now; try again",
            )
            .retry_after(1),
            E::KioskUnauthorized(why) => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                format!("this kiosk request is not accepted: {why}"),
            ),
            E::WrongOffice => ApiError::new(
                StatusCode::FORBIDDEN,
                "wrong_office",
                "this code is for a visit at another office",
            ),
            E::KioskLocked {
                retry_after_seconds,
            } => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "kiosk_locked",
                "too many wrong codes on this kiosk; try again later",
            )
            .retry_after(retry_after_seconds),
            E::KioskDisabled { message } => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "kiosk_disabled",
                "this kiosk is switched off",
            )
            .with("kiosk_message", json!(message)),
            E::WalkInsDisabled { message } => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "walk_ins_disabled",
                "tickets without a booking are not issued at this kiosk now",
            )
            .with("kiosk_message", json!(message)),
            E::CodeUnknown => ApiError::new(
                StatusCode::NOT_FOUND,
                "code_unknown",
                "no visit today has this code",
            ),
            E::TooEarly { valid_from } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "too_early",
                format!("the code is valid from {}", valid_from.format("%H:%M")),
            )
            .with("valid_from", json!(valid_from)),
            E::KioskTooLate => ApiError::new(
                StatusCode::GONE,
                "too_late",
                "the time to check in for this visit has passed; the slot is given up",
            ),
            E::NotConfirmed => ApiError::new(
                StatusCode::CONFLICT,
                "booking_not_confirmed",
                "this booking is not confirmed",
            ),
            E::WalkInCapReached => ApiError::new(
                StatusCode::CONFLICT,
                "walk_in_cap_reached",
                "no more tickets without a booking today",
            ),
            E::WaitingRoomFull => ApiError::new(
                StatusCode::CONFLICT,
                "waiting_room_full",
                "the waiting room is full; please try again in a few minutes",
            )
            .retry_after(300),
            E::DeskClosed => {
                ApiError::new(StatusCode::CONFLICT, "desk_closed", "open the desk first")
            }
            E::DeskBusy { ticket } => ApiError::new(
                StatusCode::CONFLICT,
                "desk_busy",
                format!("ticket {ticket} is called at this desk: mark it served or missed first"),
            )
            .with("ticket", json!(ticket)),
            E::NoCurrentTicket => ApiError::new(
                StatusCode::CONFLICT,
                "no_current_ticket",
                "no ticket is called at this desk",
            ),
            E::RateLimited {
                retry_after_seconds,
            } => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                "too many requests like this one; please try again later",
            )
            .retry_after(retry_after_seconds),
            E::Forbidden => ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "your role does not allow this at this office",
            ),
            E::BookingBlocked { from } => ApiError::new(
                StatusCode::FORBIDDEN,
                "booking_blocked",
                format!(
                    "after a missed visit, online booking at this office is possible again from {}",
                    from.format("%-d %B %Y")
                ),
            )
            .with("bookable_again_from", json!(from)),
            E::VersionConflict { current } => ApiError::new(
                StatusCode::CONFLICT,
                "version_conflict",
                "someone else saved a change meanwhile; load the catalog again and redo yours",
            )
            .with("current_version", json!(current)),
            E::FilesUnavailable => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "files_unavailable",
                "files cannot be kept at the moment; try again later",
            )
            .retry_after(30),
            E::KioskNotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                "kiosk_not_found",
                "no such kiosk at this office",
            ),
            E::KioskChanged => ApiError::new(
                StatusCode::CONFLICT,
                "kiosk_changed",
                "the kiosk was changed meanwhile (a new secret or settings); load the list again",
            ),
            E::ChangeRefused(refusal) => ApiError::new(
                StatusCode::CONFLICT,
                "change_refused",
                "bookings already made rely on what this change removes; move or cancel them first",
            )
            .with("refusal", json!(refusal)),
            E::Store(source) if source.is_transient() => {
                tracing::warn!(error = %error_chain(&source), "store unavailable for now");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "busy",
                    "too many requests at this moment; try again in a second",
                )
                .retry_after(1)
            }
            E::Store(source) => {
                tracing::error!(error = %error_chain(&source), "store failure");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "something went wrong on our side",
                )
            }
        }
    }
}

pub fn json_response<T: Serialize>(status: StatusCode, value: &T) -> Response<Body> {
    let body = serde_json::to_string(value)
        .unwrap_or_else(|_| r#"{"error":{"code":"internal","message":"encoding"}}"#.into());
    raw_json_response(status, body)
}

/// A CSV download (`filename` as the browser should save it).
pub fn csv_response(body: String, filename: &str) -> Response<Body> {
    let mut response = Response::new(Body::Text(body));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

pub fn raw_json_response(status: StatusCode, body: String) -> Response<Body> {
    let mut response = Response::new(Body::Text(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Turns a handler's result into the response, whatever happened.
pub fn respond(result: Result<Response<Body>, ApiError>) -> Response<Body> {
    result.unwrap_or_else(ApiError::into_response)
}

pub fn body_bytes(req: &Request) -> &[u8] {
    match req.body() {
        Body::Empty => b"",
        Body::Text(t) => t.as_bytes(),
        Body::Binary(b) => b,
        _ => b"",
    }
}

/// Parses a JSON body, answering 400 for anything that is not the expected JSON.
pub fn parse_json<T: DeserializeOwned>(req: &Request) -> Result<T, ApiError> {
    let bytes = body_bytes(req);
    if bytes.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            "the request needs a JSON body",
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        // The position and category only: serde's text can quote the input.
        let message = match e.classify() {
            serde_json::error::Category::Data => format!(
                "the JSON does not have the expected fields (line {}, column {})",
                e.line(),
                e.column()
            ),
            _ => format!(
                "the body is not valid JSON (line {}, column {})",
                e.line(),
                e.column()
            ),
        };
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_json", message)
    })
}

impl From<Vec<FieldError>> for ApiError {
    fn from(fields: Vec<FieldError>) -> Self {
        ApiError::invalid(fields)
    }
}

/// The booking id from the path; an id that cannot exist is simply not found.
pub fn booking_id(req: &Request) -> Result<BookingId, ApiError> {
    path_param(req, "booking_id")
        .and_then(|raw| BookingId::parse(&raw).ok())
        .ok_or_else(|| ServiceError::BookingNotFound.into())
}

/// The office id from the path; one that cannot exist is not found.
pub fn office_id(req: &Request) -> Result<OfficeId, ApiError> {
    path_param(req, "office_id")
        .and_then(|raw| OfficeId::parse(&raw).ok())
        .ok_or_else(|| ServiceError::OfficeNotFound.into())
}

/// The service id from the path; one that cannot exist is not found.
pub fn service_id(req: &Request) -> Result<ServiceId, ApiError> {
    path_param(req, "service_id")
        .and_then(|raw| ServiceId::parse(&raw).ok())
        .ok_or_else(|| ServiceError::ServiceNotFound.into())
}

/// A path parameter set by the route.
pub fn path_param(req: &Request, name: &str) -> Option<String> {
    req.path_parameters().first(name).map(str::to_owned)
}

pub fn query_param(req: &Request, name: &str) -> Option<String> {
    req.query_string_parameters().first(name).map(str::to_owned)
}

/// The route's path without a stage or `/api` prefix (`/kiosk/redeem`): what
/// a kiosk signs. API Gateway puts a named stage in front (`/prod/kiosk/redeem`);
/// the local router builds the request from the route path itself.
pub fn route_path(req: &Request) -> &str {
    let path = req.uri().path();
    let stage = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context.stage.as_deref(),
        _ => None,
    };
    match stage.filter(|s| *s != "$default") {
        Some(stage) => path
            .strip_prefix('/')
            .and_then(|p| p.strip_prefix(stage))
            .filter(|rest| rest.starts_with('/'))
            .unwrap_or(path),
        None => path,
    }
}

/// The address the request came from, as API Gateway saw the connection
/// (`requestContext.http.sourceIp`; never a header the client could set).
/// `None` for a request without one (API Gateway always gives one).
pub fn source_ip(req: &Request) -> Option<&str> {
    match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context.http.source_ip.as_deref(),
        _ => None,
    }
}

/// [`source_ip`] for a count kept per address: requests without one share one count.
pub fn client_address(req: &Request) -> &str {
    source_ip(req).unwrap_or("unknown")
}

/// The kiosk signature headers of a request.
pub fn kiosk_headers(req: &Request) -> Result<SignedHeaders, SignatureError> {
    SignedHeaders::read(|name| req.headers().get(name).and_then(|v| v.to_str().ok()))
}

/// The member of staff whose token API Gateway's JWT authorizer verified (in
/// AWS: a Cognito token; locally: one `local/` issued and verified the same
/// way), from the claims it passes: `sub` and `cognito:groups`. No verified
/// claims: 401.
pub fn staff(req: &Request) -> Result<Staff, ApiError> {
    let claims = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context
            .authorizer
            .as_ref()
            .and_then(|a| a.jwt.as_ref())
            .map(|jwt| &jwt.claims),
        _ => None,
    };
    let subject = claims.and_then(|c| c.get("sub"));
    match (claims, subject) {
        (Some(claims), Some(subject)) => Ok(Staff::from_claims(
            subject,
            claims.get("cognito:groups").map_or("", String::as_str),
        )),
        _ => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "sign in as staff",
        )),
    }
}

/// The token of an `Authorization: Bearer …` header (kept out of URLs, which logs keep).
pub fn bearer_token(req: &Request) -> Result<Token, ApiError> {
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .and_then(|t| Token::parse(t).ok())
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "send the token from the email as Authorization: Bearer <token>",
            )
        })
}

/// A route that does not exist in this function.
pub fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such route")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_that_cannot_be_reached_answers_503_with_retry_after_not_500() {
        use aws_sdk_dynamodb::config::http::HttpResponse;
        use aws_sdk_dynamodb::error::{ConnectorError, SdkError};
        use aws_sdk_dynamodb::operation::get_item::GetItemError;
        let unreachable = SdkError::<GetItemError, HttpResponse>::dispatch_failure(
            ConnectorError::io(Box::new(std::io::Error::other("connection closed"))),
        );
        let err: ApiError =
            ServiceError::Store(crate::store::StoreError::sdk("GetItem", unreachable)).into();
        assert_eq!(err.status, StatusCode::SERVICE_UNAVAILABLE);
        let response = err.into_response();
        assert_eq!(response.headers()["retry-after"], "1");
    }

    #[test]
    fn every_error_has_the_one_shape() {
        let err: ApiError = ServiceError::SlotFull { next: vec![] }.into();
        assert_eq!(err.status, StatusCode::CONFLICT);
        let body = err.body();
        assert_eq!(body["error"]["code"], "slot_full");
        assert!(body["error"]["message"].is_string());
        assert!(body["error"]["next_free_slots"].is_array());
    }

    #[test]
    fn a_busy_named_clerk_is_a_409_with_the_clerks_next_free_slots() {
        let err: ApiError = ServiceError::ClerkBusy { next: vec![] }.into();
        assert_eq!(err.status, StatusCode::CONFLICT);
        let body = err.body();
        assert_eq!(body["error"]["code"], "clerk_busy");
        assert!(body["error"]["next_free_slots"].is_array());
    }

    #[test]
    fn malformed_json_is_a_400_that_does_not_echo_the_input() {
        let req = Request::new(Body::Text(r#"{"national_id": 4405140135"#.into()));
        let err = parse_json::<crate::service::input::CancelRequest>(&req).unwrap_err();
        assert_eq!(err.status, StatusCode::BAD_REQUEST);
        assert!(!err.message.contains("4405"));
        let req = Request::new(Body::Text(r#"{"token": 44051401359}"#.into()));
        let err = parse_json::<crate::service::input::CancelRequest>(&req).unwrap_err();
        assert!(!err.message.contains("4405"), "{}", err.message);
    }
}

/// The header that makes a booking request safe to repeat.
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

/// The `Idempotency-Key` header with the exact body it came with, if given.
pub fn idempotency(req: &Request) -> Result<Option<Idempotency>, ApiError> {
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
