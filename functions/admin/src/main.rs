//! Lambda entry point: wiring only.

use lambda_http::{Error, run, service_fn};
use termin::files::{Files, FilesConfig};
use termin::{config::Config, service::App, telemetry};

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let aws = termin::sdk::load().await;
    let config = Config::load(&aws).await?;
    let mut app = App::new(&config, &aws);
    // The bucket of document templates (DOCUMENTS_BUCKET): only here.
    app.files =
        FilesConfig::from_lookup(|name| std::env::var(name).ok()).map(|c| Files::new(&aws, c));
    run(service_fn(|req| admin::handle(&app, req))).await
}
