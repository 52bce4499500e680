//! `ci/self-hosted-runner`: jobs on self-hosted runners.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use crate::yaml::Value;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/self-hosted-runner",
    name: "Self-hosted runner",
    severity: Severity::Low,
    confidence: Confidence::High,
    summary: "A job runs on a self-hosted runner; on public repositories or untrusted triggers, outsiders' code runs on a persistent machine inside your network.",
    docs: r#"Self-hosted runners are not ephemeral by default: a job can leave a backdoor for later
jobs, read other jobs' secrets, and reach the internal network. Reported with high
severity when the workflow runs on events outsiders cause (`pull_request*`,
`issue_comment`…).

NOT OK:
```yaml
runs-on: [self-hosted, linux]
```

OK:
```yaml
runs-on: ubuntu-24.04
```"#,
    fix: "Use GitHub-hosted or ephemeral (just-in-time) runners for jobs reachable by untrusted changes.",
    tags: &["SP-03", "CWE-250"],
    zizmor: Some("self-hosted-runner"),
};

pub struct SelfHostedRunner;

impl Audit for SelfHostedRunner {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        let external = model::EXTERNAL_TRIGGERS
            .iter()
            .any(|t| model::has_trigger(doc.root, t));
        for (_, job) in model::jobs(doc.root) {
            let Some(r) = job.node.get("runs-on") else {
                continue;
            };
            let labels: Vec<&str> = match &r.value {
                Value::Scalar(s, _) => vec![s.as_str()],
                Value::Seq(items) => items.iter().map(|i| i.text()).collect(),
                Value::Map(_) => r
                    .get("labels")
                    .map(|l| match &l.value {
                        Value::Seq(items) => items.iter().map(|i| i.text()).collect(),
                        _ => vec![l.text()],
                    })
                    .unwrap_or_default(),
            };
            let group = r.get("group").is_some();
            if labels.iter().any(|l| l.eq_ignore_ascii_case("self-hosted")) || group {
                let mut f = doc.finding(
                    &INFO,
                    r,
                    &format!("{}.runs-on", job.route),
                    "job runs on a self-hosted runner".into(),
                );
                if external {
                    f.severity = Severity::High;
                    f.message
                        .push_str(" in a workflow that outsiders can trigger");
                }
                out.push(f);
            }
        }
    }
}
