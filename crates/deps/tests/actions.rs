//! GitHub Actions as dependencies: real workflows of the CI corpus, OSV matching of a GHSA
//! record of the `GitHub Actions` ecosystem (written from the public advisory as a fixture),
//! and the scanner end to end (findings, source policy, bad YAML as a positioned diagnostic).

mod common;

use std::path::Path;
use tollgate_deps::osv::{self, Db};
use tollgate_deps::parse::{self, Format, NoSiblings};
use tollgate_deps::{Component, Ecosystem, Scope};

const FIX: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/github-actions/"
);
const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/ci/corpus/");

fn parse_as(format: Format, path: &Path) -> Vec<Component> {
    let text = std::fs::read_to_string(path).unwrap();
    parse::parse(format, "x.yml", &text, &NoSiblings)
        .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()))
        .components
}

#[test]
fn real_workflow_of_docker_buildx() {
    let path = Path::new(CORPUS).join("docker+buildx/.github/workflows/build.yml");
    assert_eq!(
        Format::detect_path("docker+buildx/.github/workflows/build.yml"),
        Some(Format::GithubWorkflow)
    );
    let cs = parse_as(Format::GithubWorkflow, &path);
    let purls: Vec<&str> = cs.iter().map(|c| c.purl.as_str()).collect();
    // 27 `uses:` lines, 14 distinct actions / reusable workflows (repeats merged)
    assert_eq!(cs.len(), 14, "{purls:#?}");
    let checkout = cs
        .iter()
        .find(|c| c.purl == "pkg:github/actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1")
        .unwrap();
    assert_eq!(checkout.line, 122);
    assert_eq!(checkout.name, "actions/checkout");
    assert_eq!(checkout.ecosystem, Ecosystem::GitHubActions);
    assert!(checkout.direct && checkout.scope == Scope::Runtime);
    assert_eq!(
        checkout.source.as_deref(),
        Some("https://github.com/actions/checkout")
    );
    assert!(checkout.note.as_deref().unwrap().contains("commit"));
    // an action in a sub-folder, and a reusable workflow called by a job: purl subpaths
    for (purl, line) in [
        (
            "pkg:github/github/codeql-action@ff2f1c621b7f889edc0d3c761ac2e6a3f8cdb0dd#upload-sarif",
            297,
        ),
        (
            "pkg:github/docker/github-builder@a492c6d04fd3315f67230809b44d60cc0acd50b3#.github/workflows/bake.yml",
            302,
        ),
        (
            "pkg:github/crazy-max/.github@f91220cba053bd54299ba645a599ee8ed436f222#.github/actions/gotest-annotations",
            172,
        ),
    ] {
        let c = cs
            .iter()
            .find(|c| c.purl == purl)
            .unwrap_or_else(|| panic!("{purl} missing from {purls:#?}"));
        assert_eq!(c.line, line, "{purl}");
        // purl round trip: canonical form and package identity
        let p = tollgate_deps::purl::Purl::parse(purl).unwrap();
        assert_eq!(p.to_canonical(), purl);
        assert_eq!(
            p.package(),
            Some((Ecosystem::GitHubActions, c.name.clone()))
        );
    }
}

/// Every workflow and action.yml of the corpus parses; the local, docker:// and expression
/// `uses:` are not components, every other one is.
#[test]
fn whole_corpus_parses() {
    let mut files = Vec::new();
    fn walk(d: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    walk(Path::new(CORPUS), &mut files);
    let (mut n_files, mut n_comps, mut n_docker) = (0, 0, 0);
    for f in files {
        let rel = f
            .strip_prefix(CORPUS)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let Some(fmt @ (Format::GithubWorkflow | Format::GithubAction)) = Format::detect_path(&rel)
        else {
            continue;
        };
        n_files += 1;
        let text = std::fs::read_to_string(&f).unwrap();
        n_docker += text.matches("uses: docker://").count();
        let cs = parse_as(fmt, &f);
        for c in &cs {
            assert!(
                !c.name.starts_with('.') && !c.purl.contains("docker:"),
                "{rel}: {c:?}"
            );
            assert_eq!(
                tollgate_deps::purl::Purl::parse(&c.purl)
                    .unwrap()
                    .to_canonical(),
                c.purl
            );
        }
        n_comps += cs.len();
    }
    assert!(n_files > 150, "{n_files}");
    assert!(n_comps > 500, "{n_comps}");
    assert!(n_docker > 0);
}

fn ghsa_db(dir: &Path) -> Db {
    let recs = dir.join("records");
    std::fs::create_dir_all(&recs).unwrap();
    std::fs::copy(
        Path::new(FIX).join("GHSA-mrrh-fwg8-r2c3.json"),
        recs.join("GHSA-mrrh-fwg8-r2c3.json"),
    )
    .unwrap();
    let mut db = Db::open(&dir.join("osv.db")).unwrap();
    let stats = db.import(&recs).unwrap();
    assert_eq!(stats.records, 1);
    assert!(stats.problems.is_empty(), "{:?}", stats.problems);
    db
}

#[test]
fn ghsa_record_matches_release_tags_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = ghsa_db(dir.path());
    let cs = parse_as(
        Format::GithubWorkflow,
        &Path::new(FIX).join("ci.workflow.yml"),
    );
    let hits = |purl: &str| {
        let c = cs
            .iter()
            .find(|c| c.purl == purl)
            .unwrap_or_else(|| panic!("{purl}"));
        osv::match_component(&db, c).unwrap()
    };
    let m = hits("pkg:github/tj-actions/changed-files@v45.0.7");
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].ids, vec!["GHSA-mrrh-fwg8-r2c3", "CVE-2025-30066"]);
    assert_eq!(m[0].smallest_fix.as_deref(), Some("46.0.1"));
    assert!(m[0].cvss.as_ref().unwrap().0 >= 7.0);
    // the fixed release, a moving major tag and a commit are not matched
    assert!(hits("pkg:github/tj-actions/changed-files@v46.0.1").is_empty());
    assert!(hits("pkg:github/tj-actions/changed-files@v45").is_empty());
    assert!(
        hits("pkg:github/tj-actions/changed-files@2f7c5bfce28377bc069a65ba478de0a74aa0ca32")
            .is_empty()
    );
    // names are case-insensitive on GitHub
    let mut upper = Component::new(
        Ecosystem::GitHubActions,
        "TJ-Actions/Changed-Files",
        "v1.0.0",
    );
    upper.direct = true;
    assert_eq!(osv::match_component(&db, &upper).unwrap().len(), 1);
    assert!(
        cs.iter()
            .find(|c| c.version == "v45")
            .unwrap()
            .note
            .as_deref()
            .unwrap()
            .contains("moving tag")
    );
}

fn run(dir: &Path, toml: &str) -> tollgate_model::Report {
    common::run(dir, toml, "osv.db")
}

#[test]
fn scanner_reads_workflows_and_actions() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    drop(ghsa_db(d));
    std::fs::create_dir_all(d.join(".github/workflows")).unwrap();
    std::fs::create_dir_all(d.join(".github/actions/setup")).unwrap();
    std::fs::copy(
        Path::new(FIX).join("ci.workflow.yml"),
        d.join(".github/workflows/ci.yml"),
    )
    .unwrap();
    std::fs::copy(
        Path::new(FIX).join("setup.action.yml"),
        d.join(".github/actions/setup/action.yml"),
    )
    .unwrap();
    std::fs::write(
        d.join(".github/workflows/broken.yaml"),
        "on: push\njobs:\n  a:\n    steps: [\n      - uses: x/y@v1\n",
    )
    .unwrap();
    // not a workflow folder: a YAML file elsewhere is not read
    std::fs::write(
        d.join("other.yml"),
        "jobs:\n  a:\n    uses: o/r/.github/workflows/x.yml@v1.0.0\n",
    )
    .unwrap();
    let report = run(
        d,
        "[deps.allowed-sources]\n\"GitHub Actions\" = [\"https://github.com/actions/\"]\n",
    );
    let vulns: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule.as_str() == "deps/vulnerable-dependency")
        .collect();
    assert_eq!(vulns.len(), 1, "{:#?}", report.findings);
    let v = vulns[0];
    assert!(v.location.path.ends_with(".github/workflows/ci.yml"));
    assert_eq!(v.location.line, 8);
    assert!(v.message.contains("GHSA-mrrh-fwg8-r2c3"));
    assert_eq!(v.properties["ecosystem"], "GitHub Actions");
    assert_eq!(v.properties["smallest_fix"], "46.0.1");
    // the source policy: only github.com/actions/ is allowed; tj-actions ×4 and octo-org
    let unapproved: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.rule.as_str() == "deps/unapproved-source")
        .map(|f| f.properties["purl"].as_str().unwrap())
        .collect();
    assert_eq!(unapproved.len(), 5, "{unapproved:#?}");
    assert!(
        !unapproved
            .iter()
            .any(|p| p.starts_with("pkg:github/actions/"))
    );
    // the broken workflow is a diagnostic with line and column; the rest was scanned
    let diag = report
        .diagnostics
        .iter()
        .find(|x| {
            x.path
                .as_deref()
                .is_some_and(|p| p.ends_with("broken.yaml"))
        })
        .expect("diagnostic for the broken workflow");
    assert!(diag.line.is_some() && diag.column.is_some(), "{diag:?}");
    assert!(diag.message.contains("GitHub workflow"), "{diag:?}");
}
