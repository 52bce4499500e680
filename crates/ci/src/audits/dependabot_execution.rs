//! `ci/dependabot-execution`: Dependabot allowed to run external code.

use crate::doc::{Audit, Doc, DocKind, Info};
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/dependabot-execution",
    name: "Dependabot may execute external code",
    severity: Severity::High,
    confidence: Confidence::High,
    summary: "`insecure-external-code-execution: allow` lets package manager scripts of updated dependencies run inside Dependabot with access to its registry credentials.",
    docs: r#"Some ecosystems (bundler, mix, pip) run code from the dependencies while resolving
updates. With `insecure-external-code-execution: allow`, a malicious release runs with the
registry credentials configured for Dependabot.

NOT OK:
```yaml
updates:
  - package-ecosystem: bundler
    insecure-external-code-execution: allow
```

OK:
```yaml
  - package-ecosystem: bundler
```"#,
    fix: "Remove `insecure-external-code-execution` (the default is deny).",
    tags: &["SP-10", "CWE-829"],
    zizmor: Some("dependabot-execution"),
};

pub struct DependabotExecution;

impl Audit for DependabotExecution {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Dependabot]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        let Some(updates) = doc.root.get("updates") else {
            return;
        };
        for (i, u) in updates.items().iter().enumerate() {
            if let Some(v) = u.get("insecure-external-code-execution")
                && v.text() == "allow"
            {
                out.push(doc.finding(
                    &INFO,
                    v,
                    &format!("updates[{i}].insecure-external-code-execution"),
                    "Dependabot may run dependencies' code with registry credentials".into(),
                ));
            }
        }
    }
}
