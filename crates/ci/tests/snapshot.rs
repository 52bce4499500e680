//! Snapshot of what the scanner reports on the demo repository's workflows (rule, position,
//! route, severity), so any change in output is reviewed.

use tollgate_ci::{CiScanner, DocKind};

#[test]
fn demo_findings_snapshot() {
    let base = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/demo-repo");
    let s = CiScanner::default();
    let mut rows = Vec::new();
    for (rel, kind) in [
        (".github/workflows/ci.yml", DocKind::Workflow),
        (".github/workflows/release.yml", DocKind::Workflow),
        (".gitlab-ci.yml", DocKind::GitLab),
    ] {
        let src = std::fs::read_to_string(format!("{base}/{rel}")).unwrap();
        for f in s.audit_text(kind, rel, rel, &src).unwrap() {
            rows.push(serde_json::json!({
                "rule": f.rule.as_str(),
                "at": f.location.to_string(),
                "route": f.location.symbolic,
                "severity": f.severity.as_str(),
            }));
        }
    }
    insta::assert_json_snapshot!(rows);
}
