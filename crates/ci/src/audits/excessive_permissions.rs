//! `ci/excessive-permissions`: default (broad) or write-all token permissions.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use crate::yaml::Value;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/excessive-permissions",
    name: "Excessive token permissions",
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    summary: "The workflow or job uses the default `GITHUB_TOKEN` permissions (no `permissions:` block), `write-all` or `read-all`, or write scopes at the workflow level shared by the jobs that inherit them.",
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
        // Workflow-level permissions matter only to jobs without their own block.
        let inherits = jobs
            .iter()
            .any(|(_, j)| model::permissions(j.node).is_none());
        // A workflow only other workflows call runs with at most its caller's token: its
        // jobs' default permissions are the caller's to restrict (reusable-workflow calls it
        // makes itself are still reported).
        let reusable_only = {
            let t = model::triggers(doc.root);
            !t.is_empty() && t.iter().all(|(n, _)| n == "workflow_call")
        };
        match wf {
            // With several jobs the missing workflow block is a finding of its own (a single
            // job's finding already says it all).
            None if inherits && jobs.len() > 1 && !reusable_only => {
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
            Some(p) if inherits => match &p.value {
                Value::Scalar(s, _) if s == "write-all" => out.push(
                    doc.finding(
                        &INFO,
                        p,
                        "permissions",
                        "write-all at the workflow level".into(),
                    )
                    .pipe_high(),
                ),
                Value::Scalar(s, _) if s == "read-all" => out.push(doc.finding(
                    &INFO,
                    p,
                    "permissions",
                    "read-all at the workflow level: every job can read every scope".into(),
                )),
                Value::Map(m) if jobs.len() > 1 => {
                    for (k, v) in m {
                        if v.text() == "write" {
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
            _ => {}
        }
        for (_, job) in &jobs {
            match model::permissions(job.node) {
                None if wf.is_none() && (!reusable_only || job.node.get("uses").is_some()) => out
                    .push(doc.finding(
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
                Some(p) if p.text() == "read-all" => out.push(doc.finding(
                    &INFO,
                    p,
                    &format!("{}.permissions", job.route),
                    "read-all for the job: it can read every scope".into(),
                )),
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
