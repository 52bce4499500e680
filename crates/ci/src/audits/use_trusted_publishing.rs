//! `ci/use-trusted-publishing`: registry tokens used where the registry offers OIDC trusted publishing.

use crate::model;
use crate::{Audit, Doc, DocKind, Info};
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/use-trusted-publishing",
    name: "Long-lived registry token where trusted publishing exists",
    severity: Severity::Medium,
    confidence: Confidence::High,
    summary: "A package is published with a stored API token to a registry (PyPI, npm, crates.io, RubyGems) that supports OIDC trusted publishing.",
    docs: r#"Trusted publishing exchanges the job's OIDC token for a short-lived upload credential,
bound to this repository and workflow. A stored token works from anywhere until someone
revokes it, and leaks through logs, forks and compromised actions.

NOT OK:
```yaml
- run: cargo publish --token ${{ secrets.CRATES_IO_TOKEN }}
```

OK:
```yaml
permissions:
  id-token: write
steps:
  - uses: rust-lang/crates-io-auth-action@v1
    id: auth
  - run: cargo publish
    env:
      CARGO_REGISTRY_TOKEN: ${{ steps.auth.outputs.token }}
```"#,
    fix: "Configure trusted publishing on the registry, grant `id-token: write` to the publishing job (with an `environment:`) and delete the stored token.",
    tags: &["SP-08", "SP-07", "CWE-798"],
    zizmor: Some("use-trusted-publishing"),
};

const COMMANDS: &[&str] = &[
    "cargo publish",
    "cargo workspaces publish",
    "twine upload",
    "uv publish",
    "poetry publish",
    "hatch publish",
    "gem push",
    "npm publish",
    "pnpm publish",
    "yarn npm publish",
];

pub struct UseTrustedPublishing;

impl Audit for UseTrustedPublishing {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow, DocKind::Action]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        for (job, step) in model::all_steps(doc.root) {
            let id_token = job
                .and_then(model::permissions)
                .or_else(|| model::permissions(doc.root))
                .map(|p| model::grants_write(p, "id-token"))
                .unwrap_or(false);
            // A stored PyPI password is reported even with id-token: write: it is used first.
            if model::step_action(step.node).as_deref() == Some("pypa/gh-action-pypi-publish")
                && let (Some(_), Some(u)) = (
                    step.node.get("with").and_then(|w| w.get("password")),
                    step.node.get("uses"),
                )
            {
                out.push(doc.finding(
                    &INFO,
                    u,
                    &format!("{}.uses", step.route),
                    "PyPI upload with a stored token; PyPI supports trusted publishing".into(),
                ));
            }
            if id_token {
                continue;
            }
            if let Some(run) = step.node.get("run") {
                let t = run.text();
                let live = |c: &str| t.lines().any(|l| l.contains(c) && !l.contains("--dry-run"));
                if let Some(c) = COMMANDS.iter().find(|c| live(c)) {
                    let off = doc
                        .src
                        .get(run.start..)
                        .and_then(|s| s.find(*c))
                        .map(|i| run.start + i)
                        .unwrap_or(run.start);
                    out.push(doc.finding_at(
                        &INFO,
                        off,
                        off + c.len(),
                        &format!("{}.run", step.route),
                        format!("`{c}` without trusted publishing (no id-token: write)"),
                    ));
                }
            }
        }
    }
}
