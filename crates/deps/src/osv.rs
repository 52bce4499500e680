//! OSV records: reading them (JSON or PyPA's YAML, from a folder or a zip), the local index
//! (SQLite), and matching components against it.

use crate::component::{Component, Ecosystem};
use crate::parse::ParseError;
use crate::version;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The part of an OSV record tollgate keeps.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    #[serde(default)]
    pub modified: Option<String>,
    #[serde(default)]
    pub published: Option<String>,
    #[serde(default)]
    pub withdrawn: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub details: Option<String>,
    #[serde(default)]
    pub severity: Vec<SeverityEntry>,
    #[serde(default)]
    pub affected: Vec<Affected>,
    #[serde(default)]
    pub references: Vec<Reference>,
    #[serde(default)]
    pub database_specific: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SeverityEntry {
    #[serde(rename = "type")]
    pub ty: String,
    pub score: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Reference {
    #[serde(rename = "type", default)]
    pub ty: String,
    #[serde(default)]
    pub url: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Affected {
    #[serde(default)]
    pub package: Option<Package>,
    #[serde(default)]
    pub ranges: Vec<Range>,
    #[serde(default)]
    pub versions: Vec<String>,
    #[serde(default)]
    pub severity: Vec<SeverityEntry>,
    #[serde(default)]
    pub database_specific: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Package {
    pub ecosystem: String,
    pub name: String,
    #[serde(default)]
    pub purl: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Range {
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub events: Vec<Event>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Event {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introduced: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_affected: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
}

impl Record {
    /// Parses one record: JSON, or YAML when `yaml` is set (PyPA's advisory-database).
    pub fn parse(bytes: &[u8], yaml: bool) -> Result<Record, ParseError> {
        let rec: Record = if yaml {
            let text = std::str::from_utf8(bytes)
                .map_err(|_| ParseError::new(1, 1, "record is not UTF-8"))?;
            let v = ParseError::yaml_json(text)?;
            serde_json::from_value(v).map_err(|e| ParseError::new(1, 1, e.to_string()))?
        } else {
            serde_json::from_slice(bytes).map_err(|e| ParseError::json(&e))?
        };
        if rec.id.is_empty() {
            return Err(ParseError::new(1, 1, "record has no id"));
        }
        Ok(rec)
    }

    /// RustSec informational advisories (unmaintained, unsound, notice) are not
    /// vulnerabilities; cargo-audit reports them as warnings.
    pub fn informational(&self) -> Option<String> {
        self.affected.iter().find_map(|a| {
            a.database_specific
                .as_ref()?
                .get("informational")?
                .as_str()
                .map(str::to_string)
        })
    }

    /// The highest CVSS base score among the record's vectors (v3.x or v4.0), with the vector.
    pub fn cvss(&self) -> Option<(f64, String)> {
        let mut best: Option<(f64, String)> = None;
        let all = self
            .severity
            .iter()
            .chain(self.affected.iter().flat_map(|a| a.severity.iter()));
        for s in all {
            if !s.ty.starts_with("CVSS_V3") && s.ty != "CVSS_V4" {
                continue;
            }
            if let Ok(c) = s.score.parse::<cvss::Cvss>() {
                let score = c.score();
                if best.as_ref().is_none_or(|(b, _)| score > *b) {
                    best = Some((score, s.score.clone()));
                }
            }
        }
        best
    }

    /// A textual severity some databases give instead of a vector (GHSA `MODERATE`…).
    pub fn text_severity(&self) -> Option<String> {
        self.database_specific
            .as_ref()?
            .get("severity")?
            .as_str()
            .map(str::to_string)
    }
}

/// Is `v` inside `range` (OSV evaluation of SEMVER and ECOSYSTEM ranges)?
pub fn in_range(eco: Ecosystem, range: &Range, v: &str) -> bool {
    if range.ty != "SEMVER" && range.ty != "ECOSYSTEM" {
        return false;
    }
    let cmp = |a: &str, b: &str| -> Ordering {
        if b == "0" {
            Ordering::Greater
        } else if range.ty == "SEMVER" {
            version::semver(a, b)
        } else {
            version::compare(eco, a, b)
        }
    };
    // Events sorted by version; walk them and track the state at `v`.
    let key = |e: &Event| -> Option<String> {
        e.introduced
            .clone()
            .or_else(|| e.fixed.clone())
            .or_else(|| e.last_affected.clone())
    };
    let mut events: Vec<&Event> = range.events.iter().filter(|e| key(e).is_some()).collect();
    events.sort_by(|a, b| {
        let (ka, kb) = (key(a).unwrap_or_default(), key(b).unwrap_or_default());
        match (ka.as_str(), kb.as_str()) {
            ("0", "0") => Ordering::Equal,
            ("0", _) => Ordering::Less,
            (_, "0") => Ordering::Greater,
            _ => {
                if range.ty == "SEMVER" {
                    version::semver(&ka, &kb)
                } else {
                    version::compare(eco, &ka, &kb)
                }
            }
        }
    });
    let mut affected = false;
    for e in events {
        if let Some(i) = &e.introduced {
            if cmp(v, i) != Ordering::Less {
                affected = true;
            }
        } else if let Some(f) = &e.fixed {
            if cmp(v, f) != Ordering::Less {
                affected = false;
            }
        } else if let Some(l) = &e.last_affected
            && cmp(v, l) == Ordering::Greater
        {
            affected = false;
        }
    }
    affected
}

/// Is version `v` of a package of `eco` affected according to `a`?
pub fn affects(eco: Ecosystem, a: &Affected, v: &str) -> bool {
    a.versions
        .iter()
        .any(|x| x == v || version::compare(eco, x, v) == Ordering::Equal)
        || a.ranges.iter().any(|r| in_range(eco, r, v))
}

/// The `fixed` versions of `a`, ascending.
pub fn fixed_versions(eco: Ecosystem, a: &Affected) -> Vec<String> {
    let mut out: Vec<String> = a
        .ranges
        .iter()
        .filter(|r| r.ty != "GIT")
        .flat_map(|r| r.events.iter().filter_map(|e| e.fixed.clone()))
        .collect();
    out.sort_by(|x, y| version::compare(eco, x, y));
    out.dedup();
    out
}

/// The smallest fixed version above `v` that the advisory does not itself affect.
pub fn smallest_fix(eco: Ecosystem, a: &Affected, v: &str) -> Option<String> {
    fixed_versions(eco, a)
        .into_iter()
        .find(|f| version::compare(eco, f, v) == Ordering::Greater && !affects(eco, a, f))
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database {path}: {source}")]
    Sqlite {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not a zip archive: {message}")]
    Zip { path: String, message: String },
    #[error("{url}: download failed: {message}")]
    Http { url: String, message: String },
}

/// A problem with one record during import; the import goes on.
#[derive(Debug, Clone)]
pub struct ImportProblem {
    /// `file` or `archive.zip!member`.
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

#[derive(Debug, Default, Clone)]
pub struct ImportStats {
    pub records: usize,
    pub withdrawn: usize,
    pub problems: Vec<ImportProblem>,
}

/// The local advisory index.
pub struct Db {
    conn: Connection,
    path: String,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS advisory (
  id TEXT PRIMARY KEY,
  record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS affected (
  ecosystem TEXT NOT NULL,
  name TEXT NOT NULL,
  id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS affected_pkg ON affected(ecosystem, name);
CREATE INDEX IF NOT EXISTS affected_id ON affected(id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
";

/// The bundled snapshot: a few dozen real records (RustSec CC0-1.0; PyPA and Go vulndb
/// CC-BY-4.0, licenses in `data/osv-snapshot/`) so the demo and first runs work offline.
pub const SNAPSHOT: &str = include_str!("../data/osv-snapshot/snapshot.json");

impl Db {
    /// Opens (creating if needed) the index at `path`.
    pub fn open(path: &Path) -> Result<Db, DbError> {
        let shown = path.display().to_string();
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| DbError::Io {
                path: dir.display().to_string(),
                source: e,
            })?;
        }
        let conn = Connection::open(path).map_err(|e| DbError::Sqlite {
            path: shown.clone(),
            source: e,
        })?;
        let db = Db { conn, path: shown };
        db.init()?;
        Ok(db)
    }

    /// Opens an existing index read-only; `None` when there is none at `path`.
    pub fn open_existing(path: &Path) -> Result<Option<Db>, DbError> {
        if !path.exists() {
            return Ok(None);
        }
        Db::open(path).map(Some)
    }

    /// An in-memory index loaded with the bundled snapshot.
    pub fn snapshot() -> Db {
        let conn = Connection::open_in_memory().expect("in-memory sqlite");
        let mut db = Db {
            conn,
            path: "(bundled snapshot)".into(),
        };
        db.init().expect("schema");
        let recs: Vec<Record> = serde_json::from_str(SNAPSHOT).expect("bundled snapshot parses");
        let mut stats = ImportStats::default();
        db.insert_all(recs.into_iter().map(Ok), &mut stats)
            .expect("bundled snapshot imports");
        db
    }

    fn sql<T>(&self, r: rusqlite::Result<T>) -> Result<T, DbError> {
        r.map_err(|e| DbError::Sqlite {
            path: self.path.clone(),
            source: e,
        })
    }

    fn init(&self) -> Result<(), DbError> {
        self.sql(
            self.conn
                .execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"),
        )
        .ok();
        self.sql(self.conn.execute_batch(SCHEMA))
    }

    pub fn count(&self) -> Result<usize, DbError> {
        self.sql(
            self.conn
                .query_row("SELECT COUNT(*) FROM advisory", [], |r| r.get::<_, i64>(0)),
        )
        .map(|n| n as usize)
    }

    fn insert_all(
        &mut self,
        records: impl Iterator<Item = Result<Record, ImportProblem>>,
        stats: &mut ImportStats,
    ) -> Result<(), DbError> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| DbError::Sqlite {
            path: path.clone(),
            source: e,
        })?;
        let wrap = |e| DbError::Sqlite {
            path: path.clone(),
            source: e,
        };
        {
            let mut del_adv = tx
                .prepare("DELETE FROM advisory WHERE id = ?1")
                .map_err(wrap)?;
            let mut del_aff = tx
                .prepare("DELETE FROM affected WHERE id = ?1")
                .map_err(wrap)?;
            let mut ins_adv = tx
                .prepare("INSERT INTO advisory (id, record) VALUES (?1, ?2)")
                .map_err(wrap)?;
            let mut ins_aff = tx
                .prepare("INSERT INTO affected (ecosystem, name, id) VALUES (?1, ?2, ?3)")
                .map_err(wrap)?;
            for r in records {
                let rec = match r {
                    Ok(r) => r,
                    Err(p) => {
                        stats.problems.push(p);
                        continue;
                    }
                };
                del_adv.execute(params![rec.id]).map_err(wrap)?;
                del_aff.execute(params![rec.id]).map_err(wrap)?;
                if rec.withdrawn.is_some() {
                    stats.withdrawn += 1;
                    continue;
                }
                // Keep the record compact: no long prose beyond the summary.
                let mut slim = rec.clone();
                if slim.summary.is_none() {
                    slim.summary = slim
                        .details
                        .as_deref()
                        .map(|d| d.lines().next().unwrap_or("").chars().take(200).collect());
                }
                slim.details = None;
                slim.references
                    .retain(|r| r.ty == "ADVISORY" || r.ty == "WEB");
                slim.references.truncate(3);
                let json = serde_json::to_string(&slim).unwrap_or_default();
                ins_adv.execute(params![rec.id, json]).map_err(wrap)?;
                let mut seen = std::collections::HashSet::new();
                for a in &rec.affected {
                    let Some(p) = &a.package else { continue };
                    let Some(eco) = Ecosystem::from_osv(&p.ecosystem) else {
                        continue;
                    };
                    let name = eco.normalize_name(&p.name);
                    if seen.insert((eco, name.clone())) {
                        ins_aff
                            .execute(params![eco.osv_name(), name, rec.id])
                            .map_err(wrap)?;
                    }
                }
                stats.records += 1;
            }
        }
        tx.commit().map_err(wrap)
    }

    /// Imports a folder (recursively) or a zip of OSV records.
    pub fn import(&mut self, path: &Path) -> Result<ImportStats, DbError> {
        let mut stats = ImportStats::default();
        if path.is_dir() {
            let mut files = Vec::new();
            collect_files(path, &mut files).map_err(|e| DbError::Io {
                path: path.display().to_string(),
                source: e,
            })?;
            files.sort();
            let recs = files.into_iter().map(|f| {
                let yaml = is_yaml(&f.to_string_lossy());
                let shown = f.display().to_string();
                let bytes = match std::fs::read(&f) {
                    Ok(b) => b,
                    Err(e) => {
                        return Err(ImportProblem {
                            file: shown,
                            line: 0,
                            column: 0,
                            message: e.to_string(),
                        });
                    }
                };
                Record::parse(&bytes, yaml).map_err(|e| ImportProblem {
                    file: shown,
                    line: e.line,
                    column: e.column,
                    message: e.message,
                })
            });
            self.insert_all(recs, &mut stats)?;
        } else {
            let file = std::fs::File::open(path).map_err(|e| DbError::Io {
                path: path.display().to_string(),
                source: e,
            })?;
            self.import_zip(file, &path.display().to_string(), &mut stats)?;
        }
        self.set_meta("imported", &tollgate_engine::now_rfc3339())?;
        Ok(stats)
    }

    /// Imports the records of a zip archive read from `reader` (`shown` names it in messages).
    pub fn import_zip<R: Read + std::io::Seek>(
        &mut self,
        reader: R,
        shown: &str,
        stats: &mut ImportStats,
    ) -> Result<(), DbError> {
        let mut zip = zip::ZipArchive::new(reader).map_err(|e| DbError::Zip {
            path: shown.to_string(),
            message: e.to_string(),
        })?;
        let mut recs = Vec::new();
        for i in 0..zip.len() {
            let mut entry = match zip.by_index(i) {
                Ok(e) => e,
                Err(e) => {
                    recs.push(Err(ImportProblem {
                        file: format!("{shown}!#{i}"),
                        line: 0,
                        column: 0,
                        message: e.to_string(),
                    }));
                    continue;
                }
            };
            let name = entry
                .name()
                .map(|n| n.to_string())
                .unwrap_or_else(|_| format!("#{i}"));
            if entry.is_dir() || !(name.ends_with(".json") || is_yaml(&name)) {
                continue;
            }
            let mut buf = Vec::new();
            let member = format!("{shown}!{name}");
            if let Err(e) = entry.read_to_end(&mut buf) {
                recs.push(Err(ImportProblem {
                    file: member,
                    line: 0,
                    column: 0,
                    message: e.to_string(),
                }));
                continue;
            }
            recs.push(
                Record::parse(&buf, is_yaml(&name)).map_err(|e| ImportProblem {
                    file: member,
                    line: e.line,
                    column: e.column,
                    message: e.message,
                }),
            );
        }
        self.insert_all(recs.into_iter(), stats)
    }

    fn set_meta(&self, key: &str, value: &str) -> Result<(), DbError> {
        self.sql(self.conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
            params![key, value],
        ))
        .map(|_| ())
    }

    pub fn meta(&self, key: &str) -> Option<String> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", params![key], |r| {
                r.get(0)
            })
            .optional()
            .ok()
            .flatten()
    }

    /// Every record that names package `name` of `eco`.
    pub fn records_for(&self, eco: Ecosystem, name: &str) -> Result<Vec<Record>, DbError> {
        let mut st = self.sql(self.conn.prepare_cached(
            "SELECT a.record FROM affected f JOIN advisory a ON a.id = f.id \
             WHERE f.ecosystem = ?1 AND f.name = ?2 ORDER BY a.id",
        ))?;
        let rows = self.sql(
            st.query_map(params![eco.osv_name(), eco.normalize_name(name)], |r| {
                r.get::<_, String>(0)
            }),
        )?;
        let mut out = Vec::new();
        for r in rows {
            let json = self.sql(r)?;
            if let Ok(rec) = serde_json::from_str::<Record>(&json) {
                out.push(rec);
            }
        }
        Ok(out)
    }
}

fn is_yaml(name: &str) -> bool {
    name.ends_with(".yaml") || name.ends_with(".yml")
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            collect_files(&p, out)?;
        } else {
            let n = p.to_string_lossy();
            if n.ends_with(".json") || is_yaml(&n) {
                out.push(p);
            }
        }
    }
    Ok(())
}

/// One vulnerability of one component (aliases of the same vulnerability merged).
#[derive(Debug, Clone, Serialize)]
pub struct Match {
    /// Every id of the vulnerability, the primary first.
    pub ids: Vec<String>,
    pub summary: String,
    pub cvss: Option<(f64, String)>,
    pub text_severity: Option<String>,
    pub fixed: Vec<String>,
    pub smallest_fix: Option<String>,
    pub informational: Option<String>,
    pub url: Option<String>,
}

/// The vulnerabilities affecting `c` in `db`.
///
/// A GitHub action is matched only when its ref is a full release tag (`v4.1.2`, compared as
/// `4.1.2` with the advisory's ranges): a commit SHA, a moving tag (`v4`) or a branch names no
/// single release, and comparing `v4` as `4.0.0` would be wrong both ways.
pub fn match_component(db: &Db, c: &Component) -> Result<Vec<Match>, DbError> {
    if c.version.is_empty() {
        return Ok(Vec::new());
    }
    if c.ecosystem == Ecosystem::GitHubActions
        && crate::parse::actions::RefKind::of(&c.version) != crate::parse::actions::RefKind::Release
    {
        return Ok(Vec::new());
    }
    let mut out: Vec<Match> = Vec::new();
    for rec in db.records_for(c.ecosystem, &c.name)? {
        let norm = c.ecosystem.normalize_name(&c.name);
        let hits: Vec<&Affected> = rec
            .affected
            .iter()
            .filter(|a| {
                a.package.as_ref().is_some_and(|p| {
                    Ecosystem::from_osv(&p.ecosystem) == Some(c.ecosystem)
                        && c.ecosystem.normalize_name(&p.name) == norm
                })
            })
            .filter(|a| affects(c.ecosystem, a, &c.version))
            .collect();
        if hits.is_empty() {
            continue;
        }
        let mut fixed: Vec<String> = hits
            .iter()
            .flat_map(|a| fixed_versions(c.ecosystem, a))
            .collect();
        fixed.sort_by(|x, y| version::compare(c.ecosystem, x, y));
        fixed.dedup();
        let smallest_fix = hits
            .iter()
            .filter_map(|a| smallest_fix(c.ecosystem, a, &c.version))
            .min_by(|x, y| version::compare(c.ecosystem, x, y));
        let mut ids = vec![rec.id.clone()];
        ids.extend(rec.aliases.iter().cloned());
        let m = Match {
            summary: rec.summary.clone().unwrap_or_default(),
            cvss: rec.cvss(),
            text_severity: rec.text_severity(),
            informational: rec.informational(),
            url: rec
                .references
                .iter()
                .find(|r| r.ty == "ADVISORY")
                .or(rec.references.first())
                .map(|r| r.url.clone()),
            ids,
            fixed,
            smallest_fix,
        };
        // Merge with a match sharing any id (the same vulnerability from another database).
        if let Some(prev) = out
            .iter_mut()
            .find(|p| p.ids.iter().any(|i| m.ids.contains(i)))
        {
            for i in m.ids {
                if !prev.ids.contains(&i) {
                    prev.ids.push(i);
                }
            }
            for f in m.fixed {
                if !prev.fixed.contains(&f) {
                    prev.fixed.push(f);
                }
            }
            if prev.cvss.is_none() {
                prev.cvss = m.cvss;
            }
            if prev.smallest_fix.is_none() {
                prev.smallest_fix = m.smallest_fix;
            }
        } else {
            out.push(m);
        }
    }
    Ok(out)
}

/// The default OSV export (one `all.zip` per ecosystem under it).
pub const DEFAULT_EXPORT: &str = "https://osv-vulnerabilities.storage.googleapis.com";

/// Downloads `<base>/<ecosystem>/all.zip` for each ecosystem and imports it. A failed
/// ecosystem is reported in the result and the others still import.
pub fn update(
    db: &mut Db,
    base: &str,
    ecosystems: &[Ecosystem],
) -> Vec<(Ecosystem, Result<ImportStats, DbError>)> {
    let base = base.trim_end_matches('/');
    let mut out = Vec::new();
    for eco in ecosystems {
        // `GitHub Actions/all.zip`: the one ecosystem name with a space
        let url = format!("{base}/{}/all.zip", eco.osv_name().replace(' ', "%20"));
        let res = download(&url).and_then(|bytes| {
            let mut stats = ImportStats::default();
            db.import_zip(std::io::Cursor::new(bytes), &url, &mut stats)?;
            Ok(stats)
        });
        out.push((*eco, res));
    }
    let _ = db.set_meta("updated", &tollgate_engine::now_rfc3339());
    let _ = db.set_meta("source", base);
    out
}

fn download(url: &str) -> Result<Vec<u8>, DbError> {
    let err = |m: String| DbError::Http {
        url: url.to_string(),
        message: m,
    };
    // TLS through aws-lc-rs (the workspace's one crypto backend); installing twice is harmless.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let mut resp = ureq::get(url).call().map_err(|e| err(e.to_string()))?;
    resp.body_mut()
        .with_config()
        .limit(4 << 30)
        .read_to_vec()
        .map_err(|e| err(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(ty: &str, events: &[(&str, &str)]) -> Range {
        Range {
            ty: ty.into(),
            events: events
                .iter()
                .map(|(k, v)| match *k {
                    "introduced" => Event {
                        introduced: Some(v.to_string()),
                        ..Default::default()
                    },
                    "fixed" => Event {
                        fixed: Some(v.to_string()),
                        ..Default::default()
                    },
                    _ => Event {
                        last_affected: Some(v.to_string()),
                        ..Default::default()
                    },
                })
                .collect(),
        }
    }

    #[test]
    fn ranges() {
        let r = range(
            "ECOSYSTEM",
            &[
                ("introduced", "0"),
                ("fixed", "1.2.0"),
                ("introduced", "2.0"),
                ("fixed", "2.0.5"),
            ],
        );
        let e = Ecosystem::PyPI;
        assert!(in_range(e, &r, "1.0"));
        assert!(!in_range(e, &r, "1.2.0"));
        assert!(!in_range(e, &r, "1.5"));
        assert!(in_range(e, &r, "2.0.1"));
        assert!(!in_range(e, &r, "2.0.5"));
        assert!(in_range(e, &r, "1.2.0rc1"));
        let la = range(
            "SEMVER",
            &[("introduced", "1.0.0"), ("last_affected", "1.4.0")],
        );
        assert!(in_range(Ecosystem::CratesIo, &la, "1.4.0"));
        assert!(!in_range(Ecosystem::CratesIo, &la, "1.4.1"));
        let a = Affected {
            ranges: vec![r],
            ..Default::default()
        };
        assert_eq!(smallest_fix(e, &a, "2.0.1").as_deref(), Some("2.0.5"));
        assert_eq!(smallest_fix(e, &a, "0.9").as_deref(), Some("1.2.0"));
    }
}
