//! `ci/deploy-without-environment`: deploy or publish jobs without `environment:`.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/deploy-without-environment",
    name: "Deploy job without an environment",
    severity: Severity::High,
    confidence: Confidence::Medium,
    summary: "A job that deploys or publishes (by name, deploy actions or commands such as `npm publish`, `kubectl apply`, `terraform apply`) declares no `environment:`, so no approval or branch protection gates it.",
    docs: r#"Deployment environments are GitHub's gate: required reviewers, wait timers, branch and
tag restrictions, and environment-scoped secrets. A deploy job without one ships from any
branch that can run the workflow, with nobody approving.

NOT OK:
```yaml
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: kubectl apply -f k8s/
```

OK:
```yaml
jobs:
  deploy:
    environment: production
```"#,
    fix: "Add `environment: <name>` to the job and configure protection rules (reviewers, allowed branches) for that environment.",
    tags: &["SP-22", "SP-15", "SP-02"],
    zizmor: None,
};

pub struct DeployWithoutEnvironment;

impl Audit for DeployWithoutEnvironment {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        for (id, job) in model::jobs(doc.root) {
            if job.node.get("uses").is_some() || model::job_environment(job.node).is_some() {
                continue;
            }
            if model::looks_like_deploy(id, job.node) {
                out.push(doc.finding(
                    &INFO,
                    job.key.unwrap_or(job.node),
                    &job.route,
                    format!("job `{id}` deploys or publishes without an environment"),
                ));
            }
        }
    }
}
