//! `ci/gitlab-include-unpinned`: includes pinned to a branch, or remote without integrity.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model::{self, is_sha};
use crate::yaml::Value;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/gitlab-include-unpinned",
    name: "GitLab include not pinned",
    severity: Severity::High,
    confidence: Confidence::High,
    summary: "An `include:` pulls CI configuration from another project at a branch or tag (or no ref), a CI/CD component at a moving version, or a remote URL without `integrity:`.",
    docs: r#"Included configuration runs with this project's variables and tokens. When it comes from a
branch of another project, a `~latest` component or an unverified URL, whoever can push
there changes your pipeline.

NOT OK:
```yaml
include:
  - project: platform/ci-templates
    ref: main
    file: /build.yml
  - remote: https://example.com/ci.yml
```

OK:
```yaml
include:
  - project: platform/ci-templates
    ref: 2d3f1c0b8a7e6d5c4b3a29181706f5e4d3c2b1a0
    file: /build.yml
  - remote: https://example.com/ci.yml
    integrity: sha256-L3kx…
```"#,
    fix: "Pin project includes to a commit SHA, components to an exact version (or SHA), and give remote includes an `integrity:` hash.",
    tags: &["SP-10", "SP-24", "CWE-829"],
    zizmor: None,
};

pub struct IncludeUnpinned;

impl Audit for IncludeUnpinned {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::GitLab]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        for (i, (entry, kind, v)) in model::gitlab_includes(doc.root).into_iter().enumerate() {
            let route = format!("include[{i}].{kind}");
            let msg = match kind {
                "project" => {
                    let r = entry.get("ref").map(|r| r.text()).unwrap_or("");
                    if is_sha(r) {
                        continue;
                    }
                    if r.is_empty() {
                        format!(
                            "project include `{}` has no ref (follows the default branch)",
                            v.text()
                        )
                    } else {
                        format!(
                            "project include `{}` is pinned to `{r}`, not a commit SHA",
                            v.text()
                        )
                    }
                }
                "component" => {
                    let c = v.text();
                    let ver = c.rsplit_once('@').map(|(_, v)| v).unwrap_or("");
                    let exact = ver.split('.').count() == 3
                        && ver
                            .split('.')
                            .all(|p| p.chars().all(|ch| ch.is_ascii_digit()))
                        || is_sha(ver);
                    if exact {
                        continue;
                    }
                    format!(
                        "component `{c}` uses the moving version `{}`",
                        if ver.is_empty() { "(none)" } else { ver }
                    )
                }
                "remote" => {
                    let has_integrity =
                        matches!(entry.value, Value::Map(_)) && entry.get("integrity").is_some();
                    if has_integrity {
                        continue;
                    }
                    format!("remote include `{}` has no integrity hash", v.text())
                }
                _ => continue,
            };
            out.push(doc.finding(&INFO, v, &route, msg));
        }
    }
}
