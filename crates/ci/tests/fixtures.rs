//! OK / NOT OK fixtures: `tests/fixtures/<audit>/bad*.<kind>.yml` must produce `ci/<audit>`,
//! `ok*.<kind>.yml` must not. Every audit must have both.

use std::collections::BTreeSet;
use tollgate_ci::{CiScanner, DocKind};
use tollgate_engine::Scanner;

fn kind(name: &str) -> DocKind {
    match name.rsplit('.').nth(1) {
        Some("workflow") => DocKind::Workflow,
        Some("action") => DocKind::Action,
        Some("dependabot") => DocKind::Dependabot,
        Some("gitlab") => DocKind::GitLab,
        other => panic!("fixture {name}: unknown kind {other:?}"),
    }
}

#[test]
fn fixtures_ok_and_not_ok() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let scanner = CiScanner::default();
    let mut covered = BTreeSet::new();
    let mut failures = Vec::new();
    for audit in std::fs::read_dir(dir).unwrap() {
        let audit = audit.unwrap();
        let name = audit.file_name().to_string_lossy().to_string();
        let rule = format!("ci/{name}");
        let (mut bad, mut ok) = (0, 0);
        for f in std::fs::read_dir(audit.path()).unwrap() {
            let f = f.unwrap();
            let file = f.file_name().to_string_lossy().to_string();
            let src = std::fs::read_to_string(f.path()).unwrap();
            let found = scanner
                .audit_text(kind(&file), &file, &file, &src)
                .unwrap_or_else(|d| panic!("{name}/{file}: {}", d.message));
            let hits = found.iter().filter(|x| x.rule.as_str() == rule).count();
            if file.starts_with("bad") {
                bad += 1;
                if hits == 0 {
                    failures.push(format!("{name}/{file}: expected {rule}"));
                }
                for x in found.iter().filter(|x| x.rule.as_str() == rule) {
                    assert!(x.location.symbolic.is_some(), "{name}: no route");
                }
            } else {
                ok += 1;
                if hits > 0 {
                    failures.push(format!(
                        "{name}/{file}: unexpected {rule}: {:?}",
                        found
                            .iter()
                            .filter(|x| x.rule.as_str() == rule)
                            .map(|x| &x.message)
                            .collect::<Vec<_>>()
                    ));
                }
            }
        }
        assert!(bad > 0 && ok > 0, "{name} needs bad and ok fixtures");
        covered.insert(rule);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let all: BTreeSet<String> = scanner.rules().iter().map(|r| r.id.to_string()).collect();
    let missing: Vec<_> = all.difference(&covered).collect();
    assert!(missing.is_empty(), "audits without fixtures: {missing:?}");
}
