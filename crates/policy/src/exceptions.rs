//! `tollgate exception add|list`: granting exceptions in `tollgate.toml`'s `[[exceptions]]`
//! table (the one home of exceptions, defined by the config crate) without losing comments,
//! and reporting their state.

use serde::Serialize;
use std::path::Path;
use tollgate_config::{Config, Date, Exception};
use tollgate_model::RuleId;

#[derive(Debug, thiserror::Error)]
pub enum ExceptionError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not valid TOML: {message}")]
    Toml { path: String, message: String },
    #[error("{0}")]
    Invalid(String),
    #[error("the new exception makes the configuration invalid: {0}")]
    Config(#[from] tollgate_config::ConfigError),
}

/// What to except: a rule id or a finding fingerprint (32 hex digits).
pub fn target(s: &str) -> Result<(Option<String>, Option<String>), ExceptionError> {
    if s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok((None, Some(s.to_ascii_lowercase())));
    }
    RuleId::new(s)
        .map(|r| (Some(r.as_str().to_string()), None))
        .map_err(|e| {
            ExceptionError::Invalid(format!("{e} (or give a 32-hex-digit finding fingerprint)"))
        })
}

/// Checks the rules every granted exception must meet: owner, reason, an expiry in the future
/// and within `max_days` of `today`.
pub fn check_new(e: &Exception, today: Date, max_days: u32) -> Result<(), ExceptionError> {
    if e.reason.trim().is_empty() {
        return Err(ExceptionError::Invalid("--reason is required".into()));
    }
    if e.owner.trim().is_empty() {
        return Err(ExceptionError::Invalid("--owner is required".into()));
    }
    let Some(exp) = e.expires else {
        return Err(ExceptionError::Invalid("--expires is required".into()));
    };
    let days = exp.days_since_epoch() - today.days_since_epoch();
    if days < 0 {
        return Err(ExceptionError::Invalid(format!(
            "--expires {exp} is in the past"
        )));
    }
    if days > i64::from(max_days) {
        return Err(ExceptionError::Invalid(format!(
            "--expires {exp} is {days} days away; the maximum is {max_days} days \
             ([gate] max-exception-days), so at the latest {}",
            today.add_days(i64::from(max_days))
        )));
    }
    if let Some(a) = &e.artifact
        && a.parse::<tollgate_model::Digest>().is_err()
    {
        return Err(ExceptionError::Invalid(format!(
            "--artifact {a:?} must be sha256:<64 hex digits>"
        )));
    }
    Ok(())
}

/// Appends `e` to `[[exceptions]]` of the TOML text `raw`, keeping everything else as written.
pub fn append(raw: &str, e: &Exception, path: &str) -> Result<String, ExceptionError> {
    use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, value};
    let mut doc: DocumentMut =
        raw.parse()
            .map_err(|err: toml_edit::TomlError| ExceptionError::Toml {
                path: path.to_string(),
                message: err.to_string(),
            })?;
    let mut t = Table::new();
    let date = |d: Date| -> Item {
        d.to_string()
            .parse::<toml_edit::Datetime>()
            .map(value)
            .unwrap_or_else(|_| value(d.to_string()))
    };
    for (k, v) in [
        ("rule", &e.rule),
        ("fingerprint", &e.fingerprint),
        ("path", &e.path),
        ("artifact", &e.artifact),
    ] {
        if let Some(v) = v {
            t.insert(k, value(v.as_str()));
        }
    }
    t.insert("reason", value(e.reason.as_str()));
    t.insert("owner", value(e.owner.as_str()));
    if let Some(d) = e.expires {
        t.insert("expires", date(d));
    }
    if let Some(d) = e.created {
        t.insert("created", date(d));
    }
    match doc.get_mut("exceptions") {
        // The usual case: append a new `[[exceptions]]` table at the end of the text, so
        // every byte already written (comments, order, trailing notes) stays where it was.
        None | Some(Item::ArrayOfTables(_)) => {
            let mut one = DocumentMut::new();
            let mut arr = ArrayOfTables::new();
            arr.push(t);
            one.insert("exceptions", Item::ArrayOfTables(arr));
            let mut out = raw.to_string();
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&one.to_string());
            Ok(out)
        }
        Some(Item::Value(toml_edit::Value::Array(a))) => {
            a.push(t.into_inline_table());
            Ok(doc.to_string())
        }
        Some(_) => Err(ExceptionError::Invalid(format!(
            "{path}: `exceptions` is not an array of tables"
        ))),
    }
}

/// Adds `e` to the config file at `path` (created when missing), after checking it and the
/// resulting file (`sections`: the top-level tables the binary knows).
pub fn add(
    path: &Path,
    e: &Exception,
    today: Date,
    max_days: u32,
    sections: &[&str],
) -> Result<(), ExceptionError> {
    check_new(e, today, max_days)?;
    let shown = path.display().to_string();
    let raw = match std::fs::read_to_string(path) {
        Ok(s) => s,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => {
            return Err(ExceptionError::Io {
                path: shown,
                source,
            });
        }
    };
    let new = append(&raw, e, &shown)?;
    Config::from_str_at(&new, path, sections)?;
    // Write beside and rename, so a crash never leaves half a config.
    let tmp = path.with_extension("toml.tmp");
    std::fs::write(&tmp, &new)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|source| ExceptionError::Io {
            path: shown,
            source,
        })
}

/// One exception's state on a day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExceptionStatus {
    #[serde(flatten)]
    pub exception: Exception,
    pub expired: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_days: Option<i64>,
    /// Days until it stops applying (negative: expired that long ago).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_left: Option<i64>,
}

pub fn status(exceptions: &[Exception], today: Date) -> Vec<ExceptionStatus> {
    exceptions
        .iter()
        .map(|e| ExceptionStatus {
            exception: e.clone(),
            expired: e.is_expired(today),
            age_days: e
                .created
                .map(|c| today.days_since_epoch() - c.days_since_epoch()),
            days_left: e
                .expires
                .map(|x| x.days_since_epoch() - today.days_since_epoch()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn exc(rule: &str, expires: &str) -> Exception {
        Exception {
            rule: Some(rule.into()),
            fingerprint: None,
            path: Some("tests/**".into()),
            artifact: None,
            reason: "test fixture".into(),
            owner: "alice".into(),
            expires: Some(d(expires)),
            created: Some(d("2026-11-22")),
        }
    }

    #[test]
    fn target_is_rule_or_fingerprint() {
        assert_eq!(
            target("secrets/github-pat").unwrap(),
            (Some("secrets/github-pat".into()), None)
        );
        assert_eq!(
            target("0123456789ABCDEF0123456789abcdef").unwrap(),
            (None, Some("0123456789abcdef0123456789abcdef".into()))
        );
        assert!(target("Not A Rule").is_err());
    }

    #[test]
    fn horizon_is_enforced_to_the_day() {
        let today = d("2026-11-22");
        assert!(check_new(&exc("secrets/x", "2027-02-20"), today, 90).is_ok());
        let e = check_new(&exc("secrets/x", "2027-02-21"), today, 90)
            .unwrap_err()
            .to_string();
        assert!(e.contains("91 days") && e.contains("2027-02-20"), "{e}");
        assert!(check_new(&exc("secrets/x", "2026-11-21"), today, 90).is_err());
        assert!(check_new(&exc("secrets/x", "2026-11-22"), today, 90).is_ok());
    }

    #[test]
    fn append_keeps_comments_and_round_trips() {
        let raw = "# my config\n[scan]\nfail-on = \"high\" # keep me\n\n[[exceptions]]\n# first one\nrule = \"ci/a\"\nreason = \"r\"\nowner = \"o\"\nexpires = 2027-01-01\n";
        let out = append(raw, &exc("secrets/x", "2027-01-31"), "t.toml").unwrap();
        assert!(out.starts_with(raw), "{out}");
        assert!(out.contains("# keep me") && out.contains("# first one"));
        assert!(out.contains("expires = 2027-01-31\n"), "{out}");
        let c = Config::from_str_at(&out, Path::new("t.toml"), &[]).unwrap();
        assert_eq!(c.exceptions.len(), 2);
        assert_eq!(c.exceptions[1], exc("secrets/x", "2027-01-31"));
        // From an empty file, and with an empty inline array.
        let out = append("", &exc("secrets/x", "2027-01-31"), "t.toml").unwrap();
        assert_eq!(
            Config::from_str_at(&out, Path::new("t.toml"), &[])
                .unwrap()
                .exceptions
                .len(),
            1
        );
        let out = append(
            "exceptions = []\n",
            &exc("secrets/x", "2027-01-31"),
            "t.toml",
        )
        .unwrap();
        assert_eq!(
            Config::from_str_at(&out, Path::new("t.toml"), &[])
                .unwrap()
                .exceptions
                .len(),
            1
        );
    }

    #[test]
    fn add_writes_file_and_status_reports_expiry() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("tollgate.toml");
        std::fs::write(&p, "# hello\n").unwrap();
        add(
            &p,
            &exc("secrets/x", "2027-01-31"),
            d("2026-11-22"),
            90,
            &[],
        )
        .unwrap();
        let c = Config::load(&p, &[]).unwrap();
        assert!(
            std::fs::read_to_string(&p)
                .unwrap()
                .starts_with("# hello\n")
        );
        let st = status(&c.exceptions, d("2027-02-01"));
        assert!(st[0].expired);
        assert_eq!(st[0].age_days, Some(71));
        assert_eq!(st[0].days_left, Some(-1));
        let st = status(&c.exceptions, d("2027-01-31"));
        assert!(!st[0].expired);
        // A refused exception leaves the file alone.
        assert!(
            add(
                &p,
                &exc("secrets/x", "2030-01-31"),
                d("2026-11-22"),
                90,
                &[]
            )
            .is_err()
        );
        assert_eq!(Config::load(&p, &[]).unwrap().exceptions.len(), 1);
    }
}
