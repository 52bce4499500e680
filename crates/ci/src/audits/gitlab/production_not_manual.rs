//! `ci/gitlab-production-not-manual`: production deploys that run without a manual gate.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use crate::yaml::Node;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/gitlab-production-not-manual",
    name: "Production deploy without a manual gate",
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    summary: "A job deploying to a production-like environment (`production`, `prod`, `live`) runs automatically: no `when: manual` on the job or in its rules.",
    docs: r#"A human decision before production is the checklist's SP-15. In the file, GitLab
expresses it as `when: manual` (optionally with a protected environment requiring
approval). A production job that runs on every push to the default branch ships whatever
was merged, including a compromised merge.

NOT OK:
```yaml
deploy:
  environment: production
  script: ./deploy.sh
```

OK:
```yaml
deploy:
  environment: production
  when: manual
  script: ./deploy.sh
```"#,
    fix: "Add `when: manual` (and protect the environment with required approvals).",
    tags: &["SP-15", "SP-22"],
    zizmor: None,
};

pub struct ProductionNotManual;

fn env_name(n: &Node) -> &str {
    n.get("name").map(|x| x.text()).unwrap_or_else(|| n.text())
}

impl Audit for ProductionNotManual {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::GitLab]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        for (id, job) in model::gitlab_jobs(doc.root) {
            let Some((env, route)) = super::job::lookup(doc.root, id, job, "environment") else {
                continue;
            };
            let name = env_name(env).to_ascii_lowercase();
            if !(name.starts_with("prod") || name == "live" || name.contains("production")) {
                continue;
            }
            let manual_job = super::job::lookup(doc.root, id, job, "when")
                .is_some_and(|(w, _)| w.text() == "manual");
            let manual_rules =
                super::job::lookup(doc.root, id, job, "rules").is_some_and(|(r, _)| {
                    r.items()
                        .iter()
                        .any(|x| x.get("when").is_some_and(|w| w.text() == "manual"))
                });
            if !manual_job && !manual_rules {
                out.push(doc.finding(
                    &INFO,
                    env.get("name").unwrap_or(env),
                    &route,
                    format!(
                        "job `{id}` deploys to `{}` without `when: manual`",
                        env_name(env)
                    ),
                ));
            }
        }
    }
}
