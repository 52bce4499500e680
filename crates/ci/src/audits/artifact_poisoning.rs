//! `ci/artifact-poisoning`: `workflow_run` downloading artifacts of the triggering run and executing them.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/artifact-poisoning",
    name: "Artifact poisoning through workflow_run",
    severity: Severity::High,
    confidence: Confidence::Medium,
    summary: "A `workflow_run` (or `pull_request_target`) workflow downloads artifacts produced by the untrusted triggering run and then runs code or scripts that can read them.",
    docs: r#"The triggering `pull_request` run is controlled by the pull request author, and so are
the artifacts it uploads. A privileged `workflow_run` workflow that downloads them into the
workspace and then runs `npm`, `make`, a script, or even `unzip` over the checkout lets
the attacker replace files that are executed with the privileged token.

NOT OK:
```yaml
on:
  workflow_run:
    workflows: [CI]
jobs:
  report:
    steps:
      - uses: actions/download-artifact@v4
        with:
          run-id: ${{ github.event.workflow_run.id }}
      - run: ./report.sh
```

OK:
```yaml
      - uses: actions/download-artifact@v4
        with:
          run-id: ${{ github.event.workflow_run.id }}
          path: ${{ runner.temp }}/artifacts
      # only read the data as data afterwards
```"#,
    fix: "Download into `${{ runner.temp }}`, treat the content as untrusted data (validate it), and never execute anything from it or from the workspace afterwards.",
    tags: &["SP-23", "SP-03", "CWE-829"],
    zizmor: None,
};

pub struct ArtifactPoisoning;

const DOWNLOADERS: &[&str] = &[
    "actions/download-artifact",
    "dawidd6/action-download-artifact",
];

impl Audit for ArtifactPoisoning {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        if !model::PRIVILEGED_TRIGGERS
            .iter()
            .any(|t| model::has_trigger(doc.root, t))
        {
            return;
        }
        for (_, job) in model::jobs(doc.root) {
            let steps = model::steps(job.node, &job.route);
            let Some(pos) = steps.iter().position(|s| {
                let a = model::step_action(s.node).unwrap_or_default();
                let with = s.node.get("with");
                let path = with
                    .and_then(|w| w.get("path"))
                    .map(|p| p.text())
                    .unwrap_or("");
                DOWNLOADERS.contains(&a.as_str())
                    && !path.contains("runner.temp")
                    && !path.starts_with("/tmp")
            }) else {
                continue;
            };
            if steps[pos + 1..].iter().any(|s| {
                s.node.get("run").is_some()
                    || model::step_action(s.node).is_some_and(|a| !a.starts_with("actions/upload"))
            }) {
                let d = &steps[pos];
                let u = d.node.get("uses").unwrap_or(d.node);
                out.push(doc.finding(
                    &INFO,
                    u,
                    &format!("{}.uses", d.route),
                    "artifacts of the untrusted triggering run are downloaded into the workspace and later steps execute code".into(),
                ));
            }
        }
    }
}
