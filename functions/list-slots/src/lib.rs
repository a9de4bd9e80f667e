//! `GET /offices`, `GET /offices/{office_id}`,
//! `GET /offices/{office_id}/services/{service_id}/slots?from=YYYY-MM-DD&to=YYYY-MM-DD&walk_up=true&clerk=…`.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Error, Request, Response};
use termin::api::{self, ApiError, json_response, office_id, path_param, service_id};
use termin::service::input::SlotQuery;
use termin::service::{self, Base};

pub async fn handle(app: &Base, req: Request) -> Result<Response<Body>, Error> {
    Ok(api::respond(route(app, &req).await))
}

async fn route(app: &Base, req: &Request) -> Result<Response<Body>, ApiError> {
    match (path_param(req, "office_id"), path_param(req, "service_id")) {
        (None, _) => Ok(json_response(
            StatusCode::OK,
            &service::list_offices(app).await?,
        )),
        (Some(_), None) => {
            let catalog = service::office_catalog(app, &office_id(req)?).await?;
            Ok(json_response(StatusCode::OK, &catalog))
        }
        (Some(_), Some(_)) => {
            let (office, service) = (office_id(req)?, service_id(req)?);
            let query = SlotQuery::parse(
                api::query_param(req, "from").as_deref(),
                api::query_param(req, "to").as_deref(),
                api::query_param(req, "walk_up").as_deref(),
            )?
            .for_clerk(api::query_param(req, "clerk").as_deref());
            let listing = service::free_slots(app, &office, &service, query).await?;
            Ok(json_response(StatusCode::OK, &listing))
        }
    }
}
