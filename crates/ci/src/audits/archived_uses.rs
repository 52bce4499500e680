//! `ci/archived-uses`: actions whose repository is archived (bundled list).

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/archived-uses",
    name: "Archived action",
    severity: Severity::Medium,
    confidence: Confidence::High,
    summary: "The action's repository is archived: it gets no security fixes and its maintainers no longer watch it.",
    docs: r#"Archived actions keep running but receive no fixes for vulnerabilities or for the
deprecated runtimes they use. The list is bundled (offline) and covers well-known
archived actions (`actions/create-release`, `actions/upload-release-asset`,
`actions-rs/*`, …).

NOT OK:
```yaml
- uses: actions-rs/toolchain@v1
```

OK:
```yaml
- run: rustup toolchain install stable
```"#,
    fix: "Replace it with a maintained action or a few lines of script.",
    tags: &["SP-10", "CWE-1104"],
    zizmor: Some("archived-uses"),
};

/// Archived repositories (lowercase `owner/repo`; `owner/*` for a whole organization).
pub const ARCHIVED: &[&str] = &[
    "actions/create-release",
    "actions/upload-release-asset",
    "actions/setup-ruby",
    "actions/setup-elixir",
    "actions/setup-haskell",
    "actions-rs/*",
    "ncipollo/release-action-archived",
    "andymckay/cancel-action",
    "styfle/cancel-workflow-action",
    "crazy-max/ghaction-docker-buildx",
    "jurplel/install-qt-action-archived",
    "actions/labeler-archived",
    "docker/build-push-action-archived",
    "ad-m/github-push-action-archived",
    "mikepenz/action-gh-release-archived",
    "machine-learning-apps/pr-comment",
    "gr2m/create-or-update-pull-request-action",
    "pascalgn/automerge-action",
    "anothrnick/github-tag-action-archived",
    "repo-sync/pull-request",
];

pub struct ArchivedUses;

impl Audit for ArchivedUses {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow, DocKind::Action]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        // Steps, and jobs calling a reusable workflow (`uses:` on the job).
        let items = model::all_steps(doc.root)
            .into_iter()
            .map(|(_, s)| s)
            .chain(model::jobs(doc.root).into_iter().map(|(_, j)| j));
        for step in items {
            let Some(slug) = model::step_action(step.node) else {
                continue;
            };
            let hit = ARCHIVED.iter().any(|a| match a.strip_suffix("/*") {
                Some(owner) => slug.split('/').next() == Some(owner),
                None => slug == *a,
            });
            if hit {
                let u = step.node.get("uses").unwrap_or(step.node);
                out.push(doc.finding(
                    &INFO,
                    u,
                    &format!("{}.uses", step.route),
                    format!("{slug} is archived and no longer maintained"),
                ));
            }
        }
    }
}
