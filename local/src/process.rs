//! Starting the local servers (DynamoDB Local, the SES/SNS emulator) so they
//! die with this process.
//!
//! Each child is spawned from a thread that lives as long as this process and
//! asks the kernel to kill it when that thread ends (`PR_SET_PDEATHSIG`), so
//! no test run or local session leaves a server behind.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::process::Command;
use std::sync::mpsc;
use std::time::{Duration, Instant};

#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    #[error("{0} is not installed under {1}; run local/install-deps")]
    NotInstalled(&'static str, String),
    #[error("cannot start {0}")]
    Spawn(&'static str, #[source] std::io::Error),
    #[error("{0} did not answer on port {1} within {2:?}")]
    Timeout(&'static str, u16, Duration),
    #[error("no free port")]
    Port(#[source] std::io::Error),
}

pub fn free_port() -> Result<u16, LaunchError> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(LaunchError::Port)?;
    Ok(listener.local_addr().map_err(LaunchError::Port)?.port())
}

/// The port of an endpoint URL like `http://127.0.0.1:8000`.
pub fn port_of(endpoint: &str) -> Option<u16> {
    endpoint
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
}

/// Spawns `command` tied to this process's lifetime, then waits until `port` accepts connections.
pub fn spawn_tied(name: &'static str, mut command: Command, port: u16) -> Result<(), LaunchError> {
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
        .name(name.into())
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
        .map_err(|e| LaunchError::Spawn(name, e))?;
    rx.recv()
        .map_err(|_| LaunchError::Spawn(name, std::io::Error::other("launcher thread ended")))?
        .map_err(|e| LaunchError::Spawn(name, e))?;

    let limit = Duration::from_secs(60);
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if started.elapsed() > limit {
            return Err(LaunchError::Timeout(name, port, limit));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}
