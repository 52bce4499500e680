//! `ci/unpinned-tools`: setup actions that install "latest" when no version is given.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
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

/// (action, version input, whether omitting the input installs the newest release)
const TOOLS: &[(&str, &str, bool)] = &[
    ("extractions/setup-just", "just-version", true),
    ("astral-sh/setup-uv", "version", false),
    ("pnpm/action-setup", "version", false),
    ("hashicorp/setup-terraform", "terraform_version", false),
    ("azure/setup-helm", "version", false),
    ("azure/setup-kubectl", "version", false),
    ("oven-sh/setup-bun", "bun-version", false),
    ("denoland/setup-deno", "deno-version", false),
    ("goreleaser/goreleaser-action", "version", false),
    ("aquasecurity/setup-trivy", "version", true),
    ("1password/load-secrets-action", "version", true),
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
            // A step disabled with a literal `if: false` never installs anything.
            if step
                .node
                .get("if")
                .is_some_and(|c| matches!(c.text().trim(), "false" | "${{ false }}"))
            {
                continue;
            }
            let Some(&(_, input, implicit_latest)) = TOOLS.iter().find(|t| t.0 == a) else {
                continue;
            };
            let v = step.node.get("with").and_then(|w| w.get(input));
            match v {
                None if implicit_latest => {
                    let u = step.node.get("uses").unwrap_or(step.node);
                    out.push(doc.finding(
                        &INFO,
                        u,
                        &format!("{}.uses", step.route),
                        format!("`{input}` not set: the newest release is installed"),
                    ));
                }
                Some(v) if matches!(v.text(), "latest" | "*" | "") => {
                    out.push(doc.finding(
                        &INFO,
                        v,
                        &format!("{}.with.{input}", step.route),
                        format!("`{input}: {}` installs the newest release", v.text()),
                    ));
                }
                // A version computed at run time may well be "latest".
                Some(v) if v.text().contains("${{") => {
                    let mut f = doc.finding(
                        &INFO,
                        v,
                        &format!("{}.with.{input}", step.route),
                        format!(
                            "`{input}` is computed at run time and may select an unpinned version"
                        ),
                    );
                    f.severity = Severity::Low;
                    f.confidence = Confidence::Low;
                    out.push(f);
                }
                _ => {}
            }
        }
    }
}
