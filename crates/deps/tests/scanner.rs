//! The scanner through the engine: VEX suppression, banned packages, source policy, bad files
//! as diagnostics, and a `[deps]` typo as a positioned config error.

mod common;

use tollgate_config::Config;
use tollgate_deps::DepsScanner;
use tollgate_model::{Report, SuppressionKind};

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/demo-repo/");

fn run(dir: &std::path::Path, toml: &str) -> Report {
    common::run(dir, toml, "no-index.db")
}

#[test]
fn vex_banned_and_sources() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["Cargo.lock", "requirements.txt"] {
        std::fs::copy(format!("{DEMO}{f}"), dir.path().join(f)).unwrap();
    }
    std::fs::write(
        dir.path().join("vex.openvex.json"),
        r#"{"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://example.com/vex/1","author":"sec",
            "timestamp":"2026-01-01T00:00:00Z","version":1,"statements":[
            {"vulnerability":{"name":"RUSTSEC-2026-0204"},"products":[{"@id":"pkg:cargo/crossbeam-epoch@0.9.18"}],
             "status":"not_affected","justification":"vulnerable_code_not_in_execute_path"}]}"#,
    )
    .unwrap();
    // a vendor's SBOM (syft-style CycloneDX) is an input too
    std::fs::write(
        dir.path().join("vendor.cdx.json"),
        r#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[
            {"type":"library","name":"jinja2","version":"2.11.2","purl":"pkg:pypi/jinja2@2.11.2"}]}"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("package-lock.json"),
        "{\"lockfileVersion\": 3,\n\"packages\": {",
    )
    .unwrap();
    let report = run(
        dir.path(),
        r#"
[deps]
vex = ["vex.openvex.json"]
banned = ["pkg:cargo/bytes"]

[deps.allowed-sources]
PyPI = ["https://pypi.internal.example/simple"]
"crates.io" = ["registry+https://github.com/rust-lang/crates.io-index"]
"#,
    );
    let rules = |r: &str| {
        report
            .findings
            .iter()
            .filter(|f| f.rule.as_str() == r)
            .count()
    };
    assert_eq!(rules("deps/banned-package"), 1);
    // the four requirements come from pypi.org, which this config does not allow
    assert_eq!(rules("deps/unapproved-source"), 4);
    assert!(rules("deps/vulnerable-dependency") >= 5);
    let vexed: Vec<_> = report
        .suppressed
        .iter()
        .filter(|f| f.suppression.as_ref().unwrap().kind == SuppressionKind::Vex)
        .collect();
    assert_eq!(vexed.len(), 1);
    assert!(vexed[0].message.contains("crossbeam-epoch"));
    assert!(
        !report
            .findings
            .iter()
            .any(|f| f.message.contains("RUSTSEC-2026-0204"))
    );
    assert!(report.findings.iter().any(|f| {
        f.location.path.ends_with("vendor.cdx.json")
            && f.rule.as_str() == "deps/vulnerable-dependency"
    }));
    // the broken lockfile is a diagnostic naming its position; the others were still scanned
    let d = report
        .diagnostics
        .iter()
        .find(|d| {
            d.path
                .as_deref()
                .is_some_and(|p| p.ends_with("package-lock.json"))
        })
        .expect("diagnostic for the broken lockfile");
    assert_eq!(d.line, Some(2));
    // the note about the missing index and the bundled snapshot
    assert!(
        report
            .diagnostics
            .iter()
            .any(|d| d.message.contains("bundled OSV snapshot"))
    );
    // fingerprints are stable across runs
    let again = run(
        dir.path(),
        &std::fs::read_to_string(dir.path().join("tollgate.toml")).unwrap(),
    );
    let fp = |r: &Report| {
        r.findings
            .iter()
            .map(|f| f.fingerprint.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(fp(&report), fp(&again));
}

#[test]
fn config_typo_is_positioned() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tollgate.toml"), "[deps]\nbaned = []\n").unwrap();
    let cfg = Config::load(&dir.path().join("tollgate.toml"), &["deps"]).unwrap();
    let e = DepsScanner::from_config(&cfg, None)
        .err()
        .expect("unknown key rejected");
    assert!(e.to_string().contains(":2:"), "{e}");
    std::fs::write(
        dir.path().join("tollgate.toml"),
        "[deps.allowed-sources]\ncargo = []\n",
    )
    .unwrap();
    let cfg = Config::load(&dir.path().join("tollgate.toml"), &["deps"]).unwrap();
    assert!(DepsScanner::from_config(&cfg, None).is_err());
}

/// Issue 22: ten levels of nested anchors (`a: &a [lol ×9]`, `b: &b [*a ×9]`, …) in a pnpm
/// lockfile and in a workflow used to expand without limit (24 GB, killed). Both are now a
/// diagnostic naming the file and the line of the alias that crossed the budget, and the other
/// lockfiles are still read. Timing: BENCHMARKS.md ("YAML alias bomb").
#[test]
fn yaml_alias_bomb_is_a_positioned_diagnostic() {
    let mut bomb = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let items = vec![format!("*a{}", i - 1); 9].join(", ");
        bomb.push_str(&format!("a{i}: &a{i} [{items}]\n"));
    }
    let dir = tempfile::tempdir().unwrap();
    let wf = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&wf).unwrap();
    std::fs::write(
        dir.path().join("pnpm-lock.yaml"),
        format!("lockfileVersion: '9.0'\n{bomb}"),
    )
    .unwrap();
    std::fs::write(wf.join("x.yml"), format!("on: push\n{bomb}")).unwrap();
    std::fs::copy(format!("{DEMO}Cargo.lock"), dir.path().join("Cargo.lock")).unwrap();
    let report = run(dir.path(), "");
    // Line 7 (`a5`, 9^6 nodes): keeping the anchor's copy brings the total held past
    // 1,000,000 nodes.
    for (file, line) in [("pnpm-lock.yaml", 7), (".github/workflows/x.yml", 7)] {
        let d = report
            .diagnostics
            .iter()
            .find(|d| d.path.as_deref().is_some_and(|p| p.ends_with(file)))
            .unwrap_or_else(|| panic!("no diagnostic for {file}: {:?}", report.diagnostics));
        assert!(d.message.contains("alias expansion exceeds"), "{d:?}");
        assert_eq!(d.line, Some(line), "{d:?}");
        assert!(d.column.is_some_and(|c| c > 1), "{d:?}");
    }
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.location.path.ends_with("Cargo.lock")),
        "the other lockfile was still scanned"
    );
}
