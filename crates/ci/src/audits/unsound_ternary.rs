//! `ci/unsound-ternary`: `cond && X || Y` where `X` is falsy, so the result is always `Y`.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::expr::{self, Expr, Op};
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/unsound-ternary",
    name: "Pseudo-ternary with a falsy middle value",
    severity: Severity::Low,
    confidence: Confidence::High,
    summary: "`cond && X || Y` is used as an if/else, but `X` is `''`, `0`, `false` or `null`, so the expression yields `Y` even when `cond` is true.",
    docs: r#"Expressions have no ternary operator, so workflows write `cond && a || b`. That only
works when `a` is truthy: `&&` returns its right side, and when that is falsy `||` moves on
to `b`. With a falsy `a` the "then" branch can never be taken; a condition or a flag that
the author believes is switched by `cond` is in fact constant, which can silently disable a
check (a `--dry-run` that is always added, a gate that is always skipped).

NOT OK:
```yaml
- run: ./release.sh ${{ github.ref == 'refs/heads/main' && '' || '--dry-run' }}
```

OK:
```yaml
- run: ./release.sh ${{ github.ref != 'refs/heads/main' && '--dry-run' || '' }}
```"#,
    fix: "Invert the condition so that the middle value is truthy, or compute the value in a shell step.",
    tags: &["SP-23", "CWE-480"],
    zizmor: Some("unsound-ternary"),
};

pub struct UnsoundTernary;

/// Whether `e` contains `c && <falsy literal> || y`.
pub fn has_unsound_ternary(e: &Expr) -> bool {
    e.subexprs().into_iter().any(|s| match s {
        Expr::Bin(Op::Or, l, _) => {
            matches!(l.bare(), Expr::Bin(Op::And, _, x) if x.is_falsy_literal())
        }
        _ => false,
    })
}

impl Audit for UnsoundTernary {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow, DocKind::Action]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        for p in doc.expressions() {
            let l = &p.loc;
            if p.expr.as_ref().is_some_and(has_unsound_ternary) {
                out.push(doc.finding_at(
                    &INFO,
                    l.start,
                    l.end,
                    &l.route,
                    format!(
                        "`{}`: the value after `&&` is falsy, so the `||` branch is always taken",
                        l.raw
                    ),
                ));
            }
        }
        for c in expr::conditions(doc.root) {
            if c.node.text().contains("${{") {
                continue;
            }
            if expr::parse(&c.inner).is_some_and(|e| has_unsound_ternary(&e)) {
                out.push(doc.finding_at(
                    &INFO,
                    c.start,
                    c.end,
                    &c.route,
                    format!(
                        "`{}`: the value after `&&` is falsy, so the `||` branch is always taken",
                        c.inner
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn falsy_middle() {
        for bad in [
            "c && '' || 'x'",
            "(c && 0) || 1",
            "a == 'b' && null || 'c'",
            "f(x && false || y)",
        ] {
            assert!(has_unsound_ternary(&expr::parse(bad).unwrap()), "{bad}");
        }
        for ok in ["c && 'a' || ''", "c || ''", "c && x.y || 'z'", "c && ''"] {
            assert!(!has_unsound_ternary(&expr::parse(ok).unwrap()), "{ok}");
        }
    }
}
