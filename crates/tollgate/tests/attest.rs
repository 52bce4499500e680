//! `tollgate key generate | sign | attest | verify | release` through the real binary.

use assert_cmd::Command;
use predicates::str::contains;
use std::path::Path;

fn tollgate(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("tollgate").unwrap();
    c.current_dir(dir)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITLAB_CI")
        .env_remove("TOLLGATE_KEY_PASSWORD");
    c
}

#[test]
fn key_sign_attest_verify_end_to_end() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    std::fs::write(p.join("app.tar.gz"), vec![7u8; 300_000]).unwrap();

    // No password and no terminal: refused, nothing written.
    tollgate(p)
        .args(["key", "generate", "--output-dir", "keys"])
        .assert()
        .code(2)
        .stderr(contains("TOLLGATE_KEY_PASSWORD"));
    tollgate(p)
        .args(["key", "generate", "--output-dir", "keys"])
        .env("TOLLGATE_KEY_PASSWORD", "pw")
        .assert()
        .success()
        .stdout(contains("key id: "));
    let key = std::fs::read_to_string(p.join("keys/tollgate.key")).unwrap();
    assert!(key.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    // Existing files are not overwritten.
    tollgate(p)
        .args(["key", "generate", "--output-dir", "keys", "--unencrypted"])
        .assert()
        .code(2);

    tollgate(p)
        .args(["sign", "app.tar.gz", "--key", "keys/tollgate.key"])
        .env("TOLLGATE_KEY_PASSWORD", "pw")
        .assert()
        .success();
    let bundle: serde_json::Value =
        serde_json::from_slice(&std::fs::read(p.join("app.tar.gz.sigstore.json")).unwrap())
            .unwrap();
    assert_eq!(
        bundle["mediaType"],
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    );

    std::fs::write(
        p.join("junit.xml"),
        r#"<testsuite><testcase classname="a" name="ok"/></testsuite>"#,
    )
    .unwrap();
    tollgate(p)
        .args([
            "attest",
            "app.tar.gz",
            "--key",
            "keys/tollgate.key",
            "--junit",
            "junit.xml",
            "--jsonl",
            "app.intoto.jsonl",
        ])
        .env("TOLLGATE_KEY_PASSWORD", "pw")
        .assert()
        .success();
    tollgate(p)
        .args([
            "attest",
            "app.tar.gz",
            "--key",
            "keys/tollgate.key",
            "--provenance",
            "--jsonl",
            "app.intoto.jsonl",
        ])
        .env("TOLLGATE_KEY_PASSWORD", "pw")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_REPOSITORY", "acme/app")
        .env("GITHUB_REF", "refs/heads/main")
        .env("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567")
        .assert()
        .success();

    tollgate(p)
        .args([
            "verify",
            "app.tar.gz",
            "--bundle",
            "app.tar.gz.sigstore.json",
            "--bundle",
            "app.intoto.jsonl",
            "--key",
            "keys/tollgate.pub",
            "--require-predicate",
            "https://slsa.dev/provenance/v1",
            "--require-predicate",
            "https://in-toto.io/attestation/test-result/v0.1",
            "--source-repo",
            "https://github.com/acme/*",
            "--max-age",
            "1h",
        ])
        .assert()
        .success()
        .stdout(contains("[PASS] signature"))
        .stdout(contains("[n/a ] transparency log"))
        .stdout(contains("VERIFIED"));

    // Requirement not met → 1, and the failing check is named.
    tollgate(p)
        .args([
            "verify",
            "app.tar.gz",
            "--bundle",
            "app.intoto.jsonl",
            "--key",
            "keys/tollgate.pub",
            "--source-ref",
            "refs/tags/v*",
        ])
        .assert()
        .code(1)
        .stdout(contains("[FAIL] source ref"));

    // JSON output.
    let out = tollgate(p)
        .args([
            "verify",
            "sha256:0000000000000000000000000000000000000000000000000000000000000000",
            "--bundle",
            "app.tar.gz.sigstore.json",
            "--key",
            "keys/tollgate.pub",
            "--json",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["bundles"][0]["checks"][1]["status"], "failed");

    // Tampered artifact → 1.
    std::fs::write(p.join("app.tar.gz"), b"tampered").unwrap();
    tollgate(p)
        .args([
            "verify",
            "app.tar.gz",
            "--bundle",
            "app.tar.gz.sigstore.json",
            "--key",
            "keys/tollgate.pub",
        ])
        .assert()
        .code(1)
        .stdout(contains("NOT VERIFIED"));

    // Nothing trusted → usage error.
    tollgate(p)
        .args([
            "verify",
            "app.tar.gz",
            "--bundle",
            "app.tar.gz.sigstore.json",
        ])
        .assert()
        .code(2);
}

#[test]
fn release_writes_verifiable_evidence() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    std::fs::write(p.join("app.bin"), b"built").unwrap();
    std::fs::create_dir(p.join("src")).unwrap();
    std::fs::write(p.join("src/Cargo.lock"), "version = 4\n").unwrap();
    std::fs::write(p.join("src/main.py"), "print('hi')\n").unwrap();
    std::fs::write(p.join("src/requirements-dev.txt"), "pytest==8.3.3\n").unwrap();
    tollgate(p)
        .args([
            "key",
            "generate",
            "--output-dir",
            ".",
            "--unencrypted",
            "--algorithm",
            "ed25519",
        ])
        .assert()
        .success();
    tollgate(p)
        .args([
            "release",
            "app.bin",
            "--key",
            "tollgate.key",
            "--evidence",
            "ev",
            "--source",
            "src",
            "-q",
        ])
        .assert()
        .success();
    for f in [
        "app.bin.sigstore.json",
        "provenance.sigstore.json",
        "scan.sigstore.json",
        "attestations.intoto.jsonl",
        "scan-report.json",
        "manifest.json",
    ] {
        assert!(p.join("ev").join(f).is_file(), "{f}");
    }
    // The provenance names the source's lockfiles as the inventory classifies them (including
    // requirements-*.txt), with their digests, and nothing else from the source folder.
    let bundle: serde_json::Value =
        serde_json::from_slice(&std::fs::read(p.join("ev/provenance.sigstore.json")).unwrap())
            .unwrap();
    use base64::Engine as _;
    let payload = base64::engine::general_purpose::STANDARD
        .decode(bundle["dsseEnvelope"]["payload"].as_str().unwrap())
        .unwrap();
    let statement: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    let uris: Vec<&str> = statement["predicate"]["buildDefinition"]["resolvedDependencies"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["uri"].as_str())
        .filter(|u| u.starts_with("file:"))
        .collect();
    assert_eq!(uris, ["file:Cargo.lock", "file:requirements-dev.txt"]);
    tollgate(p)
        .args([
            "verify",
            "app.bin",
            "--bundle",
            "ev/app.bin.sigstore.json",
            "--bundle",
            "ev/attestations.intoto.jsonl",
            "--key",
            "tollgate.pub",
            "--require-predicate",
            "https://tollgate.dev/attestation/scan-report/v1",
        ])
        .assert()
        .success();
}

#[test]
fn release_with_a_log_embeds_entries_and_writes_the_trusted_root() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    std::fs::write(p.join("app.bin"), b"built").unwrap();
    std::fs::create_dir(p.join("src")).unwrap();
    std::fs::write(p.join("src/main.py"), "print('hi')\n").unwrap();
    std::fs::write(p.join("tollgate.toml"), "[log]\npath = \"release.log\"\n").unwrap();
    tollgate(p)
        .args(["log", "init", "--origin", "log.example/release"])
        .assert()
        .success();
    tollgate(p)
        .args(["key", "generate", "--output-dir", ".", "--unencrypted"])
        .assert()
        .success();
    tollgate(p)
        .args([
            "release",
            "app.bin",
            "--key",
            "tollgate.key",
            "--evidence",
            "ev",
            "--source",
            "src",
            "--config",
            "tollgate.toml",
            "-q",
        ])
        .assert()
        .success();
    assert!(p.join("ev/trusted_root.json").is_file());
    // The key is never put among the evidence: trust does not come from the evidence.
    assert!(!p.join("ev/tollgate.pub").exists());
    let out = tollgate(p)
        .args([
            "verify",
            "app.bin",
            "--bundle",
            "ev/app.bin.sigstore.json",
            "--bundle",
            "ev/attestations.intoto.jsonl",
            "--key",
            "tollgate.pub",
            "--trusted-root",
            "ev/trusted_root.json",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    // The signature and every attestation carry an entry of the release log.
    let n = text
        .matches("verified against checkpoint of log.example/release at size")
        .count();
    assert!(n >= 3, "{text}");
    tollgate(p).args(["log", "verify"]).assert().code(0);
}
