//! `ci/cache-poisoning`: caches restored in workflows that publish releases.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use crate::yaml::Node;
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
workflows (triggered by `release`, tag pushes, or that publish) should build from scratch.
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

fn is_release_workflow(doc: &Doc<'_>) -> bool {
    for (t, node) in model::triggers(doc.root) {
        if t == "release" {
            return true;
        }
        if t == "push" {
            if let Some(p) = doc.root.get("on").and_then(|o| o.get("push")) {
                if p.get("tags").is_some() {
                    return true;
                }
                let mut b = Vec::new();
                if let Some(br) = p.get("branches") {
                    br.walk_scalars("", &mut b);
                }
                if b.iter().any(|(_, n)| n.text().contains("release")) {
                    return true;
                }
            }
            let _ = node;
        }
    }
    false
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
        for (_, job) in model::jobs(doc.root) {
            let publisher = model::steps(job.node, "").iter().any(|s| {
                model::step_action(s.node).is_some_and(|a| PUBLISHERS.contains(&a.as_str()))
            });
            if !release && !publisher && !model::looks_like_deploy("", job.node) {
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
