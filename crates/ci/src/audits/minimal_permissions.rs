//! `ci/minimal-permissions`: the least-privilege `permissions:` block each job needs.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use crate::yaml::Node;
use std::collections::BTreeMap;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/minimal-permissions",
    name: "Least-privilege permissions suggestion",
    severity: Severity::Info,
    confidence: Confidence::Medium,
    summary: "For each job without an explicit `permissions:` block, the minimal block inferred from its steps (checkout → `contents: read`, SARIF upload → `security-events: write`, OIDC logins → `id-token: write`, …).",
    docs: r#"Knowing that permissions are too broad is half the fix; this audit computes the block to
paste. The inference reads the actions and `gh` commands the job uses. `--fix` writes the
suggestion into the file. Jobs using `actions/github-script` or unknown actions may need
more; check the suggestion.

NOT OK:
```yaml
jobs:
  scan:
    steps:
      - uses: actions/checkout@v4
      - uses: github/codeql-action/upload-sarif@v3
```

OK:
```yaml
jobs:
  scan:
    permissions:
      contents: read
      security-events: write
```"#,
    fix: "Paste the suggested block under the job (or run `tollgate scan ci --fix`).",
    tags: &["SP-02", "CWE-250"],
    zizmor: None,
};

/// The scopes a job appears to need.
pub fn suggest(job: &Node) -> BTreeMap<&'static str, &'static str> {
    let mut p = BTreeMap::new();
    let mut grant = |k: &'static str, v: &'static str| {
        let e = p.entry(k).or_insert(v);
        if v == "write" {
            *e = "write";
        }
    };
    for s in model::steps(job, "") {
        let full = s
            .node
            .get("uses")
            .and_then(|u| model::Uses::parse(u.text()))
            .and_then(|u| u.full())
            .unwrap_or_default();
        let with = s.node.get("with").unwrap_or(Node::null());
        match full.as_str() {
            "actions/checkout" => grant("contents", "read"),
            "github/codeql-action/upload-sarif" | "github/codeql-action/analyze" => {
                grant("security-events", "write");
                grant("actions", "read");
            }
            "github/codeql-action/init" => grant("security-events", "write"),
            "softprops/action-gh-release" | "ncipollo/release-action" => grant("contents", "write"),
            "actions/deploy-pages" => {
                grant("pages", "write");
                grant("id-token", "write");
            }
            "peter-evans/create-pull-request" => {
                grant("contents", "write");
                grant("pull-requests", "write");
            }
            "actions/labeler" => grant("pull-requests", "write"),
            "actions/stale" => {
                grant("issues", "write");
                grant("pull-requests", "write");
            }
            "aws-actions/configure-aws-credentials" if with.get("role-to-assume").is_some() => {
                grant("id-token", "write")
            }
            "google-github-actions/auth" if with.get("workload_identity_provider").is_some() => {
                grant("id-token", "write")
            }
            "azure/login" if with.get("creds").is_none() => grant("id-token", "write"),
            "pypa/gh-action-pypi-publish" if with.get("password").is_none() => {
                grant("id-token", "write")
            }
            "actions/attest-build-provenance" | "actions/attest" => {
                grant("id-token", "write");
                grant("attestations", "write");
            }
            "docker/login-action"
                if with
                    .get("registry")
                    .is_some_and(|r| r.text().contains("ghcr.io")) =>
            {
                grant("packages", "write")
            }
            _ => {}
        }
        let run = s.node.get("run").map(|r| r.text()).unwrap_or("");
        if run.contains("gh release") || run.contains("git push") {
            grant("contents", "write");
        }
        if run.contains("gh pr comment")
            || run.contains("gh pr edit")
            || run.contains("gh pr merge")
        {
            grant("pull-requests", "write");
        }
        if run.contains("gh issue") {
            grant("issues", "write");
        }
    }
    p
}

/// The block as YAML flow text: `{contents: read, id-token: write}` or `{}`.
pub fn render(p: &BTreeMap<&str, &str>) -> String {
    let inner: Vec<String> = p.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    format!("{{{}}}", inner.join(", "))
}

pub struct MinimalPermissions;

impl Audit for MinimalPermissions {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        if model::permissions(doc.root).is_some() {
            return;
        }
        for (id, job) in model::jobs(doc.root) {
            if job.node.get("uses").is_some() || model::permissions(job.node).is_some() {
                continue;
            }
            let p = suggest(job.node);
            let block = render(&p);
            out.push(
                doc.finding(
                    &INFO,
                    job.key.unwrap_or(job.node),
                    &job.route,
                    format!("job `{id}` needs at most `permissions: {block}`"),
                )
                .with_remediation(format!("Add `permissions: {block}` to job `{id}`."))
                .with_property("suggested_permissions", serde_json::json!(p)),
            );
        }
    }
}
