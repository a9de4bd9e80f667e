//! Lambda entry point: wiring only.

use lambda_runtime::{Error, run, service_fn};
use termin::service::sweeper::SweepConfig;
use termin::{config::Config, service::App, telemetry};

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let aws = termin::sdk::load().await;
    let config = Config::load(&aws).await?;
    let app = App::new(&config, &aws);
    let sweep = SweepConfig::from_lookup(|name| std::env::var(name).ok())?;
    run(service_fn(|event| sweeper::handle(&app, sweep, event))).await
}
