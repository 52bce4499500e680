//! `ci/unpinned-uses`: actions and reusable workflows not pinned to a commit SHA.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model::{self, Uses};
use crate::yaml::Node;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/unpinned-uses",
    name: "Action not pinned to a commit",
    severity: Severity::High,
    confidence: Confidence::High,
    summary: "A `uses:` reference names a tag or branch (or nothing) instead of a full commit SHA, so whoever controls the action's repository decides what runs.",
    docs: r#"Tags and branches move. When an action's repository is compromised (tj-actions/changed-files,
March 2025), every workflow that references it by tag runs the attacker's code with its
secrets. Only a 40-hex commit SHA is immutable. Policy (zizmor's first-party default): the
actions GitHub owns (`actions/*`, `github/*`, `dependabot/*`) may use a tag, every other
action must be SHA-pinned. `[ci] ref-pin-allowed` replaces that list (`[]` makes every action
need a SHA); when it is unset and the project has a zizmor config, that config's
`unpinned-uses` policies (`ref-pin` / `any` patterns) are used instead. Local actions (`./…`)
are not reported; `docker://` images must carry a digest.

NOT OK:
```yaml
- uses: docker/login-action@v3
```

OK:
```yaml
- uses: docker/login-action@74a5d142397b4f367a81961eba4e8cd7edddf772 # v3.4.0
- uses: actions/checkout@v4   # GitHub's own action: a tag is accepted by default
```"#,
    fix: "Pin to the full commit SHA of the release and keep the tag in a comment; let Dependabot or Renovate update it.",
    tags: &["SP-10", "SP-24", "CWE-829"],
    zizmor: Some("unpinned-uses"),
};

pub struct UnpinnedUses;

fn allowed(patterns: &[&str], full: &str) -> bool {
    patterns.iter().any(|p| {
        let p = p.to_ascii_lowercase();
        match p.strip_suffix('*') {
            Some(prefix) => full.starts_with(prefix),
            None => full == p || full.starts_with(&format!("{p}/")),
        }
    })
}

fn check_uses(doc: &Doc<'_>, node: &Node, route: &str, out: &mut Vec<Finding>) {
    let Some(u) = Uses::parse(node.text()) else {
        return;
    };
    let msg = match &u {
        Uses::Local(_) => return,
        // No tag or `:latest` is `ci/unpinned-images`' finding; a tag without a digest is ours.
        Uses::Docker(img) => match model::image_unpinned(img, true) {
            Some(_) if model::image_unpinned(img, false).is_some() => return,
            Some(why) => format!("docker image {why}"),
            None => return,
        },
        Uses::Repo { git_ref: None, .. } => "action is not pinned at all (no @ref)".to_string(),
        Uses::Repo {
            git_ref: Some(r), ..
        } => {
            if model::is_sha(r) {
                return;
            }
            if allowed(
                &doc.settings.ref_pin_patterns(),
                &u.full().unwrap_or_default(),
            ) {
                return;
            }
            format!("action is pinned to `{r}`, not to a commit SHA")
        }
    };
    out.push(doc.finding(&INFO, node, route, msg));
}

impl Audit for UnpinnedUses {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow, DocKind::Action]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        for (u, route) in model::all_uses(doc.root) {
            check_uses(doc, u, &route, out);
        }
    }
}
