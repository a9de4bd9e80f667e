//! Registers a kiosk in an office's hall, or gives it a new secret, and prints
//! the secret staff type into the kiosk screen once. Runs against the table
//! of whatever environment it is pointed at (the deployed one: `TABLE_NAME`,
//! `HASH_KEY_SECRET_ARN` (or `HASH_KEY`) and AWS credentials; locally:
//! `local/run`'s variables).
//!
//! ```sh
//! register-kiosk --id olsztyn-hall-2 --office olsztyn --languages pl,en,uk
//! ```
//!
//! Registering an id again rotates its secret: the old one stops working.

use termin::config::Config;
use termin::domain::catalog::{Lang, Text};
use termin::domain::ids::OfficeId;
use termin::service::App;
use termin::service::kiosk::{KioskRegistration, register_kiosk};

const USAGE: &str =
    "usage: register-kiosk --id <kiosk-id> --office <office-id> --languages pl,en,uk";

fn parse(args: &[String]) -> Result<KioskRegistration, String> {
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
            .ok_or_else(|| format!("{flag} is missing\n{USAGE}"))
    };
    let office_id =
        OfficeId::parse(&value("--office")?).map_err(|_| "not an office id".to_owned())?;
    let languages = value("--languages")?
        .split(',')
        .map(|l| serde_json::from_value::<Lang>(serde_json::Value::from(l.trim())))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| "languages are pl, cs, en, uk".to_owned())?;
    Ok(KioskRegistration {
        id: value("--id")?,
        office_id,
        languages,
        message: Text::default(),
    })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let registration = parse(&args)?;
    let aws = termin::sdk::load().await;
    let config = Config::load(&aws).await?;
    let app = App::new(&config, &aws);
    let (kiosk, secret) = register_kiosk(&app, registration)
        .await
        .map_err(|e| termin::error::error_chain(&e))?;
    println!(
        "kiosk {} at {} (generation {})\nsecret (type it into the kiosk's setup screen; it is not shown again):\n{secret}",
        kiosk.id, kiosk.office_id, kiosk.generation
    );
    Ok(())
}
