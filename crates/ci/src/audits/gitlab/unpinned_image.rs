//! `ci/gitlab-unpinned-image`: job images with no tag or `:latest`.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/gitlab-unpinned-image",
    name: "GitLab image not pinned",
    severity: Severity::Medium,
    confidence: Confidence::High,
    summary: "A job, `default:` or top-level `image:` has no tag or uses `:latest`, so each pipeline runs whatever the registry serves that day.",
    docs: r#"A mutable image is a dependency nobody reviewed: a compromised or re-pushed tag runs in
every job with the job token and CI variables, and builds are not reproducible.

NOT OK:
```yaml
image: python:latest
```

OK:
```yaml
image: python:3.12.7-slim@sha256:9f1c…
```"#,
    fix: "Pin the image to a version tag, ideally with its `@sha256:` digest.",
    tags: &["SP-10", "SP-24", "CWE-829"],
    zizmor: None,
};

pub struct UnpinnedImage;

impl Audit for UnpinnedImage {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::GitLab]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        let mut places = Vec::new();
        if let Some(i) = doc.root.get("image") {
            places.push((i, "image".to_string()));
        }
        if let Some(i) = doc.root.get("default").and_then(|d| d.get("image")) {
            places.push((i, "default.image".to_string()));
        }
        for (k, v) in doc.root.entries() {
            if let Some(i) = v.get("image") {
                places.push((i, format!("{}.image", k.text())));
            }
        }
        for (n, route) in places {
            let Some(name) = model::gitlab_image_name(n) else {
                continue;
            };
            if let Some(why) = model::image_unpinned(name.text(), false) {
                out.push(doc.finding(
                    &INFO,
                    name,
                    &route,
                    format!("image `{}` {why}", name.text()),
                ));
            }
        }
    }
}
