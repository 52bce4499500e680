//! `ci/unsound-condition`: `if:` that is always true because of stray text around `${{ }}`.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use crate::yaml::Node;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/unsound-condition",
    name: "Condition always true",
    severity: Severity::High,
    confidence: Confidence::High,
    summary: "An `if:` mixes `${{ }}` with text outside it (or is a block scalar), so it evaluates to a non-empty string, which is always true.",
    docs: r#"When an `if:` value contains text outside a single `${{ }}`, GitHub treats the whole
value as a string template; the result is a non-empty string and therefore true, whatever
the expressions inside say. Security checks written this way never block anything.
Whitespace counts as text: `if: |` keeps a trailing newline after the `}}` (use `|-` or
`>-`), and a quoted `" ${{ x }}"` has a leading space.

NOT OK:
```yaml
if: ${{ github.actor }} == 'octocat'
```

OK:
```yaml
if: github.actor == 'octocat'
```"#,
    fix: "Write the whole condition inside one `${{ }}`, or without `${{ }}` at all.",
    tags: &["SP-23", "CWE-697"],
    zizmor: Some("unsound-condition"),
};

pub struct UnsoundCondition;

fn check_if(doc: &Doc<'_>, parent: &Node, route: &str, out: &mut Vec<Finding>) {
    let Some(n) = parent.get("if") else {
        return;
    };
    // A block scalar's node starts at its first content line: report from the `if:` line.
    let start = parent
        .get_key("if")
        .filter(|k| k.line != n.line)
        .map(|k| k.start)
        .unwrap_or(n.start);
    // Whitespace outside the fence counts too: `if: |` keeps a trailing newline, and
    // `" ${{ x }}"` is a string with a leading space; both are always true.
    let t = n.text();
    let exprs = model::expressions(t);
    if exprs.is_empty() {
        return;
    }
    let whole = exprs.len() == 1 && exprs[0].start == 0 && exprs[0].end == t.len();
    if !whole {
        out.push(doc.finding_at(
            &INFO,
            start,
            n.end.max(start),
            route,
            "condition always evaluates to true: text outside ${{ }} makes it a string".into(),
        ));
    }
}

impl Audit for UnsoundCondition {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow, DocKind::Action]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        for (_, job) in model::jobs(doc.root) {
            check_if(doc, job.node, &format!("{}.if", job.route), out);
        }
        for (_, s) in model::all_steps(doc.root) {
            check_if(doc, s.node, &format!("{}.if", s.route), out);
        }
    }
}
