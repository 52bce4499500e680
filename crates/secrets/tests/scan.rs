//! End-to-end scans: inventory files, archives (zip, tar.gz, docker save), CI logs, git
//! history built by the test with the `git` CLI (the scanner itself uses gix), and the demo
//! repository.

use std::io::Write;
use std::path::Path;
use std::process::Command;
use tollgate_config::Config;
use tollgate_engine::{ScanContext, ScanOutput, Scanner, Silent};
use tollgate_inventory::{Inventory, Options, Root};
use tollgate_model::{Confidence, Finding};
use tollgate_secrets::archive::ArchiveLimits;
use tollgate_secrets::{GitScope, Input, SecretsScanner, Source};

const SLACK: &str = "xoxb-1234567890123-9876543210987-Zx8KqT2mWv9pLr4NbY7cHd3F";
const NPM: &str = "npm_Q7xkP2mVb9LwR4tZc8NyH3dF6gJ1sK5aE0uT";
const STRIPE: &str = "sk_live_4eC39HqLyjWDarjtT1zdp7dcX9mQ2vLk8PzR";

fn scanner() -> SecretsScanner {
    SecretsScanner::builtin().unwrap()
}

fn rules_of(out: &ScanOutput) -> Vec<String> {
    let mut v: Vec<String> = out.findings.iter().map(|f| f.rule.to_string()).collect();
    v.sort();
    v
}

fn scan_dir(dir: &Path) -> ScanOutput {
    let inv = Inventory::collect(
        &[Root::new(Some(&dir.to_string_lossy()))],
        &Options::default(),
    )
    .unwrap();
    let cfg = Config::default();
    scanner().scan(&ScanContext {
        inventory: &inv,
        config: &cfg,
        progress: &Silent,
    })
}

fn zip_bytes(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in files {
            z.start_file(*name, opts).unwrap();
            z.write_all(data).unwrap();
        }
        z.finish().unwrap();
    }
    buf.into_inner()
}

fn tar_bytes(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, *data).unwrap();
    }
    b.into_inner().unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn archives_zip_targz_and_docker_save() {
    let dir = tempfile::tempdir().unwrap();
    let env = format!("SLACK_BOT_TOKEN={SLACK}\n");
    std::fs::write(
        dir.path().join("bundle.zip"),
        zip_bytes(&[
            ("config/.env", env.as_bytes()),
            ("index.html", b"<p>hi</p>"),
        ]),
    )
    .unwrap();
    let npmrc = format!("//registry.npmjs.org/:_authToken={NPM}\n");
    std::fs::write(
        dir.path().join("pkg.tar.gz"),
        gzip(&tar_bytes(&[("pkg/.npmrc", npmrc.as_bytes())])),
    )
    .unwrap();
    // `docker save` layout: manifest.json + a layer tar holding the file.
    let layer = tar_bytes(&[(
        "app/settings.py",
        format!("STRIPE = \"{STRIPE}\"\n").as_bytes(),
    )]);
    let image = tar_bytes(&[
        (
            "manifest.json",
            br#"[{"Config":"cfg.json","RepoTags":["demo:1"],"Layers":["abc/layer.tar"]}]"#,
        ),
        ("cfg.json", br#"{"architecture":"amd64"}"#),
        ("abc/layer.tar", &layer),
    ]);
    std::fs::write(dir.path().join("image.tar"), image).unwrap();
    std::fs::write(dir.path().join("broken.zip"), b"PK\x03\x04garbage").unwrap();

    let out = scan_dir(dir.path());
    let by_rule = |r: &str| -> &Finding {
        out.findings
            .iter()
            .find(|f| f.rule.as_str() == r)
            .unwrap_or_else(|| panic!("{r} not found in {:?}", rules_of(&out)))
    };
    let slack = by_rule("secrets/slack-bot-token");
    assert!(slack.location.path.ends_with("bundle.zip"));
    assert_eq!(slack.location.member.as_deref(), Some("config/.env"));
    assert_eq!(slack.location.line, 1);
    let npm = by_rule("secrets/npm-access-token");
    assert_eq!(npm.location.member.as_deref(), Some("pkg/.npmrc"));
    let stripe = by_rule("secrets/stripe-secret-key");
    assert_eq!(
        stripe.location.member.as_deref(),
        Some("abc/layer.tar!app/settings.py")
    );
    // The corrupt archive is a diagnostic naming it, not a failure.
    assert!(
        out.diagnostics
            .iter()
            .any(|d| d.path.as_deref().is_some_and(|p| p.ends_with("broken.zip"))),
        "{:?}",
        out.diagnostics
    );
    // No finding or diagnostic ever holds a secret in full.
    let json = serde_json::to_string(&out.findings).unwrap();
    for s in [SLACK, NPM, STRIPE] {
        assert!(!json.contains(s), "secret leaked into findings");
    }
}

#[test]
fn archive_limits_depth_and_bomb() {
    let s = SecretsScanner::with_rules(
        tollgate_secrets::rules::builtin_rules().unwrap(),
        ArchiveLimits {
            max_depth: 2,
            ..ArchiveLimits::default()
        },
    )
    .unwrap();
    let inner = zip_bytes(&[("a.env", format!("T={SLACK}\n").as_bytes())]);
    let mid = zip_bytes(&[("inner.zip", &inner)]);
    let outer = zip_bytes(&[("mid.zip", &mid)]);
    let input = Input {
        display: "outer.zip",
        rel: "outer.zip",
        member: None,
        origin: None,
    };
    let out = s.scan_source(&Source::Bytes {
        display: input.display.into(),
        data: outer,
    });
    assert!(out.findings.is_empty());
    assert!(
        out.diagnostics
            .iter()
            .any(|d| d.message.contains("nested deeper")),
        "{:?}",
        out.diagnostics
    );
    // 64 MiB of zeros compress ~1000x: the bomb guard skips it.
    let zeros = vec![0u8; 64 << 20];
    let bomb = zip_bytes(&[("zeros.txt", &zeros)]);
    let out = scanner().scan_source(&Source::Bytes {
        display: "bomb.zip".into(),
        data: bomb,
    });
    assert!(
        out.diagnostics
            .iter()
            .any(|d| d.message.contains("zip bomb")),
        "{:?}",
        out.diagnostics
    );
}

#[test]
fn ci_log_ansi_is_stripped() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("job.log");
    std::fs::write(
        &log,
        format!(
            "2024-01-01T00:00:00Z \x1b[36;1mRun deploy\x1b[0m\n+ curl -H 'Authorization: token \x1b[1m{NPM}\x1b[0m'\n"
        ),
    )
    .unwrap();
    let out = scanner().scan_source(&Source::CiLog(log.clone()));
    let f = out
        .findings
        .iter()
        .find(|f| f.rule.as_str() == "secrets/npm-access-token")
        .expect("token found once colour codes are gone");
    assert_eq!(f.location.line, 2);
}

#[test]
fn multiline_private_key_and_stable_fingerprint() {
    let key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\nVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\nLxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo\n-----END RSA PRIVATE KEY-----\n";
    let a = format!("# config\n{key}");
    let b = format!("# config\n\n\nother = 1\n{key}");
    let input = Input {
        display: "k.pem",
        rel: "k.pem",
        member: None,
        origin: None,
    };
    let s = scanner();
    let fa = s.scan_bytes(&input, a.as_bytes()).findings;
    let fb = s.scan_bytes(&input, b.as_bytes()).findings;
    assert_eq!(fa.len(), 1, "{fa:?}");
    assert_eq!(fa[0].rule.as_str(), "secrets/private-key-rsa");
    assert_eq!((fa[0].location.line, fa[0].location.end_line), (2, 6));
    assert_eq!(fb[0].location.line, 5);
    assert_eq!(
        fa[0].fingerprint, fb[0].fingerprint,
        "moving lines keeps it"
    );
    assert!(
        !serde_json::to_string(&fa[0])
            .unwrap()
            .contains("MIIEowIBAAKCAQEAu1SU1")
    );
}

#[test]
fn junk_never_panics() {
    let s = scanner();
    let input = Input {
        display: "junk",
        rel: "junk",
        member: None,
        origin: None,
    };
    let mut junk: Vec<u8> = (0..200_000u32).map(|i| (i * 7919 % 251) as u8).collect();
    junk.extend_from_slice(
        b"\xff\xfe password = \"\xff\xfe\x80abc\" ghp_ -----BEGIN RSA PRIVATE KEY-----\n",
    );
    let _ = s.scan_bytes(&input, &junk);
    // One huge line (minified JS) with a token in the middle.
    let mut line = "a".repeat(3_000_000);
    line.insert_str(1_500_000, &format!(" \"{NPM}\" "));
    let out = s.scan_bytes(&input, line.as_bytes());
    assert_eq!(rules_of(&out), vec!["secrets/npm-access-token"]);
}

fn git(dir: &Path, args: &[&str]) -> String {
    let o = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Test Author")
        .env("GIT_AUTHOR_EMAIL", "author@example.com")
        .env("GIT_COMMITTER_NAME", "Test Author")
        .env("GIT_COMMITTER_EMAIL", "author@example.com")
        .output()
        .expect("git CLI is needed to build the test repository");
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

fn commit_at(dir: &Path, msg: &str, when: &str) -> String {
    let o = Command::new("git")
        .args(["commit", "-q", "-m", msg])
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Test Author")
        .env("GIT_AUTHOR_EMAIL", "author@example.com")
        .env("GIT_COMMITTER_NAME", "Test Author")
        .env("GIT_COMMITTER_EMAIL", "author@example.com")
        .env("GIT_AUTHOR_DATE", when)
        .env("GIT_COMMITTER_DATE", when)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stderr),
        String::from_utf8_lossy(&o.stdout)
    );
    git(dir, &["rev-parse", "HEAD"])
}

/// One recorded phase: (label, total, unit, advance calls, units advanced).
type Phase = (String, u64, tollgate_engine::Unit, u64, u64);

/// Records every progress call.
#[derive(Default)]
struct Recorder(std::sync::Mutex<Vec<Phase>>);

impl tollgate_engine::Progress for Recorder {
    fn start(&self, label: &str, total: u64) {
        self.start_in(label, total, tollgate_engine::Unit::Files);
    }
    fn start_in(&self, label: &str, total: u64, unit: tollgate_engine::Unit) {
        let mut v = self.0.lock().unwrap();
        v.push((label.to_string(), total, unit, 0, 0));
    }
    fn advance(&self, n: u64) {
        let mut v = self.0.lock().unwrap();
        let last = v.last_mut().expect("advance before start");
        last.3 += 1;
        last.4 += n;
    }
    fn finish(&self) {}
}

/// A history scan counts commits as the walk finds them, then trees per commit, then blobs
/// scanned out of the known number to scan (before: one `secrets 0/0` phase that never moved).
#[test]
fn git_history_progress_counts_commits_and_blobs() {
    use tollgate_engine::Unit;
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    git(d, &["init", "-q", "-b", "main"]);
    for (i, day) in ["01", "02", "03"].iter().enumerate() {
        std::fs::write(d.join(format!("f{i}.txt")), format!("file {i}\n")).unwrap();
        git(d, &["add", "."]);
        commit_at(d, &format!("c{i}"), &format!("2024-01-{day}T00:00:00Z"));
    }
    let rec = Recorder::default();
    tollgate_secrets::scan_repo_with(&scanner(), d, &GitScope::All, &rec).unwrap();
    let phases = rec.0.into_inner().unwrap();
    assert_eq!(
        phases,
        vec![
            ("history".to_string(), 0, Unit::Commits, 3, 3),
            ("trees".to_string(), 3, Unit::Commits, 3, 3),
            ("blobs".to_string(), 3, Unit::Blobs, 3, 3),
        ]
    );
}

#[test]
fn git_history_range_and_staged() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    git(d, &["init", "-q", "-b", "main"]);
    std::fs::write(d.join("README.md"), "demo\n").unwrap();
    git(d, &["add", "."]);
    commit_at(d, "init", "2024-01-01T00:00:00Z");
    std::fs::write(d.join("app.env"), format!("SLACK={SLACK}\n")).unwrap();
    git(d, &["add", "."]);
    let c2 = commit_at(d, "add slack token", "2024-01-02T00:00:00Z");
    // Move the file: same blob, must not be reported again.
    git(d, &["mv", "app.env", "moved.env"]);
    commit_at(d, "move", "2024-01-03T00:00:00Z");
    git(d, &["rm", "-q", "moved.env"]);
    let c4 = commit_at(d, "remove it", "2024-01-04T00:00:00Z");
    // A secret that lives only on a side branch.
    git(d, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(d.join("pay.py"), format!("KEY = \"{STRIPE}\"\n")).unwrap();
    git(d, &["add", "."]);
    let c5 = commit_at(d, "payments", "2024-01-05T00:00:00Z");
    git(d, &["checkout", "-q", "main"]);

    let s = scanner();
    let out = tollgate_secrets::scan_repo(&s, d, &GitScope::All).unwrap();
    assert_eq!(
        rules_of(&out),
        vec!["secrets/slack-bot-token", "secrets/stripe-secret-key"],
        "each blob once: {:?}",
        out.findings
    );
    let slack = out
        .findings
        .iter()
        .find(|f| f.rule.as_str() == "secrets/slack-bot-token")
        .unwrap();
    let o = slack.origin.as_ref().unwrap();
    assert_eq!(o.commit, c2);
    assert_eq!(o.author.as_deref(), Some("Test Author"));
    assert_eq!(o.summary.as_deref(), Some("add slack token"));
    assert_eq!(o.date.as_deref(), Some("2024-01-02T00:00:00Z"));
    assert_eq!(slack.location.path, "app.env");
    assert_eq!(
        out.findings
            .iter()
            .find(|f| f.rule.as_str() == "secrets/stripe-secret-key")
            .unwrap()
            .origin
            .as_ref()
            .unwrap()
            .commit,
        c5
    );

    // A pull-request range sees only what the branch adds.
    let out = tollgate_secrets::scan_repo(&s, d, &GitScope::parse(Some("main..feature"))).unwrap();
    assert_eq!(rules_of(&out), vec!["secrets/stripe-secret-key"]);
    let out =
        tollgate_secrets::scan_repo(&s, d, &GitScope::parse(Some(&format!("{c4}..{c5}")))).unwrap();
    assert_eq!(rules_of(&out), vec!["secrets/stripe-secret-key"]);
    assert!(tollgate_secrets::scan_repo(&s, d, &GitScope::parse(Some("nope..main"))).is_err());

    // Incremental: the first run scans everything and writes the watermark; the next run
    // only sees commits made since.
    let wm = tmp.path().join("watermark");
    let inc = GitScope::Incremental {
        watermark: wm.clone(),
    };
    let out = tollgate_secrets::scan_repo(&s, d, &inc).unwrap();
    assert_eq!(out.findings.len(), 2);
    assert!(wm.exists());
    let out = tollgate_secrets::scan_repo(&s, d, &inc).unwrap();
    assert!(out.findings.is_empty(), "{:?}", out.findings);
    std::fs::write(d.join("later.env"), format!("NPM={NPM}\n")).unwrap();
    git(d, &["add", "later.env"]);
    commit_at(d, "later", "2024-01-06T00:00:00Z");
    let out = tollgate_secrets::scan_repo(&s, d, &inc).unwrap();
    assert_eq!(rules_of(&out), vec!["secrets/npm-access-token"]);
    git(d, &["rm", "-q", "later.env"]);
    commit_at(d, "drop later", "2024-01-07T00:00:00Z");

    // Staged: a new file in the index, not yet committed.
    std::fs::write(d.join("new.npmrc"), format!("//r/:_authToken={NPM}\n")).unwrap();
    git(d, &["add", "new.npmrc"]);
    let out = tollgate_secrets::scan_repo(&s, d, &GitScope::Staged).unwrap();
    assert_eq!(rules_of(&out), vec!["secrets/npm-access-token"]);
    assert_eq!(out.findings[0].origin.as_ref().unwrap().commit, "staged");

    // A missing blob (corrupt clone) is a diagnostic; the rest is still scanned.
    let blob = git(d, &["rev-parse", &format!("{c5}:pay.py")]);
    let obj = d.join(".git/objects").join(&blob[..2]).join(&blob[2..]);
    std::fs::remove_file(obj).unwrap();
    let out = tollgate_secrets::scan_repo(&s, d, &GitScope::All).unwrap();
    assert_eq!(
        rules_of(&out),
        vec!["secrets/npm-access-token", "secrets/slack-bot-token"]
    );
    assert!(
        out.diagnostics
            .iter()
            .any(|d| d.message.contains("missing")),
        "{:?}",
        out.diagnostics
    );
}

#[test]
fn demo_repo_planted_secrets() {
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/demo-repo");
    let out = scan_dir(Path::new(demo));
    let rules = rules_of(&out);
    for r in [
        "secrets/aws-access-key-id",
        "secrets/aws-secret-access-key",
        "secrets/github-pat",
        "secrets/slack-bot-token",
    ] {
        assert!(rules.iter().any(|x| x == r), "{r} missing: {rules:?}");
    }
    let gh = out
        .findings
        .iter()
        .find(|f| f.rule.as_str() == "secrets/github-pat")
        .unwrap();
    assert_eq!(
        gh.confidence,
        Confidence::High,
        "planted token has a valid checksum"
    );
    let slack = out
        .findings
        .iter()
        .find(|f| f.rule.as_str() == "secrets/slack-bot-token")
        .unwrap();
    assert!(slack.location.path.ends_with("dist/site-bundle.zip"));
    assert_eq!(slack.location.member.as_deref(), Some("config/.env"));
}

/// A user rule without keywords runs over the whole input (it has no prefilter to wait for),
/// beside the built-in rules.
#[test]
fn rule_without_keywords_runs_on_every_input() {
    let user = tollgate_secrets::rules::parse_rule_file(
        r#"
[[rules]]
id = "internal-ticket-token"
name = "Internal ticket token"
provider = "ACME"
pattern = '''\b(TKT[0-9]{4}Z[0-9A-F]{12})\b'''
examples = ["x = TKT1234Z0123456789AB"]
"#,
        "user.toml",
    )
    .unwrap();
    let mut rules = tollgate_secrets::rules::builtin_rules().unwrap();
    rules.extend(user);
    let s = SecretsScanner::with_rules(rules, ArchiveLimits::default()).unwrap();
    let input = Input {
        display: "a.txt",
        rel: "a.txt",
        member: None,
        origin: None,
    };
    let data = format!("first line\nv = TKT1234Z0123456789AB and {SLACK}\n");
    let out = s.scan_bytes(&input, data.as_bytes());
    assert_eq!(
        rules_of(&out),
        ["secrets/internal-ticket-token", "secrets/slack-bot-token"]
    );
}
