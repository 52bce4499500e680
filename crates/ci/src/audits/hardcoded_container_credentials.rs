//! `ci/hardcoded-container-credentials`: a registry password written in `container:`/`services:`.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use crate::yaml::Node;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/hardcoded-container-credentials",
    name: "Container registry password in the workflow",
    severity: Severity::High,
    confidence: Confidence::High,
    summary: "A job's `container.credentials.password` or a service's `credentials.password` is a literal, so the registry password is in the repository for anyone who can read it.",
    docs: r#"`container:` and `services:` accept `credentials: {username, password}` to pull images from
a private registry. Written as a literal, the password is committed to git (and to every
fork and clone), cannot be rotated without a commit, and is not masked in logs. GitHub's
documentation expects the value to come from a secret.

NOT OK:
```yaml
container:
  image: registry.example.com/build:1.2
  credentials:
    username: ci
    password: hunter2
```

OK:
```yaml
container:
  image: registry.example.com/build:1.2
  credentials:
    username: ci
    password: ${{ secrets.REGISTRY_PASSWORD }}
```"#,
    fix: "Revoke the password, store a new one as a secret and reference it with `${{ secrets.NAME }}` (for ghcr.io, use `${{ github.token }}`).",
    tags: &["SP-31", "CWE-798"],
    zizmor: Some("hardcoded-container-credentials"),
};

pub struct HardcodedContainerCredentials;

/// The byte range from the `credentials` key to the end of its mapping, when the password of
/// the container/service definition is a literal (so that an ignore comment on the password
/// line is within the finding's span).
fn literal_password(container: &Node) -> Option<(usize, usize)> {
    let creds = container.get("credentials")?;
    let pw = creds.get("password")?;
    let lit = pw
        .str()
        .is_some_and(|p| !p.trim().is_empty() && !p.contains("${{"));
    let start = container
        .get_key("credentials")
        .map_or(creds.start, |k| k.start);
    lit.then_some((start, creds.end.max(pw.end)))
}

impl Audit for HardcodedContainerCredentials {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        for (_, job) in model::jobs(doc.root) {
            if let Some(c) = job.node.get("container")
                && let Some((a, b)) = literal_password(c)
            {
                out.push(doc.finding_at(
                    &INFO,
                    a,
                    b,
                    &format!("{}.container.credentials", job.route),
                    "the job container's registry password is written in the workflow".into(),
                ));
            }
            for (name, svc) in job.node.get("services").map(|s| s.entries()).unwrap_or(&[]) {
                if let Some((a, b)) = literal_password(svc) {
                    out.push(doc.finding_at(
                        &INFO,
                        a,
                        b,
                        &format!("{}.services.{}.credentials", job.route, name.text()),
                        format!(
                            "service `{}`: the registry password is written in the workflow",
                            name.text()
                        ),
                    ));
                }
            }
        }
    }
}
