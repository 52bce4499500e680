//! Snapshots of every text format the log writes, from a fixed key and fixed events (Ed25519
//! is deterministic, so the bytes are exact): checkpoint, receipt, entry, tile layout,
//! trusted root. Also checks `configured()` reads `[log] path`.

use aws_lc_rs::signature::Ed25519KeyPair;
use std::path::Path;
use tollgate_ledger::{Event, Log, PrepareEvent, tiles, trusted_root};

fn fixed_log(dir: &Path) -> Log {
    let pair = Ed25519KeyPair::from_seed_unchecked(&[42u8; 32]).unwrap();
    let pkcs8 = pair.to_pkcs8().unwrap();
    let mut log = Log::init_with_key(
        &dir.join("fixed.log"),
        Some("log.example/fixed"),
        pkcs8.as_ref(),
    )
    .unwrap()
    .log;
    let events: Vec<Event> = (0..3)
        .map(|i| {
            Event::from_json(&format!(
                r#"{{"type":"approval","actor":"alice","subject":"sha256:{i:064x}","environment":"production","time":"2026-02-0{}T12:00:00Z","payload":{{"ticket":"CHG-{i}"}}}}"#,
                i + 1
            ))
            .unwrap()
        })
        .collect();
    log.append(&events).unwrap();
    log
}

#[test]
fn formats_are_stable() {
    let dir = tempfile::tempdir().unwrap();
    let log = fixed_log(dir.path());
    insta::assert_snapshot!("verifier_key", log.verifier().encode());
    insta::assert_snapshot!("checkpoint", log.checkpoint().unwrap().note.encode());
    insta::assert_snapshot!("receipt_1", log.receipt(1).unwrap().encode());
    insta::assert_snapshot!("entry_1", String::from_utf8(log.entry(1).unwrap()).unwrap());
    let out = dir.path().join("tiles");
    tiles::export(&log, &out, true).unwrap();
    let mut files: Vec<String> = walk(&out)
        .into_iter()
        .map(|p| p.strip_prefix(&out).unwrap().display().to_string())
        .collect();
    files.sort();
    insta::assert_snapshot!("tile_files", files.join("\n"));
    let root = trusted_root::trusted_root(
        log.verifier(),
        "https://log.example/fixed",
        "2026-01-01T00:00:00Z",
    );
    insta::assert_json_snapshot!("trusted_root", root);
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn configured_log_comes_from_the_log_section() {
    let dir = tempfile::tempdir().unwrap();
    fixed_log(dir.path());
    let cfg_path = dir.path().join("tollgate.toml");
    let config =
        tollgate_config::Config::from_str_at("[log]\npath = \"fixed.log\"\n", &cfg_path, &["log"])
            .unwrap();
    let log = tollgate_ledger::configured(&config)
        .unwrap()
        .expect("a log is configured");
    assert_eq!(log.size().unwrap(), 3);
    let none = tollgate_config::Config::from_str_at("", &cfg_path, &["log"]).unwrap();
    assert!(tollgate_ledger::configured(&none).unwrap().is_none());
    let bad =
        tollgate_config::Config::from_str_at("[log]\nfile = \"x\"\n", &cfg_path, &["log"]).unwrap();
    let err = tollgate_ledger::configured(&bad).unwrap_err().to_string();
    assert!(err.contains("tollgate.toml:2:1"), "{err}");
}
