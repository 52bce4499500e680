//! The server's own SQLite file (`server.db` in the data folder, WAL, `synchronous=FULL`):
//! content-addressed blobs, release records, links from subjects to log entries, API token
//! hashes and denied requests. The log itself is the ledger's database beside it.

use crate::error::ServerError;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use std::path::{Path, PathBuf};

const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE blobs (digest TEXT PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE release_files (
    artifact TEXT NOT NULL, name TEXT NOT NULL, blob TEXT NOT NULL REFERENCES blobs(digest),
    uploaded TEXT NOT NULL, uploader TEXT NOT NULL,
    PRIMARY KEY (artifact, name, blob)) WITHOUT ROWID;
CREATE TABLE links (subject TEXT NOT NULL, idx INTEGER NOT NULL, kind TEXT NOT NULL,
    PRIMARY KEY (subject, idx)) WITHOUT ROWID;
CREATE TABLE tokens (
    id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, role TEXT NOT NULL, identity TEXT NOT NULL,
    created INTEGER NOT NULL, expires INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);
CREATE TABLE denied (
    id INTEGER PRIMARY KEY, time TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL,
    status INTEGER NOT NULL, identity TEXT, reason TEXT NOT NULL);
";

/// The server database.
pub struct Db {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("path", &self.path).finish()
    }
}

/// One file of a release record.
#[derive(Debug, Clone, Serialize)]
pub struct ReleaseFile {
    pub name: String,
    pub digest: String,
    pub size: u64,
    pub uploaded: String,
    pub uploader: String,
}

/// A stored token (never the token itself).
#[derive(Debug, Clone, Serialize)]
pub struct TokenRow {
    pub id: String,
    #[serde(skip)]
    pub hash: String,
    pub role: String,
    pub identity: String,
    pub created: i64,
    pub expires: i64,
    pub revoked: bool,
}

/// A stored webhook delivery (its body stays in the database).
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryRow {
    pub source: String,
    pub id: String,
    pub received: String,
    pub event: Option<String>,
    /// `received`, `processed`, `unknown-type` or `failed: <reason>`.
    pub status: String,
}

/// A denied request.
#[derive(Debug, Clone, Serialize)]
pub struct Denied {
    pub time: String,
    pub method: String,
    pub path: String,
    pub status: u16,
    pub identity: Option<String>,
    pub reason: String,
}

impl Db {
    /// Opens `path`, creating the file and its schema on first use.
    pub fn open(path: &Path) -> Result<Db, ServerError> {
        let err = |source| ServerError::Db {
            path: path.display().to_string(),
            source,
        };
        let mut conn = Connection::open(path).map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(err)?;
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(err)?;
        let has: bool = tx
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'schema_version'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map_err(err)?
            > 0;
        if has {
            let v: i64 = tx
                .query_row("SELECT version FROM schema_version", [], |r| r.get(0))
                .map_err(err)?;
            if v > SCHEMA_VERSION {
                return Err(ServerError::Usage(format!(
                    "{}: schema version {v} is newer than this tollgate reads ({SCHEMA_VERSION}); upgrade tollgate",
                    path.display()
                )));
            }
        } else {
            tx.execute_batch(SCHEMA).map_err(err)?;
            tx.execute(
                "INSERT INTO schema_version (version) VALUES (?1)",
                [SCHEMA_VERSION],
            )
            .map_err(err)?;
        }
        // Webhook deliveries (added after schema 1; created when missing).
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS deliveries (
                source TEXT NOT NULL, id TEXT NOT NULL, received TEXT NOT NULL,
                event TEXT, status TEXT NOT NULL, body BLOB NOT NULL,
                PRIMARY KEY (source, id)) WITHOUT ROWID;",
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(Db {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Stores a verified delivery, committed before it is processed. `false` when this source
    /// already delivered this id (a redelivery: acknowledged, not processed twice).
    pub fn add_delivery(
        &mut self,
        source: &str,
        id: &str,
        event: Option<&str>,
        body: &[u8],
    ) -> rusqlite::Result<bool> {
        let now = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let n = self.conn.execute(
            "INSERT OR IGNORE INTO deliveries (source, id, received, event, status, body)
             VALUES (?1, ?2, ?3, ?4, 'received', ?5)",
            params![source, id, now, event, body],
        )?;
        Ok(n == 1)
    }

    pub fn set_delivery_status(
        &mut self,
        source: &str,
        id: &str,
        status: &str,
    ) -> rusqlite::Result<()> {
        self.conn.execute(
            "UPDATE deliveries SET status = ?3 WHERE source = ?1 AND id = ?2",
            params![source, id, status],
        )?;
        Ok(())
    }

    /// Every webhook delivery (without its body), newest first.
    pub fn deliveries(&self) -> rusqlite::Result<Vec<DeliveryRow>> {
        let mut st = self.conn.prepare(
            "SELECT source, id, received, event, status FROM deliveries ORDER BY received DESC",
        )?;
        let rows = st.query_map([], |r| {
            Ok(DeliveryRow {
                source: r.get(0)?,
                id: r.get(1)?,
                received: r.get(2)?,
                event: r.get(3)?,
                status: r.get(4)?,
            })
        })?;
        rows.collect()
    }

    pub fn ready(&self) -> rusqlite::Result<()> {
        self.conn.query_row("SELECT 1", [], |_| Ok(()))
    }

    /// Stores the files of a release (content-addressed) and links each to every artifact.
    pub fn add_release(
        &mut self,
        artifacts: &[String],
        files: &[(String, String, Vec<u8>)],
        uploader: &str,
        time: &str,
    ) -> rusqlite::Result<()> {
        let tx = self.conn.transaction()?;
        for (_, digest, data) in files {
            tx.execute(
                "INSERT OR IGNORE INTO blobs (digest, data) VALUES (?1, ?2)",
                params![digest, data],
            )?;
        }
        for a in artifacts {
            for (name, digest, _) in files {
                tx.execute(
                    "INSERT OR IGNORE INTO release_files (artifact, name, blob, uploaded, uploader)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![a, name, digest, time, uploader],
                )?;
            }
        }
        tx.commit()
    }

    pub fn release_files(&self, artifact: &str) -> rusqlite::Result<Vec<ReleaseFile>> {
        let mut st = self.conn.prepare(
            "SELECT f.name, f.blob, length(b.data), f.uploaded, f.uploader
             FROM release_files f JOIN blobs b ON b.digest = f.blob
             WHERE f.artifact = ?1 ORDER BY f.uploaded, f.name",
        )?;
        st.query_map([artifact], |r| {
            Ok(ReleaseFile {
                name: r.get(0)?,
                digest: r.get(1)?,
                size: r.get::<_, i64>(2)? as u64,
                uploaded: r.get(3)?,
                uploader: r.get(4)?,
            })
        })?
        .collect()
    }

    pub fn blob(&self, digest: &str) -> rusqlite::Result<Option<Vec<u8>>> {
        self.conn
            .query_row("SELECT data FROM blobs WHERE digest = ?1", [digest], |r| {
                r.get(0)
            })
            .optional()
    }

    /// Notes that log entry `index` is about `subject`.
    pub fn add_links(&mut self, links: &[(String, u64, String)]) -> rusqlite::Result<()> {
        let tx = self.conn.transaction()?;
        for (subject, idx, kind) in links {
            tx.execute(
                "INSERT OR IGNORE INTO links (subject, idx, kind) VALUES (?1, ?2, ?3)",
                params![subject, *idx as i64, kind],
            )?;
        }
        tx.commit()
    }

    pub fn links(&self, subject: &str) -> rusqlite::Result<Vec<(u64, String)>> {
        let mut st = self
            .conn
            .prepare("SELECT idx, kind FROM links WHERE subject = ?1 ORDER BY idx")?;
        st.query_map([subject], |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)))?
            .collect()
    }

    pub fn insert_token(&mut self, t: &TokenRow) -> rusqlite::Result<()> {
        self.conn.execute(
            "INSERT INTO tokens (id, hash, role, identity, created, expires, revoked)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0)",
            params![t.id, t.hash, t.role, t.identity, t.created, t.expires],
        )?;
        Ok(())
    }

    fn token_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TokenRow> {
        Ok(TokenRow {
            id: r.get(0)?,
            hash: r.get(1)?,
            role: r.get(2)?,
            identity: r.get(3)?,
            created: r.get(4)?,
            expires: r.get(5)?,
            revoked: r.get::<_, i64>(6)? != 0,
        })
    }

    pub fn token_by_hash(&self, hash: &str) -> rusqlite::Result<Option<TokenRow>> {
        self.conn
            .query_row(
                "SELECT id, hash, role, identity, created, expires, revoked FROM tokens WHERE hash = ?1",
                [hash],
                Self::token_row,
            )
            .optional()
    }

    pub fn tokens(&self) -> rusqlite::Result<Vec<TokenRow>> {
        let mut st = self.conn.prepare(
            "SELECT id, hash, role, identity, created, expires, revoked FROM tokens ORDER BY created, id",
        )?;
        st.query_map([], Self::token_row)?.collect()
    }

    /// Revokes the token with this id; false when there is none.
    pub fn revoke_token(&mut self, id: &str) -> rusqlite::Result<bool> {
        Ok(self
            .conn
            .execute("UPDATE tokens SET revoked = 1 WHERE id = ?1", [id])?
            > 0)
    }

    pub fn add_denied(&mut self, d: &Denied) -> rusqlite::Result<()> {
        self.conn.execute(
            "INSERT INTO denied (time, method, path, status, identity, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![d.time, d.method, d.path, d.status, d.identity, d.reason],
        )?;
        Ok(())
    }

    /// The latest `limit` denied requests, newest first.
    pub fn denied(&self, limit: u32) -> rusqlite::Result<Vec<Denied>> {
        let mut st = self.conn.prepare(
            "SELECT time, method, path, status, identity, reason FROM denied ORDER BY id DESC LIMIT ?1",
        )?;
        st.query_map([limit], |r| {
            Ok(Denied {
                time: r.get(0)?,
                method: r.get(1)?,
                path: r.get(2)?,
                status: r.get(3)?,
                identity: r.get(4)?,
                reason: r.get(5)?,
            })
        })?
        .collect()
    }
}

/// The server database's file in the data folder.
pub const SERVER_DB: &str = "server.db";
/// The transparency log's database in the data folder (with `log.db.key`, `log.db.pub`).
pub const LOG_DB: &str = "log.db";

/// Creates the data folder when missing and opens its server database.
pub fn open_data(data: &Path) -> Result<Db, ServerError> {
    std::fs::create_dir_all(data).map_err(|source| ServerError::Io {
        path: data.display().to_string(),
        source,
    })?;
    Db::open(&data.join(SERVER_DB))
}
