//! Office administration behind the staff JWT authorizer (Cognito in AWS;
//! tokens `local/` issues locally), for an office's administrators:
//! `GET|PUT /staff/offices/{office_id}/catalog` (departments, matters, hours,
//! closures and every booking setting, versioned; a change reports the
//! bookings it strands and is refused when bookings rely on what it removes),
//! `POST /staff/offices/{office_id}/kiosks` (register a kiosk or give it a
//! new secret), `GET /staff/offices/{office_id}/kiosks` (the office's
//! kiosks), `PATCH /staff/offices/{office_id}/kiosks/{kiosk_id}` (switch a
//! kiosk or its walk-ins off or on, its languages and message),
//! `POST /staff/offices/{office_id}/documents?name=` (a document template's
//! file, kept for citizens to download; the answer is its address),
//! `GET /staff/offices/{office_id}/audit?from=&to=` and
//! `GET /staff/offices/{office_id}/statistics?from=&to=&format=json|csv`.

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Error, Request, Response};
use serde::Deserialize;
use serde_json::json;
use termin::api::{
    self, ApiError, body_bytes, csv_response, json_response, not_found, office_id, parse_json,
    path_param, query_param, route_path, staff,
};
use termin::domain::catalog::{Lang, Text};
use termin::domain::statistics::to_csv;
use termin::service::admin::{
    CatalogDocument, KioskChange, audit_log, catalog_document, change_catalog, change_office_kiosk,
    office_kiosks, register_office_kiosk,
};
use termin::service::documents::upload_document;
use termin::service::kiosk::KioskRegistration;
use termin::service::statistics::statistics;
use termin::service::{App, FieldError, ServiceError};

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, Error> {
    Ok(api::respond(route(app, &req).await))
}

/// A kiosk as the administrator registers it (the office is the path's).
#[derive(Debug, Deserialize)]
struct KioskBody {
    id: String,
    languages: Vec<Lang>,
    #[serde(default)]
    message: Text,
}

async fn route(app: &App, req: &Request) -> Result<Response<Body>, ApiError> {
    let staff = staff(req)?;
    let office = office_id(req)?;
    if let Some(kiosk_id) = path_param(req, "kiosk_id") {
        return match *req.method() {
            Method::PATCH => {
                let change: KioskChange = parse_json(req)?;
                let kiosk = change_office_kiosk(app, &staff, &office, &kiosk_id, change).await?;
                Ok(json_response(StatusCode::OK, &kiosk))
            }
            _ => Err(not_found()),
        };
    }
    let path = route_path(req);
    let last = path.rsplit('/').next().unwrap_or_default();
    match (req.method(), last) {
        (&Method::GET, "catalog") => Ok(json_response(
            StatusCode::OK,
            &catalog_document(app, &staff, &office).await?,
        )),
        (&Method::PUT, "catalog") => {
            let document: CatalogDocument = parse_json(req)?;
            let report = change_catalog(app, &staff, &office, document).await?;
            Ok(json_response(StatusCode::OK, &report))
        }
        (&Method::POST, "documents") => {
            let name = query_param(req, "name");
            let uploaded =
                upload_document(app, &staff, &office, name.as_deref(), body_bytes(req)).await?;
            Ok(json_response(StatusCode::CREATED, &uploaded))
        }
        (&Method::GET, "kiosks") => Ok(json_response(
            StatusCode::OK,
            &json!({ "kiosks": office_kiosks(app, &staff, &office).await? }),
        )),
        (&Method::POST, "kiosks") => {
            let body: KioskBody = parse_json(req)?;
            let registration = KioskRegistration {
                id: body.id,
                office_id: office,
                languages: body.languages,
                message: body.message,
            };
            let (kiosk, secret) = register_office_kiosk(app, &staff, registration).await?;
            Ok(json_response(
                StatusCode::CREATED,
                &json!({
                    "kiosk_id": kiosk.id,
                    "generation": kiosk.generation,
                    "secret": secret,
                }),
            ))
        }
        (&Method::GET, "statistics") => {
            let rows = statistics(
                app,
                &staff,
                &office,
                query_param(req, "from").as_deref(),
                query_param(req, "to").as_deref(),
            )
            .await?;
            match query_param(req, "format").as_deref() {
                None | Some("json") => Ok(json_response(StatusCode::OK, &json!({ "rows": rows }))),
                Some("csv") => Ok(csv_response(
                    to_csv(&rows),
                    &format!("termin-{office}-statistics.csv"),
                )),
                Some(_) => {
                    Err(
                        ServiceError::from(FieldError::new("format", "invalid", "json or csv"))
                            .into(),
                    )
                }
            }
        }
        (&Method::GET, "audit") => {
            let entries = audit_log(
                app,
                &staff,
                &office,
                query_param(req, "from").as_deref(),
                query_param(req, "to").as_deref(),
            )
            .await?;
            Ok(json_response(
                StatusCode::OK,
                &json!({ "entries": entries }),
            ))
        }
        _ => Err(not_found()),
    }
}
