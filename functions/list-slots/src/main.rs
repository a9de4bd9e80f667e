//! Lambda entry point: wiring only. List-slots never hashes, so it reads
//! only the table's name: no key, no secret.

use lambda_http::{Error, run, service_fn};
use termin::{config, service::Base, telemetry};

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let aws = termin::sdk::load().await;
    let table = config::table_name_from_lookup(|name| std::env::var(name).ok())?;
    let base = Base::new(&table, &aws);
    run(service_fn(|req| list_slots::handle(&base, req))).await
}
