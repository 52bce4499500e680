//! `tollgate scan secrets`, `tollgate check` with the secrets scanner, and `tollgate baseline`
//! through the real binary.

use assert_cmd::Command;
use std::path::Path;

const SLACK: &str = "xoxb-1234567890123-9876543210987-Zx8KqT2mWv9pLr4NbY7cHd3F";
const NPM: &str = "npm_Q7xkP2mVb9LwR4tZc8NyH3dF6gJ1sK5aE0uT";

fn tg() -> Command {
    Command::cargo_bin("tollgate").unwrap()
}

fn json(out: &[u8]) -> serde_json::Value {
    serde_json::from_slice(out).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(out)))
}

fn rules(v: &serde_json::Value) -> Vec<String> {
    let mut r: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect();
    r.sort();
    r
}

#[test]
fn check_demo_repo_finds_files_and_archive() {
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/demo-repo");
    let out = tg()
        .args(["check", demo, "-f", "json", "-q"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out.stdout);
    let r = rules(&v);
    for want in [
        "secrets/aws-access-key-id",
        "secrets/aws-secret-access-key",
        "secrets/github-pat",
        "secrets/slack-bot-token",
    ] {
        assert!(r.iter().any(|x| x == want), "{want}: {r:?}");
    }
    let slack = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "secrets/slack-bot-token")
        .unwrap();
    assert_eq!(slack["location"]["member"], "config/.env");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("Zx8KqT2mWv9pLr4NbY7cHd3F"), "secret printed");
}

#[test]
fn stdin_and_ci_log() {
    let out = tg()
        .args(["scan", "secrets", "-", "-f", "json", "-q"])
        .write_stdin(format!("SLACK_BOT_TOKEN={SLACK}\n"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out.stdout);
    assert_eq!(rules(&v), vec!["secrets/slack-bot-token"]);
    assert_eq!(v["findings"][0]["location"]["path"], "<stdin>");

    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("build.log");
    std::fs::write(
        &log,
        format!("\x1b[32m+ npm publish\x1b[0m --token \x1b[1m{NPM}\x1b[0m\n"),
    )
    .unwrap();
    let out = tg()
        .args(["scan", "secrets", "--ci-log"])
        .arg(&log)
        .args(["-f", "json", "-q"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(rules(&json(&out.stdout)), vec!["secrets/npm-access-token"]);

    // Nothing found: exit 0.
    tg().args(["scan", "secrets", "-", "-q"])
        .write_stdin("nothing to see\n")
        .assert()
        .code(0);
}

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
fn git_history_and_staged() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q"]);
    std::fs::write(d.join("a.env"), format!("T={SLACK}\n")).unwrap();
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "leak"]);
    git(d, &["rm", "-q", "a.env"]);
    git(d, &["commit", "-q", "-m", "unleak"]);
    // The working tree is clean, history is not.
    let out = tg()
        .args(["scan", "secrets", "--git", "-f", "json", "-q"])
        .arg(d)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out.stdout);
    assert_eq!(rules(&v), vec!["secrets/slack-bot-token"]);
    assert_eq!(v["findings"][0]["origin"]["summary"], "leak");

    // Incremental: the second run with the same watermark has nothing new.
    let wm = d.join(".git/tollgate-watermark");
    tg().args(["scan", "secrets", "--git", "-q", "--watermark"])
        .arg(&wm)
        .arg(d)
        .assert()
        .code(1);
    tg().args(["scan", "secrets", "--git", "-q", "--watermark"])
        .arg(&wm)
        .arg(d)
        .assert()
        .code(0);
    tg().args(["scan", "secrets", "--staged", "-q"])
        .arg(d)
        .assert()
        .code(0);
    std::fs::write(d.join(".npmrc"), format!("//r/:_authToken={NPM}\n")).unwrap();
    git(d, &["add", ".npmrc"]);
    tg().args(["scan", "secrets", "--staged", "-q"])
        .arg(d)
        .assert()
        .code(1);
    // Not a repository: a usage/tool error.
    let plain = tempfile::tempdir().unwrap();
    tg().args(["scan", "secrets", "--git", "-q"])
        .arg(plain.path())
        .assert()
        .code(2);
}

#[test]
fn baseline_then_check_passes_and_new_leaks_fail() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("old.env"), format!("SLACK={SLACK}\n")).unwrap();
    std::fs::write(
        d.join("tollgate.toml"),
        "baseline = \"tollgate-baseline.toml\"\n",
    )
    .unwrap();
    tg().args(["check", "-q"]).arg(d).assert().code(1);
    // A provider token is not accepted silently: left out, listed, exit 1.
    let out = tg()
        .args(["baseline", "--owner", "sec-team", "-q"])
        .arg(d)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("NOT baselined") && err.contains("secrets/slack-bot-token"),
        "{err}"
    );
    let b = std::fs::read_to_string(d.join("tollgate-baseline.toml")).unwrap();
    assert!(!b.contains("slack"), "{b}");
    tg().args(["check", "-q"]).arg(d).assert().code(1);
    // Accepting it takes the explicit flag.
    let out = tg()
        .args([
            "baseline",
            "--owner",
            "sec-team",
            "--include-credentials",
            "-q",
        ])
        .arg(d)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let b = std::fs::read_to_string(d.join("tollgate-baseline.toml")).unwrap();
    assert!(b.contains("rule = \"secrets/slack-bot-token\""), "{b}");
    assert!(b.contains("owner = \"sec-team\""));
    assert!(!b.contains(SLACK));
    tg().args(["check", "-q"]).arg(d).assert().code(0);
    std::fs::write(d.join("new.env"), format!("NPM={NPM}\n")).unwrap();
    tg().args(["check", "-q"]).arg(d).assert().code(1);

    // Without `baseline = ...` configured, the line to add is printed.
    let d2 = tempfile::tempdir().unwrap();
    std::fs::write(d2.path().join("x.env"), format!("S={SLACK}\n")).unwrap();
    let out = tg()
        .args(["baseline", "-q"])
        .arg(d2.path())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("baseline = \"tollgate-baseline.toml\""));
    assert!(d2.path().join("tollgate-baseline.toml").exists());
}

#[test]
fn config_disable_and_user_rules() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("a.txt"),
        format!("S={SLACK}\nACME = acme_live_0123456789abcdefXYZ12\n"),
    )
    .unwrap();
    // The rule file lives outside the scanned tree (its example would be found too).
    let rules_dir = tempfile::tempdir().unwrap();
    let rules_file = rules_dir.path().join("rules.toml");
    std::fs::write(
        &rules_file,
        r#"[[rules]]
id = "acme-key"
name = "ACME key"
provider = "ACME"
keywords = ["acme_live_"]
pattern = '\b(acme_live_[A-Za-z0-9]{21})\b'
examples = ["k = acme_live_0123456789abcdefXYZ12"]
negative-examples = ["k = acme_live_short"]
"#,
    )
    .unwrap();
    std::fs::write(
        d.join("tollgate.toml"),
        format!(
            "[secrets]\nrules = [{:?}]\ndisable = [\"slack-bot-token\"]\n",
            rules_file.to_string_lossy()
        ),
    )
    .unwrap();
    let out = tg()
        .args(["check", "-f", "json", "-q"])
        .arg(d)
        .output()
        .unwrap();
    assert_eq!(rules(&json(&out.stdout)), vec!["secrets/acme-key"]);

    std::fs::write(d.join("tollgate.toml"), "[secrets]\ndisabel = []\n").unwrap();
    let out = tg().args(["check", "-q"]).arg(d).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("tollgate.toml:2:1"));
}

#[test]
fn explain_prints_rule_docs() {
    let out = tg()
        .args(["explain", "secrets/github-pat"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("CRC32"), "{s}");
}

#[test]
fn sarif_with_secret_findings_is_schema_valid() {
    let schema = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/schemas/sarif-schema-2.1.0.json"
    ))
    .unwrap();
    let validator = jsonschema::validator_for(&serde_json::from_str(&schema).unwrap()).unwrap();
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/demo-repo");
    let out = tg()
        .args(["check", demo, "-f", "sarif", "-q"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out.stdout);
    let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert!(results.len() >= 4);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("Zx8KqT2mWv9pLr4NbY7cHd3F"));
}
