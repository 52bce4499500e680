//! `ci/typosquat-uses`: action names one edit away from a popular action.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/typosquat-uses",
    name: "Possible typosquatted action",
    severity: Severity::High,
    confidence: Confidence::Medium,
    summary: "The action's `owner/repo` is one or two edits away from a popular action but is not it.",
    docs: r#"Attackers register look-alike names (`actons/checkout`, `action/checkout`) hoping a typo
runs their code with the workflow's secrets. The list of popular actions is bundled.

NOT OK:
```yaml
- uses: actons/checkout@v4
```

OK:
```yaml
- uses: actions/checkout@v4
```"#,
    fix: "Correct the name; pin the action to a commit SHA you have reviewed.",
    tags: &["SP-10", "CWE-1357"],
    zizmor: Some("typosquat-uses"),
};

pub const POPULAR: &[&str] = &[
    "actions/checkout",
    "actions/setup-node",
    "actions/setup-python",
    "actions/setup-go",
    "actions/setup-java",
    "actions/cache",
    "actions/upload-artifact",
    "actions/download-artifact",
    "actions/github-script",
    "actions/create-github-app-token",
    "docker/login-action",
    "docker/build-push-action",
    "docker/setup-buildx-action",
    "docker/setup-qemu-action",
    "docker/metadata-action",
    "aws-actions/configure-aws-credentials",
    "google-github-actions/auth",
    "azure/login",
    "github/codeql-action",
    "softprops/action-gh-release",
    "peaceiris/actions-gh-pages",
    "pypa/gh-action-pypi-publish",
    "dtolnay/rust-toolchain",
    "swatinem/rust-cache",
    "codecov/codecov-action",
    "pnpm/action-setup",
    "astral-sh/setup-uv",
    "hashicorp/setup-terraform",
];

/// Levenshtein distance, capped at 3 (small strings; no crate needed for this).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > 2 {
        return 3;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()].min(3)
}

pub struct TyposquatUses;

impl Audit for TyposquatUses {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow, DocKind::Action]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        for (_, step) in model::all_steps(doc.root) {
            let Some(slug) = model::step_action(step.node) else {
                continue;
            };
            if POPULAR.contains(&slug.as_str()) {
                continue;
            }
            // A near-miss repository under the popular action's own owner cannot be
            // registered by a squatter: it is a broken reference, not a typosquat.
            let owner = slug.split('/').next().unwrap_or("");
            if let Some(p) = POPULAR.iter().find(|p| {
                if p.split('/').next() == Some(owner) {
                    return false;
                }
                let d = distance(&slug, p);
                d > 0 && d <= if p.len() > 12 { 2 } else { 1 }
            }) {
                let u = step.node.get("uses").unwrap_or(step.node);
                out.push(doc.finding(
                    &INFO,
                    u,
                    &format!("{}.uses", step.route),
                    format!("`{slug}` looks like a typo of `{p}`"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn distance() {
        assert_eq!(super::distance("actons/checkout", "actions/checkout"), 1);
        assert_eq!(super::distance("a", "a"), 0);
    }
}
