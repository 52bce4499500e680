//! `ci/github-env`: writes to `GITHUB_ENV` / `GITHUB_PATH` in workflows that untrusted input reaches.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/github-env",
    name: "Write to GITHUB_ENV or GITHUB_PATH",
    severity: Severity::High,
    confidence: Confidence::Low,
    summary: "A step writes to `$GITHUB_ENV` or `$GITHUB_PATH`; if the written value is attacker-influenced, later steps run attacker code (LD_PRELOAD, NODE_OPTIONS, PATH).",
    docs: r#"Variables written to `GITHUB_ENV` apply to every later step, and entries of `GITHUB_PATH`
decide which programs run. A value derived from a pull request, an artifact or an issue
lets an attacker set `BASH_ENV`, `NODE_OPTIONS` or put their own `git` first in `PATH`.
Reported in composite actions (callable from any workflow) and in workflows with
privileged triggers (`pull_request_target`, `workflow_run`, `issue_comment`).

NOT OK:
```yaml
on: pull_request_target
...
- run: echo "TITLE=${{ github.event.pull_request.title }}" >> $GITHUB_ENV
```

OK:
```yaml
- run: echo "version=1.2.3" >> "$GITHUB_OUTPUT"
```"#,
    fix: "Write to `$GITHUB_OUTPUT` and read the step output explicitly, or validate the value before writing it.",
    tags: &["SP-23", "CWE-94"],
    zizmor: Some("github-env"),
};

pub struct GithubEnv;

/// Whether a line only `echo`es or `printf`s literal text into the file: no variable,
/// substitution, pipe or redirection from elsewhere besides the target itself.
fn static_write(line: &str, var: &str) -> bool {
    let l = line.trim();
    if !(l.starts_with("echo ") || l.starts_with("printf ")) {
        return false;
    }
    let mut rest = l.to_string();
    for target in [
        format!("\"${{{var}}}\""),
        format!("${{{var}}}"),
        format!("\"${var}\""),
        format!("$env:{var}"),
        format!("%{var}%"),
        format!("${var}"),
    ] {
        rest = rest.replace(&target, "");
    }
    !rest.contains(['$', '%', '`', '<', '|']) && !rest.contains(var)
}

impl Audit for GithubEnv {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow, DocKind::Action]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        let privileged = model::PRIVILEGED_TRIGGERS
            .iter()
            .chain(&["issue_comment"])
            .any(|t| model::has_trigger(doc.root, t));
        // In a workflow without privileged triggers the writer is the workflow's own code;
        // composite actions can be called from anywhere, so they are always checked.
        if doc.kind == DocKind::Workflow && !privileged {
            return;
        }
        for (_, step) in model::all_steps(doc.root) {
            let Some(run) = step.node.get("run") else {
                continue;
            };
            for (var, label) in [("GITHUB_ENV", "GITHUB_ENV"), ("GITHUB_PATH", "GITHUB_PATH")] {
                let hits = run
                    .text()
                    .lines()
                    .filter(|l| !l.trim_start().starts_with('#'))
                    .filter(|l| {
                        (l.contains(">>")
                            || l.contains("tee")
                            || l.contains("Out-File")
                            || l.contains("Add-Content"))
                            && l.contains(var)
                            && !static_write(l, var)
                    })
                    .count();
                for _ in 0..hits {
                    let mut f = doc.finding(
                        &INFO,
                        step.node.get_key("run").unwrap_or(run),
                        &format!("{}.run", step.route),
                        format!("write to {label} may let later steps run attacker-chosen code"),
                    );
                    if privileged {
                        f.confidence = Confidence::High;
                    }
                    out.push(f);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn static_writes_are_not_reported() {
        assert!(super::static_write(
            "echo foo=bar >> $GITHUB_ENV",
            "GITHUB_ENV"
        ));
        assert!(super::static_write(
            r#"printf "A=b\nC=d\n" >> "$GITHUB_ENV""#,
            "GITHUB_ENV"
        ));
        assert!(!super::static_write(
            "echo X=$X >> $GITHUB_ENV",
            "GITHUB_ENV"
        ));
        assert!(!super::static_write(
            "echo L=%L% >> %GITHUB_ENV%",
            "GITHUB_ENV"
        ));
        assert!(!super::static_write("cat f >> $GITHUB_ENV", "GITHUB_ENV"));
        assert!(!super::static_write(
            "echo \"$(cat f)\" >> $GITHUB_ENV",
            "GITHUB_ENV"
        ));
    }
}
