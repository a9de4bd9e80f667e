//! `log-privacy-check [DIR]`: reads every file in DIR (default
//! `$TERMIN_TEST_LOG_DIR`), where `tests/run` gathers the log of the whole
//! test run, and fails if any line holds a national ID, an email address, a
//! phone number or a raw token (see `termin_tests::log_privacy`). Each finding
//! is printed with its file, line and a masked excerpt, never the value. A
//! folder without a single log line fails too: a capture that broke must not
//! pass as a clean one.

use std::path::PathBuf;
use std::process::ExitCode;
use termin_tests::log_privacy;

/// Findings printed in full; the rest are counted.
const SHOWN: usize = 200;

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os()
        .nth(1)
        .or_else(|| std::env::var_os("TERMIN_TEST_LOG_DIR"))
        .map(PathBuf::from)
    else {
        eprintln!("log-privacy-check: name the log folder (or set TERMIN_TEST_LOG_DIR)");
        return ExitCode::from(2);
    };
    let report = match log_privacy::check_dir(&dir) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("log-privacy-check: cannot read {}: {e}", dir.display());
            return ExitCode::from(2);
        }
    };
    if report.lines == 0 {
        eprintln!(
            "log-privacy-check: no log lines in {} ({} files): the capture did not work",
            dir.display(),
            report.files
        );
        return ExitCode::FAILURE;
    }
    for leak in report.leaks.iter().take(SHOWN) {
        println!("{leak}");
    }
    if report.leaks.len() > SHOWN {
        println!("… and {} more", report.leaks.len() - SHOWN);
    }
    println!(
        "log-privacy-check: {} lines in {} files, {} findings",
        report.lines,
        report.files,
        report.leaks.len()
    );
    if report.leaks.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
