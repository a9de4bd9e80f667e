//! Tracing set-up for every binary: JSON lines to stdout for CloudWatch.
//! Log fields carry ids and codes of outcomes, never personal data.

use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::prelude::*;

/// Installs the JSON subscriber. `RUST_LOG` takes targets and levels
/// (`info`, `warn,termin=debug`); a value that does not parse means `info`.
/// A `Targets` filter, not `EnvFilter`: no regular expressions to compile at
/// cold start or to link into every binary.
pub fn init() {
    let _ = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .json()
                .with_current_span(false)
                .with_target(false)
                .without_time()
                .with_filter(filter(std::env::var("RUST_LOG").ok().as_deref())),
        )
        .try_init();
}

fn filter(rust_log: Option<&str>) -> Targets {
    rust_log
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::INFO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing::Level;

    #[test]
    fn rust_log_sets_levels_per_target_and_defaults_to_info() {
        let table = [
            (None, "termin", Level::INFO, true),
            (None, "termin", Level::DEBUG, false),
            (Some("warn"), "termin", Level::INFO, false),
            (
                Some("warn,termin=debug"),
                "termin::store",
                Level::DEBUG,
                true,
            ),
            (
                Some("warn,termin=debug"),
                "aws_smithy_runtime",
                Level::INFO,
                false,
            ),
            (Some("error"), "book", Level::ERROR, true),
        ];
        for (rust_log, target, level, enabled) in table {
            assert_eq!(
                filter(rust_log).would_enable(target, &level),
                enabled,
                "{rust_log:?} {target} {level}"
            );
        }
    }
}
