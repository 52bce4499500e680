//! `ci/unpinned-tools`: setup actions that install "latest" when no version is given.

use crate::model;
use crate::{Audit, Doc, DocKind, Info};
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/unpinned-tools",
    name: "Tool version not pinned",
    severity: Severity::Medium,
    confidence: Confidence::High,
    summary: "A setup action installs a tool without a version input, so each run gets whatever is newest.",
    docs: r#"Setup actions such as `extractions/setup-just` or `astral-sh/setup-uv` install the latest
release when no version is given. A compromised or broken release then reaches every
build, and builds are not reproducible.

NOT OK:
```yaml
- uses: extractions/setup-just@v2
```

OK:
```yaml
- uses: extractions/setup-just@v2
  with:
    just-version: 1.36.0
```"#,
    fix: "Set the action's version input to an exact version.",
    tags: &["SP-24", "SP-10"],
    zizmor: Some("unpinned-tools"),
};

/// (action, version input)
const TOOLS: &[(&str, &str)] = &[
    ("extractions/setup-just", "just-version"),
    ("astral-sh/setup-uv", "version"),
    ("pnpm/action-setup", "version"),
    ("hashicorp/setup-terraform", "terraform_version"),
    ("azure/setup-helm", "version"),
    ("azure/setup-kubectl", "version"),
    ("oven-sh/setup-bun", "bun-version"),
    ("denoland/setup-deno", "deno-version"),
    ("goreleaser/goreleaser-action", "version"),
];

pub struct UnpinnedTools;

impl Audit for UnpinnedTools {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow, DocKind::Action]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        for (_, step) in model::all_steps(doc.root) {
            let Some(a) = model::step_action(step.node) else {
                continue;
            };
            let Some(&(_, input)) = TOOLS.iter().find(|t| t.0 == a) else {
                continue;
            };
            let v = step.node.get("with").and_then(|w| w.get(input));
            let unpinned = match v {
                None => input == "just-version",
                Some(v) => matches!(v.text(), "latest" | "*" | ""),
            };
            if unpinned {
                let u = step.node.get("uses").unwrap_or(step.node);
                out.push(doc.finding(
                    &INFO,
                    u,
                    &format!("{}.uses", step.route),
                    format!("`{input}` not pinned: the newest release is installed"),
                ));
            }
        }
    }
}
