//! The local HTTP server: the API under `/api` (routed as the template routes
//! it), `web/` at `/`, and `/_local/outbox`, a local-only mailbox listing the
//! messages the notify function would send, with their links.

use crate::router::Router;
use axum::body::{Body as AxumBody, to_bytes};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;
use termin::service::App;
use termin::store::items::OutboxItem;
use tower_http::services::ServeDir;

const MAX_BODY: usize = 64 * 1024;

#[derive(Clone)]
struct Shared {
    app: App,
    router: Arc<Router>,
}

pub fn app(app: App, router: Router, web_dir: PathBuf) -> axum::Router {
    let shared = Shared {
        app,
        router: Arc::new(router),
    };
    axum::Router::new()
        .route("/api/{*path}", any(api))
        .route("/_local/outbox", get(outbox))
        .fallback_service(ServeDir::new(web_dir))
        .with_state(shared)
}

async fn api(State(shared): State<Shared>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            axum::Json(json!({"error":{"code":"too_large","message":"body too large"}})),
        )
            .into_response();
    };
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let path_and_query = path_and_query
        .strip_prefix("/api")
        .unwrap_or(path_and_query);
    let response = shared
        .router
        .dispatch(
            &shared.app,
            parts.method,
            path_and_query,
            parts.headers,
            bytes.to_vec(),
        )
        .await;
    let (parts, body) = response.into_parts();
    Response::from_parts(parts, AxumBody::from(body.to_vec()))
}

async fn outbox(State(shared): State<Shared>) -> Response {
    let scan = shared
        .app
        .store
        .client()
        .scan()
        .table_name(shared.app.store.table())
        .filter_expression("entity = :outbox")
        .expression_attribute_values(
            ":outbox",
            aws_sdk_dynamodb::types::AttributeValue::S("outbox".into()),
        )
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    let items = match scan {
        Ok(items) => items,
        Err(e) => {
            tracing::error!(error = %termin::api::error_chain(&e), "outbox scan failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let mut messages: Vec<OutboxItem> = items
        .into_iter()
        .filter_map(|i| serde_dynamo::from_item(i).ok())
        .collect();
    messages.sort_by(|a, b| b.created_at.cmp(&a.created_at));
    let list: Vec<_> = messages
        .iter()
        .map(|m| {
            json!({
                "id": m.id,
                "booking_id": m.booking_id,
                "kind": m.kind,
                "channel": m.channel,
                "language": m.language,
                "created_at": m.created_at,
                "confirm_link": m.confirm_token.as_ref().map(|t| format!("/confirm.html?booking={}&token={t}", m.booking_id)),
                "confirm_code": m.confirm_code,
                "cancel_link": m.manage_token.as_ref().map(|t| format!("/cancel.html?booking={}&token={t}", m.booking_id)),
            })
        })
        .collect();
    axum::Json(json!({ "messages": list })).into_response()
}
