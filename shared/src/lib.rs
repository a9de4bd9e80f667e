//! Termin's domain crate.
//!
//! - [`domain`]: pure rules — catalog, opening hours and slots, capacity units,
//!   national IDs, contact data, codes and tokens, booking state changes. No I/O.
//! - [`store`]: the DynamoDB single-table adapter (keys, items, transactions).
//! - [`messages`]: rendering emails, SMS, `.ics` and QR codes (pure).
//! - [`senders`]: the adapter to SES (email) and SNS (SMS).
//! - [`files`]: the adapter to the S3 bucket of document templates.
//! - [`service`]: the use cases, with their inputs, views and errors; they join
//!   the rules with the store, the messages and the senders.
//! - [`api`]: the HTTP edge shared by every HTTP function: one error shape, one
//!   status mapping, request helpers.
//!
//! Dependencies run one way: functions → `api` → `service` → `store` /
//! `messages` / `senders` / `files` → `domain`; nothing imports a layer above it.
//!
//! Time and randomness come in through [`domain::clock::Clock`] and
//! [`domain::codes::Entropy`], so every rule runs under a fixed clock in tests.

pub mod api;
pub mod config;
pub mod domain;
pub mod error;
#[cfg(feature = "files")]
pub mod files;
pub mod messages;
pub mod sdk;
pub mod senders;
pub mod service;
pub mod store;
pub mod telemetry;

/// The layers, read off the source: no module refers to one above it.
#[cfg(test)]
mod layering {
    use std::path::Path;

    /// A layer's rank: a module may refer only to lower ranks (or its own folder).
    fn rank(module: &str) -> Option<u8> {
        Some(match module {
            "domain" | "error" => 0,
            "store" | "messages" | "senders" | "files" | "config" | "sdk" | "telemetry" => 1,
            "service" => 2,
            "api" => 3,
            _ => return None,
        })
    }

    fn crate_refs(text: &str) -> Vec<String> {
        let mut refs = Vec::new();
        for line in text.lines() {
            let code = line.split("//").next().unwrap_or_default();
            let mut rest = code;
            while let Some(at) = rest.find("crate::") {
                rest = &rest[at + "crate::".len()..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                refs.push(name);
            }
        }
        refs
    }

    /// Every reference in a module's file (or, for a folder, its files) to a
    /// layer that is not below it.
    fn upward_refs(path: &Path, top: &str, found: &mut Vec<String>) {
        if path.is_dir() {
            for entry in std::fs::read_dir(path).into_iter().flatten().flatten() {
                upward_refs(&entry.path(), top, found);
            }
            return;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            return;
        }
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let own = rank(top).unwrap_or(u8::MAX);
        for target in crate_refs(&text) {
            if target != top && rank(&target).is_none_or(|r| r >= own) {
                found.push(format!("{} refers to crate::{target}", path.display()));
            }
        }
    }

    #[test]
    fn layers_run_one_way() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut upward = Vec::new();
        for top in [
            "domain",
            "error",
            "store",
            "messages",
            "senders",
            "files",
            "config",
            "sdk",
            "telemetry",
            "service",
            "api",
        ] {
            let dir = src.join(top);
            let path = if dir.is_dir() {
                dir
            } else {
                src.join(format!("{top}.rs"))
            };
            assert!(path.exists(), "no module {top}");
            upward_refs(&path, top, &mut upward);
        }
        assert!(
            upward.is_empty(),
            "dependencies against the layers:\n{}",
            upward.join("\n")
        );
    }
}
