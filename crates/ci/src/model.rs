//! Shared readings of the CI documents: jobs, steps, triggers, `uses:` references, `${{ }}`
//! expressions and the contexts they read, GitLab jobs and includes.

use crate::yaml::{Node, Value};

/// A job or step with its route.
pub struct Item<'a> {
    pub route: String,
    pub node: &'a Node,
    /// The mapping key naming it (jobs), for findings about the whole job.
    pub key: Option<&'a Node>,
}

/// The workflow's trigger names (`on:` as a string, a list or a mapping), with the node.
pub fn triggers(root: &Node) -> Vec<(String, &Node)> {
    let Some(on) = root.get("on").or_else(|| root.get("true")) else {
        return Vec::new();
    };
    match &on.value {
        Value::Scalar(s, _) => vec![(s.clone(), on)],
        Value::Seq(items) => items.iter().map(|n| (n.text().to_string(), n)).collect(),
        Value::Map(m) => m.iter().map(|(k, _)| (k.text().to_string(), k)).collect(),
    }
}

pub fn has_trigger(root: &Node, name: &str) -> bool {
    triggers(root).iter().any(|(t, _)| t == name)
}

/// Triggers whose runs see untrusted input with repository privileges.
pub const PRIVILEGED_TRIGGERS: &[&str] = &["pull_request_target", "workflow_run"];

/// Triggers any GitHub user can cause with content they control.
pub const EXTERNAL_TRIGGERS: &[&str] = &[
    "pull_request",
    "pull_request_target",
    "issue_comment",
    "issues",
    "pull_request_review",
    "pull_request_review_comment",
    "discussion",
    "discussion_comment",
    "workflow_run",
    "fork",
];

/// `jobs.<id>` of a workflow.
pub fn jobs(root: &Node) -> Vec<(&str, Item<'_>)> {
    root.get("jobs")
        .map(|j| {
            j.entries()
                .iter()
                .map(|(k, v)| {
                    (
                        k.text(),
                        Item {
                            route: format!("jobs.{}", k.text()),
                            node: v,
                            key: Some(k),
                        },
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Steps of a job (`<route>.steps[i]`), or of a composite action (`runs.steps[i]`). A
/// `parallel:` group contributes its inner steps (`steps[i].parallel[j]`).
pub fn steps<'a>(parent: &'a Node, route: &str) -> Vec<Item<'a>> {
    let mut out = Vec::new();
    for (i, n) in parent
        .get("steps")
        .map(|s| s.items())
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let r = if route.is_empty() {
            format!("steps[{i}]")
        } else {
            format!("{route}.steps[{i}]")
        };
        match n.get("parallel").filter(|p| !p.items().is_empty()) {
            Some(p) => {
                for (j, m) in p.items().iter().enumerate() {
                    out.push(Item {
                        route: format!("{r}.parallel[{j}]"),
                        node: m,
                        key: None,
                    });
                }
            }
            None => out.push(Item {
                route: r,
                node: n,
                key: None,
            }),
        }
    }
    out
}

/// Every step of the document: workflow job steps or composite action steps, with the job.
pub fn all_steps(root: &Node) -> Vec<(Option<&Node>, Item<'_>)> {
    let mut out = Vec::new();
    for (_, job) in jobs(root) {
        for s in steps(job.node, &job.route) {
            out.push((Some(job.node), s));
        }
    }
    if let Some(runs) = root.get("runs") {
        for s in steps(runs, "runs") {
            out.push((None, s));
        }
    }
    out
}

/// Every `uses:` of the document — reusable-workflow jobs first, then steps — with its route.
pub fn all_uses(root: &Node) -> Vec<(&Node, String)> {
    let mut out = Vec::new();
    for (_, job) in jobs(root) {
        if let Some(u) = job.node.get("uses") {
            out.push((u, format!("{}.uses", job.route)));
        }
    }
    for (_, step) in all_steps(root) {
        if let Some(u) = step.node.get("uses") {
            out.push((u, format!("{}.uses", step.route)));
        }
    }
    out
}

/// A parsed `uses:` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Uses {
    /// `owner/repo[/path]@ref`.
    Repo {
        owner: String,
        repo: String,
        path: String,
        git_ref: Option<String>,
    },
    /// `docker://image[:tag][@digest]`.
    Docker(String),
    /// `./path` in the same repository.
    Local(String),
}

impl Uses {
    pub fn parse(s: &str) -> Option<Uses> {
        let s = s.trim();
        if let Some(img) = s.strip_prefix("docker://") {
            return Some(Uses::Docker(img.to_string()));
        }
        if s.starts_with("./") || s.starts_with('.') || s.starts_with("$/") {
            return Some(Uses::Local(s.to_string()));
        }
        let (target, git_ref) = match s.split_once('@') {
            Some((t, r)) => (t, Some(r.to_string())),
            None => (s, None),
        };
        let mut parts = target.splitn(3, '/');
        let owner = parts.next()?.to_string();
        let repo = parts.next()?.to_string();
        let path = parts.next().unwrap_or("").to_string();
        if owner.is_empty() || repo.is_empty() {
            return None;
        }
        Some(Uses::Repo {
            owner,
            repo,
            path,
            git_ref,
        })
    }

    /// `owner/repo` (lowercase) for repository actions.
    pub fn slug(&self) -> Option<String> {
        match self {
            Uses::Repo { owner, repo, .. } => Some(format!("{owner}/{repo}").to_ascii_lowercase()),
            _ => None,
        }
    }

    /// `owner/repo/path` (lowercase), without the ref.
    pub fn full(&self) -> Option<String> {
        match self {
            Uses::Repo {
                owner, repo, path, ..
            } if path.is_empty() => Some(format!("{owner}/{repo}").to_ascii_lowercase()),
            Uses::Repo {
                owner, repo, path, ..
            } => Some(format!("{owner}/{repo}/{path}").to_ascii_lowercase()),
            _ => None,
        }
    }
}

/// The action a step uses (`owner/repo` lowercased), if any.
pub fn step_action(step: &Node) -> Option<String> {
    step.get("uses")
        .and_then(|u| Uses::parse(u.text()))
        .and_then(|u| u.slug())
}

pub fn is_sha(r: &str) -> bool {
    r.len() == 40 && r.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A `${{ … }}` expression in a string: byte range of the whole `${{ … }}` and the inner text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expr {
    pub start: usize,
    pub end: usize,
    pub inner: String,
}

/// The expressions of `s`, in order.
pub fn expressions(s: &str) -> Vec<Expr> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(i) = s[pos..].find("${{") {
        let start = pos + i;
        let body = start + 3;
        // `}}` inside a quoted string literal does not close the expression.
        let bytes = s.as_bytes();
        let mut j = body;
        let mut quote = false;
        let mut end = None;
        while j + 1 < bytes.len() {
            match bytes[j] {
                b'\'' => quote = !quote,
                b'}' if !quote && bytes[j + 1] == b'}' => {
                    end = Some(j);
                    break;
                }
                _ => {}
            }
            j += 1;
        }
        let Some(e) = end else { break };
        out.push(Expr {
            start,
            end: e + 2,
            inner: s[body..e].trim().to_string(),
        });
        pos = e + 2;
    }
    out
}

/// The context references an expression reads (`github.event.issue.title`, `secrets.X`,
/// `steps.a.outputs.b`), lowercased, with `['x']` indexes written as `.x` and `[…]` others as
/// `.*`. String literals are skipped.
pub fn contexts(expr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let b = expr.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'\'' {
            i += 1;
            while i < b.len() && b[i] != b'\'' {
                i += 1;
            }
            i += 1;
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            let mut cur = String::new();
            while i < b.len() {
                let c = b[i];
                if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.' || c == b'*' {
                    cur.push(c.to_ascii_lowercase() as char);
                    i += 1;
                } else if c == b'[' {
                    let close = expr[i..].find(']').map(|k| i + k).unwrap_or(b.len() - 1);
                    let inside = expr[i + 1..close].trim();
                    if inside.len() >= 2 && inside.starts_with('\'') && inside.ends_with('\'') {
                        cur.push('.');
                        cur.push_str(&inside[1..inside.len() - 1].to_ascii_lowercase());
                    } else {
                        cur.push_str(".*");
                    }
                    i = close + 1;
                } else {
                    break;
                }
            }
            let is_call = i < b.len() && b[i] == b'(';
            let cur = cur.trim_end_matches('.').to_string();
            if !is_call && !matches!(cur.as_str(), "true" | "false" | "null") && !cur.is_empty() {
                out.push(cur);
            }
            continue;
        }
        i += 1;
    }
    out
}

/// How far an attacker can steer a context's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Capability {
    /// Fixed by GitHub or the repository (ids, SHAs, secrets, runner paths).
    Fixed,
    /// Set inside the workflow or by maintainers; attacker control not known.
    Unknown,
    /// Free text an outside user writes (titles, bodies, branch names, commit messages).
    Arbitrary,
}

/// Event fields whose contents an outside user writes.
const ARBITRARY_SUFFIXES: &[&str] = &[
    ".title",
    ".body",
    ".message",
    ".head_ref",
    ".head_branch",
    ".label",
    ".page_name",
    ".email",
    ".name",
    ".ref",
    ".default_branch",
    ".description",
    ".homepage",
    ".html_url",
];

/// The capability of one context reference.
pub fn capability(ctx: &str) -> Capability {
    let fixed_prefixes = [
        "secrets.",
        "runner.",
        "job.",
        "strategy.",
        "vars.",
        "github.token",
        "github.sha",
        "github.run_",
        "github.repository",
        "github.workspace",
        "github.action_path",
        "github.server_url",
        "github.api_url",
        "github.graphql_url",
        "github.job",
        "github.workflow",
        "github.event_name",
        "github.ref_type",
        "github.actor",
        "github.triggering_actor",
        "github.retention_days",
        "github.action",
        "github.env",
        "github.path",
        "github.output",
        "github.step_summary",
    ];
    if ctx == "secrets" || ctx == "github" || ctx == "github.event" {
        return Capability::Arbitrary;
    }
    if ctx == "github.head_ref" {
        return Capability::Arbitrary;
    }
    if fixed_prefixes.iter().any(|p| ctx.starts_with(p)) {
        return Capability::Fixed;
    }
    // Job results and step outcomes are one of a few fixed words.
    if (ctx.starts_with("needs.") && ctx.ends_with(".result"))
        || (ctx.starts_with("steps.")
            && (ctx.ends_with(".outcome") || ctx.ends_with(".conclusion")))
    {
        return Capability::Fixed;
    }
    if let Some(ev) = ctx.strip_prefix("github.event.") {
        let fixed_leaf = ev.ends_with(".sha")
            || ev.ends_with(".id")
            || ev.ends_with("number")
            || ev.ends_with(".node_id")
            || ev.ends_with(".number")
            || ev.ends_with("_at")
            || ev.ends_with(".merged")
            || ev.ends_with(".draft")
            || ev.ends_with(".state")
            || ev.ends_with(".conclusion")
            || ev.ends_with(".status")
            || ev.ends_with(".full_name")
            || ev.ends_with(".type")
            || ev.ends_with(".action")
            || ev == "action"
            || ev.ends_with(".fork")
            || ev.ends_with(".private")
            || ev.ends_with(".url") && !ev.ends_with(".html_url");
        if fixed_leaf {
            return Capability::Fixed;
        }
        if ARBITRARY_SUFFIXES.iter().any(|s| ev.ends_with(s))
            || ev.starts_with("inputs.")
            || ev.starts_with("client_payload")
            || ev.contains("commits")
            || ev.contains("head_commit")
            || ev.contains(".labels")
            || ev.starts_with("comment")
            || ev.starts_with("review")
        {
            return Capability::Arbitrary;
        }
        return Capability::Unknown;
    }
    Capability::Unknown
}

/// Known dangerous step: it checks out code from a pull request head / fork.
pub fn checks_out_untrusted(step: &Node) -> bool {
    if step_action(step).as_deref() != Some("actions/checkout") {
        return false;
    }
    let Some(with) = step.get("with") else {
        return false;
    };
    let r = with.get("ref").map(|r| r.text()).unwrap_or("");
    let repo = with.get("repository").map(|r| r.text()).unwrap_or("");
    let bad = |s: &str| {
        let s = s.to_ascii_lowercase();
        s.contains("head.sha")
            || s.contains("head.ref")
            || s.contains("head_ref")
            || s.contains("head_sha")
            || s.contains("head_branch")
            || s.contains("refs/pull/")
            || s.contains("merge_commit_sha")
            || s.contains("head.repo.full_name")
            || s.contains("workflow_run.head")
    };
    bad(r) || bad(repo)
}

/// Job's `environment:` name, if set.
pub fn job_environment(job: &Node) -> Option<&Node> {
    job.get("environment").filter(|e| !e.is_null())
}

/// The `permissions:` of a node (workflow or job), if present.
pub fn permissions(node: &Node) -> Option<&Node> {
    node.get("permissions")
}

/// Whether a `permissions:` value grants `scope: write` (or `write-all`).
pub fn grants_write(perms: &Node, scope: &str) -> bool {
    match &perms.value {
        Value::Scalar(s, _) => s == "write-all",
        Value::Map(_) => perms
            .get(scope)
            .map(|v| v.text() == "write")
            .unwrap_or(false),
        _ => false,
    }
}

/// Deploy or publish commands and actions (a job that ships something).
pub fn looks_like_deploy(job_id: &str, job: &Node) -> bool {
    let id = job_id.to_ascii_lowercase();
    if ["deploy", "publish", "release", "upload-to"]
        .iter()
        .any(|w| id.contains(w))
    {
        return true;
    }
    for s in steps(job, "") {
        if let Some(a) = step_action(s.node)
            && DEPLOY_ACTIONS.iter().any(|d| a == *d)
        {
            return true;
        }
        let run = s.node.get("run").map(|r| r.text()).unwrap_or("");
        if run_deploys(run) {
            return true;
        }
    }
    false
}

/// Whether a script runs a deploy or publish command (dry runs excluded).
pub fn run_deploys(run: &str) -> bool {
    run.lines().any(|l| {
        !l.contains("--dry-run")
            && !l.trim_start().starts_with('#')
            && DEPLOY_COMMANDS.iter().any(|c| l.contains(c))
    })
}

pub const DEPLOY_ACTIONS: &[&str] = &[
    "pypa/gh-action-pypi-publish",
    "aws-actions/amazon-ecs-deploy-task-definition",
    "azure/webapps-deploy",
    "google-github-actions/deploy-cloudrun",
    "google-github-actions/deploy-appengine",
    "cloudflare/wrangler-action",
    "peaceiris/actions-gh-pages",
    "actions/deploy-pages",
    "jamesives/github-pages-deploy-action",
    "amondnet/vercel-action",
    "rust-lang/crates-io-auth-action",
];

pub const DEPLOY_COMMANDS: &[&str] = &[
    "npm publish",
    "pnpm publish",
    "yarn publish",
    "yarn npm publish",
    "cargo publish",
    "twine upload",
    "poetry publish",
    "uv publish",
    "gem push",
    "docker push",
    "kubectl apply",
    "helm upgrade",
    "terraform apply",
    "gcloud deploy",
    "gcloud run deploy",
    "aws s3 sync",
    "aws ecs update-service",
    "az webapp deploy",
    "mvn deploy",
    "gradle publish",
    "dotnet nuget push",
    "flyctl deploy",
    "vercel deploy",
];

/// The source offset of byte `off` of a scalar's text. Exact for single-line plain or quoted
/// scalars and for literal (`|`) block scalars; otherwise the first source occurrence of the
/// text's line at or after `from` (or the node's start).
pub fn scalar_offset(src: &str, node: &Node, off: usize, from: usize) -> usize {
    let text = node.text();
    let off = off.min(text.len());
    let head = &src[node.start.min(src.len())..];
    if head.starts_with('|') {
        let k = text[..off].matches('\n').count();
        let col = off - text[..off].rfind('\n').map(|i| i + 1).unwrap_or(0);
        let mut lines = head.split_inclusive('\n');
        let mut pos = node.start + lines.next().map(|l| l.len()).unwrap_or(0);
        let body: Vec<&str> = lines.collect();
        let indent = body
            .iter()
            .find(|l| !l.trim().is_empty())
            .map(|l| l.len() - l.trim_start().len())
            .unwrap_or(0);
        for l in body.iter().take(k) {
            pos += l.len();
        }
        let line_len = body
            .get(k)
            .map(|l| l.trim_end_matches('\n').len())
            .unwrap_or(0);
        return (pos + (indent + col).min(line_len)).min(src.len());
    }
    if !text[..off].contains('\n') && !head.starts_with('>') {
        let quoted = head.starts_with('"') || head.starts_with('\'');
        let candidate = node.start + usize::from(quoted) + off;
        let want = text[off..].lines().next().unwrap_or("");
        if src.get(candidate..).is_some_and(|s| s.starts_with(want)) {
            return candidate;
        }
    }
    let want = text[off..].lines().next().unwrap_or("").trim();
    let from = from.max(node.start).min(src.len());
    src[from..]
        .find(want)
        .map(|i| from + i)
        .unwrap_or(node.start)
}

/// A GitLab job: a top-level mapping key that is not a keyword or a hidden template.
pub fn gitlab_jobs(root: &Node) -> Vec<(&str, &Node)> {
    const KEYWORDS: &[&str] = &[
        "default",
        "include",
        "stages",
        "variables",
        "workflow",
        "image",
        "services",
        "cache",
        "before_script",
        "after_script",
        "spec",
    ];
    root.entries()
        .iter()
        .filter(|(k, v)| {
            let k = k.text();
            v.is_map() && !k.starts_with('.') && !KEYWORDS.contains(&k)
        })
        .map(|(k, v)| (k.text(), v))
        .collect()
}

/// `include:` entries as (node, kind, value): kind is `local`, `project`, `remote`,
/// `template` or `component`.
pub fn gitlab_includes(root: &Node) -> Vec<(&Node, &'static str, &Node)> {
    let Some(inc) = root.get("include") else {
        return Vec::new();
    };
    let list: Vec<&Node> = match &inc.value {
        Value::Seq(items) => items.iter().collect(),
        _ => vec![inc],
    };
    let mut out = Vec::new();
    for n in list {
        match &n.value {
            Value::Scalar(s, _) => {
                let kind = if s.starts_with("http://") || s.starts_with("https://") {
                    "remote"
                } else {
                    "local"
                };
                out.push((n, kind, n));
            }
            Value::Map(_) => {
                for k in ["local", "project", "remote", "template", "component"] {
                    if let Some(v) = n.get(k) {
                        out.push((n, k, v));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// The local include paths (relative to the repository root, without a leading `/`).
pub fn gitlab_local_includes(root: &Node) -> Vec<String> {
    gitlab_includes(root)
        .into_iter()
        .filter(|(_, k, _)| *k == "local")
        .flat_map(|(_, _, v)| match &v.value {
            Value::Seq(items) => items.iter().map(|i| i.text().to_string()).collect(),
            _ => vec![v.text().to_string()],
        })
        .filter(|p| !p.contains('*') && !p.contains('$'))
        .map(|p| p.trim_start_matches('/').to_string())
        .collect()
}

/// The script lines of a GitLab job (`before_script`, `script`, `after_script`) with routes.
pub fn gitlab_scripts<'a>(job_id: &str, job: &'a Node) -> Vec<(String, &'a Node)> {
    let mut out = Vec::new();
    for key in ["before_script", "script", "after_script"] {
        if let Some(s) = job.get(key) {
            match &s.value {
                Value::Seq(items) => {
                    for (i, n) in items.iter().enumerate() {
                        match &n.value {
                            Value::Seq(inner) => {
                                for (j, m) in inner.iter().enumerate() {
                                    out.push((format!("{job_id}.{key}[{i}][{j}]"), m));
                                }
                            }
                            _ => out.push((format!("{job_id}.{key}[{i}]"), n)),
                        }
                    }
                }
                _ => out.push((format!("{job_id}.{key}"), s)),
            }
        }
    }
    out
}

/// A GitLab `image:`/`services:` entry's image name.
pub fn gitlab_image_name(n: &Node) -> Option<&Node> {
    match &n.value {
        Value::Scalar(..) => Some(n),
        Value::Map(_) => n.get("name"),
        _ => None,
    }
}

/// Whether a container image reference is unpinned: no tag, `latest`, or (when
/// `require_digest`) no `@sha256:` digest. Variable references are not judged.
pub fn image_unpinned(image: &str, require_digest: bool) -> Option<&'static str> {
    let image = image.trim();
    if image.is_empty() || image.contains('$') {
        return None;
    }
    if image.contains("@sha256:") {
        return None;
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        None => Some("has no tag (implies :latest)"),
        Some((_, "latest")) => Some("uses the mutable :latest tag"),
        Some(_) if require_digest => Some("is pinned to a tag, not a digest"),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_and_contexts() {
        let e = expressions("echo ${{ github.event.issue.title }} and ${{ format('}}', x.y) }}");
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].inner, "github.event.issue.title");
        assert_eq!(contexts(&e[1].inner), vec!["x.y"]);
        assert_eq!(
            contexts("github.event.pull_request.head.ref || secrets['A'] && matrix.os"),
            vec![
                "github.event.pull_request.head.ref",
                "secrets.a",
                "matrix.os"
            ]
        );
        assert_eq!(
            capability("github.event.issue.title"),
            Capability::Arbitrary
        );
        assert_eq!(
            capability("github.event.pull_request.head.sha"),
            Capability::Fixed
        );
        assert_eq!(capability("secrets.token"), Capability::Fixed);
        assert_eq!(capability("steps.x.outputs.y"), Capability::Unknown);
        assert_eq!(capability("github.head_ref"), Capability::Arbitrary);
    }

    #[test]
    fn scalar_offsets_map_to_source() {
        let src = "a: |\n  one\n  two three\nb: \"x y\"\nc: x y\n";
        let root = crate::yaml::parse(src).unwrap();
        let a = root.get("a").unwrap();
        let off = a.text().find("three").unwrap();
        assert_eq!(&src[scalar_offset(src, a, off, 0)..][..5], "three");
        let b = root.get("b").unwrap();
        assert_eq!(&src[scalar_offset(src, b, 2, 0)..][..1], "y");
        let c = root.get("c").unwrap();
        assert_eq!(&src[scalar_offset(src, c, 2, 0)..][..1], "y");
    }

    #[test]
    fn uses_parsing() {
        assert_eq!(
            Uses::parse("actions/checkout@v4").unwrap().slug().unwrap(),
            "actions/checkout"
        );
        assert!(matches!(Uses::parse("./.github/a"), Some(Uses::Local(_))));
        assert!(matches!(
            Uses::parse("docker://alpine"),
            Some(Uses::Docker(_))
        ));
        assert!(is_sha("8e5e7e5ab8b370d6c329ec480221332ada57f0ab"));
        assert_eq!(
            image_unpinned("alpine", false),
            Some("has no tag (implies :latest)")
        );
        assert_eq!(image_unpinned("reg:5000/alpine:3", false), None);
        assert!(image_unpinned("alpine:latest", false).is_some());
    }
}
