//! Lambda entry point: wiring only.

use lambda_runtime::{Error, run, service_fn};
use termin::config::{Config, reminder_lead_from_lookup};
use termin::{service::App, telemetry};

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let lead = reminder_lead_from_lookup(|name| std::env::var(name).ok())?;
    let aws = termin::sdk::load().await;
    let config = Config::load(&aws).await?;
    let app = App::new(&config, &aws);
    run(service_fn(|event| remind::handle(&app, lead, event))).await
}
