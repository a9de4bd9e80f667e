//! Demo offices modelled on the seed documents: Olsztyn (four departments,
//! Mon 8–16, Tue–Fri 7:30–15:30, 30 days ahead), Opava (three services under a
//! weekly online cap of 78, three weeks ahead), Mielec (five days ahead).

use termin::domain::catalog::{Catalog, CatalogError};
use termin::store::{Store, StoreError};

const OFFICES_JSON: &str = include_str!("../demo/offices.json");

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("demo/offices.json does not parse")]
    Json(#[from] serde_json::Error),
    #[error("demo/offices.json breaks a catalog rule")]
    Catalog(#[from] CatalogError),
    #[error("could not store the demo offices")]
    Store(#[from] StoreError),
}

/// The demo catalogs, checked against the catalog rules.
pub fn catalogs() -> Result<Vec<Catalog>, DemoError> {
    let catalogs: Vec<Catalog> = serde_json::from_str(OFFICES_JSON)?;
    for c in &catalogs {
        c.validate()?;
    }
    Ok(catalogs)
}

pub async fn load(store: &Store) -> Result<usize, DemoError> {
    let catalogs = catalogs()?;
    for c in &catalogs {
        store.put_catalog(c).await?;
    }
    Ok(catalogs.len())
}

#[cfg(test)]
mod tests {
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
        assert!(olsztyn.departments.iter().all(|d| d.horizon_days == 30));
        let opava = office("opava");
        assert_eq!(opava.services.len(), 3);
        assert_eq!(opava.departments[0].weekly_online_cap, Some(78));
        assert_eq!(office("mielec").departments[0].horizon_days, 5);
    }
}
