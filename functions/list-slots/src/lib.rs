//! `GET /offices`, `GET /offices/{office_id}`,
//! `GET /offices/{office_id}/services/{service_id}/slots?from=YYYY-MM-DD&to=YYYY-MM-DD`.

use chrono::NaiveDate;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Error, Request, Response};
use serde_json::json;
use termin::api::dto::{CatalogView, FieldError};
use termin::api::{self, ApiError, json_response, path_param, query_param};
use termin::domain::ids::{OfficeId, ServiceId};
use termin::service::{self, App, ServiceError};

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, Error> {
    Ok(api::respond(route(app, &req).await))
}

async fn route(app: &App, req: &Request) -> Result<Response<Body>, ApiError> {
    match (path_param(req, "office_id"), path_param(req, "service_id")) {
        (None, _) => {
            let offices = app.store.list_offices().await.map_err(ServiceError::from)?;
            Ok(json_response(
                StatusCode::OK,
                &json!({ "offices": offices }),
            ))
        }
        (Some(office), None) => {
            let catalog = app.catalog(&office_id(&office)?).await?;
            Ok(json_response(StatusCode::OK, &CatalogView::of(&catalog)))
        }
        (Some(office), Some(service)) => {
            let office = office_id(&office)?;
            let service = ServiceId::parse(&service).map_err(|_| ServiceError::ServiceNotFound)?;
            let from = date_param(req, "from")?;
            let to = date_param(req, "to")?;
            if let (Some(f), Some(t)) = (from, to)
                && f > t
            {
                return Err(ApiError::invalid(vec![FieldError::new(
                    "to",
                    "invalid",
                    "must not be before from",
                )]));
            }
            let catalog = app.catalog(&office).await?;
            let listing = service::free_slots(app, &catalog, &service, from, to).await?;
            Ok(json_response(StatusCode::OK, &listing))
        }
    }
}

fn office_id(raw: &str) -> Result<OfficeId, ApiError> {
    OfficeId::parse(raw).map_err(|_| ServiceError::OfficeNotFound.into())
}

fn date_param(req: &Request, name: &'static str) -> Result<Option<NaiveDate>, ApiError> {
    query_param(req, name)
        .map(|raw| NaiveDate::parse_from_str(&raw, "%Y-%m-%d"))
        .transpose()
        .map_err(|_| {
            ApiError::invalid(vec![FieldError::new(
                name,
                "invalid",
                "a date as YYYY-MM-DD",
            )])
        })
}
