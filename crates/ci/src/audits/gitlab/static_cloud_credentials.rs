//! `ci/gitlab-static-cloud-credentials`: cloud CLIs fed static keys instead of `id_tokens`.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/gitlab-static-cloud-credentials",
    name: "GitLab static cloud credentials instead of id_tokens",
    severity: Severity::High,
    confidence: Confidence::Medium,
    summary: "A job uses long-lived cloud keys (`AWS_SECRET_ACCESS_KEY`, `GOOGLE_APPLICATION_CREDENTIALS` key files, `ARM_CLIENT_SECRET`…) and declares no `id_tokens:` for OIDC federation.",
    docs: r#"GitLab issues OIDC ID tokens (`id_tokens:`) that AWS, Google Cloud, Azure and Vault accept
in exchange for short-lived credentials bound to the project, branch and environment.
Static keys in CI/CD variables work from anywhere until someone rotates them.

NOT OK:
```yaml
deploy:
  script:
    - aws s3 sync dist s3://bucket   # uses $AWS_SECRET_ACCESS_KEY from CI/CD variables
  variables:
    AWS_ACCESS_KEY_ID: $PROD_KEY_ID
```

OK:
```yaml
deploy:
  id_tokens:
    AWS_TOKEN:
      aud: https://gitlab.example.com
  script:
    - aws sts assume-role-with-web-identity --role-arn "$ROLE" --web-identity-token "$AWS_TOKEN" …
```"#,
    fix: "Configure OIDC federation with the cloud, add `id_tokens:` to the job, and delete the static key variables.",
    tags: &["SP-08", "SP-07", "CWE-798"],
    zizmor: None,
};

const KEYS: &[&str] = &[
    "AWS_SECRET_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "GCLOUD_SERVICE_KEY",
    "GCP_SERVICE_KEY",
    "ARM_CLIENT_SECRET",
    "AZURE_CLIENT_SECRET",
];

pub struct GitlabStaticCloudCredentials;

impl Audit for GitlabStaticCloudCredentials {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::GitLab]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        for (id, job) in model::gitlab_jobs(doc.root) {
            if super::job::lookup(doc.root, id, job, "id_tokens").is_some() {
                continue;
            }
            let vars = super::job::variables(doc.root, id, job);
            if let Some((k, _, route)) = vars.iter().find(|(k, _, _)| KEYS.contains(&k.text())) {
                out.push(doc.finding(
                    &INFO,
                    k,
                    route,
                    format!(
                        "job `{id}` uses static cloud key `{}` and no id_tokens",
                        k.text()
                    ),
                ));
                continue;
            }
            for (route, n) in model::gitlab_scripts(id, job) {
                if let Some(key) = KEYS.iter().find(|k| {
                    n.text().contains(&format!("${k}")) || n.text().contains(&format!("${{{k}}}"))
                }) {
                    out.push(doc.finding(
                        &INFO,
                        n,
                        &route,
                        format!("job `{id}` reads static cloud key `{key}` and has no id_tokens"),
                    ));
                    break;
                }
            }
        }
    }
}
