//! Offices, departments and services: one partition per office, read in one Query.

use crate::domain::catalog::{Catalog, Department, Office, Service};
use crate::domain::ids::OfficeId;
use crate::store::items::{DepartmentItem, OfficeItem, ServiceItem, entity};
use crate::store::{Store, StoreError, from_item, keys, s, to_item};

impl Store {
    /// Writes an office with its departments and services (demo data, admin
    /// tools), once it passes the catalog rules: no writer can store one
    /// that breaks them.
    pub async fn put_catalog(&self, catalog: &Catalog) -> Result<(), StoreError> {
        catalog.validate()?;
        let mut items = vec![to_item(entity::OFFICE, &OfficeItem::from(&catalog.office))?];
        for d in &catalog.departments {
            items.push(to_item(entity::DEPARTMENT, &DepartmentItem::from(d))?);
        }
        for sv in &catalog.services {
            items.push(to_item(entity::SERVICE, &ServiceItem::from(sv))?);
        }
        for item in items {
            self.client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(item))
                .send()
                .await
                .map_err(|e| StoreError::sdk("PutItem", e))?;
        }
        Ok(())
    }

    /// Every office (GSI1, partition `OFFICES`).
    pub async fn list_offices(&self) -> Result<Vec<Office>, StoreError> {
        let query = self
            .client
            .query()
            .index_name(keys::GSI1)
            .key_condition_expression("gsi1pk = :pk")
            .expression_attribute_values(":pk", s(keys::OFFICES_GSI1PK));
        self.query_all(query)
            .await?
            .into_iter()
            .map(|i| from_item::<OfficeItem>(entity::OFFICE, i).map(|o| o.office))
            .collect()
    }

    /// An office with its departments and services, or `None` if there is no such office.
    pub async fn load_catalog(&self, office: &OfficeId) -> Result<Option<Catalog>, StoreError> {
        let query = self
            .client
            .query()
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", s(keys::office_pk(office)));
        let items = self.query_all(query).await?;
        let mut found: Option<Office> = None;
        let mut departments: Vec<Department> = Vec::new();
        let mut services: Vec<Service> = Vec::new();
        for item in items {
            let kind = item
                .get("entity")
                .and_then(|v| v.as_s().ok())
                .cloned()
                .unwrap_or_default();
            match kind.as_str() {
                entity::OFFICE => {
                    found = Some(from_item::<OfficeItem>(entity::OFFICE, item)?.office)
                }
                entity::DEPARTMENT => departments
                    .push(from_item::<DepartmentItem>(entity::DEPARTMENT, item)?.department),
                entity::SERVICE => {
                    services.push(from_item::<ServiceItem>(entity::SERVICE, item)?.service)
                }
                _ => {}
            }
        }
        Ok(found.map(|office| Catalog {
            office,
            departments,
            services,
        }))
    }
}
