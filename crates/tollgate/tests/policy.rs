//! `gate`, `exception`, `policy`, `kpi` through the real binary.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

const POLICY_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../policy/policy");

fn tollgate(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("tollgate").unwrap();
    c.current_dir(dir);
    c
}

/// An unsigned SARIF log from other tools: counted only where an environment accepts
/// unsigned SARIF (`staging` here).
fn report(scanners: &[&str], severity: &str) -> String {
    let (level, score) = match severity {
        "critical" => ("error", "9.8"),
        "high" => ("error", "7.5"),
        "medium" => ("warning", "5.0"),
        _ => ("note", "2.0"),
    };
    let runs: Vec<serde_json::Value> = scanners
        .iter()
        .map(|s| {
            let results = if *s == "deps" {
                serde_json::json!([{
                    "ruleId": "vulnerable-dependency", "level": level,
                    "message": {"text": "m"},
                    "partialFingerprints": {"tollgate/v1": "0123456789abcdef0123456789abcdef"},
                    "properties": {"security-severity": score},
                    "locations": [{"physicalLocation": {"artifactLocation": {"uri": "Cargo.lock"}}}]
                }])
            } else {
                serde_json::json!([])
            };
            serde_json::json!({"tool": {"driver": {"name": s}}, "results": results})
        })
        .collect();
    serde_json::json!({"version": "2.1.0", "runs": runs}).to_string()
}

const CONFIG: &str = "# team config\n[gate]\nmax-exception-days = 30\n\n[log]\npath = \"release.log\"\n\n[environments.staging]\nrequire = [\"scans\", \"findings\"]\nbreak-glass = \"1h\"\naccept-unsigned-sarif = true\n\n[environments.prod]\napprovals = 2\n";

fn project() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("tollgate.toml"), CONFIG).unwrap();
    std::fs::write(d.path().join("app.tar"), b"artifact").unwrap();
    std::fs::create_dir(d.path().join("evidence")).unwrap();
    tollgate(d.path())
        .args(["log", "init", "--origin", "log.example/policy-test"])
        .assert()
        .success();
    d
}

#[test]
fn gate_allows_denies_and_breaks_glass() {
    let d = project();
    let ev = d.path().join("evidence/other-tools.sarif");
    std::fs::write(&ev, report(&["secrets", "ci", "deps"], "medium")).unwrap();
    tollgate(d.path())
        .args([
            "gate",
            "app.tar",
            "--env",
            "staging",
            "--evidence",
            "evidence",
        ])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("ALLOW"));
    std::fs::write(&ev, report(&["secrets", "ci", "deps"], "critical")).unwrap();
    tollgate(d.path())
        .args([
            "gate",
            "app.tar",
            "--env",
            "staging",
            "--evidence",
            "evidence",
            "--print-evidence",
            "ev.json",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "deny: SP-17: critical finding deps/vulnerable-dependency",
        ));
    // The saved evidence evaluates the same way.
    tollgate(d.path())
        .args(["policy", "eval", "--input", "ev.json"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("\"allow\": false"));
    // Production needs signatures and approvals: no verifier in this build, so a deny.
    tollgate(d.path())
        .args([
            "gate",
            "app.tar",
            "--env",
            "prod",
            "--evidence",
            "evidence",
            "-f",
            "json",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("SP-04").and(predicate::str::contains("SP-15")));
    // Break-glass passes the failing staging gate, and is logged.
    tollgate(d.path())
        .args([
            "gate",
            "app.tar",
            "--env",
            "staging",
            "--evidence",
            "evidence",
            "--break-glass",
            "--reason",
            "INC-7",
            "--identity",
            "oncall",
        ])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("ALLOW (break-glass)"));
    // Break-glass without a reason is a usage error.
    tollgate(d.path())
        .args([
            "gate",
            "app.tar",
            "--env",
            "staging",
            "--break-glass",
            "--identity",
            "oncall",
        ])
        .assert()
        .code(2);
    // Every decision and the break-glass are in the transparency log.
    let shown = tollgate(d.path())
        .args(["log", "show"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let shown = String::from_utf8_lossy(&shown);
    assert_eq!(shown.matches("break-glass").count(), 1, "{shown}");
    assert_eq!(shown.matches("gate-decision").count(), 4, "{shown}");
    let out = tollgate(d.path())
        .args(["kpi", "-f", "json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let p = &v["periods"][0];
    assert_eq!(p["gates"], 4);
    assert_eq!(p["gates_failed"], 3);
    assert_eq!(p["break_glass"], 1);
    assert_eq!(p["unsigned_artifacts"], 1);
}

#[test]
fn exceptions_are_added_with_a_horizon_and_listed() {
    let d = project();
    tollgate(d.path())
        .args([
            "exception",
            "add",
            "deps/vulnerable-dependency",
            "--reason",
            "no fix yet",
            "--owner",
            "alice",
            "--expires",
            "2999-01-01",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("maximum is 30 days"));
    let soon = tollgate_config::Date::today_utc().add_days(10).to_string();
    tollgate(d.path())
        .args([
            "exception",
            "add",
            "0123456789abcdef0123456789abcdef",
            "--reason",
            "no fix yet",
            "--owner",
            "alice",
            "--expires",
            &soon,
            "--path",
            "Cargo.lock",
        ])
        .assert()
        .code(0);
    let text = std::fs::read_to_string(d.path().join("tollgate.toml")).unwrap();
    assert!(text.starts_with(CONFIG), "{text}");
    assert!(text.contains(&format!("expires = {soon}")), "{text}");
    tollgate(d.path())
        .args(["exception", "list"])
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("active")
                .and(predicate::str::contains("1 exceptions, 0 expired")),
        );
    // The exception now covers the finding at the gate.
    std::fs::write(
        d.path().join("evidence/other-tools.sarif"),
        report(&["secrets", "ci", "deps"], "critical"),
    )
    .unwrap();
    tollgate(d.path())
        .args([
            "gate",
            "app.tar",
            "--env",
            "staging",
            "--evidence",
            "evidence",
        ])
        .assert()
        .code(0);
}

#[test]
fn policy_test_runs_rego_unit_tests() {
    let d = tempfile::tempdir().unwrap();
    tollgate(d.path())
        .args(["policy", "test", POLICY_DIR])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "PASS: data.tollgate.gate_test.test_complete_evidence_allows",
        ));
    std::fs::write(
        d.path().join("p_test.rego"),
        "package t\nimport rego.v1\ntest_ok if true\ntest_bad if 1 == 2\n",
    )
    .unwrap();
    tollgate(d.path())
        .args(["policy", "test", "."])
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains("FAIL: data.t.test_bad")
                .and(predicate::str::contains("PASS: 1/2")),
        );
    std::fs::write(d.path().join("p_test.rego"), "package t\ntest_ok if {\n").unwrap();
    tollgate(d.path())
        .args(["policy", "test", "."])
        .assert()
        .code(2);
}

/// The expected usage, end to end with real keys, signatures and approvals.
#[test]
fn sign_approve_gate_end_to_end() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    std::fs::write(p.join("app.tar"), b"release artifact").unwrap();
    for who in ["ci", "alice", "bob", "carol"] {
        tollgate(p)
            .args(["key", "generate", "--unencrypted", "--output-dir", who])
            .assert()
            .success();
    }
    std::fs::write(
        p.join("tollgate.toml"),
        "[log]\npath = \"release.log\"\n\n\
         [environments.prod]\nrequire = [\"signature\", \"approvals\"]\napprovals = 2\n\n\
         [[signers]]\nidentity = \"ci\"\nkey = \"ci/tollgate.pub\"\n\n\
         [[approvers]]\nidentity = \"alice\"\nkey = \"alice/tollgate.pub\"\n\n\
         [[approvers]]\nidentity = \"bob\"\nkey = \"bob/tollgate.pub\"\n\n\
         [[approvers]]\nidentity = \"carol\"\nkey = \"carol/tollgate.pub\"\n",
    )
    .unwrap();
    std::fs::create_dir(p.join("evidence")).unwrap();
    tollgate(p)
        .env_remove("TOLLGATE_KEY_PASSWORD")
        .args(["log", "--log", "release.log", "init"])
        .assert()
        .success();
    tollgate(p)
        .args([
            "sign",
            "app.tar",
            "--key",
            "ci/tollgate.key",
            "--bundle",
            "evidence/app.sig.json",
        ])
        .assert()
        .success();
    let gate = |author: &str| {
        tollgate(p)
            .args([
                "gate",
                "app.tar",
                "--env",
                "prod",
                "--evidence",
                "evidence",
                "--author",
                author,
            ])
            .output()
            .unwrap()
    };
    // Signed, but no approvals yet: deny.
    assert_eq!(gate("dave").status.code(), Some(1));
    for who in ["alice", "bob"] {
        tollgate(p)
            .args([
                "approve",
                "app.tar",
                "--env",
                "prod",
                "--key",
                &format!("{who}/tollgate.key"),
                "--identity",
                who,
                "--bundle",
                &format!("evidence/{who}.approval.json"),
            ])
            .assert()
            .success();
    }
    // Two distinct approvers, neither is the author: allow.
    let out = gate("dave");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // Alice wrote the change: her own approval never counts, one is missing.
    assert_eq!(gate("alice").status.code(), Some(1));
    // An approval signed with the wrong key for its identity is ignored.
    tollgate(p)
        .args([
            "approve",
            "app.tar",
            "--env",
            "prod",
            "--key",
            "carol/tollgate.key",
            "--identity",
            "alice",
            "--bundle",
            "evidence/forged.approval.json",
        ])
        .assert()
        .success();
    assert_eq!(gate("bob").status.code(), Some(1));
    std::fs::remove_file(p.join("evidence/forged.approval.json")).unwrap();
    // A different artifact with the same evidence: signature and approvals do not carry over.
    std::fs::write(p.join("app.tar"), b"tampered artifact").unwrap();
    assert_eq!(gate("dave").status.code(), Some(1));

    // Every signature, approval and gate decision is in the transparency log, which verifies,
    // and the KPIs are computed from it.
    tollgate(p)
        .args(["log", "--log", "release.log", "verify"])
        .assert()
        .success();
    // sign 2 (the signature's Rekor body, whose inclusion proof the bundle carries, and its
    // event), approvals 3 (one forged), gate decisions 5.
    let mut kinds = Vec::new();
    for i in 0..10 {
        let out = tollgate(p)
            .args(["log", "--log", "release.log", "show", &i.to_string()])
            .output()
            .unwrap();
        assert!(out.status.success(), "entry {i} missing");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        kinds.push(
            v["type"]
                .as_str()
                .or(v["kind"].as_str())
                .unwrap()
                .to_string(),
        );
    }
    for kind in ["hashedrekord", "signature", "approval", "gate-decision"] {
        assert!(
            kinds.iter().any(|k| k == kind),
            "no {kind} event: {kinds:?}"
        );
    }
    let kpi = tollgate(p).args(["kpi", "-f", "json"]).output().unwrap();
    assert!(
        kpi.status.success(),
        "{}",
        String::from_utf8_lossy(&kpi.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&kpi.stdout).unwrap();
    assert!(v.to_string().contains("failed_gate"), "{v}");
}

/// Issue 22 item 9: a recursive user policy aborted the gate (stack overflow, exit 134); it is
/// a deny naming the recursion, recorded in the log like any decision. A policy whose builtin
/// overruns while loading is abandoned within its limit.
#[test]
fn a_recursive_or_runaway_policy_is_a_deny() {
    let d = project();
    std::fs::write(
        d.path().join("rec.rego"),
        "package tollgate.gate\nimport rego.v1\n\nf(x) := y if { y := f(x) }\n\nallow if { f(1) }\n",
    )
    .unwrap();
    tollgate(d.path())
        .args([
            "gate", "app.tar", "--env", "staging", "--policy", "rec.rego",
        ])
        .assert()
        .code(1)
        .stdout(
            predicate::str::starts_with("DENY").and(predicate::str::contains(
                "deny: policy error: rec.rego: recursion: data.tollgate.gate.f (rec.rego:4)",
            )),
        );
    std::fs::write(
        d.path().join("slow.rego"),
        "package tollgate.gate\nimport rego.v1\n\nallow if { count(numbers.range(1, 60000000)) > 0 }\n",
    )
    .unwrap();
    let started = std::time::Instant::now();
    tollgate(d.path())
        .args([
            "gate",
            "app.tar",
            "--env",
            "staging",
            "--policy",
            "slow.rego",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "deny: policy error: loading the policy exceeded its time limit of 1s",
        ));
    assert!(started.elapsed() < std::time::Duration::from_secs(4));
    // `policy test` / `policy eval` refuse a recursive policy as not compiling.
    tollgate(d.path())
        .args(["policy", "test", "rec.rego"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("recursion"));
    let shown = tollgate(d.path())
        .args(["log", "show"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        String::from_utf8_lossy(&shown)
            .matches("gate-decision")
            .count(),
        2
    );
}

#[test]
fn kpi_writes_json_v2_and_a_self_contained_html_page_for_one_environment() {
    let d = tempfile::tempdir().unwrap();
    let events = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../kpi/tests/fixtures/events.jsonl"
    );
    std::fs::write(
        d.path().join("tollgate.toml"),
        "[kpi]\ndeployment-success = 0.95\n",
    )
    .unwrap();
    let out = tollgate(d.path())
        .args([
            "kpi",
            "--events",
            events,
            "--environment",
            "staging",
            "-f",
            "json",
        ])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["schema"], "tollgate.kpi/v2");
    assert_eq!(v["settings"]["deployment_success"], 0.95);
    // Hand-derived (crates/kpi/tests/fixtures/README.md): staging has 30 gated deployments.
    assert_eq!(v["total"]["deployments"], 30);
    assert_eq!(v["total"]["gated_share"], 1.0);
    assert_eq!(v["periods"].as_array().unwrap().len(), 1);
    let page = d.path().join("kpi.html");
    tollgate(d.path())
        .args([
            "kpi", "--events", events, "--period", "week", "-f", "html", "-o",
        ])
        .arg(&page)
        .assert()
        .code(0)
        .stdout("");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<svg"));
    assert!(!html.contains("<script"));
    tollgate(d.path())
        .args(["kpi", "--events", events, "--period", "fortnight"])
        .assert()
        .code(2);
}
