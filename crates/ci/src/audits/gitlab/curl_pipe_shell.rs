//! `ci/gitlab-curl-pipe-shell`: downloads piped into a shell in GitLab scripts.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/gitlab-curl-pipe-shell",
    name: "GitLab download piped into a shell",
    severity: Severity::Medium,
    confidence: Confidence::High,
    summary: "A GitLab script runs `curl … | sh` (or wget/bash/python variants), executing whatever the server returns, unverified, with the job's variables.",
    docs: r#"See `ci/curl-pipe-shell`: the same risk in GitLab jobs, which often hold deploy keys and
registry tokens as CI/CD variables.

NOT OK:
```yaml
script:
  - curl -fsSL https://get.example.com | bash
```

OK:
```yaml
script:
  - curl -fsSLo install.sh https://get.example.com/v2.1.0/install.sh
  - echo "9a3d…  install.sh" | sha256sum -c -
  - bash install.sh
```"#,
    fix: "Download a versioned file, verify its checksum or signature, then run it; or bake the tool into a pinned image.",
    tags: &["SP-10", "SP-24", "CWE-494"],
    zizmor: None,
};

pub struct GitlabCurlPipeShell;

impl Audit for GitlabCurlPipeShell {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::GitLab]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        let mut scripts = Vec::new();
        for (id, job) in model::gitlab_jobs(doc.root) {
            scripts.extend(model::gitlab_scripts(id, job));
        }
        for (k, v) in doc.root.entries() {
            if k.text().starts_with('.') || k.text() == "default" {
                scripts.extend(model::gitlab_scripts(k.text(), v));
            }
        }
        for (route, n) in scripts {
            crate::audits::curl_pipe_shell::scan_script(doc, &INFO, n, &route, out);
        }
    }
}
