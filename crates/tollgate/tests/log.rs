//! `tollgate log` through the real binary.

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;
use std::path::Path;

const SUBJECT: &str = "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

fn tollgate(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("tollgate").unwrap();
    c.current_dir(dir).env_remove("TOLLGATE_KEY_PASSWORD");
    c
}

fn init_with_events(dir: &Path, n: usize) {
    tollgate(dir)
        .args([
            "log",
            "--log",
            "r.log",
            "init",
            "--origin",
            "log.example/cli",
        ])
        .assert()
        .success()
        .stdout(contains("log.example/cli+"))
        .stderr(contains("unencrypted"));
    let lines: String = (0..n)
        .map(|i| {
            format!(
                "{{\"type\":\"deployment\",\"actor\":\"ci-{i}\",\"subject\":\"{SUBJECT}\",\"payload\":{{\"i\":{i}}}}}\n"
            )
        })
        .collect();
    std::fs::write(dir.join("events.jsonl"), lines).unwrap();
    let out = tollgate(dir)
        .args([
            "log",
            "--log",
            "r.log",
            "append",
            "--from-jsonl",
            "events.jsonl",
            "--batch-size",
            "4",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let want: String = (0..n).map(|i| format!("{i}\n")).collect();
    assert_eq!(String::from_utf8(out).unwrap(), want);
}

#[test]
fn lifecycle_and_receipts() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    init_with_events(d, 10);
    let cp = tollgate(d)
        .args(["log", "--log", "r.log", "checkpoint"])
        .assert()
        .success();
    std::fs::write(d.join("saved.cp"), &cp.get_output().stdout).unwrap();
    let proof = tollgate(d)
        .args(["log", "--log", "r.log", "prove", "7"])
        .assert()
        .success();
    let text = String::from_utf8(proof.get_output().stdout.clone()).unwrap();
    assert!(text.starts_with("c2sp.org/tlog-proof@v1\nextra "), "{text}");
    assert!(text.contains("\nindex 7\n"));
    std::fs::write(d.join("r7.tlog-proof"), &text).unwrap();
    tollgate(d)
        .args([
            "log",
            "--log",
            "r.log",
            "verify",
            "--checkpoint",
            "saved.cp",
            "--receipt",
            "r7.tlog-proof",
        ])
        .assert()
        .code(0)
        .stderr(contains("entry 7 included in tree of size 10"))
        .stderr(contains("ok: 10 entries"));
    // Receipts written at append time verify too.
    tollgate(d)
        .args(["log", "--log", "r.log", "append", "--receipts", "rc"])
        .arg(format!(
            r#"{{"type":"break-glass","actor":"oncall","subject":"{SUBJECT}"}}"#
        ))
        .assert()
        .success()
        .stdout("10\n");
    tollgate(d)
        .args([
            "log",
            "--log",
            "r.log",
            "verify",
            "--receipt",
            "rc/10.tlog-proof",
        ])
        .assert()
        .code(0)
        .stderr(contains("entry 10 included in tree of size 11"));
    tollgate(d)
        .args(["log", "--log", "r.log", "show", "3"])
        .assert()
        .success()
        .stdout(contains("\"actor\": \"ci-3\""))
        .stdout(contains("\"i\": 3"));
    tollgate(d)
        .args(["log", "--log", "r.log", "export", "--out", "tiles"])
        .assert()
        .success();
    tollgate(d)
        .args([
            "log",
            "--log",
            "r.log",
            "verify",
            "--tiles",
            "tiles",
            "--checkpoint",
            "saved.cp",
        ])
        .assert()
        .code(0);
    tollgate(d)
        .args([
            "log",
            "--log",
            "r.log",
            "trusted-root",
            "--base-url",
            "https://log.example",
        ])
        .assert()
        .success()
        .stdout(contains("PKIX_ED25519"));
    // A receipt for a changed entry fails.
    let forged = text.replacen("index 7", "index 6", 1);
    std::fs::write(d.join("forged.tlog-proof"), forged).unwrap();
    tollgate(d)
        .args([
            "log",
            "--log",
            "r.log",
            "verify",
            "--receipt",
            "forged.tlog-proof",
        ])
        .assert()
        .code(1)
        .stderr(contains("FAILED"));
}

#[test]
fn tampering_fails_verify_and_says_where() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    init_with_events(d, 10);
    let log = tollgate_ledger::Log::open(&d.join("r.log")).unwrap();
    log.store()
        .connection()
        .execute("DELETE FROM entries WHERE idx = 5", [])
        .unwrap();
    drop(log);
    tollgate(d)
        .args(["log", "--log", "r.log", "verify"])
        .assert()
        .code(1)
        .stderr(contains("entry 5 is missing"));
}

#[test]
fn config_section_gives_the_path_and_bad_input_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("tollgate.toml"), "[log]\npath = \"ci.log\"\n").unwrap();
    tollgate(d).args(["log", "init"]).assert().success();
    assert!(d.join("ci.log").is_file() && d.join("ci.log.key").is_file());
    tollgate(d)
        .args([
            "log",
            "append",
            r#"{"type":"scan","actor":"a","subject":"md5:1"}"#,
        ])
        .assert()
        .code(2)
        .stderr(contains("sha256:"));
    std::fs::write(d.join("tollgate.toml"), "[log]\npaht = \"ci.log\"\n").unwrap();
    tollgate(d)
        .args(["log", "show"])
        .assert()
        .code(2)
        .stderr(contains("tollgate.toml:2:1"));
    let empty = tempfile::tempdir().unwrap();
    tollgate(empty.path())
        .args(["log", "show"])
        .assert()
        .code(2)
        .stderr(contains("--log PATH"));
}

#[test]
fn verify_with_a_pinned_public_key() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    init_with_events(d, 3);
    std::fs::rename(d.join("r.log.pub"), d.join("pinned.pub")).unwrap();
    tollgate(d)
        .args([
            "log",
            "--log",
            "r.log",
            "verify",
            "--public-key",
            "pinned.pub",
        ])
        .assert()
        .code(0)
        .stderr(contains("ok: 3 entries"));
    tollgate(d)
        .args([
            "log",
            "--log",
            "other.log",
            "init",
            "--origin",
            "log.example/cli",
        ])
        .assert()
        .success();
    tollgate(d)
        .args([
            "log",
            "--log",
            "r.log",
            "verify",
            "--public-key",
            "other.log.pub",
        ])
        .assert()
        .code(1)
        .stderr(contains("no valid signature"));
}

#[test]
fn checkpoint_witness_quorum() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    init_with_events(d, 2);
    let cp = tollgate(d)
        .args(["log", "--log", "r.log", "checkpoint"])
        .assert()
        .success();
    let note = String::from_utf8(cp.get_output().stdout.clone()).unwrap();
    // A witness (the signed-note test vector key) cosigns the checkpoint.
    let witness = tollgate_ledger::note::Signer::parse(
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
    )
    .unwrap();
    let body = tollgate_ledger::note::Note::parse(&note).unwrap().text;
    let vkey = witness.cosignature_verifier().encode();
    std::fs::write(d.join("plain.cp"), &note).unwrap();
    std::fs::write(
        d.join("cosigned.cp"),
        format!("{note}{}", witness.cosign_line(&body, 1_767_225_600)),
    )
    .unwrap();
    tollgate(d)
        .args([
            "log",
            "--log",
            "r.log",
            "checkpoint",
            "--check",
            "cosigned.cp",
            "--witness",
            &vkey,
        ])
        .assert()
        .code(0)
        .stderr(contains("cosigned by 1 of 1 witnesses (PeterNeumann)"));
    tollgate(d)
        .args([
            "log",
            "--log",
            "r.log",
            "checkpoint",
            "--check",
            "plain.cp",
            "--witness",
            &vkey,
        ])
        .assert()
        .code(1)
        .stderr(contains(
            "only 0 of the 1 required witness cosignatures verify",
        ));
}

#[test]
fn log_key_is_encrypted_with_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    tollgate(d)
        .env("TOLLGATE_KEY_PASSWORD", "correct horse")
        .args(["log", "--log", "e.log", "init"])
        .assert()
        .success()
        .stderr(contains("unencrypted").not());
    let key = std::fs::read_to_string(d.join("e.log.key")).unwrap();
    assert!(
        key.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"),
        "{key}"
    );
    let event = format!(r#"{{"type":"scan","actor":"ci","subject":"{SUBJECT}"}}"#);
    tollgate(d)
        .env("TOLLGATE_KEY_PASSWORD", "correct horse")
        .args(["log", "--log", "e.log", "append", &event])
        .assert()
        .success();
    // Without the password (or with a wrong one) nothing is appended.
    tollgate(d)
        .args(["log", "--log", "e.log", "append", &event])
        .assert()
        .code(2)
        .stderr(contains("TOLLGATE_KEY_PASSWORD"));
    tollgate(d)
        .env("TOLLGATE_KEY_PASSWORD", "wrong")
        .args(["log", "--log", "e.log", "append", &event])
        .assert()
        .code(2);
    tollgate(d)
        .args(["log", "--log", "e.log", "verify"])
        .assert()
        .success();
}

#[test]
fn signed_bundles_carry_the_log_entry_and_verify_against_the_trusted_root() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("tollgate.toml"), "[log]\npath = \"ci.log\"\n").unwrap();
    std::fs::write(d.join("app.bin"), b"artifact bytes").unwrap();
    tollgate(d)
        .args(["log", "init", "--origin", "log.example/ci"])
        .assert()
        .success();
    tollgate(d)
        .args([
            "log",
            "append",
            &format!(r#"{{"type":"build-start","actor":"ci","subject":"{SUBJECT}"}}"#),
        ])
        .assert()
        .success();
    tollgate(d)
        .args(["key", "generate", "--unencrypted", "--output-dir", "k"])
        .assert()
        .success();
    tollgate(d)
        .args(["sign", "app.bin", "--key", "k/tollgate.key"])
        .assert()
        .success()
        .stderr(contains("logged as entries [1, 2]"));
    std::fs::write(d.join("pred.json"), r#"{"ok": true}"#).unwrap();
    tollgate(d)
        .args([
            "attest",
            "app.bin",
            "--key",
            "k/tollgate.key",
            "--predicate-type",
            "https://example.com/p/v1",
            "--predicate",
            "pred.json",
        ])
        .assert()
        .success();
    let bundle: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("app.bin.sigstore.json")).unwrap()).unwrap();
    let entry = &bundle["verificationMaterial"]["tlogEntries"][0];
    assert_eq!(entry["kindVersion"]["kind"], "hashedrekord");
    assert_eq!(entry["logIndex"], "1");
    let out = tollgate(d).args(["log", "trusted-root"]).output().unwrap();
    std::fs::write(d.join("root.json"), &out.stdout).unwrap();
    for b in ["app.bin.sigstore.json", "app.bin.predicate.sigstore.json"] {
        tollgate(d)
            .args([
                "verify",
                "app.bin",
                "--bundle",
                b,
                "--key",
                "k/tollgate.pub",
                "--trusted-root",
                "root.json",
            ])
            .assert()
            .code(0)
            .stdout(contains(
                "verified against checkpoint of log.example/ci at size",
            ));
    }
    // Without the log's trusted root the entry cannot be trusted: said so, exit 1.
    tollgate(d)
        .args([
            "verify",
            "app.bin",
            "--bundle",
            "app.bin.sigstore.json",
            "--key",
            "k/tollgate.pub",
        ])
        .assert()
        .code(1)
        .stdout(contains("transparency log"));
    // Events and Sigstore bodies: the log verifies; a tampered proof hash fails verify.
    tollgate(d).args(["log", "verify"]).assert().code(0);
    let mut bad = bundle.clone();
    let h = bad["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]["hashes"][0]
        .as_str()
        .unwrap()
        .to_string();
    let flipped = if h.starts_with('A') { "B" } else { "A" };
    bad["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]["hashes"][0] =
        format!("{flipped}{}", &h[1..]).into();
    std::fs::write(d.join("bad.json"), bad.to_string()).unwrap();
    tollgate(d)
        .args([
            "verify",
            "app.bin",
            "--bundle",
            "bad.json",
            "--key",
            "k/tollgate.pub",
            "--trusted-root",
            "root.json",
        ])
        .assert()
        .code(1)
        .stdout(contains("FAIL").and(contains("transparency log")));
}
