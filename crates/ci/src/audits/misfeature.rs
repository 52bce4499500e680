//! `ci/misfeature`: GitHub Actions features that work but are known to be error-prone.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use crate::yaml::Node;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/misfeature",
    name: "Error-prone Actions feature",
    severity: Severity::Low,
    confidence: Confidence::High,
    summary: "The workflow relies on a feature that hides failures or dependencies: the `cmd` shell, or `actions/setup-python`'s `pip-install` input.",
    docs: r#"Two features are documented and supported, but make workflows silently wrong:

- `shell: cmd` (for a step, or as `defaults.run.shell`): a Windows batch script does not stop
  at a failing command and reports only the exit status of its last line, so a failed
  download, signature check or test is ignored and the step still succeeds. Batch quoting
  rules are also notoriously hard to get right around interpolated values.
- `actions/setup-python` with `pip-install:`: packages are installed by the setup step, out of
  sight of the project's lockfile and of the dependency tooling that reads `run:` steps, and
  into whatever interpreter the action selected; resolution happens again on every run.

NOT OK:
```yaml
defaults:
  run:
    shell: cmd
steps:
  - uses: actions/setup-python@v5
    with:
      pip-install: -r requirements.txt
```

OK:
```yaml
defaults:
  run:
    shell: pwsh
steps:
  - uses: actions/setup-python@v5
  - run: python -m pip install --require-hashes -r requirements.txt
```"#,
    fix: "Use `pwsh` or `bash` (Actions runs bash with `-e -o pipefail` and pwsh with `$ErrorActionPreference = 'stop'`); install Python packages in a visible `run:` step from a locked, hashed requirements file.",
    tags: &["SP-23", "SP-10"],
    zizmor: Some("misfeature"),
};

pub struct Misfeature;

fn default_shell(n: &Node) -> Option<&Node> {
    n.get("defaults")
        .and_then(|d| d.get("run"))
        .and_then(|r| r.get("shell"))
}

fn is_cmd(shell: &Node) -> bool {
    let s = shell.text().trim();
    s.eq_ignore_ascii_case("cmd")
}

impl Audit for Misfeature {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow, DocKind::Action]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        let mut shells = Vec::new();
        if let Some(s) = default_shell(doc.root) {
            shells.push((
                s,
                "defaults.run.shell".to_string(),
                "workflow default shell",
            ));
        }
        for (_, job) in model::jobs(doc.root) {
            if let Some(s) = default_shell(job.node) {
                shells.push((
                    s,
                    format!("{}.defaults.run.shell", job.route),
                    "job default shell",
                ));
            }
        }
        for (_, step) in model::all_steps(doc.root) {
            if let Some(s) = step.node.get("shell") {
                shells.push((s, format!("{}.shell", step.route), "step shell"));
            }
            if model::step_action(step.node).as_deref() == Some("actions/setup-python")
                && let Some(with) = step.node.get("with")
                && let Some(k) = with.get_key("pip-install")
            {
                out.push(doc.finding(
                    &INFO,
                    k,
                    &format!("{}.with.pip-install", step.route),
                    "`pip-install` installs packages outside the lockfile, hidden in the setup step".into(),
                ));
            }
        }
        for (s, route, what) in shells {
            if is_cmd(s) {
                out.push(doc.finding(
                    &INFO,
                    s,
                    &route,
                    format!("{what} is `cmd`: a failing command does not fail the step"),
                ));
            }
        }
    }
}
