//! Offline fixes (`tollgate scan ci --fix`): text insertions into workflow files, computed from
//! the positioned tree so that comments and formatting survive (no YAML re-serialisation).
//! Only files that parse are touched, and the result must parse again or it is not written.
//!
//! Fixes: `persist-credentials: false` on `actions/checkout` steps (`ci/artipacked`) when no
//! later step of the job uses the credentials that checkout stores (a fix must never break a
//! release job: see [`uses_checkout_credentials`]), and a least-privilege `permissions:` block
//! on jobs when the workflow has none (`ci/excessive-permissions`, using
//! `ci/minimal-permissions`' inference).

use crate::audits::minimal_permissions;
use crate::doc::DocKind;
use crate::model;
use crate::yaml::{self, Node};
use std::path::{Path, PathBuf};

/// An insertion of `text` at byte `at`.
struct Edit {
    at: usize,
    text: String,
}

fn indent_of(src: &str, offset: usize) -> usize {
    let ls = src[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0);
    offset - ls
}

fn line_start(src: &str, offset: usize) -> usize {
    src[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0)
}

/// Whether a block mapping starts on its own line (not `{…}` flow style).
fn is_block_map(src: &str, n: &Node) -> bool {
    n.is_map() && !src[n.start..].starts_with('{')
}

/// Returns the fixed text, or `None` when there is nothing to fix (or the file does not parse).
pub fn fix_text(src: &str) -> Option<String> {
    let root = yaml::parse(src).ok()?;
    let mut edits = Vec::new();
    // persist-credentials: false, unless a later step of the job needs the stored credentials.
    let mut steps_of: Vec<Vec<model::Item<'_>>> = model::jobs(&root)
        .into_iter()
        .map(|(_, job)| model::steps(job.node, &job.route))
        .collect();
    steps_of.push(
        root.get("runs")
            .map(|r| model::steps(r, "runs"))
            .unwrap_or_default(),
    );
    for steps in &steps_of {
        for (i, step) in steps.iter().enumerate() {
            if model::step_action(step.node).as_deref() != Some("actions/checkout")
                || !is_block_map(src, step.node)
                || steps[i + 1..]
                    .iter()
                    .any(|later| uses_checkout_credentials(later.node))
            {
                continue;
            }
            checkout_edit(src, step.node, &mut edits);
        }
    }
    // permissions
    if model::permissions(&root).is_none() {
        for (_, job) in model::jobs(&root) {
            if job.node.get("uses").is_some()
                || model::permissions(job.node).is_some()
                || !is_block_map(src, job.node)
            {
                continue;
            }
            let p = minimal_permissions::suggest(job.node);
            let ind = indent_of(src, job.node.start);
            let mut text = format!("{}permissions:", " ".repeat(ind));
            if p.is_empty() {
                text.push_str(" {}\n");
            } else {
                text.push('\n');
                for (k, v) in &p {
                    text.push_str(&format!("{}  {k}: {v}\n", " ".repeat(ind)));
                }
            }
            edits.push(Edit {
                at: line_start(src, job.node.start),
                text,
            });
        }
    }
    if edits.is_empty() {
        return None;
    }
    edits.sort_by_key(|e| std::cmp::Reverse(e.at));
    let mut out = src.to_string();
    for e in edits {
        out.insert_str(e.at, &e.text);
    }
    // Never write something that no longer parses.
    yaml::parse(&out).ok()?;
    Some(out)
}

/// Adds `persist-credentials: false` to one block-style checkout step that does not set it.
fn checkout_edit(src: &str, step: &Node, edits: &mut Vec<Edit>) {
    match step.get("with") {
        Some(w) if w.get("persist-credentials").is_some() => {}
        Some(w) if is_block_map(src, w) && !w.entries().is_empty() => {
            let ind = indent_of(src, w.start);
            edits.push(Edit {
                at: line_start(src, w.start),
                text: format!("{}persist-credentials: false\n", " ".repeat(ind)),
            });
        }
        Some(_) => {}
        None => {
            let ind = indent_of(src, step.start);
            edits.push(Edit {
                at: next_line(src, step.start),
                text: format!(
                    "{0}with:\n{0}  persist-credentials: false\n",
                    " ".repeat(ind)
                ),
            });
        }
    }
}

/// Commands that run with the credentials `actions/checkout` stored in `.git/config`, or that
/// are release tools doing so (after wrappers like `sudo`, `env`, `npx`, `pnpm exec`).
const CREDENTIAL_TOOLS: &[&str] = &[
    "gh",
    "semantic-release",
    "changeset",
    "changesets",
    "goreleaser",
    "release-it",
    "lerna",
    "np",
    "cargo-release",
    "git-auto-commit",
];

/// `git` sub-commands that talk to the remote with the stored credentials.
const GIT_REMOTE: &[&str] = &["push", "pull", "fetch", "ls-remote", "submodule", "clone"];

/// Actions that commit, push or tag with the checkout's credentials.
const CREDENTIAL_ACTIONS: &[&str] = &[
    "changesets/action",
    "stefanzweifel/git-auto-commit-action",
    "endbug/add-and-commit",
    "ad-m/github-push-action",
    "cycjimmy/semantic-release-action",
    "codfish/semantic-release-action",
    "goreleaser/goreleaser-action",
    "peter-evans/create-pull-request",
    "jamesives/github-pages-deploy-action",
    "actions-js/push",
    "github-actions-x/commit",
    "mathieudutour/github-tag-action",
    "anothrnick/github-tag-action",
];

/// Whether a step uses the credentials a previous checkout stored: a `git` command that
/// reaches the remote (`git push`, `git fetch` of a private repository, `git tag … && git
/// push`), `gh`, a release tool (semantic-release, changesets, goreleaser, release-it, lerna,
/// `cargo release`, `mvn release:…`), a package script or make target named for releasing, or
/// an action known to push. Unsure cases count as a use: skipping a fix never breaks a job.
pub fn uses_checkout_credentials(step: &Node) -> bool {
    if model::step_action(step).is_some_and(|a| CREDENTIAL_ACTIONS.contains(&a.as_str())) {
        return true;
    }
    let Some(run) = step.get("run") else {
        return false;
    };
    crate::shell::shell_commands(run.text()).iter().any(|c| {
        let mut w: Vec<&str> = c.words.iter().map(String::as_str).collect();
        // Wrappers and leading assignments.
        loop {
            match w.as_slice() {
                ["sudo" | "env" | "npx" | "bunx" | "exec" | "time", ..] => {
                    w.remove(0);
                }
                [first, ..] if first.contains('=') && !first.starts_with('-') => {
                    w.remove(0);
                }
                ["pnpm" | "npm" | "yarn", "exec" | "dlx", ..] => {
                    w.drain(..2);
                }
                _ => break,
            }
            while w.first().is_some_and(|x| x.starts_with('-')) {
                w.remove(0);
            }
        }
        let Some(&cmd) = w.first() else {
            return false;
        };
        let cmd = cmd.rsplit('/').next().unwrap_or(cmd);
        let named_release = |x: &str| {
            let x = x.to_ascii_lowercase();
            x.contains("release") || x.contains("publish") || x.contains("changeset")
        };
        match cmd {
            "git" => {
                // The sub-command after global options (`-C dir`, `-c k=v`).
                let mut rest = w[1..].iter();
                while let Some(x) = rest.next() {
                    if *x == "-C" || *x == "-c" {
                        rest.next();
                    } else if !x.starts_with('-') {
                        return GIT_REMOTE.contains(x);
                    }
                }
                false
            }
            "cargo" => w.get(1) == Some(&"release"),
            "mvn" | "mvnw" => w.iter().any(|x| x.starts_with("release:")),
            "npm" | "pnpm" | "yarn" | "bun" => {
                // `npm publish` (the built-in) talks to the registry, not to the git remote; a
                // package script named for releasing may push.
                let script = match w.get(1) {
                    Some(&"run") | Some(&"run-script") => w.get(2),
                    Some(&"publish") => None,
                    other => other,
                };
                script.is_some_and(|s| named_release(s))
            }
            "make" | "just" | "task" => w[1..].iter().any(|x| named_release(x)),
            _ => CREDENTIAL_TOOLS.contains(&cmd) || (cmd.ends_with(".sh") && named_release(cmd)),
        }
    })
}

fn next_line(src: &str, offset: usize) -> usize {
    src[offset..]
        .find('\n')
        .map(|i| offset + i + 1)
        .unwrap_or(src.len())
}

/// Fixes every workflow under `root` (`.github/workflows/*.yml`); returns (file, edits made).
pub fn fix_tree(root: &Path) -> std::io::Result<Vec<(PathBuf, usize)>> {
    let mut changed = Vec::new();
    let mut dirs = vec![root.join(".github/workflows")];
    if root.is_file() {
        dirs.clear();
    }
    let mut files: Vec<PathBuf> = Vec::new();
    for d in dirs {
        if let Ok(rd) = std::fs::read_dir(&d) {
            for e in rd.flatten() {
                files.push(e.path());
            }
        }
    }
    if root.is_file() {
        files.push(root.to_path_buf());
    }
    files.sort();
    for f in files {
        let rel = f.to_string_lossy().replace('\\', "/");
        if DocKind::of(&rel) != Some(DocKind::Workflow) {
            continue;
        }
        let Ok(src) = std::fs::read_to_string(&f) else {
            continue;
        };
        if let Some(fixed) = fix_text(&src) {
            let n = fixed.lines().count().saturating_sub(src.lines().count());
            std::fs::write(&f, fixed)?;
            changed.push((f, n));
        }
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_permissions_and_persist_credentials() {
        let src = "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/checkout@v4\n        with:\n          fetch-depth: 0\n      - run: make\n";
        let out = fix_text(src).unwrap();
        let root = yaml::parse(&out).unwrap();
        let job = root.get("jobs").unwrap().get("test").unwrap();
        assert_eq!(
            job.get("permissions")
                .unwrap()
                .get("contents")
                .unwrap()
                .text(),
            "read"
        );
        for s in job.get("steps").unwrap().items().iter().take(2) {
            assert_eq!(
                s.get("with")
                    .unwrap()
                    .get("persist-credentials")
                    .unwrap()
                    .text(),
                "false"
            );
        }
        assert!(fix_text(&out).is_none(), "fixing is idempotent");
        assert!(
            fix_text("on: [\n").is_none(),
            "unparsable files are left alone"
        );
    }

    /// The checkouts of `fixed`, job by job: whether each sets `persist-credentials: false`.
    fn persisted(fixed: &str) -> Vec<(String, bool)> {
        let root = yaml::parse(fixed).unwrap();
        model::jobs(&root)
            .into_iter()
            .flat_map(|(id, job)| {
                model::steps(job.node, "")
                    .into_iter()
                    .filter(|s| model::step_action(s.node).as_deref() == Some("actions/checkout"))
                    .map(|s| {
                        let off = s
                            .node
                            .get("with")
                            .and_then(|w| w.get("persist-credentials"))
                            .and_then(|p| p.as_bool())
                            == Some(false);
                        (id.to_string(), off)
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    #[test]
    fn checkouts_whose_credentials_a_later_step_uses_are_left_alone() {
        let src = include_str!("../tests/fix/release-jobs.yml");
        let out = fix_text(src).unwrap();
        assert_eq!(
            persisted(&out),
            vec![
                ("prepare".to_string(), false),
                ("changelog".to_string(), false),
                ("tag".to_string(), false),
                ("github-release".to_string(), false),
                ("test".to_string(), true),
            ]
        );
        // Only the test job's checkout changed: two added lines.
        assert_eq!(out.lines().count(), src.lines().count() + 2);
        assert!(fix_text(&out).is_none(), "fixing is idempotent");
    }

    #[test]
    fn what_counts_as_using_the_checkout_credentials() {
        let step = |run: &str| yaml::parse(&format!("run: {run:?}\n")).unwrap();
        for uses in [
            "git push",
            "git -C repo push origin HEAD",
            "git tag v1 && git push --tags",
            "git fetch origin main",
            "FOO=1 git push",
            "gh pr create --fill",
            "npx semantic-release",
            "pnpm exec changeset publish",
            "npx -y release-it --ci",
            "goreleaser release --clean",
            "cargo release --execute",
            "mvn -B release:prepare release:perform",
            "npm run release",
            "pnpm release",
            "make publish",
            "./scripts/release.sh",
        ] {
            assert!(uses_checkout_credentials(&step(uses)), "{uses}");
        }
        for no in [
            "git config user.name x",
            "git log -1",
            "git tag v1",
            "npm ci && npm test",
            "cargo build --release",
            "make test",
            "echo push",
            "npm publish --provenance",
        ] {
            assert!(!uses_checkout_credentials(&step(no)), "{no}");
        }
        let action = yaml::parse("uses: stefanzweifel/git-auto-commit-action@v5\n").unwrap();
        assert!(uses_checkout_credentials(&action));
    }
}
