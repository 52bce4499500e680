//! `ci/unsound-contains`: `contains('a b', ctx)` tests for a substring, not list membership.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::expr::{self, Expr};
use crate::model::{self, Capability};
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/unsound-contains",
    name: "contains() on a string used as a list check",
    severity: Severity::High,
    confidence: Confidence::High,
    summary: "A condition calls `contains('main,release', github.ref_name)` as if the string were a list; it is a substring test, so values such as `mai` or `n,rel` pass too.",
    docs: r#"With a string as first argument, `contains(haystack, needle)` is true when `needle`
occurs anywhere in the haystack. Conditions written as a list check on a branch, a ref or
an actor (`contains('refs/heads/main refs/heads/release', github.ref)`) therefore also
accept any substring of the list: `refs/heads/main` is expected, but a branch named `mai`
(`refs/heads/mai`) or `ma` passes too, and anyone who can push a branch (or open a pull
request from one, for `head_ref`) can pick such a name and reach the guarded deploy or
secret.

The finding is `high` when the needle is something outsiders can choose (refs, branch
names, actors, inputs, `env`), and `info` for values the repository controls (`runner.*`,
`matrix.*`, `secrets.*`…), where it is a latent bug rather than a bypass.

NOT OK:
```yaml
if: contains('refs/heads/main refs/heads/develop', github.ref)
```

OK:
```yaml
if: contains(fromJSON('["refs/heads/main", "refs/heads/develop"]'), github.ref)
# or
if: github.ref == 'refs/heads/main' || github.ref == 'refs/heads/develop'
```"#,
    fix: "Compare with `==` for each allowed value, or pass a real array: `contains(fromJSON('[\"a\", \"b\"]'), x)`.",
    tags: &["SP-23", "CWE-697"],
    zizmor: Some("unsound-contains"),
};

pub struct UnsoundContains;

/// The needles of `contains('<literal>', <context>)` calls in `e`.
pub fn unsound_needles(e: &Expr) -> Vec<String> {
    e.subexprs()
        .into_iter()
        .filter_map(|s| match s {
            Expr::Call(f, args) if f == "contains" && args.len() == 2 => {
                match (args[0].bare(), args[1].bare()) {
                    (Expr::Str(_), Expr::Ctx(c)) => Some(c.clone()),
                    _ => None,
                }
            }
            _ => None,
        })
        .collect()
}

/// Whether an outsider can choose the value of `ctx`.
fn steerable(ctx: &str) -> bool {
    let fixed = [
        "runner.",
        "matrix.",
        "secrets.",
        "vars.",
        "strategy.",
        "job.",
        "steps.",
        "needs.",
    ];
    if fixed.iter().any(|p| ctx.starts_with(p)) {
        return false;
    }
    ctx.starts_with("env.")
        || ctx.starts_with("inputs.")
        || matches!(
            ctx,
            "github.ref"
                | "github.ref_name"
                | "github.head_ref"
                | "github.base_ref"
                | "github.actor"
                | "github.triggering_actor"
        )
        || model::capability(ctx) != Capability::Fixed
}

impl Audit for UnsoundContains {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow, DocKind::Action]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        for c in expr::conditions(doc.root) {
            let Some(e) = expr::parse(&c.inner) else {
                continue;
            };
            let needles = unsound_needles(&e);
            if needles.is_empty() {
                continue;
            }
            let high = needles.iter().any(|c| steerable(c));
            let mut f = doc.finding_at(
                &INFO,
                c.start,
                c.end,
                &c.route,
                format!(
                    "`contains()` on a string is a substring test: a value of `{}` that is any part of the list passes",
                    needles.join("`, `")
                ),
            );
            if !high {
                f.severity = Severity::Info;
            }
            out.push(f.with_property("context", serde_json::json!(needles)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needles() {
        let e = expr::parse(
            "contains('main,prod', github.ref_name) || contains('a b', github.actor) == true",
        )
        .unwrap();
        assert_eq!(unsound_needles(&e), vec!["github.ref_name", "github.actor"]);
        let e = expr::parse("contains(github.event.pull_request.labels.*.name, 'x')").unwrap();
        assert!(unsound_needles(&e).is_empty());
        let e = expr::parse("contains(fromJSON('[\"a\"]'), github.ref)").unwrap();
        assert!(unsound_needles(&e).is_empty());
        assert!(steerable("github.ref"));
        assert!(steerable("env.GITHUB_REF_NAME"));
        assert!(!steerable("runner.name"));
        assert!(!steerable("matrix.os"));
    }
}
