//! Issue 22 through the binary: `log verify` never writes to what it verifies.

use assert_cmd::Command;
use predicates::str::contains;

#[test]
fn verify_on_an_empty_file_leaves_it_empty() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let tg = || {
        let mut c = Command::cargo_bin("tollgate").unwrap();
        c.current_dir(d).env_remove("TOLLGATE_KEY_PASSWORD");
        c
    };
    tg().args(["log", "--log", "r.log", "init"])
        .assert()
        .success();
    // A 0-byte "log" beside a real public key: before the fix SQLite turned it into a database.
    std::fs::write(d.join("empty.log"), b"").unwrap();
    std::fs::copy(d.join("r.log.pub"), d.join("empty.log.pub")).unwrap();
    tg().args(["log", "--log", "empty.log", "verify"])
        .assert()
        .failure()
        .stderr(contains("not a tollgate log database (the file is empty)"));
    assert_eq!(std::fs::metadata(d.join("empty.log")).unwrap().len(), 0);
    assert!(!d.join("empty.log-wal").exists() && !d.join("empty.log-shm").exists());
    tg().args(["log", "--log", "r.log", "verify"])
        .assert()
        .success();
}
