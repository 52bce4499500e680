//! `ci/superfluous-actions`: third-party actions that wrap a command the runner already has.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/superfluous-actions",
    name: "Third-party action replaceable by a command",
    severity: Severity::Info,
    confidence: Confidence::High,
    summary: "A third-party action does what a preinstalled command (`gh`, `docker`) does, adding a supplier with access to the job's token for nothing.",
    docs: r#"Every third-party action is code from another party running with your token. When the
runner already has a tool for the job (`gh release create`, `docker run`), the action only
adds risk.

NOT OK:
```yaml
- uses: softprops/action-gh-release@v2
```

OK:
```yaml
- run: gh release create "$TAG" dist/*
  env:
    GH_TOKEN: ${{ github.token }}
```"#,
    fix: "Replace the action with the preinstalled command.",
    tags: &["SP-10", "SP-02"],
    zizmor: Some("superfluous-actions"),
};

const SUPERFLUOUS: &[(&str, &str)] = &[
    (
        "softprops/action-gh-release",
        "use `gh release` in a script step",
    ),
    (
        "ncipollo/release-action",
        "use `gh release` in a script step",
    ),
    (
        "actions/create-release",
        "use `gh release` in a script step",
    ),
    (
        "addnab/docker-run-action",
        "use `docker run` in a script step",
    ),
    (
        "svenstaro/upload-release-action",
        "use `gh release upload` in a script step",
    ),
];

pub struct SuperfluousActions;

impl Audit for SuperfluousActions {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow, DocKind::Action]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        for (_, step) in model::all_steps(doc.root) {
            let Some(a) = model::step_action(step.node) else {
                continue;
            };
            if let Some((_, why)) = SUPERFLUOUS.iter().find(|s| s.0 == a) {
                let u = step.node.get("uses").unwrap_or(step.node);
                out.push(doc.finding(&INFO, u, &format!("{}.uses", step.route), why.to_string()));
            }
        }
    }
}
