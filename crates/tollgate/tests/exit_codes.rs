//! Exit codes when nothing was scanned, odd paths, out-of-policy exceptions and error text
//! (issue 22, item 11), through the real binary.

use assert_cmd::Command;
use predicates::prelude::*;

fn tollgate() -> Command {
    let mut c = Command::cargo_bin("tollgate").unwrap();
    c.env("CI", "true").env_remove("NO_COLOR");
    c
}

/// An AWS access key id as it appears in AWS's documentation.
const AWS_KEY_LINE: &str = "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n";

#[test]
fn missing_ci_log_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    tollgate()
        .current_dir(dir.path())
        .args(["scan", "secrets", "--ci-log"])
        .arg(dir.path().join("nonexistent.log"))
        .assert()
        .code(2)
        .stdout(predicate::str::contains("cannot read CI log"))
        .stdout(predicate::str::contains("nonexistent.log"));
}

#[test]
fn empty_folder_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    tollgate()
        .arg("check")
        .arg(&empty)
        .assert()
        .code(2)
        .stdout(predicate::str::contains("nothing was scanned"));
}

#[cfg(unix)]
#[test]
fn fifo_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    tollgate()
        .arg("check")
        .arg(&fifo)
        .timeout(std::time::Duration::from_secs(30))
        .assert()
        .code(2)
        .stdout(predicate::str::contains("nothing was scanned"));
}

#[cfg(unix)]
#[test]
fn folder_with_a_non_utf8_name_is_scanned() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let folder = dir
        .path()
        .join(std::ffi::OsStr::from_bytes(b"caf\xe9-latin1"));
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("creds.txt"), AWS_KEY_LINE).unwrap();
    tollgate()
        .args(["check", "--format", "json"])
        .arg(&folder)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("secrets/aws-access-key-id"));
}

#[test]
fn exception_beyond_max_exception_days_is_not_applied() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("creds.txt"), AWS_KEY_LINE).unwrap();
    let exception = |dates: &str| {
        format!(
            "[gate]\nmax-exception-days = 30\n\n[[exceptions]]\nrule = \
             \"secrets/aws-access-key-id\"\nreason = \"test fixture\"\nowner = \"sec\"\n{dates}"
        )
    };
    // Hand-edited far-future expiry, no `created`: refused with a warning, the finding counts.
    std::fs::write(
        dir.path().join("tollgate.toml"),
        exception("expires = 9999-12-31\n"),
    )
    .unwrap();
    tollgate()
        .current_dir(dir.path())
        .args(["check", "."])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("max-exception-days"))
        .stdout(predicate::str::contains("NOT applied"));
    // `created` long ago and `expires` far beyond created + 30 days: refused too.
    std::fs::write(
        dir.path().join("tollgate.toml"),
        exception("created = 2020-01-01\nexpires = 9999-12-31\n"),
    )
    .unwrap();
    tollgate()
        .current_dir(dir.path())
        .args(["check", "."])
        .assert()
        .code(1);
    // Within the limit from today: applied.
    let soon = time::OffsetDateTime::now_utc().date() + time::Duration::days(10);
    std::fs::write(
        dir.path().join("tollgate.toml"),
        exception(&format!("expires = {soon}\n")),
    )
    .unwrap();
    tollgate()
        .current_dir(dir.path())
        .args(["check", "."])
        .assert()
        .success()
        .stdout(predicate::str::contains("max-exception-days").not());
}

#[test]
fn os_error_text_is_printed_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = tollgate()
        .current_dir(dir.path())
        .args(["check", "--config", "missing.toml", "."])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    assert!(err.contains("missing.toml"), "{err}");
    let reason = std::io::Error::from(std::io::ErrorKind::NotFound).to_string();
    let os_text = "(os error 2)";
    assert_eq!(err.matches(os_text).count(), 1, "{err} ({reason})");
}

/// The gate takes the same limit: a hand-edited far-future exception does not let a critical
/// finding through.
#[test]
fn gate_does_not_apply_an_exception_beyond_max_exception_days() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(p.join("app.tar"), b"artifact").unwrap();
    std::fs::create_dir(p.join("evidence")).unwrap();
    let result = serde_json::json!([{
        "ruleId": "vulnerable-dependency", "level": "error",
        "message": {"text": "a vulnerable crate"},
        "partialFingerprints": {"tollgate/v1": "fedcba9876543210fedcba9876543210"},
        "properties": {"security-severity": "9.8"},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": "Cargo.lock"}}}]
    }]);
    let runs: Vec<serde_json::Value> = ["secrets", "ci", "deps"]
        .iter()
        .map(|s| {
            let results = if *s == "deps" {
                result.clone()
            } else {
                serde_json::json!([])
            };
            serde_json::json!({"tool": {"driver": {"name": s}}, "results": results})
        })
        .collect();
    std::fs::write(
        p.join("evidence/tools.sarif"),
        serde_json::json!({"version": "2.1.0", "runs": runs}).to_string(),
    )
    .unwrap();
    let config = |expires: &str| {
        format!(
            "[gate]\nmax-exception-days = 30\n\n[log]\npath = \"release.log\"\n\n\
             [environments.staging]\nrequire = [\"scans\", \"findings\"]\n\
             accept-unsigned-sarif = true\n\n[[exceptions]]\n\
             fingerprint = \"fedcba9876543210fedcba9876543210\"\nreason = \"no fix yet\"\n\
             owner = \"alice\"\nexpires = {expires}\n"
        )
    };
    std::fs::write(p.join("tollgate.toml"), config("9999-12-31")).unwrap();
    tollgate()
        .current_dir(p)
        .args(["log", "init", "--origin", "log.example/exit-codes"])
        .assert()
        .success();
    let gate = || {
        let mut c = tollgate();
        c.current_dir(p).args([
            "gate",
            "app.tar",
            "--env",
            "staging",
            "--evidence",
            "evidence",
        ]);
        c
    };
    gate()
        .assert()
        .code(1)
        .stdout(predicate::str::contains("max-exception-days"));
    let soon = time::OffsetDateTime::now_utc().date() + time::Duration::days(10);
    std::fs::write(p.join("tollgate.toml"), config(&soon.to_string())).unwrap();
    gate().assert().code(0);
}
