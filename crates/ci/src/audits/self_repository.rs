//! `ci/self-repository`: `uses: ./…` instead of the explicit `$/…` self-repository form.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/self-repository",
    name: "Local action referenced by a relative path",
    severity: Severity::Info,
    confidence: Confidence::High,
    summary: "A step or job uses a local action or reusable workflow as `./path`; GitHub's `$/path` form names the workflow's own repository explicitly.",
    docs: r#"`uses: ./path` is resolved against whatever is in the workspace when the step runs, not
against the repository that defines the workflow: it needs an `actions/checkout` first, and
after a checkout of another ref or repository (a pull request head, a fork) it runs the
other side's copy. Inside a composite action it is worse: `./` is the *caller's* workspace,
not the action's own repository. GitHub's `$/path` form means "this path in the repository
that contains this file, at the commit being run", with no checkout involved.

This is reported at `info`: in most workflows `./` and `$/` load the same files, and `$/`
is recent (older runners and GitHub Enterprise Server may not support it), so it is a
robustness suggestion rather than a vulnerability. tollgate's `ci/untrusted-checkout-exec`
reports the dangerous case (a local action run after checking out untrusted code) at
`high`. Disable this rule with `[ci] disable = ["ci/self-repository"]` to keep `./`.

NOT OK:
```yaml
- uses: ./.github/actions/setup
```

OK:
```yaml
- uses: $/.github/actions/setup
```"#,
    fix: "Write `$/path` instead of `./path`.",
    tags: &["SP-24"],
    zizmor: Some("self-repository"),
};

pub struct SelfRepository;

impl Audit for SelfRepository {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow, DocKind::Action]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        for (u, route) in model::all_uses(doc.root) {
            let t = u.text().trim();
            if let Some(path) = t.strip_prefix("./") {
                out.push(doc.finding(
                    &INFO,
                    u,
                    &route,
                    format!("`{t}`: write `$/{path}` to name this repository explicitly"),
                ));
            }
        }
    }
}
