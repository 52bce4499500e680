//! `ci/curl-pipe-shell`: downloads piped straight into a shell in `run:` steps.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use crate::yaml::Node;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/curl-pipe-shell",
    name: "Download piped into a shell",
    severity: Severity::Medium,
    confidence: Confidence::High,
    summary: "A script runs `curl … | sh` (or wget/bash/python variants): whatever the server returns at that moment runs with the job's token and secrets, unverified.",
    docs: r#"Install scripts fetched at run time are not pinned and not verified: a compromised host,
CDN or DNS answer runs arbitrary code in the pipeline (the Codecov bash uploader breach
of 2021 worked exactly this way).

NOT OK:
```yaml
- run: curl -sSfL https://example.com/install.sh | sh
```

OK:
```yaml
- run: |
    curl -sSfLo install.sh https://example.com/v1.2.3/install.sh
    echo "5f2c…  install.sh" | sha256sum -c -
    sh install.sh
```"#,
    fix: "Download a versioned file, verify its checksum or signature, then run it; or use a pinned package or action.",
    tags: &["SP-10", "SP-24", "CWE-494"],
    zizmor: None,
};

pub struct CurlPipeShell;

/// Reports each line of `script` that pipes a download into a shell.
pub fn scan_script(doc: &Doc<'_>, info: &Info, n: &Node, route: &str, out: &mut Vec<Finding>) {
    for line in n.text().lines() {
        if line.trim_start().starts_with('#') || !crate::shell::curl_pipe_shell(line) {
            continue;
        }
        let t = line.trim();
        let (a, b) = match doc.src.get(n.start..).and_then(|s| s.find(t)) {
            Some(i) => (n.start + i, n.start + i + t.len()),
            None => (n.start, n.end),
        };
        out.push(doc.finding_at(
            info,
            a,
            b,
            route,
            "a download is piped into a shell without verification".into(),
        ));
    }
}

impl Audit for CurlPipeShell {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Workflow, DocKind::Action]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        for (_, s) in model::all_steps(doc.root) {
            if let Some(run) = s.node.get("run") {
                scan_script(doc, &INFO, run, &format!("{}.run", s.route), out);
            }
        }
    }
}
