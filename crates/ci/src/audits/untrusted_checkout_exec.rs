//! `ci/untrusted-checkout-exec`: privileged workflow checks out the PR head, then runs build tools.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/untrusted-checkout-exec",
    name: "Untrusted checkout followed by code execution",
    severity: Severity::Critical,
    confidence: Confidence::High,
    summary: "Under `pull_request_target`/`workflow_run`/`issue_comment`, a job checks out the pull request's code and then runs a build tool (npm, make, pip, cargo, a script) that executes that code with the privileged token and secrets.",
    docs: r#"This is the "pwn request": build tools run code from the repository (`package.json`
scripts, `setup.py`, `build.rs`, Makefiles, test files). With the pull request head checked
out in a privileged workflow, the pull request author's code runs with a write token and
the repository secrets.

NOT OK:
```yaml
on: pull_request_target
jobs:
  test:
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: npm install && npm test
```

OK:
```yaml
on: pull_request
```"#,
    fix: "Run untrusted code only under `pull_request` (no secrets); if a privileged follow-up is needed, pass data through artifacts and treat them as data.",
    tags: &["SP-23", "SP-03", "CWE-829"],
    zizmor: None,
};

const BUILD_TOOLS: &[&str] = &[
    "npm ",
    "npx ",
    "yarn",
    "pnpm ",
    "bun ",
    "make",
    "cmake",
    "pip install",
    "python ",
    "python3 ",
    "pytest",
    "tox",
    "nox",
    "cargo ",
    "go build",
    "go test",
    "go run",
    "mvn ",
    "gradle",
    "./gradlew",
    "bundle ",
    "rake",
    "composer ",
    "dotnet ",
    "./",
    "bash ",
    "sh ",
    "poetry ",
    "uv ",
    "docker build",
];

pub struct UntrustedCheckoutExec;

impl Audit for UntrustedCheckoutExec {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        let privileged = ["pull_request_target", "workflow_run", "issue_comment"]
            .iter()
            .any(|t| model::has_trigger(doc.root, t));
        if !privileged {
            return;
        }
        for (_, job) in model::jobs(doc.root) {
            let steps = model::steps(job.node, &job.route);
            let Some(pos) = steps
                .iter()
                .position(|s| model::checks_out_untrusted(s.node))
            else {
                continue;
            };
            let exec = steps[pos + 1..].iter().find(|s| {
                let run = s.node.get("run").map(|r| r.text()).unwrap_or("");
                run.lines().any(|l| {
                    let l = l.trim_start();
                    BUILD_TOOLS
                        .iter()
                        .any(|t| l.starts_with(t) || l.contains(&format!("&& {t}")))
                }) || s
                    .node
                    .get("uses")
                    .is_some_and(|u| u.text().starts_with("./"))
            });
            if let Some(e) = exec {
                let c = &steps[pos];
                let mut f = doc.finding(
                    &INFO,
                    c.node.get("uses").unwrap_or(c.node),
                    &format!("{}.uses", c.route),
                    "the pull request's code is checked out in a privileged workflow and then executed"
                        .into(),
                );
                f.related
                    .push(doc.finding(&INFO, e.node, &e.route, String::new()).location);
                out.push(f);
            }
        }
    }
}
