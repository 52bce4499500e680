//! `ci/gitlab-script-injection`: merge-request or commit-controlled variables evaluated as code.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/gitlab-script-injection",
    name: "Attacker-controlled variable in a script",
    severity: Severity::High,
    confidence: Confidence::Medium,
    summary: "A script uses a variable whose text the merge request or commit author writes (`$CI_MERGE_REQUEST_TITLE`, `$CI_COMMIT_MESSAGE`, branch names…) unquoted or inside `eval`/`sh -c`, so the text can become shell code.",
    docs: r#"GitLab passes these values as environment variables, which is safe only while the shell
treats them as data. Unquoted they undergo word splitting and globbing; inside `eval`,
`sh -c` or a generated script they are code. Branch names may contain `$(…)` and
backticks.

NOT OK:
```yaml
script:
  - eval "echo $CI_MERGE_REQUEST_TITLE"
  - echo $CI_COMMIT_MESSAGE
```

OK:
```yaml
script:
  - printf '%s\n' "$CI_MERGE_REQUEST_TITLE"
```"#,
    fix: "Always double-quote these variables and never pass them to `eval`, `sh -c` or generated scripts.",
    tags: &["SP-23", "CWE-78"],
    zizmor: None,
};

/// Variables whose content an outside author chooses.
pub const FREE_TEXT: &[&str] = &[
    "CI_MERGE_REQUEST_TITLE",
    "CI_MERGE_REQUEST_DESCRIPTION",
    "CI_COMMIT_MESSAGE",
    "CI_COMMIT_TITLE",
    "CI_COMMIT_DESCRIPTION",
    "CI_COMMIT_TAG_MESSAGE",
    "CI_COMMIT_AUTHOR",
];
pub const NAMES: &[&str] = &[
    "CI_COMMIT_BRANCH",
    "CI_COMMIT_REF_NAME",
    "CI_COMMIT_REF_SLUG",
    "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",
    "CI_EXTERNAL_PULL_REQUEST_SOURCE_BRANCH_NAME",
];

pub struct ScriptInjection;

/// Whether `$VAR`/`${VAR}` at byte `i` of `line` is inside double quotes.
fn quoted(line: &str, i: usize) -> bool {
    let mut dq = false;
    let mut sq = false;
    for c in line[..i].chars() {
        match c {
            '"' if !sq => dq = !dq,
            '\'' if !dq => sq = !sq,
            _ => {}
        }
    }
    dq || sq
}

impl Audit for ScriptInjection {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::GitLab]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        for (id, job) in model::gitlab_jobs(doc.root) {
            for (route, n) in model::gitlab_scripts(id, job) {
                for line in n.text().lines() {
                    let evaluates = ["eval ", "sh -c", "bash -c", "source <("]
                        .iter()
                        .any(|e| line.contains(e));
                    for var in FREE_TEXT.iter().chain(NAMES) {
                        for pat in [format!("${var}"), format!("${{{var}}}")] {
                            let Some(i) = line.find(&pat) else { continue };
                            let after = line[i + pat.len()..].chars().next();
                            if after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                                continue;
                            }
                            let free = FREE_TEXT.contains(var);
                            if evaluates || (free && !quoted(line, i)) {
                                let t = line.trim();
                                let (a, b) = match doc.src.get(n.start..).and_then(|s| s.find(t)) {
                                    Some(k) => (n.start + k, n.start + k + t.len()),
                                    None => (n.start, n.end),
                                };
                                out.push(doc.finding_at(
                                    &INFO,
                                    a,
                                    b,
                                    &route,
                                    format!(
                                        "`${var}` ({}) is {}",
                                        if free {
                                            "free text the author writes"
                                        } else {
                                            "a branch name the author chooses"
                                        },
                                        if evaluates {
                                            "evaluated as shell code"
                                        } else {
                                            "unquoted"
                                        }
                                    ),
                                ));
                            }
                        }
                    }
                }
            }
        }
    }
}
