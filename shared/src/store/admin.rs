//! What administrators change: an office's catalog as one versioned
//! transaction with its audit entry, and the audit log itself.

use crate::domain::audit::AuditEntry;
use crate::domain::catalog::Catalog;
use crate::domain::ids::{DepartmentId, OfficeId};
use crate::store::items::{
    AuditItem, CounterItem, DepartmentItem, OfficeItem, ServiceItem, entity,
};
use crate::store::writes::cancellation_codes;
use crate::store::{Store, StoreError, from_item, key_map, keys, n, s, to_item};
use aws_sdk_dynamodb::types::{Delete, Put, TransactWriteItem};

/// DynamoDB's limit on the items of one transaction.
const MAX_TRANSACTION_ITEMS: usize = 100;

/// Why a catalog change was not written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogWriteRefusal {
    /// Someone saved another change since this one was started from `version`.
    VersionConflict,
    /// More departments and services (written and removed) than one
    /// transaction holds.
    TooLarge { items: usize },
}

impl Store {
    /// An office's catalog with the version its last administrator change left.
    pub async fn load_catalog_versioned(
        &self,
        office: &OfficeId,
    ) -> Result<Option<(Catalog, u64)>, StoreError> {
        let Some(catalog) = self.load_catalog(office).await? else {
            return Ok(None);
        };
        let key = keys::Key {
            pk: keys::office_pk(office),
            sk: keys::OFFICE_SK.into(),
        };
        let item: Option<OfficeItem> = self.get_mapped(&key, entity::OFFICE).await?;
        Ok(Some((catalog, item.map_or(0, |i| i.catalog_version))))
    }

    /// Replaces `before` by `after` (validated), from `version`: the office
    /// item (version raised), every department and service, the removal of
    /// those `after` no longer has, and the audit entry — all or nothing.
    pub async fn replace_catalog(
        &self,
        before: &Catalog,
        after: &Catalog,
        version: u64,
        audit: &AuditEntry,
    ) -> Result<Result<u64, CatalogWriteRefusal>, StoreError> {
        after.validate()?;
        let next = version + 1;
        let office = OfficeItem {
            catalog_version: next,
            ..OfficeItem::from(&after.office)
        };
        let condition = if version == 0 {
            "attribute_not_exists(catalog_version) OR catalog_version = :version"
        } else {
            "catalog_version = :version"
        };
        let office_put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(to_item(entity::OFFICE, &office)?))
            .condition_expression(condition)
            .expression_attribute_values(":version", n(version))
            .build()?;
        let mut writes = vec![TransactWriteItem::builder().put(office_put).build()];
        for d in &after.departments {
            writes.push(self.put(to_item(entity::DEPARTMENT, &DepartmentItem::from(d))?, None)?);
        }
        for sv in &after.services {
            writes.push(self.put(to_item(entity::SERVICE, &ServiceItem::from(sv))?, None)?);
        }
        let office_pk = keys::office_pk(&after.office.id);
        let removed_departments = before
            .departments
            .iter()
            .filter(|d| !after.departments.iter().any(|a| a.id == d.id))
            .map(|d| keys::department_sk(&d.id));
        let removed_services = before
            .services
            .iter()
            .filter(|sv| !after.services.iter().any(|a| a.id == sv.id))
            .map(|sv| keys::service_sk(&sv.id));
        for sk in removed_departments.chain(removed_services) {
            let key = keys::Key {
                pk: office_pk.clone(),
                sk,
            };
            let delete = Delete::builder()
                .table_name(&self.table)
                .set_key(Some(key_map(&key)))
                .build()?;
            writes.push(TransactWriteItem::builder().delete(delete).build());
        }
        writes.push(self.audit_put(audit)?);
        if writes.len() > MAX_TRANSACTION_ITEMS {
            return Ok(Err(CatalogWriteRefusal::TooLarge {
                items: writes.len(),
            }));
        }
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(writes))
            .send()
            .await;
        match result {
            Ok(_) => Ok(Ok(next)),
            Err(err) => match cancellation_codes(&err) {
                Some(codes) if codes.first().is_some_and(|c| c == "ConditionalCheckFailed") => {
                    Ok(Err(CatalogWriteRefusal::VersionConflict))
                }
                _ => Err(StoreError::transaction(err)),
            },
        }
    }

    /// The audit entry's Put, for the transaction of the change it records.
    pub(crate) fn audit_put(&self, entry: &AuditEntry) -> Result<TransactWriteItem, StoreError> {
        self.put(
            to_item(entity::AUDIT, &AuditItem::from(entry))?,
            Some("attribute_not_exists(pk)"),
        )
    }

    /// Records an action that is written by itself (a kiosk's registration).
    pub async fn put_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(entity::AUDIT, &AuditItem::from(entry))?))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await
            .map_err(|e| StoreError::sdk("PutItem", e))?;
        Ok(())
    }

    /// An office's audit entries with ids (ULIDs) in `[from, to]`, newest first.
    pub async fn audit_entries(
        &self,
        office: &OfficeId,
        from: &str,
        to: &str,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let query = self
            .client
            .query()
            .key_condition_expression("pk = :pk AND sk BETWEEN :from AND :to")
            .expression_attribute_values(":pk", s(keys::audit_pk(office)))
            .expression_attribute_values(":from", s(format!("{}{from}", keys::AUDIT_PREFIX)))
            .expression_attribute_values(":to", s(format!("{}{to}", keys::AUDIT_PREFIX)))
            .scan_index_forward(false);
        self.query_all(query)
            .await?
            .into_iter()
            .map(|item| from_item::<AuditItem>(entity::AUDIT, item).map(|i| i.entry))
            .collect()
    }

    /// Booked counts of a department's ISO weeks from `from_week` on.
    pub async fn week_counts_from(
        &self,
        office: &OfficeId,
        department: &DepartmentId,
        from_week: &str,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        let first = keys::week(office, department, from_week);
        let query = self
            .client
            .query()
            .key_condition_expression("pk = :pk AND sk BETWEEN :from AND :to")
            .expression_attribute_values(":pk", s(first.pk))
            .expression_attribute_values(":from", s(first.sk))
            .expression_attribute_values(":to", s(keys::week(office, department, "~").sk));
        self.query_all(query)
            .await?
            .into_iter()
            .map(|item| {
                let counter: CounterItem = from_item(entity::COUNTER, item)?;
                let week = counter.sk.trim_start_matches("WEEK#").to_owned();
                Ok((week, counter.booked))
            })
            .collect()
    }
}
