//! `tollgate scan ci`, `tollgate posture` and `tollgate explain ci/…` through the real binary.

use assert_cmd::Command;
use predicates::prelude::*;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/demo-repo");

fn tollgate() -> Command {
    Command::cargo_bin("tollgate").unwrap()
}

#[test]
fn scan_ci_reports_the_demo_repo_problems() {
    let out = tollgate()
        .args(["scan", "ci", "--format", "json", "--quiet", DEMO])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    for r in [
        "ci/dangerous-triggers",
        "ci/untrusted-checkout-exec",
        "ci/template-injection",
        "ci/unpinned-uses",
        "ci/static-cloud-credentials",
        "ci/deploy-without-environment",
        "ci/gitlab-unpinned-image",
        "ci/gitlab-production-not-manual",
    ] {
        assert!(rules.contains(&r), "{r} missing from {rules:?}");
    }
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "ci/template-injection")
        .unwrap();
    assert_eq!(f["location"]["symbolic"], "jobs.test.steps[2].run");
}

#[test]
fn check_includes_the_ci_scanner_and_sarif_is_produced() {
    tollgate()
        .args(["check", "--format", "sarif", "--quiet", DEMO])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("ci/static-cloud-credentials"));
}

#[test]
fn unparsable_workflow_is_a_diagnostic_and_others_still_audited() {
    let dir = tempfile::tempdir().unwrap();
    let wf = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&wf).unwrap();
    std::fs::write(wf.join("bad.yml"), "on: push\njobs: [\n").unwrap();
    std::fs::write(wf.join("good.yml"), "on: pull_request_target\njobs: {}\n").unwrap();
    let out = tollgate()
        .args(["scan", "ci", "--format", "json", "--quiet"])
        .arg(dir.path())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let d = &v["diagnostics"][0];
    assert!(d["path"].as_str().unwrap().ends_with("bad.yml"), "{v}");
    assert!(d["line"].as_u64().is_some());
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "ci/dangerous-triggers")
    );
}

#[test]
fn fix_adds_permissions_and_persist_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let wf = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&wf).unwrap();
    let f = wf.join("ci.yml");
    std::fs::write(
        &f,
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683\n",
    )
    .unwrap();
    std::fs::write(wf.join("broken.yml"), "on: [\n").unwrap();
    tollgate()
        .args(["scan", "ci", "--fix", "--quiet", "--format", "json"])
        .arg(dir.path())
        .assert()
        .code(0);
    let fixed = std::fs::read_to_string(&f).unwrap();
    assert!(fixed.contains("persist-credentials: false"), "{fixed}");
    assert!(
        fixed.contains("permissions:\n      contents: read"),
        "{fixed}"
    );
    assert_eq!(
        std::fs::read_to_string(wf.join("broken.yml")).unwrap(),
        "on: [\n"
    );
}

#[test]
fn posture_renders_all_three_formats() {
    let dir = tempfile::tempdir().unwrap();
    tollgate()
        .args(["posture", DEMO])
        .assert()
        .success()
        .stdout(predicate::str::contains("SP-08").and(predicate::str::contains("FAIL")));
    let out = tollgate()
        .args(["posture", DEMO, "--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["controls"].as_array().unwrap().len(), 26);
    let sp08 = v["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "SP-08")
        .unwrap();
    assert_eq!(sp08["status"], "fail");
    let sp09 = v["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "SP-09")
        .unwrap();
    assert_eq!(sp09["status"], "unknown");
    let html = dir.path().join("posture.html");
    tollgate()
        .args(["posture", DEMO, "--format", "html", "--output"])
        .arg(&html)
        .assert()
        .success();
    let h = std::fs::read_to_string(&html).unwrap();
    assert!(h.starts_with("<!DOCTYPE html>"));
    assert!(h.contains("SP-26") && !h.contains("<script") && !h.contains("src=\"http"));
}

#[test]
fn explain_prints_ci_rule_docs() {
    tollgate()
        .args(["explain", "ci/template-injection"])
        .assert()
        .success()
        .stdout(predicate::str::contains("NOT OK").and(predicate::str::contains("## Fix")));
}

#[test]
fn ci_config_section_is_read_and_validated() {
    let dir = tempfile::tempdir().unwrap();
    let wf = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&wf).unwrap();
    std::fs::write(
        wf.join("a.yml"),
        "on: push\npermissions: {}\njobs:\n  t:\n    runs-on: ubuntu-latest\n    permissions: {}\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          persist-credentials: false\n",
    )
    .unwrap();
    let cfg = dir.path().join("tollgate.toml");
    // GitHub's own actions may be ref-pinned by default; `ref-pin-allowed = []` is strict.
    tollgate()
        .args(["scan", "ci", "-q"])
        .arg(dir.path())
        .assert()
        .code(0);
    std::fs::write(&cfg, "[ci]\nref-pin-allowed = []\n").unwrap();
    tollgate()
        .args(["scan", "ci", "-q"])
        .arg(dir.path())
        .assert()
        .code(1);
    std::fs::write(&cfg, "[ci]\nbogus = 1\n").unwrap();
    tollgate()
        .args(["scan", "ci", "-q"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("tollgate.toml:2:1"));
}
