//! Reading the catalog: the offices, and one office with its departments and services.

use crate::domain::ids::OfficeId;
use crate::service::views::{CatalogView, OfficeList};
use crate::service::{Base, ServiceError};
use std::sync::Arc;

/// Every office.
pub async fn list_offices(app: &Base) -> Result<OfficeList, ServiceError> {
    Ok(OfficeList {
        offices: app.store.list_offices().await?,
    })
}

/// An office's public catalog: departments with their hours, and their services.
pub async fn office_catalog(app: &Base, office: &OfficeId) -> Result<CatalogView, ServiceError> {
    Ok(CatalogView::of(Arc::unwrap_or_clone(
        app.catalog(office).await?,
    )))
}
