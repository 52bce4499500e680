//! `ci/github-app`: GitHub App tokens minted with the installation's full permissions.

use crate::model;
use crate::{Audit, Doc, DocKind, Info};
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/github-app",
    name: "GitHub App token with blanket permissions",
    severity: Severity::High,
    confidence: Confidence::High,
    summary: "`actions/create-github-app-token` is called without any `permission-*` input, so the token gets every permission of the App installation (often write access to many repositories).",
    docs: r#"App installation tokens are usually more powerful than `GITHUB_TOKEN`: they can cross
repositories and trigger further workflows. Without `permission-*` inputs (and `repositories`),
the minted token carries everything the App was granted.

NOT OK:
```yaml
- uses: actions/create-github-app-token@v2
  with:
    app-id: ${{ vars.APP_ID }}
    private-key: ${{ secrets.APP_KEY }}
```

OK:
```yaml
- uses: actions/create-github-app-token@v2
  with:
    app-id: ${{ vars.APP_ID }}
    private-key: ${{ secrets.APP_KEY }}
    permission-contents: write
```"#,
    fix: "Add `permission-<scope>: <level>` inputs for exactly the scopes the job needs (and `repositories:` when it crosses repositories).",
    tags: &["SP-02", "CWE-250"],
    zizmor: Some("github-app"),
};

pub struct GithubApp;

impl Audit for GithubApp {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow, DocKind::Action]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        for (_, step) in model::all_steps(doc.root) {
            if model::step_action(step.node).as_deref() != Some("actions/create-github-app-token") {
                continue;
            }
            let scoped = step.node.get("with").is_some_and(|w| {
                w.entries()
                    .iter()
                    .any(|(k, _)| k.text().starts_with("permission-"))
            });
            if !scoped {
                let u = step.node.get("uses").unwrap_or(step.node);
                out.push(doc.finding(
                    &INFO,
                    u,
                    &format!("{}.uses", step.route),
                    "app token inherits every permission of the installation".into(),
                ));
            }
        }
    }
}
