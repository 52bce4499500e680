//! GitHub Actions used by workflows (`.github/workflows/*.yml`) and by composite actions
//! (`action.yml`): every `uses: OWNER/REPO[/PATH]@REF` of a step or of a job that calls a
//! reusable workflow is a component `pkg:github/OWNER/REPO@REF#PATH` of the OSV ecosystem
//! `GitHub Actions` (package name `OWNER/REPO`).
//!
//! Not components: local actions and workflows (`./path`: part of the repository itself),
//! `docker://IMAGE` steps (a container image, not a GitHub Actions package; the `ci` scanner
//! audits their pinning), and `uses:` built from an expression (`${{ … }}`).
//!
//! Only a full release tag (`v4.1.2`, `1.0.0-rc.1`) is compared with advisory ranges; a commit
//! SHA, a moving tag (`v4`, `v4.1`) or a branch names no single release, so such a component is
//! listed with a [`Component::note`] and never matched (see [`RefKind`]).

use super::ParseError;
use crate::component::{Component, Ecosystem, Parsed, Scope};
use tollgate_yaml::Node;

/// Which kind of GitHub Actions file is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionsFile {
    /// `.github/workflows/*.yml`: `jobs.*.uses` and `jobs.*.steps[*].uses`.
    Workflow,
    /// `action.yml`: `runs.steps[*].uses` of a composite action (JS and Docker actions have none).
    Action,
}

/// What the `@REF` of a `uses:` designates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    /// A full release tag `[v]MAJOR.MINOR.PATCH[-PRE][+BUILD]`: compared with advisory ranges.
    Release,
    /// A moving tag `v4` / `v4.1`: whatever release it points to today.
    MovingTag,
    /// A full commit SHA (40 or 64 hex digits).
    Commit,
    /// A branch or another tag.
    Other,
}

impl RefKind {
    pub fn of(r: &str) -> RefKind {
        if (r.len() == 40 || r.len() == 64) && r.bytes().all(|b| b.is_ascii_hexdigit()) {
            return RefKind::Commit;
        }
        let v = r.strip_prefix(['v', 'V']).unwrap_or(r);
        let core = v.split(['-', '+']).next().unwrap_or(v);
        let parts: Vec<&str> = core.split('.').collect();
        let numeric = !parts.is_empty()
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        let suffix_ok = v.len() == core.len() || {
            let rest = &v[core.len() + 1..];
            !rest.is_empty()
        };
        match (numeric, parts.len()) {
            (true, 3) if suffix_ok => RefKind::Release,
            (true, 1 | 2) if v.len() == core.len() => RefKind::MovingTag,
            _ => RefKind::Other,
        }
    }

    /// The note recorded on a component whose ref is not matched, `None` for a release.
    pub fn note(self, r: &str) -> Option<String> {
        match self {
            RefKind::Release => None,
            RefKind::MovingTag => Some(format!(
                "moving tag {r}: the release it points to is not recorded, so advisories are not matched; pin a full release tag or a commit"
            )),
            RefKind::Commit => Some(
                "pinned to a commit: advisories name release tags, so this is not matched against them".into(),
            ),
            RefKind::Other => Some(format!(
                "ref {r} is not a release tag (a branch?): advisories are not matched"
            )),
        }
    }
}

/// One `uses:` value as a component, or `None` for a local action, a Docker image or an
/// expression. `Err` is a warning (a remote action without `@REF`).
pub fn action_component(uses: &str) -> Result<Option<Component>, String> {
    let u = uses.trim();
    if u.is_empty() || u.starts_with('.') || u.starts_with("docker://") || u.contains("${{") {
        return Ok(None);
    }
    let Some((path, r)) = u.rsplit_once('@') else {
        return Err(format!("`uses: {u}` has no @ref"));
    };
    let mut segs = path.splitn(3, '/');
    let (Some(owner), Some(repo)) = (segs.next(), segs.next()) else {
        return Err(format!("`uses: {u}` is not OWNER/REPO[/PATH]@REF"));
    };
    if owner.is_empty() || repo.is_empty() || r.is_empty() {
        return Err(format!("`uses: {u}` is not OWNER/REPO[/PATH]@REF"));
    }
    let sub = segs.next().filter(|s| !s.is_empty());
    let name = format!("{owner}/{repo}");
    let mut c = Component::new(Ecosystem::GitHubActions, &name, r);
    if let Some(s) = sub {
        c.purl = crate::purl::for_package(Ecosystem::GitHubActions, &format!("{name}/{s}"), r);
    }
    c.direct = true;
    c.scope = Scope::Runtime;
    c.source = Some(format!("https://github.com/{name}"));
    c.note = RefKind::of(r).note(r);
    Ok(Some(c))
}

/// The `uses:` value of a step or job, with its node (for the line).
fn uses_of(y: &Node) -> Option<(&str, u32)> {
    let u = y.get("uses")?;
    Some((u.str()?, u.line))
}

/// The `uses:` of each step of a `steps:` list.
fn push_steps(steps: Option<&Node>) -> Vec<(&str, u32)> {
    steps
        .map(|v| v.items().iter().filter_map(uses_of).collect())
        .unwrap_or_default()
}

/// Parses a workflow or an action metadata file.
pub fn parse(text: &str, kind: ActionsFile) -> Result<Parsed, ParseError> {
    let doc = tollgate_yaml::parse(text).map_err(ParseError::yaml)?;
    let mut uses: Vec<(&str, u32)> = Vec::new();
    if !doc.is_null() && !doc.is_map() {
        return Err(ParseError::new(1, 1, "not a YAML mapping"));
    }
    match kind {
        ActionsFile::Workflow => {
            if let Some(jobs) = doc.get("jobs") {
                for (_, job) in jobs.entries() {
                    uses.extend(uses_of(job));
                    uses.extend(push_steps(job.get("steps")));
                }
            }
        }
        ActionsFile::Action => {
            if let Some(runs) = doc.get("runs") {
                uses.extend(push_steps(runs.get("steps")));
            }
        }
    }
    let mut out = Parsed::default();
    for (u, line) in uses {
        match action_component(u) {
            Ok(Some(c)) => out.components.push(c.at_line(line)),
            Ok(None) => {}
            Err(w) => out.warnings.push((line, w)),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ref_kinds() {
        assert_eq!(RefKind::of("v4.1.2"), RefKind::Release);
        assert_eq!(RefKind::of("46.0.1"), RefKind::Release);
        assert_eq!(RefKind::of("v1.0.0-rc.1"), RefKind::Release);
        assert_eq!(RefKind::of("v4"), RefKind::MovingTag);
        assert_eq!(RefKind::of("v4.1"), RefKind::MovingTag);
        assert_eq!(
            RefKind::of("11bd71901bbe5b1630ceea73d27597364c9af683"),
            RefKind::Commit
        );
        assert_eq!(RefKind::of("main"), RefKind::Other);
        assert_eq!(RefKind::of("v4-beta"), RefKind::Other);
        assert_eq!(RefKind::of("v1.2.3.4"), RefKind::Other);
        assert_eq!(RefKind::of("v1.2.3-"), RefKind::Other);
        assert!(RefKind::Release.note("v1.2.3").is_none());
        assert!(RefKind::Commit.note("x").is_some());
    }

    #[test]
    fn uses_values() {
        let c = action_component("actions/checkout@v4").unwrap().unwrap();
        assert_eq!(c.purl, "pkg:github/actions/checkout@v4");
        assert_eq!(c.name, "actions/checkout");
        assert!(c.note.as_deref().unwrap().contains("moving tag"));
        let c = action_component("github/codeql-action/upload-sarif@v3.28.1")
            .unwrap()
            .unwrap();
        assert_eq!(
            c.purl,
            "pkg:github/github/codeql-action@v3.28.1#upload-sarif"
        );
        assert_eq!(c.name, "github/codeql-action");
        assert_eq!(c.note, None);
        let c = action_component("Org/Repo/.github/workflows/ci.yml@main")
            .unwrap()
            .unwrap();
        assert_eq!(c.purl, "pkg:github/org/repo@main#.github/workflows/ci.yml");
        for none in [
            "./.github/actions/setup",
            "docker://alpine:3.20",
            "${{ matrix.action }}@v1",
        ] {
            assert_eq!(action_component(none), Ok(None), "{none}");
        }
        assert!(action_component("actions/checkout").is_err());
        assert!(action_component("checkout@v4").is_err());
    }

    #[test]
    fn workflow_jobs_and_steps() {
        let text = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: make\n      - uses: ./local\n      - name: x\n        uses: \"actions/setup-go@v5.0.2\"\n  b:\n    uses: org/wf/.github/workflows/w.yml@0123456789abcdef0123456789abcdef01234567\n";
        let p = parse(text, ActionsFile::Workflow).unwrap();
        let got: Vec<(&str, u32)> = p
            .components
            .iter()
            .map(|c| (c.purl.as_str(), c.line))
            .collect();
        assert_eq!(
            got,
            vec![
                ("pkg:github/actions/checkout@v4", 6),
                ("pkg:github/actions/setup-go@v5.0.2", 10),
                (
                    "pkg:github/org/wf@0123456789abcdef0123456789abcdef01234567#.github/workflows/w.yml",
                    12
                ),
            ]
        );
        assert!(
            p.components
                .iter()
                .all(|c| c.direct && c.scope == Scope::Runtime)
        );
    }

    #[test]
    fn composite_action_steps() {
        let text = "name: x\nruns:\n  using: composite\n  steps:\n    - uses: actions/cache@v4.2.0\n      with: {path: x}\n";
        let p = parse(text, ActionsFile::Action).unwrap();
        assert_eq!(p.components.len(), 1);
        assert_eq!(p.components[0].line, 5);
        let js = "runs:\n  using: node20\n  main: index.js\n";
        assert!(
            parse(js, ActionsFile::Action)
                .unwrap()
                .components
                .is_empty()
        );
    }

    #[test]
    fn bad_yaml_has_a_position() {
        let e = parse("jobs:\n  a:\n    steps: [\n", ActionsFile::Workflow).unwrap_err();
        assert!(e.line >= 3, "{e:?}");
        assert!(e.column >= 1);
        assert!(parse("- a\n- b\n", ActionsFile::Workflow).is_err());
    }
}
