//! `ci/gitlab-unpinned-tool-install`: tools installed at whatever version is newest.

use crate::doc::{Audit, Doc, DocKind, Info};
use crate::model;
use tollgate_model::{Confidence, Finding, Severity};

pub static INFO: Info = Info {
    id: "ci/gitlab-unpinned-tool-install",
    name: "GitLab tool installed without a version",
    severity: Severity::Low,
    confidence: Confidence::Medium,
    summary: "A script installs a tool without a version (`pip install x`, `npm install -g x`, `go install x@latest`, `cargo install x`, `gem install x`), so a malicious new release runs in the next pipeline.",
    docs: r#"Installing the newest release in CI makes every pipeline trust whatever was published
minutes ago. Pinning the version (and, where possible, a hash) makes builds reproducible and
gives compromised releases time to be found.

NOT OK:
```yaml
script:
  - pip install awscli
  - go install golang.org/x/vuln/cmd/govulncheck@latest
```

OK:
```yaml
script:
  - pip install awscli==1.36.2
  - go install golang.org/x/vuln/cmd/govulncheck@v1.1.3
```"#,
    fix: "Pin each tool to an exact version (`==`, `@x.y.z`, `--version`), or install it in a pinned image.",
    tags: &["SP-24", "SP-10"],
    zizmor: None,
};

pub struct UnpinnedToolInstall;

/// The unpinned package in an install command line, if any.
pub fn unpinned_install(line: &str) -> Option<String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let pos = |a: &str, b: &str| {
        words
            .windows(2)
            .position(|w| (w[0] == a || w[0].ends_with(&format!("/{a}"))) && w[1] == b)
    };
    let pkgs = |from: usize| -> Vec<&str> {
        words[from..]
            .iter()
            .take_while(|w| !matches!(**w, "&&" | "||" | ";" | "|"))
            .filter(|w| !w.starts_with('-'))
            .copied()
            .collect()
    };
    if let Some(i) = pos("pip", "install").or_else(|| pos("pip3", "install")) {
        if words
            .iter()
            .any(|w| *w == "-r" || *w == "-e" || w.starts_with("--requirement"))
        {
            return None;
        }
        return pkgs(i + 2)
            .into_iter()
            .find(|p| {
                !p.contains("==")
                    && !p.starts_with('.')
                    && !p.contains('/')
                    && !p.contains('$')
                    && !p.contains('[')
            })
            .map(str::to_string);
    }
    if let Some(i) = pos("npm", "install").or_else(|| pos("npm", "i")) {
        if !words.contains(&"-g") && !words.contains(&"--global") {
            return None;
        }
        return pkgs(i + 2)
            .into_iter()
            .find(|p| !p.trim_start_matches('@').contains('@'))
            .map(str::to_string);
    }
    if let Some(i) = pos("go", "install") {
        return pkgs(i + 2)
            .into_iter()
            .find(|p| p.ends_with("@latest") || !p.contains('@'))
            .map(str::to_string);
    }
    if let Some(i) = pos("cargo", "install") {
        if words.iter().any(|w| {
            w.starts_with("--version") || w.starts_with("--vers") || *w == "--path" || *w == "--git"
        }) {
            return None;
        }
        return pkgs(i + 2)
            .into_iter()
            .find(|p| !p.contains('@'))
            .map(str::to_string);
    }
    if let Some(i) = pos("gem", "install") {
        if words
            .iter()
            .any(|w| *w == "-v" || w.starts_with("--version"))
        {
            return None;
        }
        return pkgs(i + 2).into_iter().next().map(str::to_string);
    }
    None
}

impl Audit for UnpinnedToolInstall {
    fn info(&self) -> &'static Info {
        &INFO
    }
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::GitLab]
    }
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>) {
        for (id, job) in model::gitlab_jobs(doc.root) {
            for (route, n) in model::gitlab_scripts(id, job) {
                for line in n.text().lines() {
                    if let Some(p) = unpinned_install(line) {
                        let t = line.trim();
                        let (a, b) = match doc.src.get(n.start..).and_then(|s| s.find(t)) {
                            Some(k) => (n.start + k, n.start + k + t.len()),
                            None => (n.start, n.end),
                        };
                        out.push(doc.finding_at(
                            &INFO,
                            a,
                            b,
                            &route,
                            format!("`{p}` is installed without a pinned version"),
                        ));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::unpinned_install as u;

    #[test]
    fn installs() {
        assert_eq!(u("pip install awscli").as_deref(), Some("awscli"));
        assert_eq!(u("pip install awscli==1.2"), None);
        assert_eq!(u("pip install -r requirements.txt"), None);
        assert_eq!(
            u("npm install -g semantic-release").as_deref(),
            Some("semantic-release")
        );
        assert_eq!(u("npm install -g @scope/x@1.2.3"), None);
        assert_eq!(u("npm install"), None);
        assert!(u("go install golang.org/x/vuln/cmd/govulncheck@latest").is_some());
        assert_eq!(u("cargo install cargo-audit --version 0.22.0"), None);
    }
}
