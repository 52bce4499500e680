//! `ci/insecure-commands`: `ACTIONS_ALLOW_UNSECURE_COMMANDS` re-enables `::set-env::`.

use crate::doc::{Audit, Doc, DocKind, Info};
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
        // Every `env:` block: workflow, job, step (composite action steps included).
        let mut blocks = vec![(doc.root, String::new())];
        for (_, job) in crate::model::jobs(doc.root) {
            blocks.push((job.node, job.route.clone()));
        }
        for (_, step) in crate::model::all_steps(doc.root) {
            blocks.push((step.node, step.route.clone()));
        }
        for (parent, route) in blocks {
            let Some(env) = parent.get("env") else {
                continue;
            };
            let on = env
                .get("ACTIONS_ALLOW_UNSECURE_COMMANDS")
                // The runner reads the flag as a boolean: only `true` and `1` (or a
                // value computed at run time) turn it on; `yes` does not.
                .is_some_and(|v| {
                    let t = v.text().trim().to_ascii_lowercase();
                    t == "true" || t == "1" || t.contains("${{")
                });
            if on {
                let at = parent.get_key("env").unwrap_or(env);
                let r = if route.is_empty() {
                    "env".to_string()
                } else {
                    format!("{route}.env")
                };
                out.push(doc.finding(
                    &INFO,
                    at,
                    &r,
                    "ACTIONS_ALLOW_UNSECURE_COMMANDS re-enables set-env/add-path".into(),
                ));
            }
        }
    }
}
