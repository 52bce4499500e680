//! Offline fixes (`tollgate scan ci --fix`): text insertions into workflow files, computed from
//! the positioned tree so that comments and formatting survive (no YAML re-serialisation).
//! Only files that parse are touched, and the result must parse again or it is not written.
//!
//! Fixes: `persist-credentials: false` on `actions/checkout` steps (`ci/artipacked`), and a
//! least-privilege `permissions:` block on jobs when the workflow has none
//! (`ci/excessive-permissions`, using `ci/minimal-permissions`' inference).

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
    // persist-credentials: false
    for (_, step) in model::all_steps(&root) {
        if model::step_action(step.node).as_deref() != Some("actions/checkout")
            || !is_block_map(src, step.node)
        {
            continue;
        }
        match step.node.get("with") {
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
                let ind = indent_of(src, step.node.start);
                edits.push(Edit {
                    at: next_line(src, step.node.start),
                    text: format!(
                        "{0}with:\n{0}  persist-credentials: false\n",
                        " ".repeat(ind)
                    ),
                });
            }
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
}
