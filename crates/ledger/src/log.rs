//! The log: a store, the log's key and the operations other commands use.

use crate::entry::{Event, EventError, Leaf, PrepareEvent};
use crate::keys::{KeyError, read_key_file, write_key_file};
use crate::merkle::{self, Frontier, Hash, ProofError, leaf_hash};
use crate::note::{Checkpoint, NoteError, SignedCheckpoint, Signer, Verifier};
use crate::receipt::Receipt;
use crate::store::{Batch, SqliteStore, Store, StoreError};
use aws_lc_rs::signature::Ed25519KeyPair;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error(transparent)]
    Config(#[from] tollgate_config::ConfigError),
    #[error("{path}: {source}")]
    Note {
        path: String,
        #[source]
        source: NoteError,
    },
    #[error("event {number}: {source}")]
    Event {
        number: usize,
        #[source]
        source: EventError,
    },
    #[error("{path}: cannot read: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Proof(#[from] ProofError),
    #[error("{path}: log key does not match the log's public key {expected}")]
    WrongKey { path: String, expected: String },
    #[error("the log is empty: nothing to prove")]
    Empty,
    #[error("entry {0} is not in the log")]
    NoSuchEntry(u64),
    #[error("the log has no signed checkpoint")]
    NoCheckpoint,
    /// The stored tree is not the one the log key last signed: appending would sign a
    /// history nobody checked. Nothing was written or signed.
    #[error(
        "{path}: refusing to append: {reason}; run `tollgate log verify` and restore the log from a copy"
    )]
    Tampered { path: String, reason: String },
}

/// `<db>.key` and `<db>.pub` beside the database.
pub fn key_path(db: &Path) -> PathBuf {
    sibling(db, "key")
}
pub fn pub_path(db: &Path) -> PathBuf {
    sibling(db, "pub")
}
fn sibling(db: &Path, ext: &str) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

/// Reads a note verifier key file (`name+hash+key`, one line).
pub fn read_verifier(path: &Path) -> Result<Verifier, LogError> {
    let text = std::fs::read_to_string(path).map_err(|source| LogError::Io {
        path: path.display().to_string(),
        source,
    })?;
    Verifier::parse(&text).map_err(|source| LogError::Note {
        path: path.display().to_string(),
        source,
    })
}

/// A transparency log.
pub struct Log<S: Store = SqliteStore> {
    store: S,
    db: PathBuf,
    verifier: Verifier,
    signer: Option<Signer>,
}

impl<S: Store> fmt::Debug for Log<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Log")
            .field("db", &self.db)
            .field("origin", &self.verifier.name)
            .finish()
    }
}

/// The outcome of `Log::init`.
#[derive(Debug)]
pub struct Init {
    pub log: Log,
    pub key: PathBuf,
    pub public: PathBuf,
    pub warning: Option<String>,
}

impl Log<SqliteStore> {
    /// Creates the database, a new Ed25519 log key beside it and the empty tree's checkpoint.
    pub fn init(db: &Path, origin: Option<&str>) -> Result<Init, LogError> {
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let doc = Ed25519KeyPair::generate_pkcs8(&rng).map_err(|_| KeyError::NotEd25519 {
            path: key_path(db).display().to_string(),
        })?;
        Self::init_with_key(db, origin, doc.as_ref())
    }

    /// Like [`Log::init`] with a given Ed25519 key (PKCS#8 DER): for key ceremonies done
    /// elsewhere, and for reproducible tests.
    pub fn init_with_key(db: &Path, origin: Option<&str>, pkcs8: &[u8]) -> Result<Init, LogError> {
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8).map_err(|_| KeyError::NotEd25519 {
            path: key_path(db).display().to_string(),
        })?;
        let origin = match origin {
            Some(o) => o.to_string(),
            None => {
                let d = tollgate_model::sha256(
                    aws_lc_rs::signature::KeyPair::public_key(&pair).as_ref(),
                );
                format!("tollgate.local/log-{}", &d.hex()[..16])
            }
        };
        let note_err = |source| LogError::Note {
            path: db.display().to_string(),
            source,
        };
        let signer = Signer::from_key_pair(&origin, pair).map_err(note_err)?;
        let verifier = signer.verifier();
        if db.exists() {
            return Err(StoreError::Corrupt {
                path: db.display().to_string(),
                message: "already exists".into(),
            }
            .into());
        }
        let key = key_path(db);
        let public = pub_path(db);
        let warning = write_key_file(&key, pkcs8)?;
        std::fs::write(&public, format!("{}\n", verifier.encode())).map_err(|source| {
            LogError::Io {
                path: public.display().to_string(),
                source,
            }
        })?;
        let created = OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let store = SqliteStore::create(
            db,
            &[
                ("origin", &origin),
                ("public_key", &verifier.encode()),
                ("created", &created),
            ],
        )?;
        let mut log = Log {
            store,
            db: db.to_path_buf(),
            verifier,
            signer: Some(signer),
        };
        log.append(&[])?;
        Ok(Init {
            log,
            key,
            public,
            warning,
        })
    }

    /// Opens an existing log. The log's public key is read from `<db>.pub`.
    pub fn open(db: &Path) -> Result<Log, LogError> {
        let verifier = read_verifier(&pub_path(db))?;
        Self::open_with_verifier(db, verifier)
    }

    /// Opens an existing log, trusting the given public key (e.g. one pinned out of band).
    pub fn open_with_verifier(db: &Path, verifier: Verifier) -> Result<Log, LogError> {
        let store = SqliteStore::open(db)?;
        Ok(Log {
            store,
            db: db.to_path_buf(),
            verifier,
            signer: None,
        })
    }
}

impl<S: Store> Log<S> {
    /// Wraps any store (e.g. a server's) with a known verifier and optional signer.
    pub fn with_store(store: S, db: PathBuf, verifier: Verifier, signer: Option<Signer>) -> Self {
        Log {
            store,
            db,
            verifier,
            signer,
        }
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    pub fn origin(&self) -> &str {
        &self.verifier.name
    }

    fn signer(&mut self) -> Result<&Signer, LogError> {
        if self.signer.is_none() {
            let path = key_path(&self.db);
            let der = read_key_file(&path)?;
            let shown = path.display().to_string();
            let pair = Ed25519KeyPair::from_pkcs8(&der)
                .or_else(|_| Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der))
                .map_err(|_| KeyError::NotEd25519 {
                    path: shown.clone(),
                })?;
            let signer = Signer::from_key_pair(&self.verifier.name, pair).map_err(|source| {
                LogError::Note {
                    path: shown.clone(),
                    source,
                }
            })?;
            if signer.verifier() != self.verifier {
                return Err(LogError::WrongKey {
                    path: shown,
                    expected: self.verifier.encode(),
                });
            }
            self.signer = Some(signer);
        }
        Ok(self.signer.as_ref().expect("just set"))
    }

    /// Appends `events` as one batch: one transaction and one signed checkpoint. Returns their
    /// indexes once the batch is durable.
    pub fn append(&mut self, events: &[Event]) -> Result<Vec<u64>, LogError> {
        let now = OffsetDateTime::now_utc();
        let prepared = events
            .iter()
            .enumerate()
            .map(|(i, e)| {
                e.prepare(now)
                    .map(|p| (p.bytes, p.payload.map(|(d, b)| (d.0, b))))
                    .map_err(|source| LogError::Event {
                        number: i + 1,
                        source,
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let first = self.append_leaves(prepared)?;
        Ok((first..first + events.len() as u64).collect())
    }

    /// Appends leaves (canonical bytes, optional payload) as one batch; returns the first index.
    ///
    /// Before anything is signed, the stored tree is checked against the latest signed
    /// checkpoint, in the append's own transaction ([`check_tip`]): a log whose stored subtree
    /// hashes or entries were rewritten, whose checkpoints were deleted, or that grew outside
    /// tollgate is refused with [`LogError::Tampered`], and nothing is written.
    fn append_leaves(&mut self, leaves: Vec<LeafBytes>) -> Result<u64, LogError> {
        self.signer()?;
        let signer = self.signer.as_ref().expect("loaded");
        let origin = self.verifier.name.clone();
        let verifier = &self.verifier;
        let mut leaves = Some(leaves);
        let mut refused: Option<String> = None;
        let result = self
            .store
            .append(&mut |frontier: &Frontier, latest: Option<&str>| {
                if let Err(reason) = check_tip(frontier, latest, verifier) {
                    refused = Some(reason.clone());
                    return Err(StoreError::Corrupt {
                        path: String::new(),
                        message: reason,
                    });
                }
                let leaves = leaves.take().unwrap_or_default();
                let mut f = frontier.clone();
                let mut batch = Batch {
                    first_index: f.size(),
                    ..Batch::default()
                };
                batch.nodes.reserve(leaves.len() * 2);
                for (bytes, payload) in leaves {
                    let nodes = &mut batch.nodes;
                    f.push(leaf_hash(&bytes), |l, i, h| nodes.push((l, i, *h)));
                    if let Some(p) = payload {
                        batch.payloads.push(p);
                    }
                    batch.entries.push(bytes);
                }
                let body = Checkpoint {
                    origin: origin.clone(),
                    size: f.size(),
                    root: f.root(),
                    extensions: vec![],
                }
                .body();
                batch.checkpoint = signer.sign(&body).map_err(|e| StoreError::Corrupt {
                    path: String::new(),
                    message: e.to_string(),
                })?;
                Ok(batch)
            });
        match (result, refused) {
            (Ok(first), _) => Ok(first),
            (Err(_), Some(reason)) => Err(LogError::Tampered {
                path: self.db.display().to_string(),
                reason,
            }),
            (Err(e), None) => Err(e.into()),
        }
    }

    /// Logs a Sigstore log body (a Rekor v1 canonicalized body, see [`Leaf`]) as one batch and
    /// returns the bundle's `tlogEntries[]` element: `logIndex`, `logId` (the note key hash,
    /// see [`crate::trusted_root`]), `kindVersion`, `integratedTime`, `inclusionPromise` (a
    /// signed entry timestamp over Rekor's `{body, integratedTime, logID, logIndex}`, RFC 8785,
    /// with the log key), `inclusionProof` (against the signed checkpoint of the batch, or a
    /// later one) and `canonicalizedBody`.
    pub fn append_sigstore(&mut self, body: &[u8]) -> Result<serde_json::Value, LogError> {
        use base64::Engine as _;
        let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        let (kind, version) = match Leaf::from_canonical(body) {
            Ok(Leaf::Sigstore { kind, version }) => (kind, version),
            Ok(Leaf::Event(_)) => {
                return Err(LogError::Event {
                    number: 1,
                    source: EventError::SigstoreKind("a tollgate event".into()),
                });
            }
            Err(source) => return Err(LogError::Event { number: 1, source }),
        };
        let integrated = OffsetDateTime::now_utc().unix_timestamp();
        let index = self.append_leaves(vec![(body.to_vec(), None)])?;
        let cp = self.checkpoint()?;
        let proof = self.inclusion_proof(index, cp.checkpoint.size)?;
        let log_id = self.verifier.key_hash();
        let promise = crate::entry::canonical_json(&serde_json::json!({
            "body": b64(body),
            "integratedTime": integrated,
            "logID": hex::encode(log_id),
            "logIndex": index,
        }))
        .map_err(|source| LogError::Event {
            number: 1,
            source: source.into(),
        })?;
        let set = self.signer()?.key_pair().sign(&promise);
        Ok(serde_json::json!({
            "logIndex": index.to_string(),
            "logId": {"keyId": b64(&log_id)},
            "kindVersion": {"kind": kind, "version": version},
            "integratedTime": integrated.to_string(),
            "inclusionPromise": {"signedEntryTimestamp": b64(set.as_ref())},
            "inclusionProof": {
                "logIndex": index.to_string(),
                "rootHash": b64(&cp.checkpoint.root),
                "treeSize": cp.checkpoint.size.to_string(),
                "hashes": proof.iter().map(|h| b64(h)).collect::<Vec<_>>(),
                "checkpoint": {"envelope": cp.note.encode()},
            },
            "canonicalizedBody": b64(body),
        }))
    }

    /// When the log was created (RFC 3339), as recorded in the store.
    pub fn created(&self) -> Result<String, LogError> {
        Ok(self
            .store
            .meta("created")?
            .unwrap_or_else(|| "1970-01-01T00:00:00Z".into()))
    }

    pub fn size(&self) -> Result<u64, LogError> {
        Ok(self.store.size()?)
    }

    pub fn entry(&self, index: u64) -> Result<Vec<u8>, LogError> {
        self.store.entry(index)?.ok_or(LogError::NoSuchEntry(index))
    }

    pub fn payload(&self, digest: &tollgate_model::Digest) -> Result<Option<Vec<u8>>, LogError> {
        Ok(self.store.payload(&digest.0)?)
    }

    /// The latest signed checkpoint, verified against the log key.
    pub fn checkpoint(&self) -> Result<SignedCheckpoint, LogError> {
        let raw = self
            .store
            .latest_checkpoint()?
            .ok_or(LogError::NoCheckpoint)?;
        SignedCheckpoint::verify(&raw, &self.verifier).map_err(|source| LogError::Note {
            path: self.db.display().to_string(),
            source,
        })
    }

    /// Root of the tree of `size` leaves from the stored subtrees.
    pub fn root_at(&self, size: u64) -> Result<Hash, LogError> {
        Ok(merkle::root(&self.store, size)?)
    }

    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, LogError> {
        Ok(merkle::inclusion_proof(&self.store, index, size)??)
    }

    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, LogError> {
        Ok(merkle::consistency_proof(&self.store, old, new)??)
    }

    /// A `c2sp.org/tlog-proof@v1` receipt for entry `index` against the latest checkpoint.
    pub fn receipt(&self, index: u64) -> Result<Receipt, LogError> {
        let cp = self.checkpoint()?;
        if index >= cp.checkpoint.size {
            return Err(LogError::NoSuchEntry(index));
        }
        let entry = self.entry(index)?;
        let proof = self.inclusion_proof(index, cp.checkpoint.size)?;
        Ok(Receipt {
            extra: Some(entry),
            index,
            proof,
            checkpoint: cp.note.encode(),
        })
    }

    /// Recomputes the whole tree from the stored entries and checks it against every stored
    /// signed checkpoint and every `saved` checkpoint (raw signed notes a user kept).
    pub fn verify(&self, saved: &[(String, String)]) -> Result<VerifyReport, LogError> {
        let mut report = VerifyReport::default();
        // Signed checkpoints: stored ones, then the user's.
        let mut targets: BTreeMap<u64, Vec<(String, Hash)>> = BTreeMap::new();
        let mut latest_signed = None::<u64>;
        for (size, raw) in self.store.checkpoints()? {
            match SignedCheckpoint::verify(&raw, &self.verifier) {
                Ok(cp) if cp.checkpoint.size == size => {
                    report.checkpoints += 1;
                    latest_signed = Some(latest_signed.map_or(size, |l: u64| l.max(size)));
                    targets.entry(size).or_default().push((
                        format!("signed checkpoint at size {size}"),
                        cp.checkpoint.root,
                    ));
                }
                Ok(cp) => report.problem(
                    None,
                    format!(
                        "stored checkpoint row {size} holds a checkpoint of size {}",
                        cp.checkpoint.size
                    ),
                ),
                Err(e) => report.problem(None, format!("stored checkpoint at size {size}: {e}")),
            }
        }
        for (label, raw) in saved {
            match SignedCheckpoint::verify(raw, &self.verifier) {
                Ok(cp) => {
                    report.checkpoints += 1;
                    targets.entry(cp.checkpoint.size).or_default().push((
                        format!("saved checkpoint {label} (size {})", cp.checkpoint.size),
                        cp.checkpoint.root,
                    ));
                }
                Err(e) => report.problem(None, format!("saved checkpoint {label}: {e}")),
            }
        }
        // Payloads: one sequential pass (random lookups per entry are much slower at scale).
        let mut payloads = HashSet::new();
        let mut bad_payloads = HashSet::new();
        self.store.scan_payloads(&mut |digest, data| {
            if tollgate_model::sha256(data).0 == *digest {
                payloads.insert(*digest);
            } else {
                bad_payloads.insert(*digest);
            }
            Ok(())
        })?;
        // Rows with a negative index are not part of any tree (tollgate never writes them);
        // `scan` skips them, here they are reported.
        for i in self.store.negative_indexes(10)? {
            report.problem(
                None,
                format!("entry row with index {i}: log indexes are never negative (the row was written outside tollgate)"),
            );
        }
        let mut walk = Walk {
            store: &self.store,
            targets: &targets,
            size: 0,
            frontier: Frontier::default(),
            last_good: 0,
            broken_at: None,
            report: &mut report,
            payloads: &payloads,
            bad_payloads: &bad_payloads,
        };
        // The empty tree's checkpoint, then the entries in chunks: the per-entry work (leaf
        // hash, canonical-form check) runs in parallel, the tree is extended in order.
        walk.check_targets();
        let mut chunk: Vec<(u64, Vec<u8>, Option<Hash>)> = Vec::with_capacity(CHUNK);
        self.store.scan(&mut |row| {
            chunk.push((row.index, row.data.to_vec(), row.leaf));
            if chunk.len() == CHUNK {
                walk.process(std::mem::take(&mut chunk))?;
            }
            Ok(())
        })?;
        walk.process(chunk)?;
        let (frontier, broken_at, size) = (walk.frontier, walk.broken_at, walk.size);
        report.size = size;
        if let Some(i) = broken_at {
            report.problem(
                Some(i),
                format!("tree cannot be recomputed from entry {i} on: checkpoints past it were not checked"),
            );
        }
        for (&s, labels) in targets.range(size + 1..) {
            for (label, _) in labels {
                report.problem(
                    Some(size),
                    format!(
                        "log truncated: {label} covers {s} entries but only {size} are stored (entries {size}..={} are gone)",
                        s - 1
                    ),
                );
            }
        }
        match latest_signed {
            None if size > 0 => report.problem(None, "no valid signed checkpoint in the log".into()),
            Some(l) if l < size => report.problem(
                Some(l),
                format!(
                    "entries {l}..={} are not covered by any signed checkpoint (added outside tollgate)",
                    size - 1
                ),
            ),
            _ => {}
        }
        report.root = frontier.root();
        Ok(report)
    }
}

/// Whether the stored tree (its frontier, read from the cached subtree hashes) is exactly the
/// tree of the latest signed checkpoint. Checked before every append signs: a frontier whose
/// root equals a root the log key signed is, under SHA-256, made of that tree's genuine
/// subtree hashes, so the new checkpoint extends the signed history and nothing else. Cheap
/// (O(log n) hashes), unlike rehashing every entry; `log verify` rehashes them all.
fn check_tip(frontier: &Frontier, latest: Option<&str>, verifier: &Verifier) -> Result<(), String> {
    let size = frontier.size();
    let Some(raw) = latest else {
        return if size == 0 {
            Ok(())
        } else {
            Err(format!(
                "the log holds {size} entries but no signed checkpoint (checkpoints deleted?)"
            ))
        };
    };
    let cp = SignedCheckpoint::verify(raw, verifier)
        .map_err(|e| format!("the latest stored checkpoint does not verify: {e}"))?;
    if cp.checkpoint.size != size {
        return Err(format!(
            "the latest signed checkpoint covers {} entries but {size} are stored",
            cp.checkpoint.size
        ));
    }
    if cp.checkpoint.root != frontier.root() {
        return Err(format!(
            "the stored tree of {size} entries does not match the root the log key signed for it (stored hashes rewritten?)"
        ));
    }
    Ok(())
}

/// Bundles made by `tollgate sign`/`attest` carry this log's entry.
impl<S: Store> tollgate_attest::TransparencyLog for Log<S> {
    fn append_body(
        &mut self,
        body: &tollgate_attest::tlog::LogBody,
    ) -> Result<serde_json::Value, String> {
        self.append_sigstore(&body.canonical)
            .map_err(|e| e.to_string())
    }
}

/// A leaf's canonical bytes and, for events, the payload (digest, canonical bytes).
type LeafBytes = (Vec<u8>, Option<([u8; 32], Vec<u8>)>);

const CHUNK: usize = 16_384;

/// State of one verification walk over the stored entries.
struct Walk<'a, S: Store> {
    store: &'a S,
    targets: &'a BTreeMap<u64, Vec<(String, Hash)>>,
    /// One past the highest index seen.
    size: u64,
    /// The tree recomputed from the entries (up to `broken_at`).
    frontier: Frontier,
    last_good: u64,
    broken_at: Option<u64>,
    report: &'a mut VerifyReport,
    payloads: &'a HashSet<[u8; 32]>,
    bad_payloads: &'a HashSet<[u8; 32]>,
}

impl<S: Store> Walk<'_, S> {
    fn process(&mut self, chunk: Vec<(u64, Vec<u8>, Option<Hash>)>) -> Result<(), StoreError> {
        let checked: Vec<(Hash, Result<Option<tollgate_model::Digest>, String>)> = chunk
            .par_iter()
            .map(|(_, data, _)| {
                let parsed = Leaf::from_canonical(data)
                    .map(|e| e.payload_digest())
                    .map_err(|e| e.to_string());
                (leaf_hash(data), parsed)
            })
            .collect();
        for ((index, _, recorded), (leaf, parsed)) in chunk.into_iter().zip(checked) {
            self.fill_gap(index)?;
            if let Some(recorded) = recorded
                && recorded != leaf
            {
                self.report.problem(
                    Some(index),
                    format!(
                        "entry {index}: content differs from the leaf hash recorded when it was appended (edited, or moved from another index)"
                    ),
                );
            }
            match parsed {
                Ok(Some(d)) if self.bad_payloads.contains(&d.0) => self.report.problem(
                    Some(index),
                    format!("entry {index}: stored payload does not match its digest {d}"),
                ),
                Ok(Some(d)) if !self.payloads.contains(&d.0) => self.report.problem(
                    Some(index),
                    format!("entry {index}: payload {d} is missing"),
                ),
                Ok(_) => {}
                Err(e) => self
                    .report
                    .problem(Some(index), format!("entry {index}: {e}")),
            }
            if self.broken_at.is_none() {
                self.frontier.push(leaf, |_, _, _| {});
                self.check_targets();
            }
            self.size = index + 1;
        }
        Ok(())
    }

    /// Rows missing before `index`: reported, then stood in for by the leaf hashes recorded
    /// for them (when there are any) so the rest of the log can still be checked. The first
    /// missing leaf hash ends the tree (`broken_at`), so the loop is bounded by the stored
    /// rows, not by the size of the gap (an index of 2^62 does not make it spin).
    fn fill_gap(&mut self, index: u64) -> Result<(), StoreError> {
        let expected = self.size;
        if index <= expected {
            return Ok(());
        }
        self.report.problem(
            Some(expected),
            if index == expected + 1 {
                format!("entry {expected} is missing (row deleted)")
            } else {
                format!(
                    "entries {expected}..={} are missing (rows deleted)",
                    index - 1
                )
            },
        );
        for i in expected..index {
            if self.broken_at.is_some() {
                break;
            }
            match self.store.node(0, i) {
                Ok(h) => {
                    self.frontier.push(h, |_, _, _| {});
                    self.check_targets();
                }
                Err(StoreError::MissingNode { .. }) => self.broken_at = Some(i),
                Err(e) => return Err(e),
            }
        }
        self.size = index;
        Ok(())
    }

    fn check_targets(&mut self) {
        let size = self.frontier.size();
        let Some(labels) = self.targets.get(&size) else {
            return;
        };
        let root = self.frontier.root();
        let mut all_ok = true;
        for (label, want) in labels {
            if *want != root {
                all_ok = false;
                let from = self.last_good;
                self.report.problem(
                    Some(from),
                    if size == 0 {
                        format!("{label}: does not match the empty tree")
                    } else {
                        format!(
                            "{label}: the stored entries give a different tree; the change lies in entries {from}..={}",
                            size - 1
                        )
                    },
                );
            }
        }
        if all_ok {
            self.last_good = size;
        }
    }
}

/// One thing verification found wrong, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The first entry index concerned, when there is one.
    pub index: Option<u64>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// What `verify` found.
#[derive(Debug, Clone, Default)]
pub struct VerifyReport {
    /// Entries read.
    pub size: u64,
    /// Root recomputed from them.
    pub root: Hash,
    /// Signed checkpoints checked.
    pub checkpoints: usize,
    pub problems: Vec<Problem>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }

    pub(crate) fn problem(&mut self, index: Option<u64>, message: String) {
        // Keep the report readable when a whole region is damaged.
        if self.problems.len() < 1000 {
            self.problems.push(Problem { index, message });
        }
    }
}
