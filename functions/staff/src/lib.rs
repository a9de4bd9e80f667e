//! Staff routes behind the JWT authorizer (Cognito in AWS; tokens `local/`
//! issues locally): `POST /staff/blocks/lift` lifts a person's no-show block at
//! an office (seed 002). The queue and administration issues add their routes here.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Error, Request, Response};
use serde_json::json;
use termin::api::{self, ApiError, json_response, parse_json, staff};
use termin::service::App;
use termin::service::sweeper::lift_block;

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, Error> {
    Ok(api::respond(lift(app, &req).await))
}

async fn lift(app: &App, req: &Request) -> Result<Response<Body>, ApiError> {
    let staff = staff(req)?;
    let lifted = lift_block(app, &staff, parse_json(req)?).await?;
    Ok(json_response(StatusCode::OK, &json!({ "lifted": lifted })))
}
