//! Integration tests on real inputs from `testdata/ci`: the 16-project corpus and zizmor's
//! labelled fixtures (parsed as workflows wherever they sit).

use tollgate_ci::{CiScanner, DocKind};
use tollgate_config::Config;
use tollgate_engine::{ScanContext, Scanner, Silent};
use tollgate_inventory::{Inventory, Options, Root};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/ci");

fn scan(root: &str) -> tollgate_engine::ScanOutput {
    let inv = Inventory::collect(&[Root::new(Some(root))], &Options::default()).unwrap();
    let config = Config::default();
    CiScanner::default().scan(&ScanContext {
        inventory: &inv,
        config: &config,
        progress: &Silent,
    })
}

#[test]
fn corpus_parses_and_finds_known_problems() {
    let out = scan(&format!("{DATA}/corpus"));
    assert!(out.files_scanned > 250, "{}", out.files_scanned);
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    // zizmor-confirmed: biome's close-issue.yml expands a step output into a script (line 31).
    assert!(out.findings.iter().any(|f| {
        f.rule.as_str() == "ci/template-injection"
            && f.location
                .path
                .ends_with("biomejs+biome/.github/workflows/close-issue.yml")
            && f.location.line == 31
            && f.location.symbolic.as_deref() == Some("jobs.close-issues.steps[3].run")
    }));
    // GitLab files and their local include are audited.
    assert!(
        out.findings.iter().any(
            |f| f.rule.as_str().starts_with("ci/gitlab-") && f.location.path.contains("GNOME+")
        )
    );
    // Findings are sorted-able and never carry an unredacted literal secret.
    for f in &out.findings {
        assert!(f.location.line >= 1);
        assert!(f.rule.as_str().starts_with("ci/"));
    }
}

#[test]
fn zizmor_fixtures_never_crash_and_bad_yaml_is_reported() {
    let dir = format!("{DATA}/zizmor-fixtures");
    let s = CiScanner::default();
    let mut stack = vec![std::path::PathBuf::from(&dir)];
    let (mut files, mut errors) = (0, Vec::new());
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let name = p.to_string_lossy().to_string();
            if !(name.ends_with(".yml") || name.ends_with(".yaml")) {
                continue;
            }
            let Ok(src) = std::fs::read_to_string(&p) else {
                continue;
            };
            let kind = if name.ends_with("action.yml") || name.ends_with("action.yaml") {
                DocKind::Action
            } else if name.contains("dependabot") {
                DocKind::Dependabot
            } else {
                DocKind::Workflow
            };
            files += 1;
            if let Err(d) = s.audit_text(kind, &name, &name, &src) {
                assert!(d.line.is_some(), "{name}: diagnostic without a line");
                errors.push(name);
            }
        }
    }
    assert!(files > 200, "{files}");
    // Only the deliberately invalid inputs fail to parse.
    for e in &errors {
        assert!(
            e.contains("invalid") || e.contains("bad"),
            "unexpected parse error in {e}"
        );
    }
    assert!(errors.iter().any(|e| e.contains("bad-yaml")), "{errors:?}");
}

#[test]
fn anchors_fixtures_resolve() {
    let src = std::fs::read_to_string(format!(
        "{DATA}/zizmor-fixtures/anchors/steps-list-alias.yml"
    ))
    .unwrap();
    let root = tollgate_ci::yaml::parse(&src).unwrap();
    let jobs = tollgate_ci::model::jobs(&root);
    assert!(jobs.len() >= 2);
    for (_, j) in jobs {
        assert!(
            !tollgate_ci::model::steps(j.node, &j.route).is_empty(),
            "{}",
            j.route
        );
    }
}

/// A cheap stand-in for the fuzz target that runs in `cargo test`: every prefix (at many cut
/// points) and line-shuffled variant of real files must audit without panicking.
#[test]
fn truncated_and_mangled_inputs_never_panic() {
    let s = CiScanner::default();
    let files = [
        "corpus/biomejs+biome/.github/workflows/release.yml",
        "corpus/GNOME+glib/.gitlab-ci.yml",
        "corpus/huggingface+diffusers/.github/actions/setup-miniconda/action.yml",
        "corpus/docker+buildx/.github/dependabot.yml",
    ];
    for f in files {
        let src = std::fs::read_to_string(format!("{DATA}/{f}")).unwrap();
        let step = (src.len() / 97).max(1);
        let mut cut = 0;
        while cut < src.len() {
            let end = (0..4)
                .map(|d| cut + d)
                .find(|&c| src.is_char_boundary(c))
                .unwrap_or(src.len());
            let part = &src[..end.min(src.len())];
            for kind in [
                DocKind::Workflow,
                DocKind::Action,
                DocKind::Dependabot,
                DocKind::GitLab,
            ] {
                let _ = s.audit_text(kind, f, f, part);
            }
            let _ = tollgate_ci::fix::fix_text(part);
            cut += step;
        }
        // Indentation damage: every line shifted left by one column.
        let shifted: String = src
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n");
        let _ = s.audit_text(DocKind::Workflow, f, f, &shifted);
    }
}
