//! Lambda entry point: wiring only.

use lambda_runtime::{Error, run, service_fn};
use termin::config::{Config, NotifyConfig};
use termin::service::{App, notify::Notifier};
use termin::telemetry;

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let notify_config = NotifyConfig::from_env()?;
    let aws = termin::sdk::load().await;
    let config = Config::load(&aws).await?;
    let notifier = Notifier::new(App::new(&config, &aws), &aws, notify_config);
    run(service_fn(|event| notify::handle(&notifier, event))).await
}
