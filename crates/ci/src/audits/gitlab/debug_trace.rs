//! `ci/gitlab-debug-trace`: `CI_DEBUG_TRACE` / `CI_DEBUG_SERVICES` switched on.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::yaml::Node;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/gitlab-debug-trace",
    name: "GitLab debug trace enabled",
    severity: Severity::High,
    confidence: Confidence::High,
    summary: "`CI_DEBUG_TRACE` (or `CI_DEBUG_SERVICES`) is true: the job log shows every command with all variables expanded, masked secrets included.",
    docs: r#"GitLab documents that debug tracing reveals all variables, including masked and
protected ones, to anyone who can read the job log.

NOT OK:
```yaml
variables:
  CI_DEBUG_TRACE: "true"
```

OK:
```yaml
variables: {}
```"#,
    fix: "Remove the variable; enable tracing for one manual run when needed, and delete that log afterwards.",
    tags: &["SP-07", "CWE-532"],
    zizmor: None,
};

pub struct DebugTrace;

fn check_vars(doc: &Doc<'_>, vars: &Node, route: &str, out: &mut Vec<Finding>) {
    for (k, v) in vars.entries() {
        let name = k.text();
        if matches!(name, "CI_DEBUG_TRACE" | "CI_DEBUG_SERVICES") {
            let v = super::job::var_value(v);
            if matches!(v.text(), "true" | "1" | "True") {
                out.push(doc.finding(
                    &INFO,
                    v,
                    &format!("{route}.{name}"),
                    format!("{name} prints every variable, secrets included"),
                ));
            }
        }
    }
}

impl Audit for DebugTrace {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::GitLab]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        if let Some(v) = doc.root.get("variables") {
            check_vars(doc, v, "variables", out);
        }
        for (k, job) in doc.root.entries() {
            if let Some(v) = job.get("variables") {
                check_vars(doc, v, &format!("{}.variables", k.text()), out);
            }
        }
    }
}
