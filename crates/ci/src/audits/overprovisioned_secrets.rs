//! `ci/overprovisioned-secrets`: the whole `secrets` context (or a computed index) in a job.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/overprovisioned-secrets",
    name: "Whole secrets context exposed",
    severity: Severity::Medium,
    confidence: Confidence::High,
    summary: "An expression uses `toJSON(secrets)` or indexes `secrets[…]` with a computed key, so every secret is loaded into the runner.",
    docs: r#"GitHub only sends a job the secrets it references. `toJSON(secrets)` or
`secrets[matrix.name]` makes the runner receive all of them, so one compromised step can
read every secret of the repository and organization.

NOT OK:
```yaml
env:
  ALL: ${{ toJSON(secrets) }}
```

OK:
```yaml
env:
  TOKEN: ${{ secrets.DEPLOY_TOKEN }}
```"#,
    fix: "Reference each secret by name.",
    tags: &["SP-07", "SP-02", "CWE-200"],
    zizmor: Some("overprovisioned-secrets"),
};

pub struct OverprovisionedSecrets;

impl Audit for OverprovisionedSecrets {
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
            for e in model::expressions(n.text()) {
                if model::contexts(&e.inner)
                    .iter()
                    .any(|c| c == "secrets" || c.starts_with("secrets.*"))
                {
                    let raw = &n.text()[e.start..e.end];
                    let (s, en) = match doc.src.get(n.start..).and_then(|t| t.find(raw)) {
                        Some(i) => (n.start + i, n.start + i + raw.len()),
                        None => (n.start, n.end),
                    };
                    out.push(doc.finding_at(
                        &INFO,
                        s,
                        en,
                        &route,
                        format!("`{raw}` loads the entire secrets context into the runner"),
                    ));
                }
            }
        }
    }
}
