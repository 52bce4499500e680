//! `ci/gitlab-fork-mr-secrets`: secret-holding or deploy jobs that run for merge requests.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use crate::yaml::Node;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/gitlab-fork-mr-secrets",
    name: "Secret-holding job runs for merge requests",
    severity: Severity::High,
    confidence: Confidence::Low,
    summary: "A job that deploys or reads credential variables has `rules`/`only` that run it on `merge_request_event`, so merge requests (from forks, when parent-project pipelines are enabled) run it with the MR author's code.",
    docs: r#"Merge request pipelines run the merge request's version of `.gitlab-ci.yml` and scripts.
When fork MRs run in the parent project (a common setting for contributor CI), jobs that
receive unprotected credentials or deploy hand them to the MR author. Credential jobs
should run only on protected branches and tags.

NOT OK:
```yaml
publish:
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  script:
    - npm publish --token $NPM_TOKEN
```

OK:
```yaml
publish:
  rules:
    - if: $CI_COMMIT_TAG
```

Rules that keep forks out are honoured: an earlier `when: never` rule whose condition holds in
every fork (`$CI_PROJECT_PATH != "group/project"`, `$CI_PROJECT_NAMESPACE != "group"`,
`$CI_MERGE_REQUEST_SOURCE_PROJECT_PATH != $CI_PROJECT_PATH`), the same in `workflow: rules:`,
or a merge-request rule that also requires
`$CI_MERGE_REQUEST_SOURCE_PROJECT_PATH == $CI_PROJECT_PATH` (or the project's path). The
`$CI_PROJECT_*` forms keep the job out of pipelines that run in a fork; a fork's merge request
runs in the parent project only when a maintainer starts it, which the
`$CI_MERGE_REQUEST_SOURCE_PROJECT_*` forms exclude as well."#,
    fix: "Restrict the job to protected refs (`if: $CI_COMMIT_REF_PROTECTED == \"true\"` or tags) and mark its variables protected.",
    tags: &["SP-23", "SP-07", "SP-22"],
    zizmor: None,
};

pub struct ForkMrSecrets;

/// Variables that name the project a pipeline runs in, or the project a merge request comes
/// from: comparing one with a literal (or the source project with the project) tells a fork
/// from the project itself.
const PROJECT_VARS: &[&str] = &[
    "$CI_PROJECT_PATH",
    "$CI_PROJECT_NAMESPACE",
    "$CI_PROJECT_ID",
    "$CI_PROJECT_ROOT_NAMESPACE",
];
const SOURCE_VARS: &[&str] = &[
    "$CI_MERGE_REQUEST_SOURCE_PROJECT_PATH",
    "$CI_MERGE_REQUEST_SOURCE_PROJECT_ID",
    "$CI_MERGE_REQUEST_SOURCE_PROJECT_URL",
];

/// What one comparison of a `rules: if:` says about forks.
#[derive(PartialEq)]
enum ForkTest {
    /// True in a fork's pipeline or for a fork's merge request.
    Differs,
    /// True only in the project itself, for its own branches.
    Same,
    Other,
}

fn fork_test(atom: &str) -> ForkTest {
    let a = atom.trim().trim_matches(['(', ')']).trim();
    let (op, l, r) = ["!=", "!~", "==", "=~"]
        .iter()
        .find_map(|op| a.split_once(op).map(|(l, r)| (*op, l.trim(), r.trim())))
        .unwrap_or(("", a, ""));
    if op.is_empty() {
        return ForkTest::Other;
    }
    let is = |side: &str, vars: &[&str]| vars.contains(&side);
    let literal = |side: &str| side.starts_with(['"', '\'', '/']);
    let tells = (is(l, SOURCE_VARS) || is(r, SOURCE_VARS))
        || (is(l, PROJECT_VARS) && literal(r))
        || (is(r, PROJECT_VARS) && literal(l));
    match (tells, op) {
        (false, _) => ForkTest::Other,
        (true, "!=" | "!~") => ForkTest::Differs,
        _ => ForkTest::Same,
    }
}

/// The condition's alternatives (`||`), each as its conjuncts (`&&`); `${X}` read as `$X`.
fn alternatives(cond: &str) -> Vec<Vec<String>> {
    let c = cond.replace("${", "$").replace('}', "");
    c.split("||")
        .map(|alt| alt.split("&&").map(|a| a.trim().to_string()).collect())
        .collect()
}

/// A `when: never` rule whose condition holds in every fork: one alternative made only of
/// comparisons that are true there (`$CI_PROJECT_PATH != "group/project"`).
fn never_in_forks(rule: &Node) -> bool {
    rule.get("when").is_some_and(|w| w.text() == "never")
        && rule.get("if").is_some_and(|c| {
            alternatives(c.text())
                .iter()
                .any(|alt| alt.iter().all(|a| fork_test(a) == ForkTest::Differs))
        })
}

/// A merge-request condition that holds only for the project's own branches: every
/// alternative that names `merge_request_event` also requires the source project to be the
/// project (`$CI_MERGE_REQUEST_SOURCE_PROJECT_PATH == $CI_PROJECT_PATH`).
fn same_project_only(cond: &str) -> bool {
    let alts = alternatives(cond);
    let mr: Vec<_> = alts
        .iter()
        .filter(|alt| alt.iter().any(|a| a.contains("merge_request_event")))
        .collect();
    !mr.is_empty()
        && mr
            .iter()
            .all(|alt| alt.iter().any(|a| fork_test(a) == ForkTest::Same))
}

/// `workflow: rules:` that drop every pipeline of a fork before any rule that could admit a
/// merge request pipeline.
fn excludes_forks_first(rules: &[Node]) -> bool {
    for r in rules {
        if never_in_forks(r) {
            return true;
        }
        let admits_mr = r.get("when").is_none_or(|w| w.text() != "never")
            && r.get("if")
                .is_none_or(|c| c.text().contains("merge_request_event"));
        if admits_mr {
            return false;
        }
    }
    false
}

impl Audit for ForkMrSecrets {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::GitLab]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        // `workflow: rules:` that never create a pipeline in a fork cover every job.
        if doc
            .root
            .get("workflow")
            .and_then(|w| w.get("rules"))
            .is_some_and(|r| excludes_forks_first(r.items()))
        {
            return;
        }
        for (id, job) in model::gitlab_jobs(doc.root) {
            let mr = super::job::lookup(doc.root, id, job, "rules")
                .and_then(|(r, route)| {
                    let items = r.items();
                    items.iter().enumerate().find_map(|(i, x)| {
                        let c = x.get("if")?;
                        let t = c.text();
                        (t.contains("merge_request_event")
                            && !t.contains("!=")
                            && x.get("when").is_none_or(|w| w.text() != "never")
                            && !same_project_only(t)
                            && !items[..i].iter().any(never_in_forks))
                        .then(|| (c, format!("{route}[{i}].if")))
                    })
                })
                .or_else(|| {
                    super::job::lookup(doc.root, id, job, "only").and_then(|(o, route)| {
                        let list = o.get("refs").unwrap_or(o);
                        list.items()
                            .iter()
                            .enumerate()
                            .find(|(_, x)| x.text() == "merge_requests")
                            .map(|(i, x)| (x, format!("{route}[{i}]")))
                    })
                });
            let Some((cond, route)) = mr else { continue };
            let script = super::job::script_text(doc.root, id, job);
            let secret = ["TOKEN", "SECRET", "PASSWORD", "_KEY"].iter().any(|w| {
                script.split(['$', '{']).skip(1).any(|v| {
                    let name: String = v
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    name.contains(w) && !name.starts_with("CI_")
                })
            });
            if secret || super::job::is_deploy(doc.root, id, job) {
                out.push(doc.finding(
                    &INFO,
                    cond,
                    &route,
                    format!("job `{id}` uses credentials or deploys, and runs for merge request pipelines"),
                ));
            }
        }
    }
}
