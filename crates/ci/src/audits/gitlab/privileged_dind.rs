//! `ci/gitlab-privileged-dind`: Docker-in-Docker services (privileged runners).

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/gitlab-privileged-dind",
    name: "Privileged Docker-in-Docker",
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    summary: "A job uses the `docker:dind` service, which needs a privileged runner: code in the job can take over the runner host; with `DOCKER_TLS_CERTDIR: \"\"` the daemon also listens without TLS.",
    docs: r#"`docker:dind` only works on runners with `privileged = true`; a privileged container is
root on the host. Any merge request that can change the job's script can then persist on the
runner and read other projects' jobs. Disabling TLS exposes the daemon on port 2375 to
every container on the network.

NOT OK:
```yaml
build:
  services:
    - docker:27-dind
  variables:
    DOCKER_TLS_CERTDIR: ""
```

OK:
```yaml
build:
  image: gcr.io/kaniko-project/executor:v1.23.2-debug
  script:
    - /kaniko/executor --context . --destination $IMAGE
```"#,
    fix: "Build images without a privileged daemon (kaniko, buildah, BuildKit rootless), or confine dind to dedicated, ephemeral runners with TLS on.",
    tags: &["SP-03", "CWE-250"],
    zizmor: None,
};

pub struct PrivilegedDind;

impl Audit for PrivilegedDind {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::GitLab]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        for (id, job) in model::gitlab_jobs(doc.root) {
            let Some((svcs, route)) = super::job::lookup(doc.root, id, job, "services") else {
                continue;
            };
            for (i, s) in svcs.items().iter().enumerate() {
                let Some(name) = model::gitlab_image_name(s) else {
                    continue;
                };
                if !name.text().contains("dind") {
                    continue;
                }
                let mut f = doc.finding(
                    &INFO,
                    name,
                    &format!("{route}[{i}]"),
                    format!("job `{id}` needs a privileged runner for docker:dind"),
                );
                if tls_off(doc.root, id, job) {
                    f.severity = Severity::High;
                    f.message.push_str(" and disables the daemon's TLS");
                }
                out.push(f);
            }
        }
    }
}

/// `DOCKER_TLS_CERTDIR: ""` or `DOCKER_HOST: tcp://…:2375`.
fn tls_off(root: &crate::yaml::Node, id: &str, job: &crate::yaml::Node) -> bool {
    super::job::variables(root, id, job)
        .iter()
        .any(|(k, v, _)| {
            let v = super::job::var_value(v).text();
            (k.text() == "DOCKER_TLS_CERTDIR" && v.is_empty())
                || (k.text() == "DOCKER_HOST" && v.contains(":2375"))
        })
}
