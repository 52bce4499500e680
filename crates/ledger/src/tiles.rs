//! Export as C2SP tlog-tiles (static files) and verification of an exported tile tree.
//!
//! Layout: `checkpoint`, `tile/<L>/<N>[.p/<W>]` (256 hashes of Merkle level 8·L each; a
//! partial tile holds W), `tile/entries/<N>[.p/<W>]` (entry bundles: each entry as a
//! big-endian u16 length and its bytes). Our extra: `payload/<hex digest>`.

use crate::entry::Leaf;
use crate::log::{Log, Problem, VerifyReport};
use crate::merkle::{Hash, MemTree, leaf_hash};
use crate::note::{SignedCheckpoint, Verifier};
use crate::store::Store;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

pub const TILE_WIDTH: u64 = 256;
const TILE_HEIGHT: u32 = 8;

#[derive(Debug, thiserror::Error)]
pub enum TileError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Log(#[from] crate::log::LogError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("entry {0} is longer than 65535 bytes and cannot go in a tile bundle")]
    EntryTooLong(u64),
    #[error(
        "refusing to export: the stored entries do not match the latest signed checkpoint ({0})"
    )]
    Mismatch(String),
}

/// `N` as a tile path: groups of three digits, all but the last prefixed with `x`.
pub fn tile_index_path(n: u64) -> String {
    let digits = n.to_string();
    let pad = (3 - digits.len() % 3) % 3;
    let digits = format!("{}{digits}", "0".repeat(pad));
    let groups: Vec<&str> = (0..digits.len() / 3)
        .map(|i| &digits[i * 3..i * 3 + 3])
        .collect();
    let last = groups.len() - 1;
    groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            if i < last {
                format!("x{g}")
            } else {
                g.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Relative path of tile `n` at `level` ("entries" for bundles) with `width` entries.
pub fn tile_path(level: &str, n: u64, width: u64) -> String {
    let mut p = format!("tile/{level}/{}", tile_index_path(n));
    if width < TILE_WIDTH {
        p.push_str(&format!(".p/{width}"));
    }
    p
}

/// The tiles of a tree of `size` leaves: `(tile level, N, width)`.
pub fn tiles_for(size: u64) -> Vec<(u32, u64, u64)> {
    let mut out = Vec::new();
    let mut level = 0u32;
    loop {
        let count = if level * TILE_HEIGHT >= 64 {
            0
        } else {
            size >> (level * TILE_HEIGHT)
        };
        if count == 0 {
            break;
        }
        for n in 0..count.div_ceil(TILE_WIDTH) {
            let width = (count - n * TILE_WIDTH).min(TILE_WIDTH);
            out.push((level, n, width));
        }
        level += 1;
    }
    out
}

fn write(dir: &Path, rel: &str, data: &[u8]) -> Result<(), TileError> {
    let path = dir.join(rel);
    let io = |source| TileError::Io {
        path: path.display().to_string(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    std::fs::write(&path, data).map_err(io)
}

/// Writes the log as tiles under `dir`, at its latest signed checkpoint, with each payload as
/// `payload/<hex digest>` when `payloads` is set. Returns the number of files written.
pub fn export<S: Store>(log: &Log<S>, dir: &Path, payloads: bool) -> Result<usize, TileError> {
    let with_payloads = payloads;
    let cp = log.checkpoint()?;
    let size = cp.checkpoint.size;
    let mut tree = MemTree::new();
    let mut bundle = Vec::new();
    let mut files = 0usize;
    let mut error = None;
    let mut payloads = Vec::new();
    log.store().scan(&mut |row| {
        if row.index >= size || error.is_some() {
            return Ok(());
        }
        if row.index != tree.size() {
            error = Some(format!("entry {} is missing", tree.size()));
            return Ok(());
        }
        let len = match u16::try_from(row.data.len()) {
            Ok(l) => l,
            Err(_) => {
                error = Some(format!("entry {} too long", row.index));
                return Ok(());
            }
        };
        bundle.extend_from_slice(&len.to_be_bytes());
        bundle.extend_from_slice(row.data);
        tree.push(row.data);
        if with_payloads
            && let Ok(e) = Leaf::from_canonical(row.data)
            && let Some(d) = e.payload_digest()
        {
            payloads.push(d);
        }
        if tree.size().is_multiple_of(TILE_WIDTH) {
            let n = tree.size() / TILE_WIDTH - 1;
            if let Err(e) = write(dir, &tile_path("entries", n, TILE_WIDTH), &bundle) {
                error = Some(e.to_string());
            }
            files += 1;
            bundle.clear();
        }
        Ok(())
    })?;
    if let Some(e) = error {
        return Err(TileError::Mismatch(e));
    }
    if tree.size() != size || tree.root() != cp.checkpoint.root {
        return Err(TileError::Mismatch(format!(
            "{} entries recomputed, checkpoint size {size}",
            tree.size()
        )));
    }
    if !bundle.is_empty() {
        let n = size / TILE_WIDTH;
        write(dir, &tile_path("entries", n, size % TILE_WIDTH), &bundle)?;
        files += 1;
    }
    for (level, n, width) in tiles_for(size) {
        let hashes = &tree.levels[(level * TILE_HEIGHT) as usize];
        let start = (n * TILE_WIDTH) as usize;
        let data: Vec<u8> = hashes[start..start + width as usize]
            .iter()
            .flat_map(|h| h.iter().copied())
            .collect();
        write(dir, &tile_path(&level.to_string(), n, width), &data)?;
        files += 1;
    }
    for d in payloads {
        if let Some(p) = log.payload(&d)? {
            write(dir, &format!("payload/{}", d.hex()), &p)?;
            files += 1;
        }
    }
    write(dir, "checkpoint", cp.note.encode().as_bytes())?;
    Ok(files + 1)
}

/// Verifies an exported tile tree under `dir` against the log key `v` and the `saved`
/// checkpoints (label, raw note). Every entry bundle and every hash tile is checked.
pub fn verify(
    dir: &Path,
    v: &Verifier,
    saved: &[(String, String)],
) -> Result<VerifyReport, TileError> {
    let mut report = VerifyReport::default();
    let read = |rel: &str| -> Result<Vec<u8>, TileError> {
        let p: PathBuf = dir.join(rel);
        std::fs::read(&p).map_err(|source| TileError::Io {
            path: p.display().to_string(),
            source,
        })
    };
    let raw = String::from_utf8_lossy(&read("checkpoint")?).into_owned();
    let cp = match SignedCheckpoint::verify(&raw, v) {
        Ok(cp) => cp,
        Err(e) => {
            report.problems.push(Problem {
                index: None,
                message: format!("checkpoint: {e}"),
            });
            return Ok(report);
        }
    };
    report.checkpoints = 1;
    let size = cp.checkpoint.size;
    let mut tree = MemTree::new();
    // Entry bundles.
    'bundles: for n in 0..size.div_ceil(TILE_WIDTH) {
        let width = (size - n * TILE_WIDTH).min(TILE_WIDTH);
        let rel = tile_path("entries", n, width);
        let data = match read(&rel) {
            Ok(d) => d,
            Err(e) => {
                report.problem(Some(n * TILE_WIDTH), format!("{rel}: {e}"));
                break;
            }
        };
        let mut pos = 0usize;
        let mut entries: Vec<&[u8]> = Vec::with_capacity(width as usize);
        let mut cut = false;
        for k in 0..width {
            let index = n * TILE_WIDTH + k;
            let Some(len) = data.get(pos..pos + 2) else {
                report.problem(
                    Some(index),
                    format!("{rel}: bundle ends before entry {index}"),
                );
                cut = true;
                break;
            };
            let len = u16::from_be_bytes([len[0], len[1]]) as usize;
            let Some(entry) = data.get(pos + 2..pos + 2 + len) else {
                report.problem(Some(index), format!("{rel}: entry {index} is cut short"));
                cut = true;
                break;
            };
            pos += 2 + len;
            entries.push(entry);
        }
        let checked: Vec<(Hash, Option<String>)> = entries
            .par_iter()
            .map(|e| {
                let bad = Leaf::from_canonical(e).err().map(|x| x.to_string());
                (leaf_hash(e), bad)
            })
            .collect();
        for (k, (leaf, bad)) in checked.into_iter().enumerate() {
            let index = n * TILE_WIDTH + k as u64;
            if let Some(e) = bad {
                report.problem(Some(index), format!("entry {index}: {e}"));
            }
            tree.push_leaf(leaf);
        }
        if cut {
            break 'bundles;
        }
        if pos != data.len() {
            report.problem(
                Some(n * TILE_WIDTH),
                format!("{rel}: trailing bytes after the last entry"),
            );
        }
    }
    report.size = tree.size();
    // Hash tiles: level 0 pinpoints edited entries; higher levels must match too.
    if tree.size() == size {
        for (level, n, width) in tiles_for(size) {
            let rel = tile_path(&level.to_string(), n, width);
            let data = match read(&rel) {
                Ok(d) => d,
                Err(e) => {
                    report.problem(None, format!("{rel}: {e}"));
                    continue;
                }
            };
            if data.len() as u64 != width * 32 {
                report.problem(None, format!("{rel}: expected {} bytes", width * 32));
                continue;
            }
            let mine = &tree.levels[(level * TILE_HEIGHT) as usize];
            for (k, chunk) in data.chunks_exact(32).enumerate() {
                let idx = n * TILE_WIDTH + k as u64;
                if mine[idx as usize].as_slice() != chunk {
                    let first = idx << (level * TILE_HEIGHT);
                    report.problem(
                        Some(first),
                        if level == 0 {
                            format!("entry {idx}: bundle content differs from hash tile {rel}")
                        } else {
                            format!("{rel}: hash {k} differs from the recomputed tree")
                        },
                    );
                }
            }
        }
    }
    report.root = tree.root();
    if tree.size() < size {
        report.problem(
            Some(tree.size()),
            format!(
                "tiles hold {} entries but the checkpoint signs {size}",
                tree.size()
            ),
        );
    } else if report.root != cp.checkpoint.root {
        report.problem(
            None,
            "entries do not give the signed checkpoint's root".into(),
        );
    }
    for (label, raw) in saved {
        match SignedCheckpoint::verify(raw, v) {
            Ok(s) => {
                report.checkpoints += 1;
                let n = s.checkpoint.size;
                if n > tree.size() {
                    report.problem(
                        Some(tree.size()),
                        format!("saved checkpoint {label} covers {n} entries but the tiles hold {}: truncated or rolled back", tree.size()),
                    );
                } else if root_prefix(&tree, n) != s.checkpoint.root {
                    report.problem(None, format!("saved checkpoint {label} (size {n}): the log's first {n} entries changed since"));
                }
            }
            Err(e) => report.problem(None, format!("saved checkpoint {label}: {e}")),
        }
    }
    Ok(report)
}

fn root_prefix(tree: &MemTree, n: u64) -> Hash {
    crate::merkle::root(tree, n).unwrap_or_else(|_| leaf_hash(b"unreachable"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_paths_follow_the_spec() {
        assert_eq!(tile_index_path(0), "000");
        assert_eq!(tile_index_path(7), "007");
        assert_eq!(tile_index_path(1234), "x001/234");
        assert_eq!(tile_index_path(1234067), "x001/x234/067");
        assert_eq!(tile_path("0", 1234067, 256), "tile/0/x001/x234/067");
        assert_eq!(tile_path("entries", 3, 17), "tile/entries/003.p/17");
    }

    #[test]
    fn tiles_cover_every_level() {
        assert!(tiles_for(0).is_empty());
        assert_eq!(tiles_for(1), vec![(0, 0, 1)]);
        assert_eq!(tiles_for(256), vec![(0, 0, 256), (1, 0, 1)]);
        assert_eq!(
            tiles_for(70_000),
            vec![(0, 0, 256)]
                .into_iter()
                .chain((1..273).map(|n| (0, n, 256)))
                .chain([(0, 273, 112)])
                .chain([(1, 0, 256), (1, 1, 17), (2, 0, 1)])
                .collect::<Vec<_>>()
        );
    }
}
