//! RFC 6962 / RFC 9162 Merkle tree hashing, proof generation and proof verification.
//!
//! Written here rather than taken from a crate: the Rust crates for this either pull in a second
//! SHA-256 implementation (the workspace has one crypto backend, aws-lc-rs) or do not generate
//! proofs from stored subtree hashes. The algorithms follow RFC 9162 §2.1.

use aws_lc_rs::digest::{Context, SHA256};

/// A SHA-256 tree hash.
pub type Hash = [u8; 32];

/// The root of the empty tree: SHA-256 of the empty string.
pub fn empty_root() -> Hash {
    finish(Context::new(&SHA256))
}

fn finish(ctx: Context) -> Hash {
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

/// `SHA-256(0x00 || data)`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut ctx = Context::new(&SHA256);
    ctx.update(&[0]);
    ctx.update(data);
    finish(ctx)
}

/// `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &[u8], right: &[u8]) -> Hash {
    let mut ctx = Context::new(&SHA256);
    ctx.update(&[1]);
    ctx.update(left);
    ctx.update(right);
    finish(ctx)
}

/// Why a proof did not verify (or could not be made).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("index {index} is outside a tree of size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("tree size {old} is larger than tree size {new}")]
    SizesReversed { old: u64, new: u64 },
    #[error("a consistency proof from the empty tree proves nothing")]
    FromEmptyTree,
    #[error("proof has the wrong number of hashes")]
    WrongLength,
    #[error("computed root does not match the expected root")]
    RootMismatch,
    #[error("proof hash is not 32 bytes")]
    BadHashLength,
}

/// Source of the hashes of complete (perfect) subtrees: the node at `level` covering leaves
/// `[index << level, (index + 1) << level)`.
pub trait NodeSource {
    type Error;
    fn node(&self, level: u8, index: u64) -> Result<Hash, Self::Error>;
}

/// Largest power of two strictly smaller than `n` (n >= 2).
fn split_point(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1u64 << (63 - (n - 1).leading_zeros())
}

/// MTH(D[start..end]) for a range as it occurs in RFC 9162 recursions (start aligned to the
/// largest power of two not above the range's size), from stored complete subtrees.
pub fn range_hash<S: NodeSource>(src: &S, start: u64, end: u64) -> Result<Hash, S::Error> {
    let size = end - start;
    if size.is_power_of_two() && start.is_multiple_of(size) {
        let level = size.trailing_zeros() as u8;
        return src.node(level, start >> level);
    }
    let k = split_point(size);
    let left = range_hash(src, start, start + k)?;
    let right = range_hash(src, start + k, end)?;
    Ok(node_hash(&left, &right))
}

/// Root of the tree of `size` leaves.
pub fn root<S: NodeSource>(src: &S, size: u64) -> Result<Hash, S::Error> {
    if size == 0 {
        return Ok(empty_root());
    }
    range_hash(src, 0, size)
}

/// Inclusion proof (RFC 9162 §2.1.3.1 PATH) for leaf `index` in the tree of `size` leaves.
pub fn inclusion_proof<S: NodeSource>(
    src: &S,
    index: u64,
    size: u64,
) -> Result<Result<Vec<Hash>, ProofError>, S::Error> {
    if index >= size {
        return Ok(Err(ProofError::IndexOutOfRange { index, size }));
    }
    // Walk top-down collecting sibling ranges; the proof lists them bottom-up.
    let mut ranges = Vec::new();
    let (mut start, mut end, mut m) = (0u64, size, index);
    while end - start > 1 {
        let k = split_point(end - start);
        if m < k {
            ranges.push((start + k, end));
            end = start + k;
        } else {
            ranges.push((start, start + k));
            start += k;
            m -= k;
        }
    }
    let mut out = Vec::with_capacity(ranges.len());
    for &(a, b) in ranges.iter().rev() {
        out.push(range_hash(src, a, b)?);
    }
    Ok(Ok(out))
}

/// Consistency proof (RFC 9162 §2.1.4.1 PROOF) between tree sizes `old` and `new`.
pub fn consistency_proof<S: NodeSource>(
    src: &S,
    old: u64,
    new: u64,
) -> Result<Result<Vec<Hash>, ProofError>, S::Error> {
    if old > new {
        return Ok(Err(ProofError::SizesReversed { old, new }));
    }
    if old == 0 {
        return Ok(Err(ProofError::FromEmptyTree));
    }
    if old == new {
        return Ok(Ok(Vec::new()));
    }
    // SUBPROOF(m, D[start..end], b), iteratively.
    let mut ranges = Vec::new();
    let (mut start, mut end, mut m, mut b) = (0u64, new, old, true);
    loop {
        let n = end - start;
        if m == n {
            if !b {
                ranges.push((start, end));
            }
            break;
        }
        let k = split_point(n);
        if m <= k {
            ranges.push((start + k, end));
            end = start + k;
        } else {
            ranges.push((start, start + k));
            start += k;
            m -= k;
            b = false;
        }
    }
    let mut out = Vec::with_capacity(ranges.len());
    for &(a, z) in ranges.iter().rev() {
        out.push(range_hash(src, a, z)?);
    }
    Ok(Ok(out))
}

fn to_hash(bytes: &[u8]) -> Result<Hash, ProofError> {
    bytes.try_into().map_err(|_| ProofError::BadHashLength)
}

/// Verifies an inclusion proof (RFC 9162 §2.1.3.2).
pub fn verify_inclusion<P: AsRef<[u8]>>(
    index: u64,
    size: u64,
    leaf: &[u8],
    proof: &[P],
    root: &[u8],
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = to_hash(leaf)?;
    for p in proof {
        let p = to_hash(p.as_ref())?;
        if s == 0 {
            return Err(ProofError::WrongLength);
        }
        if f & 1 == 1 || f == s {
            r = node_hash(&p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node_hash(&r, &p);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(ProofError::WrongLength);
    }
    if r.as_slice() != root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// Verifies a consistency proof (RFC 9162 §2.1.4.2). A proof from the empty tree (old = 0)
/// is rejected, even to another empty tree: it proves nothing.
pub fn verify_consistency<P: AsRef<[u8]>>(
    old: u64,
    new: u64,
    old_root: &[u8],
    new_root: &[u8],
    proof: &[P],
) -> Result<(), ProofError> {
    if old > new {
        return Err(ProofError::SizesReversed { old, new });
    }
    if old == 0 {
        return Err(ProofError::FromEmptyTree);
    }
    if old == new {
        if !proof.is_empty() {
            return Err(ProofError::WrongLength);
        }
        return if old_root == new_root {
            Ok(())
        } else {
            Err(ProofError::RootMismatch)
        };
    }
    if proof.is_empty() {
        return Err(ProofError::WrongLength);
    }
    let mut hashes = Vec::with_capacity(proof.len() + 1);
    if old.is_power_of_two() {
        hashes.push(to_hash(old_root)?);
    }
    for p in proof {
        hashes.push(to_hash(p.as_ref())?);
    }
    let (mut f, mut s) = (old - 1, new - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let (mut fr, mut sr) = (hashes[0], hashes[0]);
    for c in &hashes[1..] {
        if s == 0 {
            return Err(ProofError::WrongLength);
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(ProofError::WrongLength);
    }
    if fr.as_slice() != old_root || sr.as_slice() != new_root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// The right edge of a growing tree: for each level, the hash of the last complete subtree at
/// that level that still waits for its right sibling. Appending is O(log n) hashes and yields
/// every newly completed node, so stores can keep all complete subtrees.
#[derive(Debug, Clone, Default)]
pub struct Frontier {
    size: u64,
    /// `nodes[l]` is set when bit `l` of `size` is set.
    nodes: Vec<Option<Hash>>,
}

impl Frontier {
    /// Rebuilds the frontier of a tree of `size` leaves from its stored complete subtrees.
    pub fn load<S: NodeSource>(src: &S, size: u64) -> Result<Frontier, S::Error> {
        let mut nodes = Vec::new();
        for level in 0..64u8 {
            if size >> level == 0 {
                break;
            }
            if (size >> level) & 1 == 1 {
                nodes.push(Some(src.node(level, (size >> level) - 1)?));
            } else {
                nodes.push(None);
            }
        }
        Ok(Frontier { size, nodes })
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf hash; `emit(level, index, hash)` receives every node completed by it
    /// (the leaf itself first).
    pub fn push(&mut self, leaf: Hash, mut emit: impl FnMut(u8, u64, &Hash)) {
        let mut index = self.size;
        let mut cur = leaf;
        let mut level = 0usize;
        emit(0, index, &cur);
        while index & 1 == 1 {
            let left = self.nodes[level]
                .take()
                .expect("frontier has the left sibling");
            cur = node_hash(&left, &cur);
            level += 1;
            index >>= 1;
            emit(level as u8, index, &cur);
        }
        if self.nodes.len() <= level {
            self.nodes.resize(level + 1, None);
        }
        self.nodes[level] = Some(cur);
        self.size += 1;
    }

    /// The root of the tree as it stands.
    pub fn root(&self) -> Hash {
        let mut acc: Option<Hash> = None;
        for h in self.nodes.iter().flatten() {
            acc = Some(match acc {
                None => *h,
                Some(right) => node_hash(h, &right),
            });
        }
        acc.unwrap_or_else(empty_root)
    }
}

/// A whole tree in memory: every level of complete subtrees. Used to verify exported tiles and
/// in tests.
#[derive(Debug, Clone, Default)]
pub struct MemTree {
    pub levels: Vec<Vec<Hash>>,
}

impl MemTree {
    pub fn new() -> MemTree {
        MemTree::default()
    }

    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, |l| l.len() as u64)
    }

    pub fn push_leaf(&mut self, leaf: Hash) {
        let mut level = 0;
        let mut cur = leaf;
        loop {
            if self.levels.len() <= level {
                self.levels.push(Vec::new());
            }
            self.levels[level].push(cur);
            let n = self.levels[level].len();
            if n % 2 == 1 {
                break;
            }
            cur = node_hash(&self.levels[level][n - 2], &self.levels[level][n - 1]);
            level += 1;
        }
    }

    pub fn push(&mut self, data: &[u8]) {
        self.push_leaf(leaf_hash(data));
    }

    pub fn root(&self) -> Hash {
        root(self, self.size()).expect("in-memory tree has every node")
    }
}

/// A node the in-memory tree does not have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissingNode {
    pub level: u8,
    pub index: u64,
}

impl NodeSource for MemTree {
    type Error = MissingNode;
    fn node(&self, level: u8, index: u64) -> Result<Hash, MissingNode> {
        self.levels
            .get(level as usize)
            .and_then(|l| l.get(index as usize))
            .copied()
            .ok_or(MissingNode { level, index })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(n: u64) -> MemTree {
        let mut t = MemTree::new();
        for i in 0..n {
            t.push(format!("leaf {i}").as_bytes());
        }
        t
    }

    /// MTH by the RFC's recursive definition, straight from the leaves.
    fn reference_root(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => empty_root(),
            1 => leaves[0],
            n => {
                let k = split_point(n as u64) as usize;
                node_hash(&reference_root(&leaves[..k]), &reference_root(&leaves[k..]))
            }
        }
    }

    #[test]
    fn empty_root_is_sha256_of_nothing() {
        assert_eq!(
            hex::encode(empty_root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn roots_match_the_recursive_definition_and_frontier() {
        let mut f = Frontier::default();
        let mut t = MemTree::new();
        for n in 1..=70u64 {
            let leaf = leaf_hash(format!("leaf {}", n - 1).as_bytes());
            f.push(leaf, |_, _, _| {});
            t.push_leaf(leaf);
            assert_eq!(t.root(), reference_root(&t.levels[0]), "size {n}");
            assert_eq!(f.root(), t.root(), "frontier at size {n}");
            let loaded = Frontier::load(&t, n).unwrap();
            assert_eq!(loaded.root(), t.root());
        }
    }

    #[test]
    fn generated_proofs_verify_and_tampered_ones_do_not() {
        let t = tree(37);
        for size in 1..=37u64 {
            let r = root(&t, size).unwrap();
            for i in 0..size {
                let p = inclusion_proof(&t, i, size).unwrap().unwrap();
                let leaf = t.levels[0][i as usize];
                verify_inclusion(i, size, &leaf, &p, &r).unwrap();
                if let Some(first) = p.first() {
                    let mut bad = p.clone();
                    bad[0][0] ^= 1;
                    assert!(verify_inclusion(i, size, &leaf, &bad, &r).is_err());
                    assert_ne!(*first, bad[0]);
                }
            }
            for old in 1..=size {
                let p = consistency_proof(&t, old, size).unwrap().unwrap();
                let r1 = root(&t, old).unwrap();
                verify_consistency(old, size, &r1, &r, &p).unwrap();
                if old < size {
                    let wrong = root(&t, old - 1).unwrap_or(empty_root());
                    assert!(verify_consistency(old, size, &wrong, &r, &p).is_err());
                }
            }
        }
    }

    #[test]
    fn frontier_emits_every_completed_node() {
        let mut f = Frontier::default();
        let mut seen = Vec::new();
        for i in 0..8u64 {
            f.push(leaf_hash(&[i as u8]), |l, idx, _| seen.push((l, idx)));
        }
        assert_eq!(seen.len(), 15);
        assert!(seen.contains(&(3, 0)));
    }
}
