//! The ticket machine in the hall: `GET /kiosk/config`, `POST /kiosk/redeem`
//! (a booking's code → its priority ticket), `POST /kiosk/walk-in` (a ticket
//! without a booking). Every request is signed by a registered kiosk; the
//! signature is checked here, where the body is at hand (an HTTP API Lambda
//! authorizer sees no body and can only answer 403).

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Error, Request, Response};
use termin::api::{
    self, ApiError, json_response, kiosk_headers, not_found, parse_json, route_path,
};
use termin::service::App;
use termin::service::kiosk::{self, KioskRequest};

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, Error> {
    Ok(api::respond(route(app, &req).await))
}

async fn route(app: &App, req: &Request) -> Result<Response<Body>, ApiError> {
    let path = route_path(req);
    let signed = KioskRequest {
        method: req.method().as_str(),
        path,
        headers: kiosk_headers(req),
        body: api::body_bytes(req),
    };
    let auth = kiosk::authenticate(app, signed).await?;
    match (req.method(), path) {
        (&Method::GET, "/kiosk/config") => Ok(json_response(
            StatusCode::OK,
            &kiosk::kiosk_config(app, &auth).await?,
        )),
        (&Method::POST, "/kiosk/redeem") => {
            let ticket = kiosk::redeem(app, &auth, parse_json(req)?).await?;
            Ok(json_response(
                StatusCode::OK,
                &serde_json::json!({ "ticket": ticket }),
            ))
        }
        (&Method::POST, "/kiosk/walk-in") => {
            let ticket = kiosk::walk_in(app, &auth, parse_json(req)?).await?;
            Ok(json_response(
                StatusCode::CREATED,
                &serde_json::json!({ "ticket": ticket }),
            ))
        }
        _ => Err(not_found()),
    }
}
