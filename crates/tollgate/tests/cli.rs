//! CLI tests through the real binary: formats, exit codes, configuration errors.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn tollgate() -> Command {
    let mut c = Command::cargo_bin("tollgate").unwrap();
    // An empty cache folder: the user's own advisory index (~/.cache/tollgate/osv.db) must not
    // change what these tests see.
    let cache = std::env::temp_dir().join(format!("tollgate-cli-tests-{}", std::process::id()));
    c.env("CI", "true")
        .env_remove("NO_COLOR")
        .env("XDG_CACHE_HOME", cache);
    c
}

fn testdata(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata")
        .join(rel)
}

fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(testdata("schemas/sarif-schema-2.1.0.json")).unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

#[test]
fn help_and_version() {
    tollgate()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("check"))
        .stdout(predicate::str::contains("Exit codes"));
    tollgate()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("tollgate "));
}

#[test]
fn unknown_command_is_usage_error() {
    tollgate().arg("frobnicate").assert().code(2);
    tollgate()
        .args(["check", "--format", "xml"])
        .assert()
        .code(2);
}

#[test]
fn missing_path_exits_2_and_names_it() {
    tollgate()
        .args(["check", "/no/such/place"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/no/such/place"));
}

#[test]
fn broken_config_names_file_line_column() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("tollgate.toml"),
        "[scan]\nfail-on = \"low\"\nmax-file-sise = 3\n",
    )
    .unwrap();
    tollgate()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("tollgate.toml:3:1"))
        .stderr(predicate::str::contains("max-file-sise"));
}

#[test]
fn init_writes_a_config_that_loads() {
    let dir = tempfile::tempdir().unwrap();
    tollgate().arg("init").arg(dir.path()).assert().success();
    assert!(dir.path().join("tollgate.toml").is_file());
    // A second init refuses to overwrite.
    tollgate().arg("init").arg(dir.path()).assert().code(2);
    tollgate()
        .args(["check", "--format", "json"])
        .arg(dir.path())
        .assert()
        .success();
}

#[test]
fn json_report_shape_and_output_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "hello\n").unwrap();
    let out = dir.path().join("report.json");
    tollgate()
        .args(["check", "--quiet", "--format", "json", "--output"])
        .arg(&out)
        .arg(dir.path())
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(v["schema"], "tollgate.report/v1");
    assert!(v["findings"].is_array());
    let root = dir.path().to_string_lossy().to_string();
    let paths: Vec<&str> = v["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.contains(&format!("{root}/a.txt").as_str()),
        "{paths:?}"
    );
    assert!(
        v["inputs"][0]["sha256"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
}

#[test]
fn sarif_output_is_schema_valid() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "hello\n").unwrap();
    let out = tollgate()
        .args(["check", "--format", "sarif"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors: Vec<String> = sarif_validator()
        .iter_errors(&v)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn human_output_has_no_color_when_piped() {
    let dir = tempfile::tempdir().unwrap();
    let out = tollgate().arg("check").arg(dir.path()).output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains('\x1b'));
}

#[cfg(unix)]
#[test]
fn invalid_utf8_file_names_are_scanned() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let name = std::ffi::OsStr::from_bytes(b"bad-\xff-name.txt");
    std::fs::write(dir.path().join(name), "x\n").unwrap();
    tollgate()
        .args(["check", "--format", "json"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("bad-\u{fffd}-name.txt"));
}

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

/// docs/rules.md is generated from the rules' own docs; regenerate with
/// `UPDATE_DOCS=1 cargo test -p tollgate --test cli rules_doc`.
#[test]
fn rules_doc_is_generated_and_current() {
    let out = tollgate().args(["explain", "--markdown"]).output().unwrap();
    assert!(out.status.success());
    let generated = String::from_utf8(out.stdout).unwrap();
    let path = repo("docs/rules.md");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == generated,
        "docs/rules.md is stale: run UPDATE_DOCS=1 cargo test -p tollgate --test cli rules_doc"
    );
    // Every rule has documentation.
    for scanner in ["secrets/", "ci/", "deps/"] {
        assert!(
            generated.contains(&format!("### {scanner}")),
            "{scanner} rules missing"
        );
    }
}

#[test]
fn demo_repo_shows_every_scanner() {
    let out = tollgate()
        .current_dir(repo(""))
        .args(["check", "examples/demo-repo", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = v["findings"].as_array().unwrap();
    for scanner in ["secrets", "ci", "deps"] {
        assert!(
            findings.iter().any(|f| f["scanner"] == scanner),
            "no {scanner} finding on the demo repo"
        );
    }
    // A planted secret inside a build-output archive, located by member path.
    assert!(
        findings
            .iter()
            .any(|f| f["scanner"] == "secrets" && f["location"]["member"].is_string()),
        "no secret found inside an archive"
    );
    // Paths as typed, joined like ripgrep.
    assert!(findings.iter().all(|f| {
        f["location"]["path"]
            .as_str()
            .unwrap()
            .starts_with("examples/demo-repo/")
    }));
    // Vulnerable dependencies come with a fix.
    assert!(
        findings
            .iter()
            .any(|f| f["rule"] == "deps/vulnerable-dependency")
    );
    // No secret is printed in full anywhere in the report.
    let text = String::from_utf8_lossy(&out.stdout);
    let planted = std::fs::read_to_string(repo("examples/demo-repo/src/settings.py")).unwrap();
    for token in planted
        .split('"')
        .filter(|t| t.starts_with("ghp_") || t.starts_with("AKIA"))
    {
        assert!(!text.contains(token), "a planted secret is printed in full");
    }
}

#[test]
fn github_annotations_on_the_demo_repo() {
    let out = tollgate()
        .current_dir(repo(""))
        .args([
            "check",
            "examples/demo-repo",
            "--format",
            "github",
            "--quiet",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.lines()
            .any(|l| l.starts_with("::error file=examples/demo-repo/")),
        "{text}"
    );
    assert!(text.lines().all(|l| l.starts_with("::")), "{text}");
}

#[test]
fn fail_on_threshold_decides_the_exit_code() {
    let json = tollgate()
        .current_dir(repo(""))
        .args(["check", "examples/demo-repo", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let has_critical = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["severity"] == "critical");
    let code = tollgate()
        .current_dir(repo(""))
        .args([
            "check",
            "examples/demo-repo",
            "--fail-on",
            "critical",
            "-f",
            "json",
        ])
        .output()
        .unwrap()
        .status
        .code();
    assert_eq!(code, Some(if has_critical { 1 } else { 0 }));
    // The lowest threshold fails on any repository with findings.
    tollgate()
        .current_dir(repo(""))
        .args([
            "check",
            "examples/demo-repo",
            "--fail-on",
            "info",
            "-f",
            "json",
        ])
        .assert()
        .code(1);
}

/// `release` on the demo repository's build output, then `verify` of what it wrote.
#[test]
fn release_and_verify_the_demo_build_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    tollgate()
        .args(["key", "generate", "--unencrypted", "--output-dir"])
        .arg(d.join("ci"))
        .assert()
        .success();
    let artifact = repo("examples/demo-repo/dist/site-bundle.zip");
    let evidence = d.join("evidence");
    tollgate()
        .args(["release", "--quiet", "--key"])
        .arg(d.join("ci/tollgate.key"))
        .arg("--evidence")
        .arg(&evidence)
        .arg("--source")
        .arg(repo("examples/demo-repo"))
        .arg(&artifact)
        .assert()
        // The demo's source has planted findings: evidence is written, the release is not clean.
        .code(1)
        .stderr(predicate::str::contains("evidence written"));
    for f in [
        "scan-report.json",
        "sbom.cdx.json",
        "attestations.intoto.jsonl",
    ] {
        assert!(evidence.join(f).is_file(), "{f} missing");
    }
    tollgate()
        .args(["verify"])
        .arg(&artifact)
        .arg("--bundle")
        .arg(evidence.join("site-bundle.zip.sigstore.json"))
        .arg("--bundle")
        .arg(evidence.join("attestations.intoto.jsonl"))
        .arg("--key")
        .arg(d.join("ci/tollgate.pub"))
        .args(["--require-predicate", "https://slsa.dev/provenance/v1"])
        .assert()
        .success();
    // Another artifact does not verify with this evidence.
    tollgate()
        .args(["verify"])
        .arg(repo("examples/demo-repo/README.md"))
        .arg("--bundle")
        .arg(evidence.join("site-bundle.zip.sigstore.json"))
        .arg("--key")
        .arg(d.join("ci/tollgate.pub"))
        .assert()
        .code(1);
}

/// A reader that stops early (`tollgate explain | head -1`) ends the run quietly (nothing on
/// stderr) with exit code 2, not a panic: the Markdown rule book is far longer than a pipe
/// buffer, so a write hits the closed pipe.
#[test]
fn closed_stdout_is_not_a_panic() {
    use std::process::{Command as Std, Stdio};
    let mut child = Std::new(assert_cmd::cargo::cargo_bin("tollgate"))
        .args(["explain", "--markdown"])
        .env("CI", "true")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.is_empty(), "stderr: {stderr}");
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
}
