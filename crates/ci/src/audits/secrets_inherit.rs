//! `ci/secrets-inherit`: reusable workflow called with `secrets: inherit`.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/secrets-inherit",
    name: "Reusable workflow inherits every secret",
    severity: Severity::Medium,
    confidence: Confidence::High,
    summary: "A job calls a reusable workflow with `secrets: inherit`, handing it every secret of the repository instead of the ones it needs.",
    docs: r#"`secrets: inherit` passes all repository, organization and environment secrets to the
called workflow. If that workflow (or an action it uses) is compromised or simply logs
too much, every secret is exposed, not only the one it needed.

NOT OK:
```yaml
jobs:
  call:
    uses: org/repo/.github/workflows/build.yml@v1
    secrets: inherit
```

OK:
```yaml
    secrets:
      NPM_TOKEN: ${{ secrets.NPM_TOKEN }}
```"#,
    fix: "List the secrets the called workflow needs under `secrets:`.",
    tags: &["SP-02", "SP-07", "CWE-200"],
    zizmor: Some("secrets-inherit"),
};

pub struct SecretsInherit;

impl Audit for SecretsInherit {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        for (_, job) in model::jobs(doc.root) {
            // A workflow of the same repository is under the same review; not reported.
            let local = job.node.get("uses").is_some_and(|u| {
                matches!(model::Uses::parse(u.text()), Some(model::Uses::Local(_)))
            });
            if local {
                continue;
            }
            if let (Some(u), Some(s)) = (job.node.get("uses"), job.node.get("secrets"))
                && s.text() == "inherit"
            {
                out.push(doc.finding(
                    &INFO,
                    u,
                    &format!("{}.uses", job.route),
                    "reusable workflow receives every secret (secrets: inherit)".into(),
                ));
            }
        }
    }
}
