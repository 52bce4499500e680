//! `ci/gitlab-hardcoded-secret`: secret-named variables with literal values in the file.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::yaml::Node;
use tollgate_model::{Confidence, Evidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/gitlab-hardcoded-secret",
    name: "Secret written in .gitlab-ci.yml",
    severity: Severity::Critical,
    confidence: Confidence::Medium,
    summary: "A `variables:` entry named like a credential (`*_PASSWORD`, `*_TOKEN`, `*_SECRET`, `*_API_KEY`) has a literal value in the file instead of a masked CI/CD variable.",
    docs: r#"Everything in `.gitlab-ci.yml` is readable by anyone with repository access, kept in
history forever, and copied into forks. Credentials belong in masked, protected CI/CD
variables or a secrets manager (`secrets:` with Vault/OpenBao). The value is redacted in
the report.

NOT OK:
```yaml
variables:
  DEPLOY_TOKEN: "glpat-abcdefghijklmnop"
```

OK:
```yaml
variables:
  DEPLOY_TOKEN: $DEPLOY_TOKEN_MASKED
```"#,
    fix: "Rotate the credential, delete it from the file (and history), and store it as a masked protected CI/CD variable.",
    tags: &["SP-07", "CWE-798"],
    zizmor: None,
};

pub struct HardcodedSecret;

fn secretish(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    [
        "PASSWORD",
        "PASSWD",
        "SECRET",
        "TOKEN",
        "API_KEY",
        "APIKEY",
        "PRIVATE_KEY",
        "ACCESS_KEY",
    ]
    .iter()
    .any(|w| n.contains(w))
}

fn check_vars(doc: &Doc<'_>, vars: &Node, route: &str, out: &mut Vec<Finding>) {
    for (k, v) in vars.entries() {
        let v = super::job::var_value(v);
        let t = v.text();
        if !secretish(k.text()) || t.len() < 8 || t.contains('$') || t.contains(' ') {
            continue;
        }
        let line = doc.line_text(v.start);
        out.push(
            doc.finding(
                &INFO,
                v,
                &format!("{route}.{}", k.text()),
                format!("`{}` has a literal value in the file", k.text()),
            )
            .with_evidence(Evidence::secret(&line, t)),
        );
    }
}

impl Audit for HardcodedSecret {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::GitLab]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        if let Some(v) = doc.root.get("variables") {
            check_vars(doc, v, "variables", out);
        }
        for (k, job) in doc.root.entries() {
            if let Some(v) = job.get("variables") {
                check_vars(doc, v, &format!("{}.variables", k.text()), out);
            }
        }
    }
}
