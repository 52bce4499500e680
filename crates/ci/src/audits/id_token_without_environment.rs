//! `ci/id-token-without-environment`: `id-token: write` granted to a job without `environment:`.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/id-token-without-environment",
    name: "OIDC token without an environment",
    severity: Severity::Medium,
    confidence: Confidence::High,
    summary: "A job may mint OIDC tokens (`id-token: write`) but has no `environment:`, so cloud trust policies cannot require the protected environment claim.",
    docs: r#"Cloud trust policies should match the OIDC token's `environment` claim (or
`job_workflow_ref`), not just the repository: otherwise any branch, and any workflow in the
repository, can assume the deploy role. Binding the job to an environment puts the token
behind the environment's reviewers and branch rules. Workflow-level grants count for every
job that does not override them.

NOT OK:
```yaml
jobs:
  release:
    permissions:
      id-token: write
```

OK:
```yaml
jobs:
  release:
    environment: release
    permissions:
      id-token: write
```"#,
    fix: "Add `environment:` to the job and match the environment claim in the cloud's trust policy.",
    tags: &["SP-08", "SP-22"],
    zizmor: None,
};

pub struct IdTokenWithoutEnvironment;

impl Audit for IdTokenWithoutEnvironment {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        let wf = model::permissions(doc.root);
        for (id, job) in model::jobs(doc.root) {
            if job.node.get("uses").is_some() || model::job_environment(job.node).is_some() {
                continue;
            }
            let (perms, route) = match model::permissions(job.node) {
                Some(p) => (p, format!("{}.permissions", job.route)),
                None => match wf {
                    Some(p) => (p, "permissions".to_string()),
                    None => continue,
                },
            };
            if model::grants_write(perms, "id-token") {
                let at = perms.get_key("id-token").unwrap_or(perms);
                out.push(doc.finding(
                    &INFO,
                    at,
                    &format!("{route}.id-token"),
                    format!("job `{id}` can mint OIDC tokens but has no environment"),
                ));
            }
        }
    }
}
