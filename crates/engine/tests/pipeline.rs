//! The check pipeline with a fake scanner: exceptions, expiry, inline allows, fingerprints.

use std::path::Path;
use tollgate_config::{Config, Date};
use tollgate_engine::{RunOptions, ScanContext, ScanOutput, Scanner, Silent};
use tollgate_inventory::{Inventory, Options, Root};
use tollgate_model::*;

/// Reports every line containing `BAD`.
struct Fake;

impl Scanner for Fake {
    fn name(&self) -> &'static str {
        "fake"
    }
    fn version(&self) -> &'static str {
        "0"
    }
    fn rules(&self) -> Vec<RuleMeta> {
        vec![RuleMeta {
            id: RuleId::from_static("fake/bad"),
            name: "bad".into(),
            default_severity: Severity::High,
            default_confidence: Confidence::High,
            summary: "s".into(),
            docs: "d".into(),
            help_uri: None,
            tags: vec![],
        }]
    }
    fn scan(&self, ctx: &ScanContext<'_>) -> ScanOutput {
        let mut out = ScanOutput::default();
        for f in &ctx.inventory.files {
            let text = f.read().unwrap();
            let text = String::from_utf8_lossy(&text);
            for (i, line) in text.lines().enumerate() {
                if line.contains("BAD") {
                    out.findings.push(
                        Finding::new(
                            RuleId::from_static("fake/bad"),
                            Severity::High,
                            Confidence::High,
                            "bad line",
                            Location::line(f.display.clone(), i as u32 + 1),
                            &f.rel,
                            line.trim().as_bytes(),
                        )
                        .with_evidence(Evidence::snippet(line)),
                    );
                }
            }
            out.files_scanned += 1;
        }
        out
    }
}

fn run(dir: &Path, config_text: &str, today: &str) -> Report {
    let config = if config_text.is_empty() {
        Config::default()
    } else {
        Config::from_str_at(config_text, &dir.join("tollgate.toml"), &[]).unwrap()
    };
    let inv = Inventory::collect(
        &[Root::new(Some(dir.to_str().unwrap()))],
        &Options::default(),
    )
    .unwrap();
    tollgate_engine::run(
        &[&Fake],
        &inv,
        &config,
        &RunOptions {
            tool: ToolInfo {
                name: "tollgate".into(),
                version: "t".into(),
            },
            today: today.parse::<Date>().unwrap(),
            progress: &Silent,
        },
    )
}

#[test]
fn exceptions_inline_allows_and_expiry() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("tests")).unwrap();
    std::fs::write(d.join("a.txt"), "ok\nBAD one\n").unwrap();
    std::fs::write(d.join("tests/t.txt"), "BAD fixture\n").unwrap();
    std::fs::write(
        d.join("b.txt"),
        "# tollgate: allow fake/bad documented sample\nBAD two\nBAD three # tollgate: allow fake/bad\n",
    )
    .unwrap();
    let cfg = "[[exceptions]]\npath = \"tests/**\"\nreason = \"fixtures\"\nowner = \"qa\"\nexpires = 2027-01-31\n";

    let r = run(d, cfg, "2027-01-31");
    let live: Vec<_> = r.findings.iter().map(|f| f.location.to_string()).collect();
    let root = d.display().to_string();
    assert_eq!(
        live,
        vec![format!("{root}/a.txt:2:1"), format!("{root}/b.txt:3:1")]
    );
    assert_eq!(r.suppressed.len(), 2);
    assert!(
        r.suppressed
            .iter()
            .any(|f| f.suppression.as_ref().unwrap().kind == SuppressionKind::Exception)
    );
    assert!(
        r.suppressed
            .iter()
            .any(|f| f.suppression.as_ref().unwrap().kind == SuppressionKind::Inline)
    );
    // The reason-less allow comment is reported.
    assert!(
        r.diagnostics
            .iter()
            .any(|d| d.message.contains("without a reason"))
    );
    assert!(r.config_digest.is_some());
    assert_eq!(r.inputs.len(), 3);

    // The day after expiry the fixture finding counts again and the expiry is reported.
    let r = run(d, cfg, "2027-02-01");
    assert_eq!(r.findings.len(), 3);
    assert!(
        r.findings
            .iter()
            .any(|f| f.properties.contains_key("expired_exception"))
    );
    assert!(
        r.diagnostics
            .iter()
            .any(|d| d.message.contains("expired on 2027-01-31"))
    );
}

#[test]
fn fingerprints_survive_unrelated_line_moves() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("a.txt"), "BAD one\n").unwrap();
    let before = run(d, "", "2026-01-01");
    std::fs::write(d.join("a.txt"), "new\nlines\nabove\nBAD one\n").unwrap();
    let after = run(d, "", "2026-01-01");
    assert_eq!(before.findings[0].location.line, 1);
    assert_eq!(after.findings[0].location.line, 4);
    assert_eq!(
        before.findings[0].fingerprint,
        after.findings[0].fingerprint
    );
    // A changed line is a different finding.
    std::fs::write(d.join("a.txt"), "BAD two\n").unwrap();
    let changed = run(d, "", "2026-01-01");
    assert_ne!(
        before.findings[0].fingerprint,
        changed.findings[0].fingerprint
    );
}
