//! `ci/gitlab-deploy-without-environment`: deploy jobs with no `environment:`.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/gitlab-deploy-without-environment",
    name: "GitLab deploy job without an environment",
    severity: Severity::High,
    confidence: Confidence::Medium,
    summary: "A job that deploys or publishes (by name, stage or commands) has no `environment:`, so protected environments, approvals and deployment tracking do not apply.",
    docs: r#"Protected environments are GitLab's deploy gate: only allowed users or groups can run
jobs for them, approvals can be required, and environment-scoped variables are only given
to those jobs. Without `environment:` a deploy job runs for anyone who can run pipelines.

NOT OK:
```yaml
deploy:
  stage: deploy
  script: ./deploy.sh
```

OK:
```yaml
deploy:
  stage: deploy
  environment: production
  script: ./deploy.sh
```"#,
    fix: "Add `environment: <name>` and protect the environment in the project settings.",
    tags: &["SP-22", "SP-15"],
    zizmor: None,
};

pub struct GitlabDeployWithoutEnvironment;

impl Audit for GitlabDeployWithoutEnvironment {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::GitLab]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        for (id, job) in model::gitlab_jobs(doc.root) {
            if super::job::lookup(doc.root, id, job, "environment").is_some()
                || job.get("trigger").is_some()
            {
                continue;
            }
            if super::job::is_deploy(doc.root, id, job) {
                let key = doc.root.get_key(id).unwrap_or(job);
                out.push(doc.finding(
                    &INFO,
                    key,
                    id,
                    format!("job `{id}` deploys without an environment"),
                ));
            }
        }
    }
}
