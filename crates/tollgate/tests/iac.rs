//! `tollgate scan iac`, `check` and `explain iac/…` through the real binary, on a tree made of
//! the iac crate's fixtures.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

const FIX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../iac/tests/fixtures");

fn tollgate() -> Command {
    let mut c = Command::cargo_bin("tollgate").unwrap();
    c.env("CI", "true");
    c
}

/// A repository with a Dockerfile, a Kubernetes manifest, a Terraform module of two files and
/// a broken Dockerfile.
fn tree() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let copy = |from: &str, to: &str| {
        let to = d.path().join(to);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(Path::new(FIX).join(from), to).unwrap();
    };
    copy("dockerfile-root-user/bad-none.Dockerfile", "Dockerfile");
    copy("k8s-privileged/bad.yaml", "deploy/web.yaml");
    copy("tf-open-admin-port/bad.tf", "infra/sg.tf");
    copy("tf-public-subnet/bad.tf", "infra/net.tf");
    std::fs::write(d.path().join("api.Dockerfile"), "FROM a\nFRM b\n").unwrap();
    d
}

#[test]
fn scan_iac_reports_all_three_families_with_positions() {
    let d = tree();
    let out = tollgate()
        .args(["scan", "iac", "--format", "json", "--quiet"])
        .arg(d.path())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let found: Vec<(String, String, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["location"]["path"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let has = |rule: &str, file: &str, line: u64| {
        found
            .iter()
            .any(|(r, p, l)| r == rule && p.ends_with(file) && *l == line)
    };
    assert!(
        has("iac/dockerfile-root-user", "/Dockerfile", 4),
        "{found:?}"
    );
    assert!(
        has("iac/k8s-privileged", "deploy/web.yaml", 17),
        "{found:?}"
    );
    assert!(has("iac/tf-open-admin-port", "infra/sg.tf", 7), "{found:?}");
    // `local.public` resolves in its own file; the module is the folder.
    assert!(has("iac/tf-public-subnet", "infra/net.tf", 7), "{found:?}");
    // The broken Dockerfile is a diagnostic with its position; the scan went on.
    let diags = v["diagnostics"].as_array().unwrap();
    assert!(
        diags.iter().any(
            |d| d["path"].as_str().unwrap_or("").ends_with("api.Dockerfile") && d["line"] == 2
        ),
        "{diags:?}"
    );
    // Routes are symbolic.
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "iac/k8s-privileged")
        .unwrap();
    assert_eq!(
        f["location"]["symbolic"],
        "Deployment/web:spec.template.spec.containers[0].securityContext.privileged"
    );
}

#[test]
fn check_runs_iac_and_sarif_carries_its_rules() {
    let d = tree();
    let out = tollgate()
        .args(["check", "--format", "sarif", "--quiet"])
        .arg(d.path())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let run = &v["runs"][0];
    let results = run["results"].as_array().unwrap();
    let r = results
        .iter()
        .find(|r| r["ruleId"] == "iac/tf-open-admin-port")
        .expect("iac result in SARIF");
    let region = &r["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 7);
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(
        rules
            .iter()
            .any(|x| x["id"] == "iac/dockerfile-unpinned-base")
    );
}

#[test]
fn explain_prints_an_iac_rule() {
    tollgate()
        .args(["explain", "iac/k8s-host-path"])
        .assert()
        .success()
        .stdout(predicate::str::contains("PSS baseline"))
        .stdout(predicate::str::contains("NOT OK"));
}
