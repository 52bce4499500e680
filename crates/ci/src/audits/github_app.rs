//! `ci/github-app`: GitHub App tokens minted with the installation's full permissions.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/github-app",
    name: "GitHub App token with blanket permissions",
    severity: Severity::High,
    confidence: Confidence::High,
    summary: "`actions/create-github-app-token` is called without any `permission-*` input, so the token gets every permission of the App installation (often write access to many repositories).",
    docs: r#"App installation tokens are usually more powerful than `GITHUB_TOKEN`: they can cross
repositories and trigger further workflows. Without `permission-*` inputs (and `repositories`),
the minted token carries everything the App was granted. Also reported: `owner:` without
`repositories:` (the token reaches every repository of that owner's installation, unless
only organization or user permissions are asked for), and `skip-token-revoke: true` or a
computed value (the token stays valid after the job, up to an hour).

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

/// App permissions that reach no repository (organization and user scopes).
fn non_repository(perm: &str) -> bool {
    let p = perm.trim_start_matches("permission-");
    p == "members"
        || p.starts_with("organization-")
        || matches!(
            p,
            "team-discussions"
                | "email-addresses"
                | "followers"
                | "gpg-keys"
                | "git-ssh-keys"
                | "profile"
                | "starring"
        )
}

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
            let with = step.node.get("with");
            let perms: Vec<&str> = with
                .map(|w| {
                    w.entries()
                        .iter()
                        .map(|(k, _)| k.text())
                        .filter(|k| k.starts_with("permission-"))
                        .collect()
                })
                .unwrap_or_default();
            if perms.is_empty() {
                let u = step.node.get("uses").unwrap_or(step.node);
                out.push(doc.finding(
                    &INFO,
                    u,
                    &format!("{}.uses", step.route),
                    "app token inherits every permission of the installation".into(),
                ));
            }
            // `owner:` without `repositories:` reaches every repository of the installation,
            // unless every permission asked for is an organization or user one.
            if let Some(owner) = with.and_then(|w| w.get("owner"))
                && with.and_then(|w| w.get("repositories")).is_none()
                && (perms.is_empty() || perms.iter().any(|p| !non_repository(p)))
            {
                out.push(doc.finding(
                    &INFO,
                    owner,
                    &format!("{}.with.owner", step.route),
                    "`owner` without `repositories`: the token reaches every repository of the installation".into(),
                ));
            }
            // The token outlives the job when revocation is skipped (or may be).
            if let Some(skip) = with.and_then(|w| w.get("skip-token-revoke"))
                && (skip.as_bool() == Some(true) || skip.text().contains("${{"))
            {
                out.push(
                    doc.finding(
                        &INFO,
                        skip,
                        &format!("{}.with.skip-token-revoke", step.route),
                        "`skip-token-revoke` leaves the token valid after the job (up to an hour)"
                            .into(),
                    ),
                );
            }
        }
    }
}
