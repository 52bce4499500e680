//! SARIF from `tollgate check` as code-scanning platforms read it: valid against the OASIS
//! JSON schema, and zero errors from `@microsoft/sarif-multitool validate` (the SARIF SDK's
//! rules, e.g. SARIF1004 on URIs) for an absolute root, a relative root and no root.
//! URIs are relative to the scan root (`uriBaseId: SRCROOT`, whose absolute `file://` URI is
//! in `originalUriBaseIds`).
//!
//! The multitool comes from scripts/peers/sarif.sh; a missing peer fails under `CI` and skips
//! with a note otherwise. The schema test always runs.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn repo() -> PathBuf {
    std::fs::canonicalize(REPO).unwrap()
}

/// `tollgate check -f sarif [root]` run in `cwd`.
fn sarif(cwd: &Path, root: Option<&str>) -> Value {
    let mut c = Command::cargo_bin("tollgate").unwrap();
    c.env("CI", "true").current_dir(cwd);
    c.args(["check", "-f", "sarif", "-q"]);
    if let Some(r) = root {
        c.arg(r);
    }
    let out = c.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn artifact_locations(v: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for r in v["runs"][0]["results"].as_array().unwrap() {
        for l in r["locations"].as_array().unwrap() {
            out.push(l["physicalLocation"]["artifactLocation"].clone());
        }
    }
    out
}

/// The three ways a user names the demo repository, each with what `SRCROOT` must be.
fn runs() -> Vec<(&'static str, Value)> {
    let repo = repo();
    let demo = repo.join("examples/demo-repo");
    let abs = demo.to_str().unwrap().to_string();
    vec![
        ("absolute root", sarif(&repo, Some(&abs))),
        ("relative root", sarif(&repo, Some("examples/demo-repo"))),
        ("no root", sarif(&demo, None)),
    ]
}

#[test]
fn uris_are_relative_to_the_scan_root() {
    let demo = repo().join("examples/demo-repo");
    let want_base = format!("file://{}/", demo.display());
    for (how, v) in runs() {
        assert_eq!(
            v["runs"][0]["originalUriBaseIds"]["SRCROOT"]["uri"], want_base,
            "{how}"
        );
        let locs = artifact_locations(&v);
        assert!(locs.len() >= 4, "{how}");
        for l in &locs {
            assert_eq!(l["uriBaseId"], "SRCROOT", "{how}: {l}");
            let uri = l["uri"].as_str().unwrap();
            assert!(
                !uri.starts_with('/') && !uri.starts_with("examples/"),
                "{how}: {uri}"
            );
            assert!(
                demo.join(uri).is_file(),
                "{how}: {uri} is not a file of the root"
            );
        }
        let schema =
            std::fs::read_to_string(format!("{REPO}/testdata/schemas/sarif-schema-2.1.0.json"))
                .unwrap();
        let validator = jsonschema::validator_for(&serde_json::from_str(&schema).unwrap()).unwrap();
        let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{how}: {errors:?}");
    }
}

fn multitool() -> Option<PathBuf> {
    let base = match std::env::var_os("TOLLGATE_PEERS_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
            .join(".cache/tollgate-peers"),
    };
    let bin = base.join("sarif/node_modules/.bin/sarif-multitool");
    if bin.exists() {
        return Some(bin);
    }
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        panic!(
            "peer sarif-multitool missing at {}: run scripts/peers/sarif.sh",
            bin.display()
        );
    }
    eprintln!(
        "note: skipping the sarif-multitool check: peer missing at {} (scripts/peers/sarif.sh)",
        bin.display()
    );
    None
}

/// `sarif-multitool validate` on `v`; its own SARIF report's error-level results.
fn multitool_errors(bin: &Path, v: &Value) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.sarif");
    let output = dir.path().join("out.sarif");
    std::fs::write(&input, serde_json::to_vec_pretty(v).unwrap()).unwrap();
    let run = std::process::Command::new(bin)
        .arg("validate")
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stdout)
    );
    let report: Value = serde_json::from_slice(&std::fs::read(&output).unwrap()).unwrap();
    report["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["level"] == "error")
        .map(|r| format!("{}: {}", r["ruleId"], r["message"]))
        .collect()
}

#[test]
fn sarif_multitool_reports_no_errors() {
    let Some(bin) = multitool() else {
        return;
    };
    for (how, v) in runs() {
        let errors = multitool_errors(&bin, &v);
        assert!(errors.is_empty(), "{how}: {errors:#?}");
    }
    // Guard: the validator must be able to fail. An absolute path written as a bare URI (what
    // tollgate wrote before) is SARIF1004.
    let (_, mut v) = runs().remove(0);
    let loc = &mut v["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    loc["artifactLocation"] = serde_json::json!({ "uri": "/abs/path/file.py" });
    let errors = multitool_errors(&bin, &v);
    assert!(
        errors.iter().any(|e| e.contains("SARIF1004")),
        "{errors:#?}"
    );
}
