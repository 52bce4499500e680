//! Storage behind the log: a trait (so a server can add PostgreSQL) and the embedded SQLite
//! implementation (WAL, `synchronous=FULL`: a committed batch survives a crash or power loss).

use crate::merkle::{Frontier, Hash, NodeSource};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::path::{Path, PathBuf};

/// Schema version this build writes and reads.
pub const SCHEMA_VERSION: i64 = 1;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {source}")]
    Sqlite {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error(
        "{path}: log database has schema version {found}, this tollgate reads up to {SCHEMA_VERSION}; upgrade tollgate"
    )]
    NewerSchema { path: String, found: i64 },
    #[error("{path}: not a tollgate log database (no schema version)")]
    NotALog { path: String },
    #[error("{path}: not a tollgate log database ({reason}); left untouched")]
    NotADatabase { path: String, reason: String },
    #[error("{path}: tree node (level {level}, index {index}) is missing from the store")]
    MissingNode { path: String, level: u8, index: u64 },
    #[error("{path}: {message}")]
    Corrupt { path: String, message: String },
}

/// One batch to commit atomically: entries from `first_index` on, their payloads, every tree
/// node they complete, and the signed checkpoint of the new tree.
#[derive(Debug, Default)]
pub struct Batch {
    pub first_index: u64,
    pub entries: Vec<Vec<u8>>,
    pub payloads: Vec<([u8; 32], Vec<u8>)>,
    pub nodes: Vec<(u8, u64, Hash)>,
    pub checkpoint: String,
}

/// A stored entry row as scanned by verification.
#[derive(Debug)]
pub struct Row<'a> {
    pub index: u64,
    pub data: &'a [u8],
    /// The leaf hash the store recorded for this index (None when the node row is gone).
    pub leaf: Option<Hash>,
}

/// Receives each stored payload: the digest it is filed under, and its bytes.
pub type PayloadVisitor<'a> = dyn FnMut(&[u8; 32], &[u8]) -> Result<(), StoreError> + 'a;

/// Builds the batch of an append from the stored frontier and the latest stored checkpoint.
pub type BuildBatch<'a> = dyn FnMut(&Frontier, Option<&str>) -> Result<Batch, StoreError> + 'a;

/// What the log needs from a storage backend.
pub trait Store: NodeSource<Error = StoreError> {
    /// Runs `build` inside an exclusive write transaction: it receives the current tree
    /// (size and frontier, from the stored node hashes) and the latest stored signed checkpoint
    /// (raw note, read in the same transaction), and returns the batch to commit. The batch is
    /// durable on return.
    fn append(&mut self, build: &mut BuildBatch<'_>) -> Result<u64, StoreError>;
    /// Number of entries (one past the highest index).
    fn size(&self) -> Result<u64, StoreError>;
    fn entry(&self, index: u64) -> Result<Option<Vec<u8>>, StoreError>;
    fn payload(&self, digest: &[u8; 32]) -> Result<Option<Vec<u8>>, StoreError>;
    /// Every stored payload, with the digest it is filed under.
    fn scan_payloads(&self, f: &mut PayloadVisitor<'_>) -> Result<(), StoreError>;
    /// Entry rows whose index is negative (at most `limit`): never written by tollgate, and
    /// skipped by [`Store::scan`].
    fn negative_indexes(&self, limit: usize) -> Result<Vec<i64>, StoreError>;
    /// Every entry of index ≥ 0 in index order with its recorded leaf hash.
    fn scan(&self, f: &mut dyn FnMut(Row<'_>) -> Result<(), StoreError>) -> Result<(), StoreError>;
    /// Every stored signed checkpoint, by tree size.
    fn checkpoints(&self) -> Result<Vec<(u64, String)>, StoreError>;
    fn latest_checkpoint(&self) -> Result<Option<String>, StoreError>;
    fn meta(&self, key: &str) -> Result<Option<String>, StoreError>;
}

/// The SQLite store.
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish()
    }
}

const SCHEMA: &str = "
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE entries (idx INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE payloads (digest BLOB PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE nodes (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,
                    PRIMARY KEY (level, idx)) WITHOUT ROWID;
CREATE TABLE checkpoints (size INTEGER PRIMARY KEY, note TEXT NOT NULL);
";

impl SqliteStore {
    fn err(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        |source| StoreError::Sqlite {
            path: self.path.display().to_string(),
            source,
        }
    }

    fn connect(path: &Path) -> Result<Connection, StoreError> {
        let e = |source| StoreError::Sqlite {
            path: path.display().to_string(),
            source,
        };
        let conn = Connection::open(path).map_err(e)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(e)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(e)?;
        conn.pragma_update(None, "synchronous", "FULL").map_err(e)?;
        // 64 MiB page cache and memory-mapped reads: proofs and verification of large logs
        // touch many pages.
        conn.pragma_update(None, "cache_size", -65536).map_err(e)?;
        conn.pragma_update(None, "mmap_size", 1i64 << 30)
            .map_err(e)?;
        Ok(conn)
    }

    /// Creates a new log database (fails if `path` exists).
    pub fn create(path: &Path, meta: &[(&str, &str)]) -> Result<SqliteStore, StoreError> {
        if path.exists() {
            return Err(StoreError::Corrupt {
                path: path.display().to_string(),
                message: "already exists".into(),
            });
        }
        let mut conn = Self::connect(path)?;
        let store_err = |source| StoreError::Sqlite {
            path: path.display().to_string(),
            source,
        };
        let tx = conn.transaction().map_err(store_err)?;
        tx.execute_batch(SCHEMA).map_err(store_err)?;
        tx.execute(
            "INSERT INTO schema_version (version) VALUES (?1)",
            [SCHEMA_VERSION],
        )
        .map_err(store_err)?;
        for (k, v) in meta {
            tx.execute("INSERT INTO meta (key, value) VALUES (?1, ?2)", [k, v])
                .map_err(store_err)?;
        }
        tx.commit().map_err(store_err)?;
        Ok(SqliteStore {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Opens an existing log database, refusing newer schema versions. A file that is not an
    /// SQLite database (empty, or another format) is refused before SQLite opens it, so it is
    /// never written to (SQLite would turn an empty file into a database).
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let shown = path.display().to_string();
        if !path.is_file() {
            return Err(StoreError::Sqlite {
                path: shown,
                source: rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
                    Some("no such log (create it with `tollgate log init`)".into()),
                ),
            });
        }
        check_header(path)?;
        let conn = Self::connect(path)?;
        let version: Option<i64> = conn
            .query_row("SELECT MAX(version) FROM schema_version", [], |r| r.get(0))
            .map_err(|_| StoreError::NotALog {
                path: shown.clone(),
            })?;
        match version {
            None => return Err(StoreError::NotALog { path: shown }),
            Some(v) if v > SCHEMA_VERSION => {
                return Err(StoreError::NewerSchema {
                    path: shown,
                    found: v,
                });
            }
            Some(_) => {}
        }
        Ok(SqliteStore {
            conn,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Direct access for tests that tamper with the database.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

/// The 16-byte magic every SQLite 3 database file starts with.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Refuses a file that is not an SQLite database: too short for the 100-byte header, or
/// without its magic.
fn check_header(path: &Path) -> Result<(), StoreError> {
    use std::io::Read;
    let shown = path.display().to_string();
    let mut head = [0u8; 100];
    let mut f = std::fs::File::open(path).map_err(|e| StoreError::NotADatabase {
        path: shown.clone(),
        reason: format!("cannot read: {e}"),
    })?;
    let mut n = 0;
    while n < head.len() {
        match f.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                return Err(StoreError::NotADatabase {
                    path: shown,
                    reason: format!("cannot read: {e}"),
                });
            }
        }
    }
    if n == 0 {
        return Err(StoreError::NotADatabase {
            path: shown,
            reason: "the file is empty".into(),
        });
    }
    if n < head.len() || &head[..16] != SQLITE_MAGIC {
        return Err(StoreError::NotADatabase {
            path: shown,
            reason: "no SQLite header".into(),
        });
    }
    Ok(())
}

fn hash_from(blob: Vec<u8>) -> Option<Hash> {
    blob.try_into().ok()
}

impl NodeSource for SqliteStore {
    type Error = StoreError;
    fn node(&self, level: u8, index: u64) -> Result<Hash, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT hash FROM nodes WHERE level = ?1 AND idx = ?2")
            .map_err(self.err())?;
        let blob: Option<Vec<u8>> = st
            .query_row(params![level, index as i64], |r| r.get(0))
            .optional()
            .map_err(self.err())?;
        blob.and_then(hash_from).ok_or(StoreError::MissingNode {
            path: self.path.display().to_string(),
            level,
            index,
        })
    }
}

impl Store for SqliteStore {
    fn append(&mut self, build: &mut BuildBatch<'_>) -> Result<u64, StoreError> {
        let path = self.path.display().to_string();
        let e = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        // IMMEDIATE: take the write lock before reading the size, so concurrent appenders
        // serialize instead of both extending the same tree.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(e)?;
        let size: i64 = tx
            .query_row(
                "SELECT MAX(COALESCE(MAX(idx) + 1, 0), 0) FROM entries",
                [],
                |r| r.get(0),
            )
            .map_err(e)?;
        let frontier = {
            let view = TxNodes {
                tx: &tx,
                path: &path,
            };
            Frontier::load(&view, size as u64)?
        };
        let latest: Option<String> = tx
            .query_row(
                "SELECT note FROM checkpoints ORDER BY size DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(e)?;
        let batch = build(&frontier, latest.as_deref())?;
        if batch.first_index != size as u64 {
            return Err(StoreError::Corrupt {
                path,
                message: "batch does not start at the end of the log".into(),
            });
        }
        {
            let mut ins_entry = tx
                .prepare_cached("INSERT INTO entries (idx, data) VALUES (?1, ?2)")
                .map_err(e)?;
            for (i, data) in batch.entries.iter().enumerate() {
                ins_entry
                    .execute(params![size + i as i64, data])
                    .map_err(e)?;
            }
            let mut ins_payload = tx
                .prepare_cached("INSERT OR IGNORE INTO payloads (digest, data) VALUES (?1, ?2)")
                .map_err(e)?;
            for (d, data) in &batch.payloads {
                ins_payload.execute(params![&d[..], data]).map_err(e)?;
            }
            let mut ins_node = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO nodes (level, idx, hash) VALUES (?1, ?2, ?3)",
                )
                .map_err(e)?;
            for (level, idx, h) in &batch.nodes {
                ins_node
                    .execute(params![level, *idx as i64, &h[..]])
                    .map_err(e)?;
            }
            tx.execute(
                "INSERT OR REPLACE INTO checkpoints (size, note) VALUES (?1, ?2)",
                params![size + batch.entries.len() as i64, batch.checkpoint],
            )
            .map_err(e)?;
        }
        tx.commit().map_err(e)?;
        Ok(size as u64)
    }

    fn size(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .query_row(
                "SELECT MAX(COALESCE(MAX(idx) + 1, 0), 0) FROM entries",
                [],
                |r| r.get(0),
            )
            .map_err(self.err())?;
        Ok(n as u64)
    }

    fn entry(&self, index: u64) -> Result<Option<Vec<u8>>, StoreError> {
        self.conn
            .prepare_cached("SELECT data FROM entries WHERE idx = ?1")
            .and_then(|mut st| st.query_row([index as i64], |r| r.get(0)).optional())
            .map_err(self.err())
    }

    fn payload(&self, digest: &[u8; 32]) -> Result<Option<Vec<u8>>, StoreError> {
        self.conn
            .prepare_cached("SELECT data FROM payloads WHERE digest = ?1")
            .and_then(|mut st| st.query_row([&digest[..]], |r| r.get(0)).optional())
            .map_err(self.err())
    }

    fn scan_payloads(&self, f: &mut PayloadVisitor<'_>) -> Result<(), StoreError> {
        let mut st = self
            .conn
            .prepare("SELECT digest, data FROM payloads")
            .map_err(self.err())?;
        let mut rows = st.query([]).map_err(self.err())?;
        while let Some(r) = rows.next().map_err(self.err())? {
            let digest: Vec<u8> = r.get(0).map_err(self.err())?;
            let data: Vec<u8> = r.get(1).map_err(self.err())?;
            // A digest of the wrong length cannot match any entry: file it under zeros.
            let digest: [u8; 32] = digest.try_into().unwrap_or([0; 32]);
            f(&digest, &data)?;
        }
        Ok(())
    }

    fn scan(&self, f: &mut dyn FnMut(Row<'_>) -> Result<(), StoreError>) -> Result<(), StoreError> {
        // Two ordered cursors merged in step (entries, and the level-0 nodes): sequential
        // reads, where a join would look every leaf up in the node B-tree.
        let mut st = self
            .conn
            .prepare("SELECT idx, data FROM entries WHERE idx >= 0 ORDER BY idx")
            .map_err(self.err())?;
        let mut leaves_st = self
            .conn
            .prepare("SELECT idx, hash FROM nodes WHERE level = 0 AND idx >= 0 ORDER BY idx")
            .map_err(self.err())?;
        let mut leaves = leaves_st.query([]).map_err(self.err())?;
        let mut cur: Option<(i64, Vec<u8>)> = None;
        let mut done = false;
        let mut rows = st.query([]).map_err(self.err())?;
        while let Some(r) = rows.next().map_err(self.err())? {
            let index: i64 = r.get(0).map_err(self.err())?;
            let data = match r.get_ref(1).map_err(self.err())? {
                rusqlite::types::ValueRef::Blob(b) | rusqlite::types::ValueRef::Text(b) => b,
                _ => &[][..],
            };
            while !done && cur.as_ref().is_none_or(|(i, _)| *i < index) {
                match leaves.next().map_err(self.err())? {
                    Some(n) => {
                        cur = Some((n.get(0).map_err(self.err())?, n.get(1).map_err(self.err())?))
                    }
                    None => {
                        done = true;
                        cur = None;
                    }
                }
            }
            let leaf = match &cur {
                Some((i, h)) if *i == index => hash_from(h.clone()),
                _ => None,
            };
            f(Row {
                index: index as u64,
                data,
                leaf,
            })?;
        }
        Ok(())
    }

    fn negative_indexes(&self, limit: usize) -> Result<Vec<i64>, StoreError> {
        let mut st = self
            .conn
            .prepare("SELECT idx FROM entries WHERE idx < 0 ORDER BY idx LIMIT ?1")
            .map_err(self.err())?;
        let rows = st
            .query_map([limit as i64], |r| r.get::<_, i64>(0))
            .map_err(self.err())?;
        rows.collect::<Result<_, _>>().map_err(self.err())
    }

    fn checkpoints(&self) -> Result<Vec<(u64, String)>, StoreError> {
        let mut st = self
            .conn
            .prepare("SELECT size, note FROM checkpoints ORDER BY size")
            .map_err(self.err())?;
        let rows = st
            .query_map([], |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)))
            .map_err(self.err())?;
        rows.collect::<Result<_, _>>().map_err(self.err())
    }

    fn latest_checkpoint(&self) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row(
                "SELECT note FROM checkpoints ORDER BY size DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.err())
    }

    fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(self.err())
    }
}

/// Node lookups inside the append transaction.
struct TxNodes<'a> {
    tx: &'a rusqlite::Transaction<'a>,
    path: &'a str,
}

impl NodeSource for TxNodes<'_> {
    type Error = StoreError;
    fn node(&self, level: u8, index: u64) -> Result<Hash, StoreError> {
        let blob: Option<Vec<u8>> = self
            .tx
            .query_row(
                "SELECT hash FROM nodes WHERE level = ?1 AND idx = ?2",
                params![level, index as i64],
                |r| r.get(0),
            )
            .optional()
            .map_err(|source| StoreError::Sqlite {
                path: self.path.to_string(),
                source,
            })?;
        blob.and_then(hash_from).ok_or(StoreError::MissingNode {
            path: self.path.to_string(),
            level,
            index,
        })
    }
}
