//! The baseline file: current findings recorded as `[[exceptions]]` (rule + fingerprint, with
//! reason, owner, expiry and creation date), so a team adopting tollgate blocks only new leaks.
//! The file is the one `tollgate.toml`'s `baseline = "..."` points to; the config crate loads
//! it together with the `[[exceptions]]` of tollgate.toml.

use std::collections::BTreeSet;
use std::path::Path;
use tollgate_config::{Date, Exception};
use tollgate_model::Finding;

/// Default baseline file name, beside tollgate.toml.
pub const DEFAULT_FILE: &str = "tollgate-baseline.toml";

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
}

#[derive(Debug, Clone)]
pub struct BaselineOptions {
    pub owner: String,
    pub reason: String,
    pub expires: Date,
    pub today: Date,
}

/// Reads an existing baseline file's exceptions (empty when the file does not exist).
pub fn read(path: &Path) -> Result<Vec<Exception>, BaselineError> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        #[serde(default)]
        exceptions: Vec<Exception>,
    }
    let shown = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(BaselineError::Io {
                path: shown,
                source,
            });
        }
    };
    let f: File = toml::from_str(&text).map_err(|e| BaselineError::Parse {
        path: shown,
        message: e.message().trim().to_string(),
    })?;
    Ok(f.exceptions)
}

/// The new baseline: existing entries whose fingerprint is still found (kept as they are, so
/// owners and expiry dates survive), plus one entry per finding not yet in it. Entries whose
/// finding is gone are dropped. Returns (entries, added, dropped).
pub fn build(
    existing: &[Exception],
    findings: &[&Finding],
    opts: &BaselineOptions,
) -> (Vec<Exception>, usize, usize) {
    let current: BTreeSet<(&str, &str)> = findings
        .iter()
        .map(|f| (f.rule.as_str(), f.fingerprint.as_str()))
        .collect();
    let mut out: Vec<Exception> = Vec::new();
    let mut have: BTreeSet<(String, String)> = BTreeSet::new();
    let mut dropped = 0;
    for e in existing {
        let key = (
            e.rule.clone().unwrap_or_default(),
            e.fingerprint.clone().unwrap_or_default(),
        );
        if current.contains(&(key.0.as_str(), key.1.as_str())) {
            if have.insert(key) {
                out.push(e.clone());
            }
        } else {
            dropped += 1;
        }
    }
    let mut added = 0;
    for f in findings {
        let key = (f.rule.to_string(), f.fingerprint.to_string());
        if have.insert(key) {
            added += 1;
            out.push(Exception {
                rule: Some(f.rule.to_string()),
                fingerprint: Some(f.fingerprint.to_string()),
                path: None,
                artifact: None,
                reason: format!("{} at {}", opts.reason, f.location.display_path()),
                owner: opts.owner.clone(),
                expires: Some(opts.expires),
                created: Some(opts.today),
            });
        }
    }
    out.sort_by(|a, b| (&a.rule, &a.fingerprint).cmp(&(&b.rule, &b.fingerprint)));
    (out, added, dropped)
}

fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// Renders the baseline file (TOML, dates as TOML dates).
pub fn render(entries: &[Exception]) -> String {
    let mut s = String::from(
        "# tollgate baseline: findings accepted when tollgate was adopted.\n\
         # Written by `tollgate baseline`; each entry expires and must then be fixed or renewed.\n",
    );
    for e in entries {
        s.push_str("\n[[exceptions]]\n");
        if let Some(r) = &e.rule {
            s.push_str(&format!("rule = {}\n", q(r)));
        }
        if let Some(f) = &e.fingerprint {
            s.push_str(&format!("fingerprint = {}\n", q(f)));
        }
        if let Some(p) = &e.path {
            s.push_str(&format!("path = {}\n", q(p)));
        }
        if let Some(a) = &e.artifact {
            s.push_str(&format!("artifact = {}\n", q(a)));
        }
        s.push_str(&format!("reason = {}\n", q(&e.reason)));
        s.push_str(&format!("owner = {}\n", q(&e.owner)));
        if let Some(d) = e.expires {
            s.push_str(&format!("expires = {d}\n"));
        }
        if let Some(d) = e.created {
            s.push_str(&format!("created = {d}\n"));
        }
    }
    s
}
