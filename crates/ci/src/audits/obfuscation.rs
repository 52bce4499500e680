//! `ci/obfuscation`: workflow text written so that a reviewer cannot see what it does.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::expr::Expr;
use crate::model;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/obfuscation",
    name: "Obfuscated workflow syntax",
    severity: Severity::Low,
    confidence: Confidence::High,
    summary: "An action reference or expression is written in a roundabout way (`owner/repo/./path`, `${{ format('{0}', 'x') }}`) that hides what actually runs.",
    docs: r#"Review of a workflow change relies on reading what it does. Some spellings make that
harder without changing behaviour, and are a known way to slip changes past review and past
pattern-based tools:

- an action path with empty, `.` or `..` components (`actions/cache/save/../save@…`,
  `actions/checkout/@…`): GitHub normalises them, so the step runs something other than what
  a quick read (or an allow-list matching the text) suggests;
- an expression whose value is fixed (`${{ 'a' }}`, `${{ true || false }}`,
  `${{ format('{0}', 'abc') }}`), or a part of one: it is just a constant written so that it
  does not look like one;
- `with: ${{ … }}`: the whole input block of an action computed at run time, so no reader and
  no audit can tell which inputs the action receives (reported at `info`).

NOT OK:
```yaml
- uses: actions/cache/save/../save@0057852bfaa89a56745cba8c7296529d2fc39830
- run: echo ${{ format('{0}', 'deploy') }}
```

OK:
```yaml
- uses: actions/cache/save@0057852bfaa89a56745cba8c7296529d2fc39830
- run: echo deploy
```"#,
    fix: "Write the action path in its normal form and replace constant expressions by their value; list `with:` inputs explicitly.",
    tags: &["SP-24", "CWE-656"],
    zizmor: Some("obfuscation"),
};

pub struct Obfuscation;

/// Path components after `owner/repo` that are empty, `.` or `..`.
fn odd_components(uses: &str) -> Vec<&'static str> {
    let target = uses.split('@').next().unwrap_or("");
    let mut v = Vec::new();
    for c in target.split('/').skip(2) {
        let what = match c {
            "" => "an empty component",
            "." => "a `.` component",
            ".." => "a `..` component",
            _ => continue,
        };
        if !v.contains(&what) {
            v.push(what);
        }
    }
    v
}

/// The largest constant parts of a non-constant expression that are not bare literals
/// (index expressions are not looked into: `a[b]` keys are often written as literals).
fn constant_parts<'a>(e: &'a Expr, out: &mut Vec<&'a Expr>) {
    if e.is_constant() {
        if !e.is_literal() {
            out.push(e);
        }
        return;
    }
    match e {
        Expr::Group(x) | Expr::Not(x) | Expr::Member(x, _) => constant_parts(x, out),
        Expr::Bin(_, a, b) => {
            constant_parts(a, out);
            constant_parts(b, out);
        }
        Expr::Call(_, args) => args.iter().for_each(|a| constant_parts(a, out)),
        _ => {}
    }
}

impl Audit for Obfuscation {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow, DocKind::Action]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        for (_, step) in model::all_steps(doc.root) {
            if let Some(w) = step.node.get("with")
                && w.text().contains("${{")
            {
                let mut f = doc.finding(
                    &INFO,
                    w,
                    &format!("{}.with", step.route),
                    "`with:` is a single expression: the action's inputs cannot be reviewed".into(),
                );
                f.severity = Severity::Info;
                out.push(f);
            }
        }
        for (u, route) in model::all_uses(doc.root) {
            let text = u.text();
            if text.starts_with("./") || text.starts_with("docker://") {
                continue;
            }
            let odd = odd_components(text);
            if !odd.is_empty() {
                out.push(doc.finding(
                    &INFO,
                    u,
                    &route,
                    format!("action reference `{text}` contains {}", odd.join(" and ")),
                ));
            }
        }
        for p in doc.expressions() {
            let (l, Some(e)) = (&p.loc, &p.expr) else {
                continue;
            };
            let msg = if e.is_constant() {
                format!("`{}` always has the same value: write the value", l.raw)
            } else {
                let mut parts = Vec::new();
                constant_parts(e, &mut parts);
                if parts.is_empty() {
                    continue;
                }
                format!(
                    "`{}` contains {} constant sub-expression(s): write their values",
                    l.raw,
                    parts.len()
                )
            };
            out.push(doc.finding_at(&INFO, l.start, l.end, &l.route, msg));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr;

    #[test]
    fn odd_paths() {
        assert_eq!(odd_components("actions/checkout@v4"), Vec::<&str>::new());
        assert_eq!(odd_components("actions/checkout/@v4").len(), 1);
        assert_eq!(
            odd_components("a/b/save/../save@v4"),
            vec!["a `..` component"]
        );
        assert!(odd_components("a//b@v4").is_empty());
    }

    #[test]
    fn constant_subexpressions() {
        let e = expr::parse("format('{0} {1}', github.x, true || false)").unwrap();
        let mut v = Vec::new();
        constant_parts(&e, &mut v);
        assert_eq!(v.len(), 1);
        let e = expr::parse("foo[format('{0}', 'x')]").unwrap();
        let mut v = Vec::new();
        constant_parts(&e, &mut v);
        assert!(v.is_empty());
    }
}
