//! `ci/debug-logging`: runner or step debug logging switched on in the workflow.

use crate::doc::{Audit, Doc, DocKind, Info};
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/debug-logging",
    name: "Debug logging enabled",
    severity: Severity::Medium,
    confidence: Confidence::High,
    summary: "`ACTIONS_STEP_DEBUG`/`ACTIONS_RUNNER_DEBUG` (or `CI_DEBUG_TRACE` style variables) are set to true in the workflow, so logs include expanded values and internals.",
    docs: r#"Debug logs print environment, expanded inputs and internal requests; masking does not
cover derived values (base64 of a secret, parts of a JSON key). Logs of public
repositories are public. Debug logging belongs in a re-run with debug enabled, not in the
file.

NOT OK:
```yaml
env:
  ACTIONS_STEP_DEBUG: true
```

OK:
```yaml
# re-run the job with "Enable debug logging" when needed
```"#,
    fix: "Remove the variable; use the re-run with debug logging option when you need it.",
    tags: &["SP-07", "CWE-532"],
    zizmor: None,
};

pub struct DebugLogging;

impl Audit for DebugLogging {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow, DocKind::Action]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        let mut scalars = Vec::new();
        doc.root.walk_scalars("", &mut scalars);
        for (route, n) in scalars {
            let last = route.rsplit('.').next().unwrap_or("");
            if matches!(
                last,
                "ACTIONS_STEP_DEBUG" | "ACTIONS_RUNNER_DEBUG" | "RUNNER_DEBUG"
            ) && matches!(n.text(), "true" | "1" | "True")
            {
                out.push(doc.finding(
                    &INFO,
                    n,
                    &route,
                    format!("{last} is enabled in the workflow"),
                ));
            }
        }
    }
}
