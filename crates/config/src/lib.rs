//! `tollgate.toml`: the one configuration file.
//!
//! The core tables (`[scan]`, `[[exceptions]]`, `baseline`, `[[signers]]`, `[[approvers]]`) are
//! defined here. Every other top-level table belongs to one part of tollgate (`[secrets]`,
//! `[ci]`, `[deps]`, `[environments]`…): that part defines its own struct with
//! `#[serde(deny_unknown_fields)]` and reads it with [`Config::section`], so unknown keys and bad
//! values anywhere are reported with file:line:column. The binary passes the set of known
//! section names to [`Config::load`], and a top-level key nobody owns is an error too.

pub mod baseline;
mod date;
mod exceptions;

pub use date::Date;
pub use exceptions::{Exception, ExceptionMatch, ExceptionSet};

use serde::Deserialize;
use serde::de::{DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use std::fmt;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use tollgate_model::{Digest, Severity, sha256};

pub const FILE_NAME: &str = "tollgate.toml";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
}

/// General scan settings: `[scan]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ScanSettings {
    /// Files larger than this many bytes are skipped (with a counted note). Default 16 MiB.
    #[serde(default = "default_max_file_size")]
    pub max_file_size: u64,
    /// Glob patterns (relative to the scanned root) never scanned, in addition to .gitignore.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Lowest severity that makes `check` exit 1. Default `low`.
    #[serde(default = "default_fail_on")]
    pub fail_on: Severity,
}

fn default_max_file_size() -> u64 {
    16 * 1024 * 1024
}
fn default_fail_on() -> Severity {
    Severity::Low
}

impl Default for ScanSettings {
    fn default() -> Self {
        ScanSettings {
            max_file_size: default_max_file_size(),
            exclude: Vec::new(),
            fail_on: default_fail_on(),
        }
    }
}

/// One trusted identity and its public key: `[[signers]]` and `[[approvers]]` entries.
/// Keys rotate by adding a new entry with a validity window; old releases still verify.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TrustEntry {
    pub identity: String,
    /// Path of a PEM public key (SPKI), relative to the config file.
    pub key: String,
    #[serde(default)]
    pub valid_from: Option<Date>,
    #[serde(default)]
    pub valid_until: Option<Date>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Core {
    #[serde(default)]
    scan: Option<ScanSettings>,
    #[serde(default)]
    exceptions: Vec<Exception>,
    #[serde(default)]
    baseline: Option<String>,
    #[serde(default)]
    signers: Vec<TrustEntry>,
    #[serde(default)]
    approvers: Vec<TrustEntry>,
}

/// The loaded configuration. `Config::default()` is what tollgate uses with no file.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it came from (None: built-in defaults).
    pub path: Option<PathBuf>,
    /// The file's text, kept so sections can be deserialized with positions.
    pub raw: String,
    pub digest: Option<Digest>,
    pub scan: ScanSettings,
    /// Exceptions from `[[exceptions]]` plus the baseline file's.
    pub exceptions: Vec<Exception>,
    /// The baseline file, resolved against the config's folder.
    pub baseline: Option<PathBuf>,
    pub signers: Vec<TrustEntry>,
    pub approvers: Vec<TrustEntry>,
}

/// Top-level keys the core owns.
pub const CORE_KEYS: &[&str] = &["scan", "exceptions", "baseline", "signers", "approvers"];

impl Config {
    /// Finds `tollgate.toml` in `dir` (not in its parents: the scanned root is the project).
    pub fn discover(dir: &Path) -> Option<PathBuf> {
        let p = dir.join(FILE_NAME);
        p.is_file().then_some(p)
    }

    /// Loads and validates `path`. `sections` names the top-level tables other parts own.
    pub fn load(path: &Path, sections: &[&str]) -> Result<Config, ConfigError> {
        let raw = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_str_at(&raw, path, sections)
    }

    /// Parses `raw` as if read from `path` (used by tests and `--config -`).
    pub fn from_str_at(raw: &str, path: &Path, sections: &[&str]) -> Result<Config, ConfigError> {
        let shown = path.display().to_string();
        // Every top-level key must be known.
        let table: toml::Table = toml::from_str(raw).map_err(|e| toml_error(&shown, raw, &e))?;
        for key in table.keys() {
            if !CORE_KEYS.contains(&key.as_str()) && !sections.contains(&key.as_str()) {
                let (line, column) = find_key(raw, key);
                let mut known: Vec<&str> =
                    CORE_KEYS.iter().chain(sections.iter()).copied().collect();
                known.sort_unstable();
                return Err(ConfigError::Invalid {
                    path: shown,
                    line,
                    column,
                    message: format!("unknown table or key `{key}` (known: {})", known.join(", ")),
                });
            }
        }
        // The one misplacement people make: `baseline` under `[scan]` (where a line appended
        // to the file lands). Say where it belongs instead of "unknown field".
        if table
            .get("scan")
            .and_then(|s| s.as_table())
            .is_some_and(|s| s.contains_key("baseline"))
        {
            let offset = raw
                .find("[scan]")
                .and_then(|start| raw[start..].find("baseline").map(|p| start + p))
                .unwrap_or(0);
            let (line, column) = line_col(raw, offset);
            return Err(ConfigError::Invalid {
                path: shown,
                line,
                column,
                message: "`baseline` is a top-level key: move it above the first [table] \
                          (`tollgate init` puts it before [scan])"
                    .into(),
            });
        }
        let core: Core = toml::from_str(raw).map_err(|e| toml_error(&shown, raw, &e))?;
        let base = path.parent().unwrap_or(Path::new("."));
        let mut exceptions = core.exceptions;
        for e in &exceptions {
            e.validate()
                .map_err(|m| invalid_at(&shown, raw, e.span_hint(), m))?;
        }
        let baseline = core.baseline.map(|b| base.join(b));
        if let Some(b) = baseline.as_ref().filter(|b| b.exists()) {
            exceptions.extend(load_baseline(b)?);
        }
        Ok(Config {
            path: Some(path.to_path_buf()),
            digest: Some(sha256(raw.as_bytes())),
            raw: raw.to_string(),
            scan: core.scan.unwrap_or_default(),
            exceptions,
            baseline,
            signers: core.signers,
            approvers: core.approvers,
        })
    }

    /// Deserializes the top-level table `name` into `T` (its `Default` when absent). Errors
    /// carry file:line:column. `T` should use `#[serde(deny_unknown_fields)]`.
    pub fn section<T: DeserializeOwned + Default>(&self, name: &str) -> Result<T, ConfigError> {
        if self.raw.is_empty() {
            return Ok(T::default());
        }
        let shown = self.shown_path();
        let seed = SectionSeed::<T> {
            name,
            marker: PhantomData,
        };
        let out = toml::Deserializer::parse(&self.raw)
            .map_err(|e| toml_error(&shown, &self.raw, &e))
            .and_then(|de| {
                seed.deserialize(de)
                    .map_err(|e| toml_error(&shown, &self.raw, &e))
            })?;
        Ok(out.unwrap_or_default())
    }

    /// The config file's folder: relative paths inside the config resolve against it.
    pub fn base_dir(&self) -> PathBuf {
        self.path
            .as_ref()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .unwrap_or_else(|| PathBuf::from("."))
    }

    pub fn shown_path(&self) -> String {
        self.path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| FILE_NAME.to_string())
    }

    /// An error positioned at the first occurrence of `needle` in the file (for checks made
    /// after deserialization, such as a key file that does not exist).
    pub fn error_at(&self, needle: &str, message: impl Into<String>) -> ConfigError {
        let offset = self.raw.find(needle).unwrap_or(0);
        let (line, column) = line_col(&self.raw, offset);
        ConfigError::Invalid {
            path: self.shown_path(),
            line,
            column,
            message: message.into(),
        }
    }
}

pub(crate) fn load_baseline(path: &Path) -> Result<Vec<Exception>, ConfigError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Baseline {
        #[serde(default)]
        exceptions: Vec<Exception>,
    }
    let shown = path.display().to_string();
    let raw = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
        path: shown.clone(),
        source,
    })?;
    let b: Baseline = toml::from_str(&raw).map_err(|e| toml_error(&shown, &raw, &e))?;
    for e in &b.exceptions {
        e.validate()
            .map_err(|m| invalid_at(&shown, &raw, e.span_hint(), m))?;
    }
    Ok(b.exceptions)
}

struct SectionSeed<'a, T> {
    name: &'a str,
    marker: PhantomData<T>,
}

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for SectionSeed<'_, T> {
    type Value = Option<T>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for SectionSeed<'_, T> {
    type Value = Option<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a table")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == self.name {
                out = Some(map.next_value::<T>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(out)
    }
}

fn toml_error(path: &str, raw: &str, e: &toml::de::Error) -> ConfigError {
    let offset = e.span().map(|s| s.start).unwrap_or(0);
    let (line, column) = line_col(raw, offset);
    ConfigError::Invalid {
        path: path.to_string(),
        line,
        column,
        message: e.message().trim().to_string(),
    }
}

fn invalid_at(path: &str, raw: &str, needle: Option<String>, message: String) -> ConfigError {
    let offset = needle.and_then(|n| raw.find(&n)).unwrap_or(0);
    let (line, column) = line_col(raw, offset);
    ConfigError::Invalid {
        path: path.to_string(),
        line,
        column,
        message,
    }
}

fn find_key(raw: &str, key: &str) -> (usize, usize) {
    for (i, line) in raw.lines().enumerate() {
        let t = line.trim_start();
        let indent = line.len() - t.len();
        let t2 = t.trim_start_matches('[').trim_start();
        if let Some(rest) = t2.strip_prefix(key)
            && rest.trim_start().starts_with(['=', ']', '.'])
        {
            return (i + 1, indent + 1);
        }
    }
    (1, 1)
}

/// 1-based line and column (in characters) of byte `offset` in `raw`.
pub fn line_col(raw: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(raw.len());
    let before = &raw[..offset];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map(|p| p + 1).unwrap_or(0);
    (line, before[start..].chars().count() + 1)
}

/// The commented default written by `tollgate init`.
pub const DEFAULT_CONFIG: &str = include_str!("default.toml");

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Demo {
        #[serde(default)]
        level: u32,
    }

    fn load(raw: &str) -> Result<Config, ConfigError> {
        Config::from_str_at(raw, Path::new("tollgate.toml"), &["demo"])
    }

    #[test]
    fn default_config_loads() {
        let c = Config::from_str_at(DEFAULT_CONFIG, Path::new("tollgate.toml"), &[]).unwrap();
        assert_eq!(c.scan.max_file_size, 16 * 1024 * 1024);
    }

    #[test]
    fn unknown_top_level_key_names_position() {
        let err = load("[scan]\nmax-file-size = 10\n\n[nope]\nx = 1\n").unwrap_err();
        assert_eq!(
            err.to_string().split(": unknown").next().unwrap(),
            "tollgate.toml:4:1"
        );
    }

    #[test]
    fn unknown_key_in_core_table() {
        let err = load("[scan]\nmax-file-size = 10\ncolour = 1\n").unwrap_err();
        let s = err.to_string();
        assert!(s.starts_with("tollgate.toml:3:1"), "{s}");
        assert!(s.contains("colour"), "{s}");
    }

    #[test]
    fn bad_value_type() {
        let err = load("[scan]\nfail-on = \"severe\"\n").unwrap_err();
        assert!(err.to_string().starts_with("tollgate.toml:2:"), "{err}");
    }

    #[test]
    fn sections_are_typed_and_positioned() {
        let c = load("[demo]\nlevel = 3\n").unwrap();
        assert_eq!(c.section::<Demo>("demo").unwrap(), Demo { level: 3 });
        let c = load("[scan]\n\n[demo]\nlevel = 3\nlevle = 4\n").unwrap();
        let err = c.section::<Demo>("demo").unwrap_err().to_string();
        assert!(err.starts_with("tollgate.toml:5:1"), "{err}");
        let c = load("").unwrap();
        assert_eq!(c.section::<Demo>("demo").unwrap(), Demo::default());
    }

    #[test]
    fn exceptions_need_reason_owner_expiry() {
        let err = load("[[exceptions]]\nrule = \"secrets/x\"\nreason = \"r\"\nowner = \"o\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("expires"), "{err}");
        let err = load("[[exceptions]]\nreason = \"r\"\nowner = \"o\"\nexpires = 2030-01-01\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("at least one of"), "{err}");
        let c = load(
            "[[exceptions]]\nrule = \"secrets/x\"\nreason = \"r\"\nowner = \"o\"\nexpires = 2030-01-01\n",
        )
        .unwrap();
        assert_eq!(c.exceptions.len(), 1);
    }

    #[test]
    fn baseline_under_scan_says_where_it_belongs() {
        let err = load("[scan]\nfail-on = \"high\"\nbaseline = \"b.toml\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("tollgate.toml:3:1: `baseline` is a top-level key"),
            "{err}"
        );
        let c = load("baseline = \"b.toml\"\n[scan]\nfail-on = \"high\"\n").unwrap();
        assert_eq!(c.baseline, Some(PathBuf::from("b.toml")));
    }
}
