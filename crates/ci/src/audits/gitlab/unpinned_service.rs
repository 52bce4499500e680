//! `ci/gitlab-unpinned-service`: service containers with no tag or `:latest`.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/gitlab-unpinned-service",
    name: "GitLab service image not pinned",
    severity: Severity::Medium,
    confidence: Confidence::High,
    summary: "A `services:` image (databases, `docker:dind`) has no tag or uses `:latest`.",
    docs: r#"Service containers run beside the job, share its network and often its Docker socket;
an unpinned service image is as dangerous as an unpinned job image.

NOT OK:
```yaml
services:
  - docker:dind
```

OK:
```yaml
services:
  - docker:27.3.1-dind
```"#,
    fix: "Pin the service image to a version tag (and digest).",
    tags: &["SP-10", "SP-24"],
    zizmor: None,
};

pub struct UnpinnedService;

impl Audit for UnpinnedService {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::GitLab]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        let mut lists = Vec::new();
        if let Some(s) = doc.root.get("services") {
            lists.push((s, "services".to_string()));
        }
        if let Some(s) = doc.root.get("default").and_then(|d| d.get("services")) {
            lists.push((s, "default.services".to_string()));
        }
        for (k, v) in doc.root.entries() {
            if let Some(s) = v.get("services") {
                lists.push((s, format!("{}.services", k.text())));
            }
        }
        for (list, route) in lists {
            for (i, s) in list.items().iter().enumerate() {
                let Some(name) = model::gitlab_image_name(s) else {
                    continue;
                };
                let img = name.text();
                // `docker:dind` is a tag ("dind"), but a moving one.
                let why = model::image_unpinned(img, false).or_else(|| {
                    img.rsplit('/')
                        .next()
                        .and_then(|l| l.split_once(':'))
                        .and_then(|(_, t)| {
                            matches!(t, "dind" | "stable" | "edge" | "rolling")
                                .then_some("uses a moving tag")
                        })
                });
                if let Some(why) = why {
                    out.push(doc.finding(
                        &INFO,
                        name,
                        &format!("{route}[{i}]"),
                        format!("service `{img}` {why}"),
                    ));
                }
            }
        }
    }
}
