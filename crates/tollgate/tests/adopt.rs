//! Adopting tollgate on an existing repository: `init`, `baseline` and the docs agree on where
//! the `baseline` line goes, and private keys are neither written into a work tree nor
//! baselined without being asked.

use assert_cmd::Command;
use predicates::str::contains;
use std::path::Path;

fn tollgate(cwd: &Path) -> Command {
    let mut c = Command::cargo_bin("tollgate").unwrap();
    c.env("CI", "true").env_remove("NO_COLOR").current_dir(cwd);
    c
}

const WORKFLOW: &str = "on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
";

/// The path: `init`, `check` fails, `baseline` says which line to uncomment, the user
/// uncomments it where init put it, `check` passes. Before the fix the line sat under `[scan]`
/// and uncommenting it was ``unknown field `baseline` `` (exit 2).
#[test]
fn init_then_baseline_then_uncomment_the_line_passes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join(".github/workflows")).unwrap();
    std::fs::write(d.join(".github/workflows/ci.yml"), WORKFLOW).unwrap();
    tollgate(d).args(["init"]).assert().success();
    tollgate(d).args(["check", "-q", "."]).assert().code(1);
    let out = tollgate(d)
        .args(["baseline", "-q", "--owner", "me", "."])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    // The advice names the line exactly as init's file carries it, commented.
    let advice_line = err
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("baseline = "))
        .unwrap_or_else(|| panic!("no baseline line in: {err}"))
        .to_string();
    let config = std::fs::read_to_string(d.join("tollgate.toml")).unwrap();
    let commented = format!("# {advice_line}");
    assert!(config.contains(&commented), "{config}");
    std::fs::write(
        d.join("tollgate.toml"),
        config.replace(&commented, &advice_line),
    )
    .unwrap();
    tollgate(d).args(["check", "-q", "."]).assert().code(0);
    // docs/config.md shows the same line.
    let docs =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/config.md"))
            .unwrap();
    assert!(
        docs.contains(&advice_line),
        "docs/config.md lacks {advice_line}"
    );
}

/// `key generate` inside a git work tree is refused unless `--force`, and says where keys
/// belong; the key written with `--force` is then found, and `baseline` leaves it out unless
/// `--include-credentials`.
#[test]
fn private_key_in_a_work_tree_is_refused_and_not_baselined() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join(".git")).unwrap();
    tollgate(d)
        .args(["key", "generate", "--unencrypted", "--output-dir", "ci"])
        .assert()
        .code(2)
        .stderr(contains("inside the git work tree"))
        .stderr(contains("~/.config/tollgate/keys"))
        .stderr(contains("env://"));
    assert!(!d.join("ci/tollgate.key").exists());
    tollgate(d)
        .args([
            "key",
            "generate",
            "--unencrypted",
            "--output-dir",
            "ci",
            "--force",
        ])
        .assert()
        .success();
    assert!(d.join("ci/tollgate.key").exists());

    let out = tollgate(d).args(["baseline", "-q", "."]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("NOT baselined"), "{err}");
    assert!(err.contains("secrets/private-key"), "{err}");
    let b = std::fs::read_to_string(d.join("tollgate-baseline.toml")).unwrap();
    assert!(!b.contains("private-key"), "{b}");

    tollgate(d)
        .args(["baseline", "-q", "--include-credentials", "."])
        .assert()
        .code(0);
    let b = std::fs::read_to_string(d.join("tollgate-baseline.toml")).unwrap();
    assert!(b.contains("private-key"), "{b}");
}
