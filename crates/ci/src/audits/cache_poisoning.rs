//! `ci/cache-poisoning`: caches restored in workflows that publish releases.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use crate::yaml::Node;
use std::collections::BTreeSet;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/cache-poisoning",
    name: "Cache restored in a release workflow",
    severity: Severity::High,
    confidence: Confidence::Low,
    summary: "A workflow that publishes artifacts restores a build cache; a cache written by a less trusted workflow can poison the release.",
    docs: r#"GitHub Actions caches are shared across workflows of a repository on the same branch
scope. A pull request workflow (or any compromised job) can write a cache entry that the
release workflow later restores, injecting code into released binaries. Release
workflows should build from scratch. A workflow triggered by `release` or by pushed tags is
audited in every job; any other workflow only in its jobs that publish (a release action, a
deploy or `publish` command, `gh release create`) and the jobs those need. A branch trigger
alone, even `release/*`, does not make a test-only workflow a release workflow.
Caching actions and the input that turns caching off: `actions/setup-node`
(`package-manager-cache`), `actions/setup-go` and `actions-rust-lang/setup-rust-toolchain`
(`cache`), `actions/cache` and `Swatinem/rust-cache` (`lookup-only`),
`docker/setup-buildx-action` (`cache-binary`), `astral-sh/setup-uv` (`enable-cache`).

NOT OK:
```yaml
on:
  release:
jobs:
  publish:
    steps:
      - uses: actions/setup-node@v5
```

OK:
```yaml
      - uses: actions/setup-node@v5
        with:
          package-manager-cache: false
```"#,
    fix: "Disable caching in release workflows (set the action's cache input to false) or use a separate cache key scope.",
    tags: &["SP-24", "SP-10", "CWE-349"],
    zizmor: Some("cache-poisoning"),
};

pub struct CachePoisoning;

/// (action, input, default-on?, value that disables)
const CACHERS: &[(&str, &str, bool, &str)] = &[
    ("actions/setup-node", "package-manager-cache", true, "false"),
    ("actions/setup-go", "cache", true, "false"),
    (
        "actions-rust-lang/setup-rust-toolchain",
        "cache",
        true,
        "false",
    ),
    ("actions/cache", "lookup-only", true, "true"),
    ("swatinem/rust-cache", "lookup-only", true, "true"),
    ("docker/setup-buildx-action", "cache-binary", true, "false"),
    ("astral-sh/setup-uv", "enable-cache", true, "false"),
    ("actions/setup-node", "cache", false, ""),
    ("actions/setup-python", "cache", false, ""),
    ("actions/setup-java", "cache", false, ""),
    ("actions/setup-dotnet", "cache", false, ""),
    ("pyo3/maturin-action", "sccache", false, ""),
    ("ramsey/composer-install", "ignore-cache", true, "true"),
    // Always restores from its cache: no input turns it off.
    ("mozilla-actions/sccache-action", "", true, "\u{0}"),
];

/// Actions that publish a release: a job using one ships what it built.
const PUBLISHERS: &[&str] = &[
    "softprops/action-gh-release",
    "ncipollo/release-action",
    "goreleaser/goreleaser-action",
    "svenstaro/upload-release-action",
];

/// The major version a step's `uses:` names: its tag (`@v4`, `@3.1.1`) or, for a SHA pin,
/// the version comment on the same line (`@<sha> # v10.0.0`).
fn action_major(doc: &Doc<'_>, step: &Node) -> Option<u32> {
    let u = step.get("uses")?;
    let from = |s: &str| -> Option<u32> {
        let s = s.trim().trim_start_matches(['v', 'V']);
        let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
        digits.parse().ok()
    };
    let r = u.text().split_once('@').map(|(_, r)| r).unwrap_or("");
    if !model::is_sha(r)
        && let Some(m) = from(r)
    {
        return Some(m);
    }
    let line = doc.line_text(u.start);
    line.split_once('#').and_then(|(_, c)| from(c))
}

/// Truthy spellings of a boolean action input.
fn truthy(t: &str) -> bool {
    matches!(
        t.trim().to_ascii_lowercase().as_str(),
        "true" | "yes" | "1" | "on"
    )
}

/// Whether every run of the workflow may be a release run: it is triggered by `release` or by
/// pushed tags. A push to a branch, whatever its name (`release/*`), is not: such a workflow
/// counts only through its jobs that publish.
fn is_release_workflow(doc: &Doc<'_>) -> bool {
    model::triggers(doc.root).iter().any(|(t, _)| {
        t == "release"
            || (t == "push"
                && doc
                    .root
                    .get("on")
                    .and_then(|o| o.get("push"))
                    .is_some_and(|p| p.get("tags").is_some()))
    })
}

/// Whether a job publishes: a release action, a deploy, `gh release create|upload`, a local
/// action named for releasing, or a command whose sub-command is `publish` (`npx vsce
/// publish`, `npx ${{ matrix.cmd }} publish`), dry runs excluded.
fn job_publishes(job: &Node) -> bool {
    if model::looks_like_deploy("", job) {
        return true;
    }
    model::steps(job, "").iter().any(|s| {
        let uses = s.node.get("uses").map(|u| u.text()).unwrap_or("");
        if model::step_action(s.node).is_some_and(|a| PUBLISHERS.contains(&a.as_str()))
            || (uses.starts_with("./") && (uses.contains("release") || uses.contains("publish")))
        {
            return true;
        }
        let run = s.node.get("run").map(|r| r.text()).unwrap_or("");
        crate::shell::shell_commands(run).iter().any(|c| {
            let w: Vec<&str> = c.words.iter().map(String::as_str).collect();
            let dry = w.iter().any(|x| x.starts_with("--dry-run"));
            let gh_release = w.len() > 2
                && w[0] == "gh"
                && w[1] == "release"
                && matches!(w[2], "create" | "upload");
            let publish = w.iter().take(3).skip(1).any(|x| *x == "publish");
            !dry && (gh_release || publish)
        })
    })
}

/// The jobs of a workflow that is not triggered as a release but has jobs that publish: those
/// jobs and every job they need (directly or not), whose outputs and artifacts they ship.
fn publishing_jobs(jobs: &[(&str, model::Item<'_>)]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut todo: Vec<String> = jobs
        .iter()
        .filter(|(_, j)| job_publishes(j.node))
        .map(|(id, _)| id.to_string())
        .collect();
    while let Some(id) = todo.pop() {
        if !out.insert(id.clone()) {
            continue;
        }
        let Some((_, job)) = jobs.iter().find(|(i, _)| *i == id) else {
            continue;
        };
        if let Some(n) = job.node.get("needs") {
            let mut names = Vec::new();
            n.walk_scalars("", &mut names);
            todo.extend(names.iter().map(|(_, v)| v.text().to_string()));
        }
    }
    out
}

impl Audit for CachePoisoning {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        let release = is_release_workflow(doc);
        // A release-like branch push also publishes, without a tag.
        let release_branch = doc
            .root
            .get("on")
            .and_then(|o| o.get("push"))
            .and_then(|p| p.get("branches"))
            .is_some_and(|b| {
                let mut all = Vec::new();
                b.walk_scalars("", &mut all);
                all.iter().any(|(_, n)| n.text().contains("release"))
            });
        let jobs = model::jobs(doc.root);
        let audited = if release {
            jobs.iter().map(|(id, _)| id.to_string()).collect()
        } else {
            publishing_jobs(&jobs)
        };
        for (id, job) in &jobs {
            if !audited.contains(*id) {
                continue;
            }
            for step in model::steps(job.node, &job.route) {
                let Some(a) = model::step_action(step.node) else {
                    continue;
                };
                let with = step.node.get("with");
                // The entry for the input that is set, else the action's default-on one.
                let Some(&(_, input, default_on, off)) = CACHERS
                    .iter()
                    .filter(|c| c.0 == a)
                    .find(|c| !c.1.is_empty() && with.and_then(|w| w.get(c.1)).is_some())
                    .or_else(|| CACHERS.iter().find(|c| c.0 == a && c.2))
                else {
                    continue;
                };
                let v = with
                    .and_then(|w| w.get(input))
                    .filter(|_| !input.is_empty());
                let major = action_major(doc, step.node);
                // Caching by default arrived in setup-node v5 and left setup-uv in v10.
                let default_on = default_on
                    && !(a == "actions/setup-node" && major.is_some_and(|m| m < 5))
                    && !(a == "astral-sh/setup-uv" && major.is_some_and(|m| m >= 10));
                let on = match v {
                    None => default_on,
                    Some(v) if a == "astral-sh/setup-uv" && v.text() == "auto" => default_on,
                    Some(v) => {
                        let t = v.text();
                        if t.contains("${{") {
                            // `!startsWith(github.ref, 'refs/tags/')` and the like turn the
                            // cache off on exactly the tag runs that publish.
                            let e = t.replace(' ', "");
                            let tag_test =
                                e.contains("refs/tags/") || e.contains("ref_type=='tag'");
                            !(release && !release_branch && e.contains("{{!") && tag_test)
                        } else if off.is_empty() {
                            !t.is_empty() && t != "false"
                        } else if off == "true" {
                            !truthy(t)
                        } else if off == "false" {
                            truthy(t)
                        } else {
                            t != off
                        }
                    }
                };
                if on {
                    let u = step.node.get("uses").unwrap_or(step.node);
                    let why = if input.is_empty() {
                        "the action always restores from its cache".to_string()
                    } else if v.is_none() {
                        format!("omitting `{input}` enables caching")
                    } else {
                        format!("`{input}` enables caching")
                    };
                    out.push(doc.finding(
                        &INFO,
                        u,
                        &format!("{}.uses", step.route),
                        format!("{why} in a workflow that publishes"),
                    ));
                }
            }
        }
    }
}
