//! Staff routes behind the JWT authorizer (Cognito in AWS; tokens `local/`
//! issues locally): `POST /staff/blocks/lift` lifts a person's no-show block at
//! an office (seed 002); `GET /staff/offices/{office_id}/admission-list?date=&desk_group=`
//! is the day's list for the desks (seeds 000, 002). The queue and
//! administration issues add their routes here.

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Error, Request, Response};
use serde_json::json;
use termin::api::{self, ApiError, json_response, office_id, parse_json, query_param, staff};
use termin::service::App;
use termin::service::admission::admission_list;
use termin::service::sweeper::lift_block;

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, Error> {
    Ok(api::respond(route(app, &req).await))
}

async fn route(app: &App, req: &Request) -> Result<Response<Body>, ApiError> {
    let staff = staff(req)?;
    if req.method() == Method::GET {
        let list = admission_list(
            app,
            &staff,
            &office_id(req)?,
            query_param(req, "date").as_deref(),
            query_param(req, "desk_group").as_deref(),
        )
        .await?;
        return Ok(json_response(StatusCode::OK, &list));
    }
    let lifted = lift_block(app, &staff, parse_json(req)?).await?;
    Ok(json_response(StatusCode::OK, &json!({ "lifted": lifted })))
}
