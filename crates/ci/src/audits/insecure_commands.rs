//! `ci/insecure-commands`: `ACTIONS_ALLOW_UNSECURE_COMMANDS` re-enables `::set-env::`.

use crate::{Audit, Doc, DocKind, Info};
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/insecure-commands",
    name: "Insecure workflow commands enabled",
    severity: Severity::High,
    confidence: Confidence::High,
    summary: "`ACTIONS_ALLOW_UNSECURE_COMMANDS` is set, re-enabling `::set-env::` and `::add-path::`, which any printed text (a log line, a test name) can trigger.",
    docs: r#"The `set-env` and `add-path` workflow commands were disabled because anything a step
prints to stdout could set environment variables for later steps. Turning them back on lets
attacker-controlled output (file names, test output) inject `LD_PRELOAD`, `NODE_OPTIONS`…

NOT OK:
```yaml
env:
  ACTIONS_ALLOW_UNSECURE_COMMANDS: true
```

OK:
```yaml
- run: echo "NAME=value" >> "$GITHUB_ENV"
```"#,
    fix: "Remove the variable and use `$GITHUB_ENV` / `$GITHUB_PATH` files.",
    tags: &["SP-23", "CWE-77"],
    zizmor: Some("insecure-commands"),
};

pub struct InsecureCommands;

impl Audit for InsecureCommands {
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
            if last == "ACTIONS_ALLOW_UNSECURE_COMMANDS"
                && n.text() != "false"
                && !n.text().is_empty()
            {
                out.push(doc.finding(
                    &INFO,
                    n,
                    &route,
                    "ACTIONS_ALLOW_UNSECURE_COMMANDS re-enables set-env/add-path".into(),
                ));
            }
        }
    }
}
