//! The audits added to cover zizmor's remaining offline audits: each NOT OK fixture must give
//! its findings on exactly the lines zizmor would report (the parity script matches on
//! (file, line)), and zizmor-style ignore comments placed in the step must suppress them.

use tollgate_ci::{CiScanner, DocKind};
use tollgate_model::Severity;

fn lines(rule: &str, kind: DocKind, file: &str) -> Vec<(u32, Severity)> {
    let path = format!("{}/tests/fixtures/{file}", env!("CARGO_MANIFEST_DIR"));
    let src = std::fs::read_to_string(&path).unwrap();
    let mut v: Vec<(u32, Severity)> = CiScanner::default()
        .audit_text(kind, file, file, &src)
        .unwrap()
        .into_iter()
        .filter(|f| f.rule.as_str() == rule)
        .map(|f| (f.location.line, f.severity))
        .collect();
    v.sort();
    v
}

fn only_lines(rule: &str, kind: DocKind, file: &str) -> Vec<u32> {
    lines(rule, kind, file).into_iter().map(|l| l.0).collect()
}

#[test]
fn findings_are_on_the_offending_lines() {
    use DocKind::*;
    let w = Workflow;
    let cases: &[(&str, DocKind, &str, &[u32])] = &[
        (
            "ci/adhoc-packages",
            w,
            "adhoc-packages/bad.workflow.yml",
            &[7, 10, 11],
        ),
        (
            "ci/adhoc-packages",
            Action,
            "adhoc-packages/bad.action.yml",
            &[6],
        ),
        (
            "ci/obfuscation",
            w,
            "obfuscation/bad.workflow.yml",
            &[7, 8, 9, 10, 12, 14],
        ),
        (
            "ci/unsound-contains",
            w,
            "unsound-contains/bad.workflow.yml",
            &[5, 8, 10],
        ),
        (
            "ci/unsound-ternary",
            w,
            "unsound-ternary/bad.workflow.yml",
            &[7, 8],
        ),
        ("ci/misfeature", w, "misfeature/bad.workflow.yml", &[5, 14]),
        (
            "ci/misfeature",
            Action,
            "misfeature/bad-step.action.yml",
            &[7],
        ),
        (
            "ci/self-repository",
            w,
            "self-repository/bad.workflow.yml",
            &[8, 10],
        ),
        (
            "ci/unredacted-secrets",
            w,
            "unredacted-secrets/bad.workflow.yml",
            &[10, 11],
        ),
        (
            "ci/hardcoded-container-credentials",
            w,
            "hardcoded-container-credentials/bad.workflow.yml",
            &[8, 14],
        ),
    ];
    for (rule, kind, file, want) in cases {
        assert_eq!(&only_lines(rule, *kind, file), want, "{rule} in {file}");
    }
}

#[test]
fn severities_follow_what_the_attacker_controls() {
    // `with: ${{ … }}` is informational; the other obfuscation findings are low.
    let o = lines(
        "ci/obfuscation",
        DocKind::Workflow,
        "obfuscation/bad.workflow.yml",
    );
    assert_eq!(o.last(), Some(&(14, Severity::Info)));
    assert!(o[..o.len() - 1].iter().all(|l| l.1 == Severity::Low));
    let c = lines(
        "ci/unsound-contains",
        DocKind::Workflow,
        "unsound-contains/bad.workflow.yml",
    );
    assert!(c.iter().all(|l| l.1 == Severity::High), "{c:?}");
    let src = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - if: contains('r1 r2', runner.name)\n        run: echo\n";
    let f = CiScanner::default()
        .audit_text(DocKind::Workflow, "w.yml", "w.yml", src)
        .unwrap();
    let f: Vec<_> = f
        .iter()
        .filter(|f| f.rule.as_str() == "ci/unsound-contains")
        .collect();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].severity, Severity::Info);
}

#[test]
fn zizmor_ignore_comment_in_the_step_applies() {
    let src = r#"on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - name: smoke test
        # zizmor: ignore[adhoc-packages] installs the tarball we just built
        run: |
          echo start
          npm install ./dist/pkg.tgz
      - name: next
        run: npm install left-pad
"#;
    let s = CiScanner::default();
    let found = s
        .audit_text(DocKind::Workflow, "w.yml", "w.yml", src)
        .unwrap();
    let (kept, suppressed) = s.peer_ignores(src, found);
    let at = |v: &[tollgate_model::Finding]| -> Vec<u32> {
        v.iter()
            .filter(|f| f.rule.as_str() == "ci/adhoc-packages")
            .map(|f| f.location.line)
            .collect()
    };
    assert_eq!(at(&suppressed), vec![10]);
    assert_eq!(at(&kept), vec![12]);
}

/// `bench/ci/parity.py` keeps its own copy of the zizmor → tollgate mapping (it runs without
/// building the crate); it must name exactly the audits whose `Info.zizmor` is set.
#[test]
fn parity_script_mapping_matches_the_audits() {
    let script = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../bench/ci/parity.py"
    ))
    .unwrap();
    let body = script
        .split("MAPPING = {")
        .nth(1)
        .and_then(|r| r.split('}').next())
        .expect("MAPPING dict in parity.py");
    let mut in_script: Vec<(String, String)> = body
        .lines()
        .filter_map(|l| {
            let (k, v) = l.trim().trim_end_matches(',').split_once(':')?;
            Some((
                k.trim().trim_matches('"').to_string(),
                v.trim().trim_matches('"').to_string(),
            ))
        })
        .collect();
    in_script.sort();
    let mut in_code: Vec<(String, String)> = tollgate_ci::audits::zizmor_mapping()
        .into_iter()
        .map(|(z, t)| (z.to_string(), t.to_string()))
        .collect();
    in_code.sort();
    assert_eq!(in_script, in_code);
    for new in [
        "adhoc-packages",
        "obfuscation",
        "unsound-contains",
        "unsound-ternary",
        "misfeature",
        "self-repository",
        "unredacted-secrets",
        "hardcoded-container-credentials",
    ] {
        assert!(in_code.iter().any(|(z, _)| z == new), "{new} not mapped");
    }
}
