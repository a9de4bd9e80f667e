//! Demo offices modelled on the seed documents: Olsztyn (four departments,
//! Mon 8–16, Tue–Fri 7:30–15:30, 30 days ahead), Opava (three services under a
//! weekly online cap of 78, three weeks ahead), Mielec (five days ahead).

use termin::domain::catalog::{Catalog, CatalogError};
use termin::domain::kiosk::KioskDevice;
use termin::store::{Store, StoreError};

const OFFICES_JSON: &str = include_str!("../demo/offices.json");
const KIOSKS_JSON: &str = include_str!("../demo/kiosks.json");

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the offices file does not parse")]
    Json(#[from] serde_json::Error),
    #[error("an office breaks a catalog rule")]
    Catalog(#[from] CatalogError),
    #[error("could not store the offices")]
    Store(#[from] StoreError),
}

/// The demo catalogs, checked against the catalog rules.
pub fn catalogs() -> Result<Vec<Catalog>, DemoError> {
    parse_catalogs(OFFICES_JSON)
}

/// Offices in the form of `demo/offices.json`, checked against the catalog rules.
pub fn parse_catalogs(json: &str) -> Result<Vec<Catalog>, DemoError> {
    let catalogs: Vec<Catalog> = serde_json::from_str(json)?;
    for c in &catalogs {
        c.validate()?;
    }
    Ok(catalogs)
}

/// One kiosk in the hall of each demo office.
pub fn kiosks() -> Result<Vec<KioskDevice>, DemoError> {
    Ok(serde_json::from_str(KIOSKS_JSON)?)
}

/// Stores the demo offices and registers their kiosks.
pub async fn load(store: &Store) -> Result<usize, DemoError> {
    load_with(store, catalogs()?).await
}

/// Stores `catalogs` (the demo offices, or others with their ids) and
/// registers the demo kiosks.
pub async fn load_with(store: &Store, catalogs: Vec<Catalog>) -> Result<usize, DemoError> {
    for c in &catalogs {
        store.put_catalog(c).await?;
    }
    for kiosk in kiosks()? {
        store.put_kiosk(&kiosk).await?;
    }
    Ok(catalogs.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offices_file_is_refused_whole_when_one_office_breaks_a_rule() {
        let mut offices: serde_json::Value = serde_json::from_str(OFFICES_JSON).unwrap();
        assert_eq!(parse_catalogs(&offices.to_string()).unwrap().len(), 3);
        offices[2]["services"][0]["department_id"] = "nowhere".into();
        assert!(matches!(
            parse_catalogs(&offices.to_string()),
            Err(DemoError::Catalog(CatalogError::UnknownDepartment(_)))
        ));
        assert!(matches!(parse_catalogs("[{"), Err(DemoError::Json(_))));
    }

    #[test]
    fn the_demo_offices_follow_the_seeds() {
        let catalogs = super::catalogs().unwrap();
        let office = |id: &str| {
            catalogs
                .iter()
                .find(|c| c.office.id.as_str() == id)
                .unwrap()
        };
        let olsztyn = office("olsztyn");
        assert_eq!(olsztyn.departments.len(), 4);
        // Seed 001: BOK, ID cards, vehicle registration, driving licences.
        let names: Vec<&str> = olsztyn
            .departments
            .iter()
            .map(|d| {
                d.name
                    .0
                    .values()
                    .next()
                    .map(String::as_str)
                    .unwrap_or_default()
            })
            .collect();
        assert!(names.contains(&"Biuro Obsługi Klienta"), "{names:?}");
        assert!(olsztyn.departments.iter().all(|d| d.horizon_days == 30));
        let opava = office("opava");
        assert_eq!(opava.services.len(), 3);
        assert_eq!(opava.departments[0].weekly_online_cap, Some(78));
        assert_eq!(office("mielec").departments[0].horizon_days, 5);
    }

    #[test]
    fn every_demo_office_has_a_kiosk_in_its_languages() {
        let catalogs = super::catalogs().unwrap();
        let kiosks = super::kiosks().unwrap();
        for c in &catalogs {
            let kiosk = kiosks.iter().find(|k| k.office_id == c.office.id).unwrap();
            assert!(kiosk.enabled && kiosk.walk_ins_enabled);
            let home = if c.office.id.as_str() == "opava" {
                "cs"
            } else {
                "pl"
            };
            assert_eq!(serde_json::to_value(kiosk.languages[0]).unwrap(), home);
        }
    }
}
