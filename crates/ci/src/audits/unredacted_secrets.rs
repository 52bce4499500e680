//! `ci/unredacted-secrets`: `fromJSON(secrets.X)` yields values the log masker does not know.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::expr::Expr;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/unredacted-secrets",
    name: "Secret parsed as JSON escapes log redaction",
    severity: Severity::Medium,
    confidence: Confidence::High,
    summary: "`fromJSON(secrets.X)` (or a field of it) produces new strings derived from a secret; the runner only masks the secret's whole value, so those pieces are printed in clear in the logs.",
    docs: r#"The runner masks a secret by searching the log output for its exact value (and for each
of its lines). A secret that holds a JSON document and is taken apart with `fromJSON` gives
values (a field, a re-serialised object) that are not the registered string: printing one,
or a tool echoing its environment, puts the credential in the build log, readable by
everyone who can read the run's logs (everyone, for a public repository).

NOT OK:
```yaml
env:
  DB_PASSWORD: ${{ fromJSON(secrets.DB_CONFIG).password }}
```

OK:
```yaml
env:
  DB_PASSWORD: ${{ secrets.DB_PASSWORD }}
```"#,
    fix: "Store each credential as its own secret; if a structured secret is unavoidable, register each extracted value with `::add-mask::` before using it.",
    tags: &["SP-31", "CWE-532"],
    zizmor: Some("unredacted-secrets"),
};

pub struct UnredactedSecrets;

fn parses_secret(e: &Expr) -> bool {
    e.subexprs().into_iter().any(|s| match s {
        Expr::Call(f, args) if f == "fromjson" => args.first().is_some_and(
            |a| matches!(a.bare(), Expr::Ctx(c) if c == "secrets" || c.starts_with("secrets.")),
        ),
        _ => false,
    })
}

impl Audit for UnredactedSecrets {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow, DocKind::Action]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        for p in doc.expressions() {
            let l = &p.loc;
            if p.expr.as_ref().is_some_and(parses_secret) {
                out.push(doc.finding_at(
                    &INFO,
                    l.start,
                    l.end,
                    &l.route,
                    format!(
                        "`{}` derives values from a secret that log masking does not cover",
                        l.raw
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr;

    #[test]
    fn secret_json() {
        for bad in [
            "fromJSON(secrets.x)",
            "fromJson(secrets['x']).field",
            "format('{0}', fromJSON(secrets.a).b)",
        ] {
            assert!(parses_secret(&expr::parse(bad).unwrap()), "{bad}");
        }
        for ok in ["fromJSON(env.x)", "secrets.x", "toJSON(secrets.x)"] {
            assert!(!parses_secret(&expr::parse(ok).unwrap()), "{ok}");
        }
    }
}
