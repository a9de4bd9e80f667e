//! `termin-local`: DynamoDB Local, the SES/SNS stand-in (moto), the table
//! from the SAM template, the demo offices, the API routes from the OpenAPI
//! document the template includes (`infra/openapi.yaml`), `web/`, the stream
//! consumer (notify) and the schedules (reminders, sweeper), on one machine.
//!
//! The functions are wired exactly as in Lambda: `Config::from_env` and
//! `termin::sdk::load`, with every service reached through the
//! standard `AWS_ENDPOINT_URL_*` variables that `local/run` sets.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use termin::config::{Config, NotifyConfig, reminder_lead_from_lookup};
use termin::domain::clock::ShiftedClock;
use termin::service::{self, App, notify::Notifier};
use termin_local::process::port_of;
use termin_local::server::LocalServices;
use termin_local::staff::StaffTokens;
use termin_local::streams::StreamPump;
use termin_local::{
    demo, dynamodb_local, moto, router::Router, server, template::Template, workspace_root,
};

fn endpoint_port(variable: &str) -> Result<u16, String> {
    let endpoint =
        std::env::var(variable).map_err(|_| format!("{variable} is not set; use local/run"))?;
    port_of(&endpoint).ok_or_else(|| format!("no port in {variable}"))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    termin::telemetry::init();
    let database = dynamodb_local::start(
        &dynamodb_local::find_jar_dir()?,
        endpoint_port("AWS_ENDPOINT_URL_DYNAMODB")?,
    )?;
    tracing::info!(endpoint = %database.endpoint, "DynamoDB Local is up");
    let sns_port = endpoint_port("AWS_ENDPOINT_URL_SNS")?;
    if endpoint_port("AWS_ENDPOINT_URL_SESV2")? != sns_port {
        return Err(
            "AWS_ENDPOINT_URL_SESV2 and AWS_ENDPOINT_URL_SNS must name the same moto server".into(),
        );
    }
    if endpoint_port("AWS_ENDPOINT_URL_S3")? != sns_port {
        return Err("AWS_ENDPOINT_URL_S3 must name the moto server of AWS_ENDPOINT_URL_SNS".into());
    }
    let messaging = moto::start(sns_port)?;
    tracing::info!(endpoint = %messaging.endpoint, "moto (SES, SNS and S3) is up");

    let config = Config::from_env()?;
    let notify_config = NotifyConfig::from_env()?;
    let lead = reminder_lead_from_lookup(|name| std::env::var(name).ok())?;
    let aws = termin::sdk::load().await;
    // The wall clock, which `/_local/clock` can move to try the day of a visit.
    let clock = Arc::new(ShiftedClock::default());
    let mut app = App::new(&config, &aws);
    app.base.clock = clock.clone();
    // The bucket of document templates: moto's S3, served under /documents/.
    let documents_bucket =
        std::env::var("DOCUMENTS_BUCKET").unwrap_or_else(|_| "termin-local-documents".into());
    app.files = Some(
        moto::documents_bucket(&aws, &documents_bucket, &notify_config.public_base_url)
            .await
            .map_err(|e| e as Box<dyn std::error::Error>)?,
    );
    let template = Template::workspace()?;
    template
        .create_table(app.store.client(), &config.table_name)
        .await?;
    // Offices in the form of demo/offices.json instead of the demo's own,
    // e.g. the fuzz test's, whose every request comes from one address.
    let catalogs = match std::env::var_os("TERMIN_LOCAL_OFFICES") {
        Some(path) => demo::parse_catalogs(&std::fs::read_to_string(path)?)?,
        None => demo::catalogs()?,
    };
    let offices = demo::load_with(&app.store, catalogs).await?;
    tracing::info!(offices, table = %config.table_name, "table created and demo offices loaded");

    // In the cloud the sender is verified once by an administrator; here, at every start.
    let sender_domain = notify_config
        .email_from
        .rsplit('@')
        .next()
        .unwrap_or_default()
        .trim_end_matches('>')
        .to_owned();
    aws_sdk_sesv2::Client::new(&aws)
        .create_email_identity()
        .email_identity(sender_domain)
        .send()
        .await?;

    let notifier = Notifier::new(app.clone(), &aws, notify_config);
    let dead_letters = Arc::new(Mutex::new(Vec::new()));
    tokio::spawn(consume_stream(
        notifier,
        StreamPump::new(
            app.store.client().clone(),
            aws_sdk_dynamodbstreams::Client::new(&aws),
            &config.table_name,
        ),
        dead_letters.clone(),
    ));
    tokio::spawn(remind_every_minute(app.clone(), lead));
    tokio::spawn(sweep_every_minute(app.clone()));

    let router = Router::from_template(&template, StaffTokens::new(&config.keyring))?;
    let addr: SocketAddr = std::env::var("TERMIN_LOCAL_ADDR")
        .unwrap_or_else(|_| "127.0.0.1:3000".into())
        .parse()?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!(
        "Termin is running: web page http://{addr}/  API http://{addr}/api/offices  mailbox http://{addr}/_local/mailbox"
    );
    let local = LocalServices {
        moto_endpoint: messaging.endpoint,
        dead_letters,
        mailbox_page: workspace_root().join("local/mailbox.html"),
        clock,
        staff_tokens: StaffTokens::new(&config.keyring),
        documents: Some((aws.clone(), documents_bucket)),
    };
    let served = server::app(app, router, web_dir(), local)
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, served)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// The pages to serve: `TERMIN_WEB_DIR` (another checkout's `web/`, say), or this workspace's.
fn web_dir() -> std::path::PathBuf {
    std::env::var_os("TERMIN_WEB_DIR")
        .map(Into::into)
        .unwrap_or_else(|| workspace_root().join("web"))
}

/// The notify function's event source: the table's stream, polled.
async fn consume_stream(
    notifier: Notifier,
    mut pump: StreamPump,
    dead_letters: Arc<Mutex<Vec<termin_local::streams::DeadLetter>>>,
) {
    loop {
        let polled = pump
            .poll(|event| {
                let notifier = &notifier;
                async move { notify::process(notifier, &event).await }
            })
            .await;
        if let Err(e) = polled {
            tracing::error!(error = %termin::error::error_chain(&e), "stream poll failed");
        }
        if let Ok(mut dead) = dead_letters.lock() {
            dead.append(&mut pump.dead_letters);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// The sweeper function's schedule (every minute, as in the cloud).
async fn sweep_every_minute(app: App) {
    loop {
        if let Err(e) = service::sweeper::sweep(&app, Default::default()).await {
            tracing::error!(error = %termin::error::error_chain(&e), "sweep failed");
        }
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
}

/// The reminder function's schedule (every ten minutes in the cloud; every minute here).
async fn remind_every_minute(app: App, lead: chrono::Duration) {
    loop {
        if let Err(e) = service::queue_reminders(&app, lead).await {
            tracing::error!(error = %termin::error::error_chain(&e), "reminder run failed");
        }
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
}
