//! Lambda entry point: wiring only.

use lambda_http::{Error, run, service_fn};
use termin::{config::Config, service::App, telemetry};

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let aws = termin::sdk::load().await;
    let config = Config::load(&aws).await?;
    let app = App::new(&config, &aws);
    run(service_fn(|req| admin::handle(&app, req))).await
}
