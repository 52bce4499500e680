//! Issue 22: several secrets on one line, and a secret in a commit message, never appear in
//! full in any output — human, JSON, SARIF, GitHub annotations, the git-history report, and
//! the evidence `release` writes (scan report, signed attestations, decoded DSSE payloads).
//! Before the fix each finding masked only its own match, so the other secret on the line was
//! printed by every format and signed into the scan attestation.

use assert_cmd::Command;
use std::path::Path;

const AWS_ID: &str = "AKIAODZDOCIS2JHTLGMX";
const AWS_SECRET: &str = "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";
const GITHUB: &str = "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";
const DB_PASS: &str = "ZWXMda7PQR8UwcXG";
const SLACK: &str = "xoxb-1234567890123-9876543210987-Zx8KqT2mWv9pLr4NbY7cHd3F";

/// The parts of each planted secret that must never be printed (a redacted value keeps at
/// most 4 leading characters, so these tails are never part of one).
const NEVER: [&str; 5] = [
    "ODZDOCIS2JHTLGMX",
    "2o76umfXfKm/r5kJP1VrT+1FJors",
    "Ky9Pf34qY6Nb3wWD25RQ4F5ZR3qa7y3gm1IL",
    DB_PASS,
    "Zx8KqT2mWv9pLr4NbY7cHd3F",
];

fn tg() -> Command {
    let mut c = Command::cargo_bin("tollgate").unwrap();
    c.env_remove("GITHUB_ACTIONS").env("NO_COLOR", "1");
    c
}

fn planted() -> String {
    format!(
        "AWS_ACCESS_KEY_ID={AWS_ID} AWS_SECRET_ACCESS_KEY={AWS_SECRET} GITHUB_TOKEN={GITHUB}\n\
         DATABASE_URL=postgres://admin:{DB_PASS}@db.internal:5432/app SLACK_TOKEN={SLACK}\n"
    )
}

fn assert_clean(what: &str, text: &str) {
    for s in NEVER {
        assert!(!text.contains(s), "{what} prints {s}:\n{text}");
    }
}

/// Every JSON string of `v` that decodes from base64 to text (DSSE payloads), decoded.
fn decoded_payloads(v: &serde_json::Value, out: &mut String) {
    use base64::Engine as _;
    match v {
        serde_json::Value::String(s) if s.len() > 16 => {
            if let Ok(b) = base64::engine::general_purpose::STANDARD.decode(s) {
                out.push_str(&String::from_utf8_lossy(&b));
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| decoded_payloads(x, out)),
        serde_json::Value::Object(m) => m.values().for_each(|x| decoded_payloads(x, out)),
        _ => {}
    }
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
fn several_secrets_per_line_are_all_masked_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("app.env"), planted()).unwrap();
    let mut rules_seen = String::new();
    for format in ["human", "json", "sarif", "github"] {
        let out = tg()
            .args(["scan", "secrets", "-f", format])
            .arg(dir.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert_clean(format, &text);
        assert_clean(format, &String::from_utf8_lossy(&out.stderr));
        if format == "json" {
            rules_seen = text.into_owned();
        }
    }
    // Every planted secret was found (so each one's masking was exercised by the others).
    for rule in [
        "secrets/aws-access-key-id",
        "secrets/aws-secret-access-key",
        "secrets/github-pat",
        "secrets/slack-bot-token",
    ] {
        assert!(rules_seen.contains(rule), "{rule} not found:\n{rules_seen}");
    }
}

#[test]
fn commit_messages_are_masked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q"]);
    std::fs::write(d.join("app.env"), planted()).unwrap();
    git(d, &["add", "."]);
    git(
        d,
        &[
            "commit",
            "-q",
            "-m",
            &format!("rotate aws key {AWS_SECRET} and {GITHUB}"),
        ],
    );
    for format in ["human", "json", "sarif", "github"] {
        let out = tg()
            .args(["scan", "secrets", "--git", "-f", format])
            .arg(d)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert_clean(&format!("git history, {format}"), &text);
        if format == "json" {
            assert!(text.contains("rotate aws key"), "summary kept:\n{text}");
        }
    }
}

#[test]
fn release_evidence_and_attestations_are_masked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("src")).unwrap();
    std::fs::write(d.join("src/app.env"), planted()).unwrap();
    std::fs::write(d.join("app.bin"), b"a release artifact\n").unwrap();
    tg().current_dir(d)
        .args(["key", "generate", "--output-dir", ".", "--unencrypted"])
        .assert()
        .success();
    let out = tg()
        .current_dir(d)
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
        .output()
        .unwrap();
    assert_clean("release stdout", &String::from_utf8_lossy(&out.stdout));
    assert_clean("release stderr", &String::from_utf8_lossy(&out.stderr));
    let mut files = 0;
    for e in std::fs::read_dir(d.join("ev")).unwrap() {
        let p = e.unwrap().path();
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        assert_clean(&p.display().to_string(), &text);
        let mut decoded = String::new();
        for line in text.lines() {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(line) {
                decoded_payloads(&v, &mut decoded);
            }
        }
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
            decoded_payloads(&v, &mut decoded);
        }
        assert_clean(&format!("{} (decoded payloads)", p.display()), &decoded);
        files += 1;
    }
    assert!(files >= 3, "evidence written: {files} files");
    let report = std::fs::read_to_string(d.join("ev/scan-report.json")).unwrap();
    assert!(
        report.contains("secrets/github-pat"),
        "the scan report holds the findings:\n{report}"
    );
}
