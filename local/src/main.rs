//! `termin-local`: DynamoDB Local, the table from the SAM template, the demo
//! offices, the API routes from the template, and `web/`, on one machine.
//!
//! The functions are wired exactly as in Lambda: `Config::from_env` and
//! `aws_config::load_defaults`, with DynamoDB reached through the standard
//! `AWS_ENDPOINT_URL_DYNAMODB` variable that `local/run` sets.

use std::net::SocketAddr;
use termin::config::Config;
use termin::service::App;
use termin_local::{
    demo, dynamodb_local, router::Router, server, template::Template, workspace_root,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    termin::telemetry::init();
    let endpoint = std::env::var("AWS_ENDPOINT_URL_DYNAMODB")
        .map_err(|_| "AWS_ENDPOINT_URL_DYNAMODB is not set; use local/run")?;
    let port: u16 = endpoint
        .rsplit(':')
        .next()
        .and_then(|p| p.trim_end_matches('/').parse().ok())
        .ok_or("no port in AWS_ENDPOINT_URL_DYNAMODB")?;
    let database = dynamodb_local::start(&dynamodb_local::find_jar_dir()?, port)?;
    tracing::info!(endpoint = %database.endpoint, "DynamoDB Local is up");

    let config = Config::from_env()?;
    let aws = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let app = App::new(&config, &aws);
    let template = Template::workspace()?;
    template
        .create_table(app.store.client(), &config.table_name)
        .await?;
    let offices = demo::load(&app.store).await?;
    tracing::info!(offices, table = %config.table_name, "table created and demo offices loaded");

    let router = Router::from_template(&template)?;
    let addr: SocketAddr = std::env::var("TERMIN_LOCAL_ADDR")
        .unwrap_or_else(|_| "127.0.0.1:3000".into())
        .parse()?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!(
        "Termin is running: web page http://{addr}/  API http://{addr}/api/offices  mailbox http://{addr}/_local/outbox"
    );
    axum::serve(
        listener,
        server::app(app, router, workspace_root().join("web")),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
