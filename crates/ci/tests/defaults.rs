//! The audit defaults a project meets on first use (issue 14, "CI audit defaults"): each test
//! runs a fixture taken from a real repository's pattern and checks the exact findings.

use tollgate_ci::{CiScanner, CiSettings, DocKind};
use tollgate_config::Config;
use tollgate_engine::{ScanContext, ScanOutput, Scanner, Silent};
use tollgate_inventory::{Inventory, Options, Root};

fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// Lines of `rule`'s findings on a fixture.
fn lines(scanner: &CiScanner, kind: DocKind, path: &str, rule: &str) -> Vec<u32> {
    let mut v: Vec<u32> = scanner
        .audit_text(kind, path, path, &fixture(path))
        .unwrap()
        .into_iter()
        .filter(|f| f.rule.as_str() == rule)
        .map(|f| f.location.line)
        .collect();
    v.sort();
    v
}

fn scan_dir(root: &std::path::Path, scanner: &CiScanner) -> ScanOutput {
    let inv = Inventory::collect(
        &[Root::new(Some(root.to_str().unwrap()))],
        &Options::default(),
    )
    .unwrap();
    scanner.scan(&ScanContext {
        inventory: &inv,
        config: &Config::default(),
        progress: &Silent,
    })
}

#[test]
fn first_party_actions_may_be_ref_pinned_by_default_and_the_policy_is_configurable() {
    let default = CiScanner::default();
    let ok = "unpinned-uses/ok-first-party-tags.workflow.yml";
    let bad = "unpinned-uses/bad-third-party-tag.workflow.yml";
    assert_eq!(
        lines(&default, DocKind::Workflow, ok, "ci/unpinned-uses"),
        Vec::<u32>::new()
    );
    // Only `dorny/paths-filter@v3`, not `actions/checkout@v4` on line 10.
    assert_eq!(
        lines(&default, DocKind::Workflow, bad, "ci/unpinned-uses"),
        vec![13]
    );
    let strict = CiScanner::new(CiSettings {
        ref_pin_allowed: Some(Vec::new()),
        ..CiSettings::default()
    });
    assert_eq!(
        lines(&strict, DocKind::Workflow, ok, "ci/unpinned-uses"),
        vec![13, 17, 20, 21]
    );
    assert_eq!(
        lines(&strict, DocKind::Workflow, bad, "ci/unpinned-uses"),
        vec![10, 13]
    );
}

#[test]
fn a_release_branch_trigger_alone_does_not_make_a_test_workflow_publish() {
    let s = CiScanner::default();
    assert_eq!(
        lines(
            &s,
            DocKind::Workflow,
            "cache-poisoning/ok-test-only-release-branch.workflow.yml",
            "ci/cache-poisoning"
        ),
        Vec::<u32>::new()
    );
    // The publishing job (line 31) and the job it needs (line 25), not the test job (line 17).
    assert_eq!(
        lines(
            &s,
            DocKind::Workflow,
            "cache-poisoning/bad-release-branch-publish-job.workflow.yml",
            "ci/cache-poisoning"
        ),
        vec![25, 31]
    );
}

#[test]
fn choice_boolean_and_number_inputs_are_not_injectable() {
    let s = CiScanner::default();
    assert_eq!(
        lines(
            &s,
            DocKind::Workflow,
            "template-injection/ok-typed-dispatch-inputs.workflow.yml",
            "ci/template-injection"
        ),
        Vec::<u32>::new()
    );
    let found: Vec<String> = s
        .audit_text(
            DocKind::Workflow,
            "w.yml",
            "w.yml",
            &fixture("template-injection/bad-string-dispatch-input.workflow.yml"),
        )
        .unwrap()
        .into_iter()
        .filter(|f| f.rule.as_str() == "ci/template-injection")
        .map(|f| f.message)
        .collect();
    assert_eq!(
        found,
        vec!["`${{ inputs.version }}` expands `inputs.version` into code"]
    );
}

#[test]
fn gitlab_rules_that_keep_forks_out_are_honoured() {
    let s = CiScanner::default();
    let rule = "ci/gitlab-fork-mr-secrets";
    for ok in [
        "gitlab-fork-mr-secrets/ok-project-path-guard.gitlab.yml",
        "gitlab-fork-mr-secrets/ok-source-project-check.gitlab.yml",
        "gitlab-fork-mr-secrets/ok-workflow-rules-fork-guard.gitlab.yml",
    ] {
        assert_eq!(
            lines(&s, DocKind::GitLab, ok, rule),
            Vec::<u32>::new(),
            "{ok}"
        );
    }
    assert_eq!(
        lines(
            &s,
            DocKind::GitLab,
            "gitlab-fork-mr-secrets/bad-guard-after-mr-rule.gitlab.yml",
            rule
        ),
        vec![5, 14]
    );
}

const WORKFLOW: &str = "on: pull_request_target\npermissions: {}\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: echo \"${{ github.event.pull_request.title }}\"\n      - run: echo \"${{ github.event.issue.title }}\"\n";

fn repo_with(config: Option<(&str, &str)>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let wf = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&wf).unwrap();
    std::fs::write(wf.join("hackme.yml"), WORKFLOW).unwrap();
    if let Some((place, text)) = config {
        let p = dir.path().join(place);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn rules_of(out: &[tollgate_model::Finding]) -> Vec<(String, u32)> {
    let mut v: Vec<(String, u32)> = out
        .iter()
        .map(|f| (f.rule.to_string(), f.location.line))
        .collect();
    v.sort();
    v
}

#[test]
fn zizmor_config_disables_and_ignores_what_the_project_triaged() {
    let s = CiScanner::default();
    let plain = scan_dir(repo_with(None).path(), &s);
    let found = rules_of(&plain.findings);
    assert!(
        found.contains(&("ci/template-injection".into(), 8)),
        "{found:?}"
    );
    assert!(found.contains(&("ci/template-injection".into(), 9)));
    assert!(found.contains(&("ci/artipacked".into(), 7)));
    assert!(found.contains(&("ci/dangerous-triggers".into(), 1)));

    // zizmor's own config-scenario layouts: `.github/zizmor.yml` and `zizmor.yml`.
    let cfg = "rules:\n  template-injection:\n    ignore:\n      - hackme.yml:9\n  artipacked:\n    disable: true\n  dangerous-triggers:\n    ignore:\n      - other.yml\n";
    for place in [".github/zizmor.yml", "zizmor.yml", ".github/zizmor.yaml"] {
        let out = scan_dir(repo_with(Some((place, cfg))).path(), &s);
        let kept = rules_of(&out.findings);
        assert!(
            kept.contains(&("ci/template-injection".into(), 8)),
            "{place}"
        );
        assert!(
            !kept.contains(&("ci/template-injection".into(), 9)),
            "{place}"
        );
        assert!(!kept.iter().any(|(r, _)| r == "ci/artipacked"), "{place}");
        assert!(
            kept.contains(&("ci/dangerous-triggers".into(), 1)),
            "{place}"
        );
        let supp = rules_of(&out.suppressed);
        assert!(
            supp.contains(&("ci/template-injection".into(), 9)),
            "{place}"
        );
        assert!(supp.contains(&("ci/artipacked".into(), 7)), "{place}");
        let reasons: Vec<&str> = out
            .suppressed
            .iter()
            .filter_map(|f| f.suppression.as_ref().map(|s| s.reason.as_str()))
            .collect();
        assert!(reasons.iter().any(|r| r.starts_with("audit disabled in")));
        assert!(reasons.iter().any(|r| r.starts_with("ignored in")));
        // The config is named in the output, so a change that adds one is visible.
        assert!(
            out.diagnostics
                .iter()
                .any(|d| d.message.contains("1 audit(s) disabled (artipacked)")),
            "{:?}",
            out.diagnostics
        );
    }

    // `[ci] zizmor-config = false` turns the reading off.
    let off = CiScanner::new(CiSettings {
        zizmor_config: false,
        ..CiSettings::default()
    });
    let out = scan_dir(repo_with(Some(("zizmor.yml", cfg))).path(), &off);
    assert_eq!(rules_of(&out.findings), found);

    // A broken config is a warning with its position; the scan goes on unchanged.
    let out = scan_dir(
        repo_with(Some((".github/zizmor.yml", "rules: [\n"))).path(),
        &s,
    );
    assert_eq!(rules_of(&out.findings), found);
    assert!(out.diagnostics.iter().any(|d| {
        d.message.starts_with("zizmor config ignored")
            && d.path.as_deref().is_some_and(|p| p.ends_with("zizmor.yml"))
            && d.line.is_some()
    }));
}

#[test]
fn zizmor_unpinned_uses_policies_apply_when_ci_sets_none() {
    let cfg = "rules:\n  unpinned-uses:\n    config:\n      policies:\n        \"*\": hash-pin\n";
    let out = scan_dir(
        repo_with(Some((".github/zizmor.yml", cfg))).path(),
        &CiScanner::default(),
    );
    assert!(rules_of(&out.findings).contains(&("ci/unpinned-uses".into(), 7)));
    let out = scan_dir(repo_with(None).path(), &CiScanner::default());
    assert!(!rules_of(&out.findings).contains(&("ci/unpinned-uses".into(), 7)));
}
