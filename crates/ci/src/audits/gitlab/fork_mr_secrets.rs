//! `ci/gitlab-fork-mr-secrets`: secret-holding or deploy jobs that run for merge requests.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/gitlab-fork-mr-secrets",
    name: "Secret-holding job runs for merge requests",
    severity: Severity::High,
    confidence: Confidence::Low,
    summary: "A job that deploys or reads credential variables has `rules`/`only` that run it on `merge_request_event`, so merge requests (from forks, when parent-project pipelines are enabled) run it with the MR author's code.",
    docs: r#"Merge request pipelines run the merge request's version of `.gitlab-ci.yml` and scripts.
When fork MRs run in the parent project (a common setting for contributor CI), jobs that
receive unprotected credentials or deploy hand them to the MR author. Credential jobs
should run only on protected branches and tags.

NOT OK:
```yaml
publish:
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  script:
    - npm publish --token $NPM_TOKEN
```

OK:
```yaml
publish:
  rules:
    - if: $CI_COMMIT_TAG
```"#,
    fix: "Restrict the job to protected refs (`if: $CI_COMMIT_REF_PROTECTED == \"true\"` or tags) and mark its variables protected.",
    tags: &["SP-23", "SP-07", "SP-22"],
    zizmor: None,
};

pub struct ForkMrSecrets;

impl Audit for ForkMrSecrets {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::GitLab]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        for (id, job) in model::gitlab_jobs(doc.root) {
            let mr = super::job::lookup(doc.root, id, job, "rules")
                .and_then(|(r, route)| {
                    r.items().iter().enumerate().find_map(|(i, x)| {
                        let c = x.get("if")?;
                        let t = c.text();
                        (t.contains("merge_request_event")
                            && !t.contains("!=")
                            && x.get("when").is_none_or(|w| w.text() != "never"))
                        .then(|| (c, format!("{route}[{i}].if")))
                    })
                })
                .or_else(|| {
                    super::job::lookup(doc.root, id, job, "only").and_then(|(o, route)| {
                        let list = o.get("refs").unwrap_or(o);
                        list.items()
                            .iter()
                            .enumerate()
                            .find(|(_, x)| x.text() == "merge_requests")
                            .map(|(i, x)| (x, format!("{route}[{i}]")))
                    })
                });
            let Some((cond, route)) = mr else { continue };
            let script = super::job::script_text(doc.root, id, job);
            let secret = ["TOKEN", "SECRET", "PASSWORD", "_KEY"].iter().any(|w| {
                script.split(['$', '{']).skip(1).any(|v| {
                    let name: String = v
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    name.contains(w) && !name.starts_with("CI_")
                })
            });
            if secret || super::job::is_deploy(doc.root, id, job) {
                out.push(doc.finding(
                    &INFO,
                    cond,
                    &route,
                    format!("job `{id}` uses credentials or deploys, and runs for merge request pipelines"),
                ));
            }
        }
    }
}
