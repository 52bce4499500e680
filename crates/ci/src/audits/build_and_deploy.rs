//! `ci/build-and-deploy`: one job both builds untrusted code paths and deploys.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/build-and-deploy",
    name: "Job both builds and deploys",
    severity: Severity::Low,
    confidence: Confidence::Medium,
    summary: "A job runs package installs/builds (which execute dependency code) and also holds deploy or publish credentials in the same job.",
    docs: r#"`npm install`, `pip install` and build scripts run code from every dependency. When the same
job holds publish or deploy credentials, one malicious dependency can use them. Build in one
job (no secrets), hand the artifact to a deploy job (secrets, environment) that only ships.

NOT OK:
```yaml
publish:
  steps:
    - run: npm ci && npm run build
    - run: npm publish
```

OK:
```yaml
build:
  steps:
    - run: npm ci && npm run build
    - uses: actions/upload-artifact@v4
publish:
  needs: build
  environment: npm
```"#,
    fix: "Split the job: build (no secrets) → artifact → deploy job with the environment and credentials.",
    tags: &["SP-02", "SP-22"],
    zizmor: None,
};

const BUILD: &[&str] = &[
    "npm ci",
    "npm install",
    "yarn install",
    "pnpm install",
    "pip install",
    "cargo build",
    "go build",
    "make",
    "mvn package",
    "gradle build",
    "./gradlew",
    "poetry install",
    "uv sync",
    "bundle install",
    "npm run build",
];

pub struct BuildAndDeploy;

impl Audit for BuildAndDeploy {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        for (id, job) in model::jobs(doc.root) {
            let steps = model::steps(job.node, &job.route);
            let builds = steps.iter().any(|s| {
                let r = s.node.get("run").map(|r| r.text()).unwrap_or("");
                BUILD.iter().any(|b| r.contains(b))
            });
            let deploys = steps.iter().any(|s| {
                let r = s.node.get("run").map(|r| r.text()).unwrap_or("");
                model::run_deploys(r)
                    || model::step_action(s.node)
                        .is_some_and(|a| model::DEPLOY_ACTIONS.contains(&a.as_str()))
            });
            if builds && deploys {
                out.push(doc.finding(
                    &INFO,
                    job.key.unwrap_or(job.node),
                    &job.route,
                    format!("job `{id}` installs/builds dependencies and deploys in the same job"),
                ));
            }
        }
    }
}
