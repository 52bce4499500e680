//! `ci/gitlab-artifacts-secrets`: artifacts that include credential files.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/gitlab-artifacts-secrets",
    name: "Artifacts expose credential files",
    severity: Severity::High,
    confidence: Confidence::Medium,
    summary: "`artifacts:paths` includes files that usually hold credentials (`.env`, `*.pem`, `*.key`, `id_rsa`, `kubeconfig`, `.npmrc`, `.pypirc`, `*.tfstate`, `.docker/config.json`) or the whole workspace.",
    docs: r#"Job artifacts can be downloaded by anyone who can view the pipeline (on public projects:
everyone) for as long as they are kept. A credential file written during the job and
swept into the artifact is published.

NOT OK:
```yaml
artifacts:
  paths:
    - .env
    - terraform.tfstate
```

OK:
```yaml
artifacts:
  paths:
    - dist/
```"#,
    fix: "List only the build outputs in `artifacts:paths`; keep credentials out of the workspace or delete them in `after_script`.",
    tags: &["SP-07", "CWE-538"],
    zizmor: None,
};

const PATTERNS: &[&str] = &[
    ".env",
    ".pem",
    ".key",
    "id_rsa",
    "id_ed25519",
    "kubeconfig",
    ".kube",
    ".npmrc",
    ".pypirc",
    ".tfstate",
    ".docker/config.json",
    "credentials",
    ".netrc",
    ".p12",
    ".pfx",
    "secrets",
];

pub struct ArtifactsSecrets;

impl Audit for ArtifactsSecrets {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::GitLab]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        for (id, job) in model::gitlab_jobs(doc.root) {
            let Some(a) = job.get("artifacts") else {
                continue;
            };
            let Some(paths) = a.get("paths") else {
                continue;
            };
            for (i, p) in paths.items().iter().enumerate() {
                let t = p.text().to_ascii_lowercase();
                let hit = PATTERNS.iter().any(|x| {
                    t.ends_with(x) || t.contains(&format!("{x}/")) || t.contains(&format!("/{x}"))
                }) || t == "."
                    || t == "./"
                    || t == "*"
                    || t == "**";
                if hit {
                    out.push(doc.finding(
                        &INFO,
                        p,
                        &format!("{id}.artifacts.paths[{i}]"),
                        format!("artifact path `{}` may publish credentials", p.text()),
                    ));
                }
            }
        }
    }
}
