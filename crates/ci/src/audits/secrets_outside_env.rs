//! `ci/secrets-outside-env`: secrets used by a job that has no deployment environment.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/secrets-outside-env",
    name: "Secret used outside an environment",
    severity: Severity::Low,
    confidence: Confidence::Low,
    summary: "A job reads repository secrets without an `environment:`, so no environment protection rule (reviewers, branch restrictions) guards them.",
    docs: r#"Secrets stored as environment secrets are only released to jobs that name the
environment, and environments can require reviewers and restrict branches. Repository
secrets read by a job without `environment:` are available to any branch that can edit
the workflow. `secrets.GITHUB_TOKEN` is not counted.

NOT OK:
```yaml
jobs:
  deploy:
    steps:
      - run: ./deploy
        env:
          KEY: ${{ secrets.DEPLOY_KEY }}
```

OK:
```yaml
jobs:
  deploy:
    environment: production
```"#,
    fix: "Move the secret to a deployment environment and add `environment:` to the job.",
    tags: &["SP-07", "SP-22", "CWE-284"],
    zizmor: Some("secrets-outside-env"),
};

pub struct SecretsOutsideEnv;

impl Audit for SecretsOutsideEnv {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        for (_, job) in model::jobs(doc.root) {
            if model::job_environment(job.node).is_some() || job.node.get("uses").is_some() {
                continue;
            }
            let mut scalars = Vec::new();
            job.node.walk_scalars(&job.route, &mut scalars);
            for (route, n) in scalars {
                for e in model::expressions(n.text()) {
                    let names: Vec<String> = model::contexts(&e.inner)
                        .into_iter()
                        .filter(|c| c.starts_with("secrets.") && c != "secrets.github_token")
                        .collect();
                    if let Some(name) = names.first() {
                        out.push(doc.finding(
                            &INFO,
                            n,
                            &route,
                            format!("`{name}` is used by a job without an environment"),
                        ));
                    }
                }
            }
        }
    }
}
