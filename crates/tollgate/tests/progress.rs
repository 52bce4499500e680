//! Progress goes to a terminal only: with stderr piped (a CI log, a redirect) and without
//! `CI` or `--quiet`, a history scan and a file scan print no bar, no carriage return and no
//! escape sequence on stderr.

use assert_cmd::Command;
use std::path::Path;

fn git(dir: &Path, args: &[&str]) {
    let o = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "T")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "T")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn nothing_drawn_when_stderr_is_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    for i in 0..3 {
        std::fs::write(d.join(format!("f{i}.txt")), format!("file {i}\n")).unwrap();
        git(d, &["add", "."]);
        git(d, &["commit", "-q", "-m", &format!("c{i}")]);
    }
    for args in [&["scan", "secrets", ".", "--git"][..], &["check", "."][..]] {
        let out = Command::cargo_bin("tollgate")
            .unwrap()
            .env_remove("CI")
            .current_dir(d)
            .args(args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !err.contains('\r') && !err.contains('\x1b') && !err.contains("[="),
            "{args:?}: {err:?}"
        );
        assert!(
            !err.contains("commits") && !err.contains("blobs"),
            "{args:?}: {err:?}"
        );
    }
}
