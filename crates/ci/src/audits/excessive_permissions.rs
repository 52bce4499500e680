//! `ci/excessive-permissions`: default (broad) or write-all token permissions.

use crate::model;
use crate::yaml::Value;
use crate::{Audit, Doc, DocKind, Info};
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/excessive-permissions",
    name: "Excessive token permissions",
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    summary: "The workflow or job uses the default `GITHUB_TOKEN` permissions (no `permissions:` block), `write-all`, or write scopes at the workflow level shared by every job.",
    docs: r#"Without a `permissions:` block the token gets the repository's default, which on many
repositories (and all older ones) is read/write on everything. Any compromised step then
can push code, create releases or approve pull requests. Write scopes granted at the
workflow level apply to every job, including the ones that only build.

NOT OK:
```yaml
on: push
jobs:
  test:
    runs-on: ubuntu-latest
```

OK:
```yaml
on: push
permissions: {}
jobs:
  test:
    runs-on: ubuntu-latest
    permissions:
      contents: read
```"#,
    fix: "Add `permissions: {}` at the top and grant each job only the scopes it uses (see `ci/minimal-permissions`; `--fix` adds them).",
    tags: &["SP-02", "CWE-250"],
    zizmor: Some("excessive-permissions"),
};

pub struct ExcessivePermissions;

impl Audit for ExcessivePermissions {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        let jobs = model::jobs(doc.root);
        let wf = model::permissions(doc.root);
        match wf {
            None => {
                // A workflow made only of reusable-workflow calls gets its permissions from them.
                // Reported when some job falls back to the default token permissions.
                if jobs
                    .iter()
                    .any(|(_, j)| model::permissions(j.node).is_none())
                {
                    let first = doc
                        .root
                        .entries()
                        .first()
                        .map(|(k, _)| k)
                        .unwrap_or(doc.root);
                    out.push(doc.finding(
                        &INFO,
                        first,
                        "",
                        "default permissions used: the workflow has no permissions: block".into(),
                    ));
                }
            }
            Some(p) => match &p.value {
                Value::Scalar(s, _) if s == "write-all" => out.push(
                    doc.finding(
                        &INFO,
                        p,
                        "permissions",
                        "write-all at the workflow level".into(),
                    )
                    .pipe_high(),
                ),
                Value::Map(m) if jobs.len() > 1 => {
                    for (k, v) in m {
                        if v.text() == "write" && k.text() != "id-token" {
                            out.push(
                                doc.finding(
                                    &INFO,
                                    k,
                                    &format!("permissions.{}", k.text()),
                                    format!(
                                        "{}: write is overly broad at the workflow level",
                                        k.text()
                                    ),
                                )
                                .pipe_high(),
                            );
                        }
                    }
                }
                _ => {}
            },
        }
        for (_, job) in &jobs {
            match model::permissions(job.node) {
                None if wf.is_none() => out.push(doc.finding(
                    &INFO,
                    job.key.unwrap_or(job.node),
                    &job.route,
                    "default permissions used: the job has no permissions: block".into(),
                )),
                Some(p) if p.text() == "write-all" => out.push(
                    doc.finding(
                        &INFO,
                        p,
                        &format!("{}.permissions", job.route),
                        "write-all for the job".into(),
                    )
                    .pipe_high(),
                ),
                _ => {}
            }
        }
    }
}

trait High {
    fn pipe_high(self) -> Self;
}
impl High for Finding {
    fn pipe_high(mut self) -> Self {
        self.severity = Severity::High;
        self.confidence = Confidence::High;
        self
    }
}
