//! The hall's queue. For anyone: `GET /queue/offices/{office_id}` (waiting
//! counts, numbers being served, wait ranges; no personal data). For the
//! office's clerks, behind the staff JWT authorizer:
//! `GET /staff/offices/{office_id}/desks` and
//! `POST /staff/offices/{office_id}/desks/{desk}/{open|close|call-next|recall|served|missed}`.

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Error, Request, Response};
use termin::api::{
    self, ApiError, json_response, not_found, office_id, parse_json, path_param, route_path, staff,
};
use termin::service::Base;
use termin::service::queue::{self, DeskAction};

pub async fn handle(app: &Base, req: Request) -> Result<Response<Body>, Error> {
    Ok(api::respond(route(app, &req).await))
}

async fn route(app: &Base, req: &Request) -> Result<Response<Body>, ApiError> {
    let path = route_path(req);
    if path.starts_with("/queue/") {
        if req.method() != Method::GET {
            return Err(not_found());
        }
        return Ok(json_response(
            StatusCode::OK,
            &queue::queue_status(app, &office_id(req)?).await?,
        ));
    }
    let staff = staff(req)?;
    let office = office_id(req)?;
    if req.method() == Method::GET && path.ends_with("/desks") {
        return Ok(json_response(
            StatusCode::OK,
            &queue::desks(app, &staff, &office).await?,
        ));
    }
    if req.method() != Method::POST {
        return Err(not_found());
    }
    let action = match path.rsplit('/').next() {
        Some("open") => DeskAction::Open(parse_json(req)?),
        Some("close") => DeskAction::Close,
        Some("call-next") => DeskAction::CallNext,
        Some("recall") => DeskAction::Recall,
        Some("served") => DeskAction::Served,
        Some("missed") => DeskAction::Missed,
        _ => return Err(not_found()),
    };
    let desk = path_param(req, "desk").unwrap_or_default();
    let view = queue::desk_action(app, &staff, &office, &desk, action).await?;
    Ok(json_response(StatusCode::OK, &view))
}
