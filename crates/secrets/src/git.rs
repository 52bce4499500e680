//! Git history scanning with gix (pure Rust, no `git` subprocess).
//!
//! Every blob reachable from every ref is scanned exactly once: commits are visited oldest
//! first, and each commit's tree is walked skipping subtrees and blobs already seen, so a blob
//! is attributed to the first (oldest) commit whose tree introduces it. Ranges `base..head`
//! visit only commits reachable from `head` and not from `base`, and treat everything in
//! `base`'s tree as already seen. `--staged` scans the index blobs that differ from HEAD.
//! Missing objects (shallow or partial clones) become diagnostics; the scan goes on.

use crate::archive::{self, looks_binary};
use crate::input::{BytesScanner, Input, merge};
use gix::ObjectId;
use gix::objs::{CommitRef, Kind, TreeRefIter};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use tollgate_engine::{Progress, ScanOutput, Silent, Unit};
use tollgate_model::{Diagnostic, Origin};

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("{path}: not a git repository: {message}")]
    Open { path: String, message: String },
    #[error("cannot resolve {spec:?}: {message}")]
    Resolve { spec: String, message: String },
    #[error("git: {0}")]
    Other(String),
}

/// What to scan in a repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitScope {
    /// Every ref (branches, tags, remotes, HEAD).
    All,
    /// `base..head`, or just `head`'s history when `base` is None.
    Range { base: Option<String>, head: String },
    /// The index (staged changes) against HEAD.
    Staged,
    /// Every ref, skipping history already scanned in a previous run: the ref tips of that
    /// run are read from the watermark file and hidden; the file is rewritten with the current
    /// tips after the scan.
    Incremental { watermark: std::path::PathBuf },
}

impl GitScope {
    /// `A..B`, `..B` (= `HEAD`'s base-less history), `B`, or empty for all refs.
    pub fn parse(spec: Option<&str>) -> GitScope {
        match spec.map(str::trim) {
            None | Some("") => GitScope::All,
            Some(s) => match s.split_once("..") {
                Some((a, b)) => GitScope::Range {
                    base: (!a.is_empty()).then(|| a.to_string()),
                    head: if b.is_empty() {
                        "HEAD".into()
                    } else {
                        b.to_string()
                    },
                },
                None => GitScope::Range {
                    base: None,
                    head: s.to_string(),
                },
            },
        }
    }
}

struct CommitInfo {
    id: ObjectId,
    tree: ObjectId,
    time: i64,
    origin: Origin,
}

/// One blob to scan and where it was first seen.
struct BlobJob {
    blob: ObjectId,
    path: String,
    commit: usize,
}

fn other(e: impl std::fmt::Display) -> GitError {
    GitError::Other(e.to_string())
}

/// Scans the repository at `path`.
pub fn scan_repo(
    scanner: &dyn BytesScanner,
    path: &Path,
    scope: &GitScope,
) -> Result<ScanOutput, GitError> {
    scan_repo_with(scanner, path, scope, &Silent)
}

/// [`scan_repo`] reporting progress in three phases: `history` counts commits as the walk
/// finds them (the total is not known in advance), `trees` counts commits whose tree has been
/// listed, `blobs` counts blobs scanned out of those to scan.
pub fn scan_repo_with(
    scanner: &dyn BytesScanner,
    path: &Path,
    scope: &GitScope,
    progress: &dyn Progress,
) -> Result<ScanOutput, GitError> {
    let repo = gix::discover(path).map_err(|e| GitError::Open {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    let mut out = ScanOutput::default();
    let hash = repo.object_hash();
    let resolve = |spec: &str| -> Result<ObjectId, GitError> {
        repo.rev_parse_single(spec)
            .map(|id| id.detach())
            .map_err(|e| GitError::Resolve {
                spec: spec.to_string(),
                message: e.to_string(),
            })
    };

    let mut seen_trees: HashSet<ObjectId> = HashSet::new();
    let mut seen_blobs: HashSet<ObjectId> = HashSet::new();
    let mut commits: Vec<CommitInfo> = Vec::new();
    let mut jobs: Vec<BlobJob> = Vec::new();
    let mut new_watermark: Option<(std::path::PathBuf, Vec<ObjectId>)> = None;

    match scope {
        GitScope::Staged => {
            let index = repo.open_index().map_err(other)?;
            // Blobs already in HEAD are not new.
            if let Ok(tree) = repo.head_tree_id() {
                let mut sink = Vec::new();
                walk_tree(
                    &repo,
                    hash,
                    tree.detach(),
                    "",
                    usize::MAX,
                    &mut seen_trees,
                    &mut seen_blobs,
                    &mut sink,
                    &mut out,
                );
            }
            commits.push(CommitInfo {
                id: ObjectId::null(hash),
                tree: ObjectId::null(hash),
                time: 0,
                origin: Origin {
                    commit: "staged".into(),
                    author: None,
                    email: None,
                    date: None,
                    summary: Some("staged changes (index)".into()),
                },
            });
            for e in index.entries() {
                if !e.mode.is_submodule() && seen_blobs.insert(e.id) {
                    jobs.push(BlobJob {
                        blob: e.id,
                        path: e.path(&index).to_string(),
                        commit: 0,
                    });
                }
            }
        }
        GitScope::All | GitScope::Range { .. } | GitScope::Incremental { .. } => {
            let (tips, hidden) = match scope {
                GitScope::Range { base, head } => {
                    let h = resolve(head)?;
                    let b = base.as_deref().map(resolve).transpose()?;
                    (vec![h], b.into_iter().collect::<Vec<_>>())
                }
                GitScope::Incremental { watermark } => {
                    let tips = all_ref_tips(&repo, &mut out)?;
                    let hidden = read_watermark(&repo, watermark, &mut out);
                    new_watermark = Some((watermark.clone(), tips.clone()));
                    (tips, hidden)
                }
                _ => (all_ref_tips(&repo, &mut out)?, Vec::new()),
            };
            let hidden_set = reachable(&repo, hash, &hidden, &mut out);
            for h in &hidden {
                if let Some(c) = read_commit(&repo, hash, *h, &mut out) {
                    let mut sink = Vec::new();
                    walk_tree(
                        &repo,
                        hash,
                        c.tree,
                        "",
                        usize::MAX,
                        &mut seen_trees,
                        &mut seen_blobs,
                        &mut sink,
                        &mut out,
                    );
                }
            }
            // Collect commits reachable from tips, not from hidden.
            progress.start_in("history", 0, Unit::Commits);
            let mut stack = tips;
            let mut visited: HashSet<ObjectId> = hidden_set;
            while let Some(id) = stack.pop() {
                if !visited.insert(id) {
                    continue;
                }
                let Some((info, parents)) = read_commit_full(&repo, hash, id, &mut out) else {
                    continue;
                };
                stack.extend(parents.into_iter().filter(|p| !visited.contains(p)));
                commits.push(info);
                progress.advance(1);
            }
            // Oldest first (ties broken by id for determinism).
            commits.sort_by(|a, b| a.time.cmp(&b.time).then(a.id.cmp(&b.id)));
            progress.start_in("trees", commits.len() as u64, Unit::Commits);
            for (ci, c) in commits.iter().enumerate() {
                progress.advance(1);
                walk_tree(
                    &repo,
                    hash,
                    c.tree,
                    "",
                    ci,
                    &mut seen_trees,
                    &mut seen_blobs,
                    &mut jobs,
                    &mut out,
                );
            }
        }
    }

    // Blobs are read (inflated, deltas applied) on this thread — a gix handle is not shared
    // across threads without gix's `parallel` feature, which costs build time — in batches of
    // about 16 MiB, while a second thread scans the previous batches in parallel (rayon). The
    // channel holds two batches, so memory stays at a few batches whatever the history size.
    const BATCH_BYTES: usize = 16 << 20;
    let commits = &commits;
    progress.start_in("blobs", jobs.len() as u64, Unit::Blobs);
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<(&BlobJob, Vec<u8>)>>(2);
    let scanned = std::thread::scope(|s| {
        let worker = s.spawn(move || {
            let mut results: Vec<ScanOutput> = Vec::new();
            for batch in rx {
                results.par_extend(batch.par_iter().map(|(job, data)| {
                    let o = scan_blob(scanner, job, data, &commits[job.commit].origin);
                    progress.advance(1);
                    o
                }));
            }
            results
        });
        let mut batch: Vec<(&BlobJob, Vec<u8>)> = Vec::new();
        let mut batch_bytes = 0usize;
        for job in &jobs {
            match repo.try_find_object(job.blob) {
                Ok(Some(o)) => {
                    // A copy of exactly the blob: gix's decode buffer also holds the delta
                    // chain, so its capacity can be many times the blob, and dropping `o`
                    // gives the buffer back for the next read.
                    batch_bytes += o.data.len();
                    batch.push((job, o.data.to_vec()));
                }
                Ok(None) => {
                    progress.advance(1);
                    out.diagnostics.push(
                        Diagnostic::warning(
                            "secrets",
                            format!(
                                "blob {} is missing (shallow or partial clone?): skipped",
                                job.blob
                            ),
                        )
                        .at(job.path.clone(), None, None),
                    );
                }
                Err(e) => {
                    progress.advance(1);
                    out.diagnostics.push(
                        Diagnostic::warning(
                            "secrets",
                            format!("cannot read blob {}: {e}", job.blob),
                        )
                        .at(job.path.clone(), None, None),
                    );
                }
            }
            if batch_bytes >= BATCH_BYTES {
                // A send fails only if the worker panicked; join reports that below.
                let _ = tx.send(std::mem::take(&mut batch));
                batch_bytes = 0;
            }
        }
        if !batch.is_empty() {
            let _ = tx.send(batch);
        }
        drop(tx);
        worker.join()
    });
    match scanned {
        Ok(results) => {
            for r in results {
                merge(&mut out, r);
            }
        }
        Err(_) => out.diagnostics.push(Diagnostic::error(
            "secrets",
            "the history scan's worker thread panicked: results are incomplete".to_string(),
        )),
    }
    if let Some((path, tips)) = new_watermark {
        let text: String = tips.iter().map(|t| format!("{t}\n")).collect();
        if let Err(e) = std::fs::write(&path, text) {
            out.diagnostics.push(
                Diagnostic::warning("secrets", format!("cannot write the watermark: {e}")).at(
                    path.display().to_string(),
                    None,
                    None,
                ),
            );
        }
    }
    Ok(out)
}

/// The commit ids of a previous run (one hex id per line); ids no longer in the repository
/// (rewritten history) are dropped with a note, so their history is scanned again.
fn read_watermark(repo: &gix::Repository, path: &Path, out: &mut ScanOutput) -> Vec<ObjectId> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let mut ids = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match ObjectId::from_hex(line.as_bytes()) {
            Ok(id) if matches!(repo.find_header(id).map(|h| h.kind()), Ok(Kind::Commit)) => {
                ids.push(id)
            }
            _ => out.diagnostics.push(
                Diagnostic::note(
                    "secrets",
                    format!("watermark commit {line:?} not found: its history is scanned again"),
                )
                .at(path.display().to_string(), Some(i as u32 + 1), None),
            ),
        }
    }
    ids
}

fn scan_blob(
    scanner: &dyn BytesScanner,
    job: &BlobJob,
    data: &[u8],
    origin: &Origin,
) -> ScanOutput {
    let input = Input {
        display: &job.path,
        rel: &job.path,
        member: None,
        origin: Some(origin.clone()),
    };
    if archive::sniff(data).is_some() {
        let mut out = ScanOutput::default();
        archive::scan_archive(scanner, &input, data, 0, scanner.limits(), &mut out);
        return out;
    }
    if looks_binary(data) {
        return ScanOutput::default();
    }
    scanner.scan_bytes(&input, data)
}

/// The commit ids every ref points at (tags peeled; refs to trees or blobs are ignored).
fn all_ref_tips(repo: &gix::Repository, out: &mut ScanOutput) -> Result<Vec<ObjectId>, GitError> {
    let mut tips = Vec::new();
    let platform = repo.references().map_err(other)?;
    for r in platform.all().map_err(other)? {
        let mut r = match r {
            Ok(r) => r,
            Err(e) => {
                out.diagnostics.push(Diagnostic::warning(
                    "secrets",
                    format!("unreadable ref: {e}"),
                ));
                continue;
            }
        };
        match r.peel_to_id() {
            Ok(id) => tips.push(id.detach()),
            Err(e) => out.diagnostics.push(Diagnostic::warning(
                "secrets",
                format!("ref {} cannot be resolved: {e}", r.name().as_bstr()),
            )),
        }
    }
    if let Ok(h) = repo.head_id() {
        tips.push(h.detach());
    }
    tips.sort();
    tips.dedup();
    // Keep commits only.
    tips.retain(|id| matches!(repo.find_header(*id).map(|h| h.kind()), Ok(Kind::Commit)));
    Ok(tips)
}

/// Every commit reachable from `tips`.
fn reachable(
    repo: &gix::Repository,
    hash: gix::hash::Kind,
    tips: &[ObjectId],
    out: &mut ScanOutput,
) -> HashSet<ObjectId> {
    let mut seen = HashSet::new();
    let mut stack: Vec<ObjectId> = tips.to_vec();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        if let Some((_, parents)) = read_commit_full(repo, hash, id, out) {
            stack.extend(parents);
        }
    }
    seen
}

fn read_commit(
    repo: &gix::Repository,
    hash: gix::hash::Kind,
    id: ObjectId,
    out: &mut ScanOutput,
) -> Option<CommitInfo> {
    read_commit_full(repo, hash, id, out).map(|(c, _)| c)
}

fn read_commit_full(
    repo: &gix::Repository,
    hash: gix::hash::Kind,
    id: ObjectId,
    out: &mut ScanOutput,
) -> Option<(CommitInfo, Vec<ObjectId>)> {
    let obj = match repo.try_find_object(id) {
        Ok(Some(o)) => o,
        Ok(None) => {
            out.diagnostics.push(Diagnostic::warning(
                "secrets",
                format!("commit {id} is missing (shallow clone?): history below it skipped"),
            ));
            return None;
        }
        Err(e) => {
            out.diagnostics.push(Diagnostic::warning(
                "secrets",
                format!("cannot read commit {id}: {e}"),
            ));
            return None;
        }
    };
    if obj.kind != Kind::Commit {
        return None;
    }
    let c = match CommitRef::from_bytes(&obj.data, hash) {
        Ok(c) => c,
        Err(e) => {
            out.diagnostics.push(Diagnostic::warning(
                "secrets",
                format!("corrupt commit {id}: {e}"),
            ));
            return None;
        }
    };
    let author = c.author().ok();
    let time = author.as_ref().and_then(|a| a.time().ok());
    let date = time.and_then(|t| {
        let dt = time::OffsetDateTime::from_unix_timestamp(t.seconds).ok()?;
        let off = time::UtcOffset::from_whole_seconds(t.offset).ok()?;
        dt.to_offset(off)
            .format(&time::format_description::well_known::Rfc3339)
            .ok()
    });
    let origin = Origin {
        commit: id.to_string(),
        author: author
            .as_ref()
            .map(|a| a.name.to_string().trim().to_string()),
        email: author
            .as_ref()
            .map(|a| a.email.to_string().trim().to_string()),
        date,
        summary: Some(c.message().summary().to_string()),
    };
    let info = CommitInfo {
        id,
        tree: c.tree(),
        time: c
            .committer()
            .ok()
            .and_then(|s| s.time().ok())
            .map(|t| t.seconds)
            .unwrap_or(0),
        origin,
    };
    Some((info, c.parents().collect()))
}

/// Walks `tree`, pushing blobs not seen before as jobs of commit `ci`.
#[allow(clippy::too_many_arguments)]
fn walk_tree(
    repo: &gix::Repository,
    hash: gix::hash::Kind,
    tree: ObjectId,
    prefix: &str,
    ci: usize,
    seen_trees: &mut HashSet<ObjectId>,
    seen_blobs: &mut HashSet<ObjectId>,
    jobs: &mut Vec<BlobJob>,
    out: &mut ScanOutput,
) {
    if !seen_trees.insert(tree) {
        return;
    }
    let obj = match repo.try_find_object(tree) {
        Ok(Some(o)) => o,
        Ok(None) => {
            out.diagnostics.push(
                Diagnostic::warning("secrets", format!("tree {tree} is missing: skipped")).at(
                    if prefix.is_empty() {
                        ".".to_string()
                    } else {
                        prefix.to_string()
                    },
                    None,
                    None,
                ),
            );
            return;
        }
        Err(e) => {
            out.diagnostics.push(Diagnostic::warning(
                "secrets",
                format!("cannot read tree {tree}: {e}"),
            ));
            return;
        }
    };
    let mut subtrees: Vec<(ObjectId, String)> = Vec::new();
    let mut names: HashMap<ObjectId, String> = HashMap::new();
    for entry in TreeRefIter::from_bytes(&obj.data, hash) {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                out.diagnostics.push(Diagnostic::warning(
                    "secrets",
                    format!("corrupt tree {tree}: {e}"),
                ));
                break;
            }
        };
        let name = if prefix.is_empty() {
            entry.filename.to_string()
        } else {
            format!("{prefix}/{}", entry.filename)
        };
        let oid = entry.oid.to_owned();
        if entry.mode.is_tree() {
            subtrees.push((oid, name));
        } else if entry.mode.is_blob() && seen_blobs.insert(oid) {
            names.insert(oid, name);
        }
    }
    drop(obj);
    let mut blobs: Vec<(ObjectId, String)> = names.into_iter().collect();
    blobs.sort_by(|a, b| a.1.cmp(&b.1));
    if ci != usize::MAX {
        jobs.extend(blobs.into_iter().map(|(blob, path)| BlobJob {
            blob,
            path,
            commit: ci,
        }));
    }
    for (t, name) in subtrees {
        walk_tree(repo, hash, t, &name, ci, seen_trees, seen_blobs, jobs, out);
    }
}
