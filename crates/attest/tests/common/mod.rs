//! Shared helpers for peer-tool tests: a missing peer fails under `CI` and skips otherwise.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

/// Whether `cmd --version`-like probe succeeds; prints a skip notice or panics under CI.
pub fn require(name: &str, probe: &mut Command) -> bool {
    let ok = probe.output().map(|o| o.status.success()).unwrap_or(false);
    if !ok {
        if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
            panic!("peer {name} is missing: run scripts/peers/attest.sh");
        }
        eprintln!("SKIP: peer {name} is missing (run scripts/peers/attest.sh)");
    }
    ok
}

/// Where scripts/peers/attest.sh installs npm packages.
pub fn node_dir() -> PathBuf {
    match std::env::var_os("TOLLGATE_PEERS_DIR") {
        Some(d) => PathBuf::from(d).join("attest"),
        None => PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
            .join(".cache/tollgate-peers/attest"),
    }
}
