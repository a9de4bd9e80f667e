//! Stores offices — their departments, hours, matters, kiosk and queue
//! settings — from a file in the form of `local/demo/offices.json` into the
//! table of whatever environment it is pointed at (the deployed one:
//! `TABLE_NAME`, `HASH_KEY_SECRET_ARN` (or `HASH_KEY`) and AWS credentials).
//! Every office is checked against the catalog rules before anything is
//! written; an office already stored is replaced as a whole. This is how a
//! deployment gets its offices until the administration screens (issue 12).
//!
//! ```sh
//! load-offices offices.json
//! ```

use termin::config::Config;
use termin::store::Store;
use termin_local::demo::parse_catalogs;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(path) = std::env::args().nth(1) else {
        return Err("usage: load-offices <offices.json>".into());
    };
    let catalogs = parse_catalogs(&std::fs::read_to_string(&path)?)
        .map_err(|e| termin::error::error_chain(&e))?;
    let aws = termin::sdk::load().await;
    let config = Config::load(&aws).await?;
    let store = Store::new(
        aws_sdk_dynamodb::Client::new(&aws),
        &config.table_name,
        config.keyring.sealer(),
    );
    for catalog in &catalogs {
        store
            .put_catalog(catalog)
            .await
            .map_err(|e| termin::error::error_chain(&e))?;
        println!(
            "stored {}: {} departments, {} matters",
            catalog.office.id,
            catalog.departments.len(),
            catalog.services.len()
        );
    }
    Ok(())
}
