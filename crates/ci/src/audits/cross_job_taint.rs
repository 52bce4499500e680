//! `ci/cross-job-taint`: attacker-controlled values carried through job outputs or
//! reusable-workflow inputs into another job's script.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model::{self, Capability};
use std::collections::HashMap;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/cross-job-taint",
    name: "Untrusted value flows across jobs into code",
    severity: Severity::High,
    confidence: Confidence::Medium,
    summary: "A job output (or step output it forwards) is set from attacker-controlled context and another job expands `needs.<job>.outputs.<name>` into a `run:` script.",
    docs: r#"Per-step injection checks stop at job boundaries: `needs.x.outputs.y` looks harmless in
the consuming job. This audit follows `jobs.<id>.outputs` back to the expressions that set
them (directly or through `steps.<id>.outputs.<name>` written by a `run:` that interpolates
attacker-controlled text) and reports the consuming script.

NOT OK:
```yaml
jobs:
  meta:
    outputs:
      title: ${{ github.event.pull_request.title }}
  use:
    needs: meta
    steps:
      - run: echo "${{ needs.meta.outputs.title }}"
```

OK:
```yaml
      - run: echo "$TITLE"
        env:
          TITLE: ${{ needs.meta.outputs.title }}
```"#,
    fix: "Pass the output through an environment variable and quote it in the script.",
    tags: &["SP-23", "CWE-94"],
    zizmor: None,
};

pub struct CrossJobTaint;

fn tainted(expr_text: &str) -> Option<String> {
    model::expressions(expr_text).into_iter().find_map(|e| {
        model::contexts(&e.inner)
            .into_iter()
            .find(|c| model::capability(c) == Capability::Arbitrary)
    })
}

impl Audit for CrossJobTaint {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        // (job, output) -> source context
        let mut taint: HashMap<(String, String), String> = HashMap::new();
        let jobs = model::jobs(doc.root);
        for (id, job) in &jobs {
            let steps = model::steps(job.node, &job.route);
            let Some(outputs) = job.node.get("outputs") else {
                continue;
            };
            for (k, v) in outputs.entries() {
                let mut src = tainted(v.text());
                if src.is_none() {
                    // steps.<sid>.outputs.<name>: a run step interpolating tainted text.
                    for c in model::expressions(v.text())
                        .iter()
                        .flat_map(|e| model::contexts(&e.inner))
                    {
                        if let Some(sid) =
                            c.strip_prefix("steps.").and_then(|r| r.split('.').next())
                        {
                            for s in &steps {
                                if s.node
                                    .get("id")
                                    .map(|i| i.text().to_ascii_lowercase())
                                    .as_deref()
                                    == Some(sid)
                                    && let Some(run) = s.node.get("run")
                                    && run.text().contains("GITHUB_OUTPUT")
                                {
                                    src = src.or_else(|| tainted(run.text()));
                                }
                            }
                        }
                    }
                }
                if let Some(s) = src {
                    taint.insert((id.to_ascii_lowercase(), k.text().to_ascii_lowercase()), s);
                }
            }
        }
        if taint.is_empty() {
            return;
        }
        for (_, job) in &jobs {
            for s in model::steps(job.node, &job.route) {
                let Some(run) = s.node.get("run") else {
                    continue;
                };
                for e in model::expressions(run.text()) {
                    for c in model::contexts(&e.inner) {
                        let parts: Vec<&str> = c.split('.').collect();
                        if parts.len() == 4
                            && parts[0] == "needs"
                            && parts[2] == "outputs"
                            && let Some(src) =
                                taint.get(&(parts[1].to_string(), parts[3].to_string()))
                        {
                            let raw = &run.text()[e.start..e.end];
                            let (a, b) = match doc.src.get(run.start..).and_then(|t| t.find(raw)) {
                                Some(i) => (run.start + i, run.start + i + raw.len()),
                                None => (run.start, run.end),
                            };
                            out.push(doc.finding_at(
                                &INFO,
                                a,
                                b,
                                &format!("{}.run", s.route),
                                format!("`{c}` carries `{src}` from another job into this script"),
                            ));
                        }
                    }
                }
            }
        }
    }
}
