//! Holds `infra/build-release` to the dependency graph: a function built
//! non-PIE (`-C relocation-model=static`) must not depend on the S3 SDK,
//! whose checksum crate `crc-fast` also builds a cdylib that cannot link
//! that way; the functions that do (termin-shared's `files` feature) are
//! the script's `PIE_FUNCTIONS`, built apart.

use std::process::Command;

/// The names a bash array of `infra/build-release` holds: `NAME=(a b c)`.
fn script_array(script: &str, name: &str) -> Vec<String> {
    let start = format!("{name}=(");
    let line = script
        .lines()
        .find(|l| l.starts_with(&start))
        .unwrap_or_else(|| panic!("no {name} in infra/build-release"));
    line[start.len()..]
        .trim_end_matches(')')
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

/// Whether `package`'s normal dependencies (with the features it enables)
/// reach `krate`.
fn depends_on(package: &str, krate: &str) -> bool {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(crate::workspace_root())
        .args([
            "tree",
            "--locked",
            "--offline",
            "-e",
            "normal",
            "--prefix",
            "none",
            "-p",
            package,
        ])
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "cargo tree -p {package}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .any(|l| l.split_whitespace().next() == Some(krate))
}

#[test]
fn only_the_functions_built_as_a_pie_depend_on_the_s3_sdk() {
    let script =
        std::fs::read_to_string(crate::workspace_root().join("infra/build-release")).unwrap();
    let functions = script_array(&script, "FUNCTIONS");
    let pie = script_array(&script, "PIE_FUNCTIONS");
    assert!(functions.len() >= 13, "{functions:?}");
    for function in &functions {
        let s3 = depends_on(function, "crc-fast");
        assert_eq!(
            s3,
            pie.contains(function),
            "{function}: depends on crc-fast (the S3 SDK) = {s3}; built as a PIE = {}",
            pie.contains(function)
        );
    }
}
