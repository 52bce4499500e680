//! `ci/dangerous-triggers`: `pull_request_target` and `workflow_run`.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/dangerous-triggers",
    name: "Dangerous workflow trigger",
    severity: Severity::High,
    confidence: Confidence::Medium,
    summary: "The workflow runs on `pull_request_target`, `workflow_run` or `issue_comment`, which run with the base repository's token and secrets on events outsiders cause.",
    docs: r#"`pull_request_target` and `workflow_run` exist so that fork pull requests can be labelled
or commented on with a write token. Any step that checks out, builds or interpolates the
pull request's content hands that token and the repository secrets to the pull request
author ("pwn request").

NOT OK:
```yaml
on: pull_request_target
```

OK:
```yaml
on: pull_request
```"#,
    fix: "Use `pull_request` (no secrets, read-only token) unless the job truly needs write access; then never check out or run the pull request's code in it.",
    tags: &["SP-23", "SP-03", "CWE-829"],
    zizmor: Some("dangerous-triggers"),
};

pub struct DangerousTriggers;

impl Audit for DangerousTriggers {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        for (name, node) in model::triggers(doc.root) {
            if model::PRIVILEGED_TRIGGERS.contains(&name.as_str()) || name == "issue_comment" {
                out.push(doc.finding(
                    &INFO,
                    node,
                    &format!("on.{name}"),
                    format!("{name} runs with a write token and secrets on events outsiders cause"),
                ));
            }
        }
    }
}
