//! Document templates an office administrator uploads for citizens (seed
//! 001): checked (an office format, named safely, at most 4 MB), kept in the
//! bucket under a new address, and recorded in the audit log. The address
//! is then linked from a matter in the catalog (its `document_templates`).

use crate::domain::audit::{AuditAction, AuditEntry};
use crate::domain::codes::new_ulid;
use crate::domain::documents::{DocumentError, DocumentFile};
use crate::domain::ids::OfficeId;
use crate::domain::staff::{Role, Staff};
use crate::service::{App, FieldError, ServiceError};
use serde::Serialize;
use serde_json::json;

/// A file kept, as the administrator's page links it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UploadedDocument {
    /// Where citizens download it.
    pub url: String,
    pub name: String,
    pub size: usize,
    pub content_type: &'static str,
}

/// Keeps the file `name` with `bytes` for `office`, if `staff` administers it.
#[tracing::instrument(skip_all, fields(office_id = %office))]
pub async fn upload_document(
    app: &App,
    staff: &Staff,
    office: &OfficeId,
    name: Option<&str>,
    bytes: &[u8],
) -> Result<UploadedDocument, ServiceError> {
    if !staff.may(Role::OfficeAdmin, office) {
        return Err(ServiceError::Forbidden);
    }
    let files = app.files.as_ref().ok_or(ServiceError::FilesUnavailable)?;
    app.catalog(office).await?;
    let file = DocumentFile::check(name.unwrap_or_default(), bytes).map_err(|e| {
        let field = match e {
            DocumentError::Name | DocumentError::Kind => "name",
            _ => "file",
        };
        FieldError::new(field, "invalid", e)
    })?;
    let now = app.clock.now();
    let key = file.key(office, new_ulid(now, &*app.entropy));
    files
        .put(
            &key,
            bytes.to_vec(),
            file.kind.content_type(),
            &file.disposition(),
        )
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "keeping an uploaded document failed");
            ServiceError::FilesUnavailable
        })?;
    let entry = AuditEntry {
        note: json!({ "size": file.size, "content_type": file.kind.content_type() }),
        ..app.audit_entry(staff, office, AuditAction::DocumentUploaded, &key)
    };
    app.store.put_audit(&entry).await?;
    tracing::info!(size = file.size, "document uploaded");
    Ok(UploadedDocument {
        url: files.public_url(&key),
        name: file.name,
        size: file.size,
        content_type: file.kind.content_type(),
    })
}
