//! Runs Termin on one machine, with the same definitions as the cloud:
//! the table and the HTTP routes are read from `infra/template.yaml`.
//!
//! - [`dynamodb_local`] starts Amazon's DynamoDB Local (from the npm package) on Java;
//! - [`template`] reads the table definition and routes from the SAM template;
//! - [`router`] dispatches a request to the function the template names for it;
//! - [`demo`] loads the demo offices modelled on the seed documents;
//! - [`server`] serves the API under `/api` and `web/` at `/`.

pub mod demo;
pub mod dynamodb_local;
pub mod router;
pub mod server;
pub mod template;

use std::path::PathBuf;

/// The workspace root (this crate lives in `<root>/local`).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}
