//! Private key files written and read by the real binary (issue 22, item 8): owner-only
//! permissions whatever was there, no empty password, no writing through a symlink, and a
//! warning for a readable plaintext key.
#![cfg(unix)]

use assert_cmd::Command;
use predicates::prelude::*;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

fn tollgate(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("tollgate").unwrap();
    c.current_dir(dir)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITLAB_CI")
        .env_remove("TOLLGATE_KEY_PASSWORD");
    c
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn force_over_a_0644_key_leaves_an_owner_only_key() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    std::fs::create_dir(&keys).unwrap();
    for f in ["tollgate.key", "tollgate.pub"] {
        std::fs::write(keys.join(f), "old\n").unwrap();
        std::fs::set_permissions(keys.join(f), std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    tollgate(dir.path())
        .args(["key", "generate", "--output-dir", "keys", "--force"])
        .env("TOLLGATE_KEY_PASSWORD", "pw")
        .assert()
        .success();
    let key = keys.join("tollgate.key");
    assert!(
        std::fs::read_to_string(&key)
            .unwrap()
            .starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    );
    assert_eq!(mode(&key), 0o600);
}

#[test]
fn empty_password_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    tollgate(dir.path())
        .args(["key", "generate", "--output-dir", "keys"])
        .env("TOLLGATE_KEY_PASSWORD", "")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("password is empty"));
    assert!(!dir.path().join("keys/tollgate.key").exists());
}

#[test]
fn key_is_never_written_through_a_symlink() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    std::fs::create_dir(&keys).unwrap();
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "precious\n").unwrap();
    std::os::unix::fs::symlink(&victim, keys.join("tollgate.key")).unwrap();
    tollgate(dir.path())
        .args([
            "key",
            "generate",
            "--output-dir",
            "keys",
            "--unencrypted",
            "--force",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("symbolic link"));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");

    // A dangling link (to a file the attacker wants created) is refused without --force too.
    let planted = dir.path().join("planted.key");
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::os::unix::fs::symlink(&planted, other.join("tollgate.key")).unwrap();
    tollgate(dir.path())
        .args(["key", "generate", "--output-dir", "other", "--unencrypted"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("symbolic link"));
    assert!(!planted.exists());
}

#[test]
fn readable_plaintext_key_warns_when_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    tollgate(p)
        .args(["key", "generate", "--output-dir", "keys", "--unencrypted"])
        .assert()
        .success();
    std::fs::write(p.join("app.tar.gz"), b"artifact").unwrap();
    // Owner-only: no warning.
    tollgate(p)
        .args(["sign", "app.tar.gz", "--key", "keys/tollgate.key"])
        .assert()
        .success()
        .stderr(predicate::str::contains("UNENCRYPTED").not());
    std::fs::set_permissions(
        p.join("keys/tollgate.key"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    tollgate(p)
        .args(["sign", "app.tar.gz", "--key", "keys/tollgate.key"])
        .assert()
        .success()
        .stderr(predicate::str::contains("warning:"))
        .stderr(predicate::str::contains(
            "UNENCRYPTED private key readable by every user",
        ));
}
