//! Dispatches a request to the function the API document routes it to (the
//! OpenAPI document the template's HttpApi is built from), with path and query
//! parameters set as API Gateway sets them.

use crate::staff::StaffTokens;
use crate::template::{Route, Template, TemplateError};
use lambda_http::aws_lambda_events::apigw::{
    ApiGatewayRequestAuthorizer, ApiGatewayRequestAuthorizerJwtDescription,
    ApiGatewayV2httpRequestContext,
};
use lambda_http::http::{self, HeaderMap, Method};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use std::collections::HashMap;
use std::net::IpAddr;
use termin::api::{ApiError, not_found};
use termin::service::App;

/// Where the local server serves the API.
pub const API_BASE: &str = "/api";

/// The HttpApi JWT authorizer staff routes sit behind.
pub const STAFF_AUTHORIZER: &str = "StaffJwt";

/// The functions this workspace builds, by the template's logical id.
pub const FUNCTIONS: [&str; 8] = [
    "ListSlotsFunction",
    "BookFunction",
    "ConfirmFunction",
    "CancelFunction",
    "KioskFunction",
    "StaffFunction",
    "AdminFunction",
    "QueueFunction",
];

#[derive(Clone)]
pub struct Router {
    routes: Vec<Route>,
    /// The API document as clients see it (`GET /api/openapi.json`).
    document: serde_json::Value,
    /// What the template's `StaffJwt` authorizer checks, locally.
    staff_tokens: StaffTokens,
}

impl Router {
    /// Routes from the template's API document; fails if a function has no
    /// handler here or an authorizer no local stand-in.
    pub fn from_template(
        template: &Template,
        staff_tokens: StaffTokens,
    ) -> Result<Self, TemplateError> {
        let document = template.api_document()?;
        let routes = document.routes()?;
        if let Some(unknown) = routes
            .iter()
            .find(|r| !FUNCTIONS.contains(&r.function.as_str()))
        {
            return Err(TemplateError::Shape(format!(
                "no local handler for {}",
                unknown.function
            )));
        }
        if let Some(unknown) = routes.iter().find(|r| {
            r.authorizer
                .as_deref()
                .is_some_and(|a| a != STAFF_AUTHORIZER)
        }) {
            return Err(TemplateError::Shape(format!(
                "no local authorizer {:?}",
                unknown.authorizer
            )));
        }
        Ok(Self {
            routes,
            document: document.public(API_BASE),
            staff_tokens,
        })
    }

    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// The API document for clients, served under [`API_BASE`].
    pub fn document(&self) -> &serde_json::Value {
        &self.document
    }

    /// The route and path parameters for a method and path, if any.
    pub fn find(&self, method: &Method, path: &str) -> Option<(&Route, HashMap<String, String>)> {
        let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        self.routes
            .iter()
            .filter(|r| r.method == method.as_str())
            .find_map(|route| {
                let pattern: Vec<&str> = route.path.split('/').collect();
                if pattern.len() != segments.len() {
                    return None;
                }
                let mut params = HashMap::new();
                for (p, s) in pattern.iter().zip(&segments) {
                    match p.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                        Some(name) if !s.is_empty() => {
                            let value = percent_decode(s)?;
                            params.insert(name.to_owned(), value);
                        }
                        Some(_) => return None,
                        None if p == s => {}
                        None => return None,
                    }
                }
                Some((route, params))
            })
    }

    /// Runs the handler for `method path?query` with `body`, as API Gateway would.
    pub async fn dispatch(
        &self,
        app: &App,
        method: Method,
        path_and_query: &str,
        headers: HeaderMap,
        body: Vec<u8>,
        source_ip: Option<IpAddr>,
    ) -> Response<Body> {
        let (path, query) = path_and_query
            .split_once('?')
            .unwrap_or((path_and_query, ""));
        let Some((route, params)) = self.find(&method, path) else {
            return not_found().into_response();
        };
        let query: HashMap<String, String> = query
            .split('&')
            .filter(|p| !p.is_empty())
            .filter_map(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                Some((percent_decode(k)?, percent_decode(v)?))
            })
            .collect();
        let body = match String::from_utf8(body) {
            Ok(text) if text.is_empty() => Body::Empty,
            Ok(text) => Body::Text(text),
            Err(bytes) => Body::Binary(bytes.into_bytes()),
        };
        let mut builder = http::Request::builder().method(method).uri(path_and_query);
        if let Some(h) = builder.headers_mut() {
            *h = headers;
        }
        // As the HttpApi JWT authorizer: no valid token, no call; the claims
        // reach the function where API Gateway puts them.
        let claims = match route.authorizer {
            Some(_) => {
                let authorization = builder
                    .headers_ref()
                    .and_then(|h| h.get(http::header::AUTHORIZATION))
                    .and_then(|v| v.to_str().ok());
                match self.staff_tokens.verify(authorization) {
                    Some(claims) => Some(claims),
                    None => return unauthorized(),
                }
            }
            None => None,
        };
        let request: Request = match builder.body(body) {
            Ok(r) => r
                .with_path_parameters(params)
                .with_query_string_parameters(query),
            Err(_) => return not_found().into_response(),
        };
        let request = request.with_request_context(context(source_ip, claims));
        let result = match route.function.as_str() {
            "ListSlotsFunction" => list_slots::handle(app, request).await,
            "BookFunction" => book::handle(app, request).await,
            "ConfirmFunction" => confirm::handle(app, request).await,
            "CancelFunction" => cancel::handle(app, request).await,
            "KioskFunction" => kiosk::handle(app, request).await,
            "StaffFunction" => staff::handle(app, request).await,
            "AdminFunction" => admin::handle(app, request).await,
            "QueueFunction" => queue::handle(app, request).await,
            _ => return not_found().into_response(),
        };
        result.unwrap_or_else(|e| {
            tracing::error!(error = %e, "handler failed");
            ApiError::new(
                http::StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "something went wrong on our side",
            )
            .into_response()
        })
    }
}

/// API Gateway's answer when its JWT authorizer refuses a request.
fn unauthorized() -> Response<Body> {
    let mut response = Response::new(Body::Text(r#"{"message":"Unauthorized"}"#.into()));
    *response.status_mut() = http::StatusCode::UNAUTHORIZED;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

/// The request context API Gateway gives a function: the connection's
/// address, and behind a JWT authorizer the token's claims.
fn context(source_ip: Option<IpAddr>, claims: Option<HashMap<String, String>>) -> RequestContext {
    let mut context = ApiGatewayV2httpRequestContext::default();
    context.http.source_ip = source_ip.map(|ip| ip.to_string());
    context.authorizer = claims.map(|claims| {
        let mut jwt = ApiGatewayRequestAuthorizerJwtDescription::default();
        jwt.claims = claims;
        let mut authorizer = ApiGatewayRequestAuthorizer::default();
        authorizer.jwt = Some(jwt);
        authorizer
    });
    RequestContext::ApiGatewayV2(context)
}

fn percent_decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::staff::StaffTokens;

    #[test]
    fn paths_match_the_document_routes_with_their_parameters() {
        let keyring = termin::domain::secrets::Keyring::new(&[7; 32]).unwrap();
        let router =
            Router::from_template(&Template::workspace().unwrap(), StaffTokens::new(&keyring))
                .unwrap();
        let (route, params) = router
            .find(&Method::POST, "/bookings/01ABC/confirm")
            .unwrap();
        assert_eq!(route.function, "ConfirmFunction");
        assert_eq!(params["booking_id"], "01ABC");
        let (route, params) = router.find(&Method::POST, "/bookings/cancel").unwrap();
        assert_eq!(route.function, "CancelFunction");
        assert!(params.is_empty());
        assert!(router.find(&Method::GET, "/bookings").is_none());
        assert!(
            router
                .find(&Method::GET, "/offices//services/x/slots")
                .is_none()
        );
    }
}
