//! `ci/unpinned-images`: job containers and services without a tag or digest.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use crate::yaml::{Node, Value};
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/unpinned-images",
    name: "Container image not pinned",
    severity: Severity::High,
    confidence: Confidence::High,
    summary: "A job `container:` or `services:` image has no tag, uses `:latest`, or comes from an expression that may not be pinned.",
    docs: r#"An image without a tag (or with `latest`) is whatever the registry serves today: a
compromised or re-pushed image runs inside the job with its token and secrets, and builds
are not reproducible. Images chosen by an expression are reported when the value is not
known to be pinned.

NOT OK:
```yaml
container:
  image: node
```

OK:
```yaml
container:
  image: node:22.11@sha256:5ac0c2d7b1c1e2c4a7f27e6d3e0b5b4a9e1c3f1f1f4d6a2b1c1e2c4a7f27e6d3
```"#,
    fix: "Pin the image by digest (`image:tag@sha256:…`), or at least to an immutable version tag.",
    tags: &["SP-10", "SP-24", "CWE-829"],
    zizmor: Some("unpinned-images"),
};

pub struct UnpinnedImages;

fn check_image(doc: &Doc<'_>, job: &Node, node: &Node, route: &str, out: &mut Vec<Finding>) {
    let img = node.text();
    let exprs = model::expressions(img);
    if !exprs.is_empty() {
        if img.contains("@sha256:") {
            return;
        }
        // What the expression can yield: literals (`cond && 'redis:7' || ''`) are the
        // author's; `matrix.*` values are checked where the matrix lists them.
        let values: Vec<String> = exprs
            .iter()
            .flat_map(|e| crate::expr::value_contexts(&e.inner))
            .collect();
        let unpinned_matrix = |key: &str| -> bool {
            let Some(m) = job.get("strategy").and_then(|s| s.get("matrix")) else {
                return true;
            };
            let mut all = Vec::new();
            m.walk_scalars("", &mut all);
            // `matrix.config.image` is listed as `…config[i].image` or `include[i].image`.
            let leaf = key.rsplit('.').next().unwrap_or(key);
            let named: Vec<_> = all
                .iter()
                .filter(|(r, _)| {
                    r.split(['.', '[']).next() == Some(leaf) || r.rsplit('.').next() == Some(leaf)
                })
                .collect();
            named.is_empty()
                || named.iter().any(|(_, v)| {
                    v.text().contains("${{") || model::image_unpinned(v.text(), false).is_some()
                })
        };
        let risky = values.iter().any(|c| match c.strip_prefix("matrix.") {
            Some(k) => unpinned_matrix(k),
            None => true,
        });
        if risky {
            out.push(doc.finding(
                &INFO,
                node,
                route,
                "container image comes from an expression and may be unpinned".into(),
            ));
        }
        return;
    }
    if let Some(why) = model::image_unpinned(img, false) {
        out.push(doc.finding(&INFO, node, route, format!("container image `{img}` {why}")));
    }
}

fn image_of<'a>(n: &'a Node, route: &str) -> Option<(&'a Node, String)> {
    match &n.value {
        Value::Scalar(..) => Some((n, route.to_string())),
        Value::Map(_) => n.get("image").map(|i| (i, format!("{route}.image"))),
        _ => None,
    }
}

impl Audit for UnpinnedImages {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        for (_, job) in model::jobs(doc.root) {
            if let Some(c) = job.node.get("container")
                && let Some((n, r)) = image_of(c, &format!("{}.container", job.route))
            {
                check_image(doc, job.node, n, &r, out);
            }
            if let Some(s) = job.node.get("services") {
                for (k, v) in s.entries() {
                    if let Some((n, r)) =
                        image_of(v, &format!("{}.services.{}", job.route, k.text()))
                    {
                        check_image(doc, job.node, n, &r, out);
                    }
                }
            }
        }
        // `uses: docker://image` steps run a container image too.
        for (_, step) in model::all_steps(doc.root) {
            if let Some(u) = step.node.get("uses")
                && let Some(img) = u.text().trim().strip_prefix("docker://")
                && let Some(why) = model::image_unpinned(img, false)
            {
                out.push(doc.finding(
                    &INFO,
                    u,
                    &format!("{}.uses", step.route),
                    format!("step image `{img}` {why}"),
                ));
            }
        }
    }
}
