//! `ci/artipacked`: `actions/checkout` leaving the token in `.git/config`.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/artipacked",
    name: "Checkout persists credentials",
    severity: Severity::Medium,
    confidence: Confidence::Low,
    summary: "`actions/checkout` without `persist-credentials: false` writes the job token into `.git/config`, where later steps, uploaded artifacts and caches can read it.",
    docs: r#"By default `actions/checkout` stores the `GITHUB_TOKEN` in the checkout's git config so
later `git push` works. Every later step (including third-party actions and build scripts)
can read it, and an `upload-artifact` of the workspace publishes it ("ArtiPACKED").
Reported with high severity when the same job uploads an artifact.

NOT OK:
```yaml
- uses: actions/checkout@v4
```

OK:
```yaml
- uses: actions/checkout@v4
  with:
    persist-credentials: false
```"#,
    fix: "Add `with: persist-credentials: false` (tollgate `--fix` does it where no later step of the job uses the stored credentials); push with an explicit token in the one step that needs it.",
    tags: &["SP-02", "SP-07", "CWE-522"],
    zizmor: Some("artipacked"),
};

pub struct Artipacked;

impl Audit for Artipacked {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow, DocKind::Action]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        for (job, step) in model::all_steps(doc.root) {
            if model::step_action(step.node).as_deref() != Some("actions/checkout") {
                continue;
            }
            let persist = step
                .node
                .get("with")
                .and_then(|w| w.get("persist-credentials"));
            if persist.and_then(|p| p.as_bool()) == Some(false) {
                continue;
            }
            let uploads = job
                .map(|j| {
                    model::steps(j, "").iter().any(|s| {
                        model::step_action(s.node).as_deref() == Some("actions/upload-artifact")
                    })
                })
                .unwrap_or(false);
            let mut f = doc.finding(
                &INFO,
                step.node,
                &step.route,
                "checkout does not set persist-credentials: false".into(),
            );
            if uploads {
                f.severity = Severity::High;
                f.confidence = Confidence::Medium;
                f.message.push_str(" and the job uploads an artifact");
            }
            out.push(f);
        }
    }
}
