//! The baseline file: current findings recorded as `[[exceptions]]` (rule + fingerprint, with
//! reason, owner, expiry and creation date), so a team adopting tollgate blocks only new findings.
//! The file is the one `tollgate.toml`'s `baseline = "..."` points to; the config crate loads
//! it together with the `[[exceptions]]` of tollgate.toml.

use crate::{ConfigError, Date, Exception};
use std::collections::BTreeSet;
use std::path::Path;
use tollgate_model::{Finding, RuleMeta};

/// Default baseline file name, beside tollgate.toml.
pub const DEFAULT_FILE: &str = "tollgate-baseline.toml";

/// The `tollgate.toml` line that applies the baseline: commented in the file `tollgate init`
/// writes (above `[scan]`), printed by `tollgate baseline` when it is missing, and in the docs.
/// A top-level key, so it must come before the file's first `[table]`.
pub const CONFIG_LINE: &str = "baseline = \"tollgate-baseline.toml\"";

/// What `tollgate baseline` says when no `baseline` key is configured. `config`: the
/// `tollgate.toml` in use, if any.
pub fn advice(config: Option<&Path>) -> String {
    match config {
        Some(p) => format!(
            "to apply the baseline, add this line to {} above its first [table] (it is a \
             top-level key):\n    {CONFIG_LINE}",
            p.display()
        ),
        None => format!(
            "to apply the baseline, create tollgate.toml beside it with `tollgate init` and \
             uncomment its line:\n    {CONFIG_LINE}"
        ),
    }
}

/// Whether a finding is a live credential a baseline must not accept without an explicit
/// request: a private key or a provider's token, i.e. any `secrets/` rule that is not one of
/// the generic (password-like) rules. `rules` are the run's rule metadata; a rule missing
/// from them counts as a credential.
pub fn is_credential(f: &Finding, rules: &[RuleMeta]) -> bool {
    if !f.rule.as_str().starts_with("secrets/") {
        return false;
    }
    if f.rule.as_str().contains("private-key") {
        return true;
    }
    match rules.iter().find(|r| r.id == f.rule) {
        Some(r) => !r.tags.iter().any(|t| t == "generic"),
        None => true,
    }
}

#[derive(Debug, Clone)]
pub struct BaselineOptions {
    pub owner: String,
    pub reason: String,
    pub expires: Date,
    pub today: Date,
}

/// Reads an existing baseline file's exceptions (empty when the file does not exist), with the
/// same validation and file:line:column errors as when the config loads it.
pub fn read(path: &Path) -> Result<Vec<Exception>, ConfigError> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    crate::load_baseline(path)
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

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_model::{Confidence, Location, RuleId, Severity};

    fn finding(rule: &str, path: &str, key: &[u8]) -> Finding {
        Finding::new(
            RuleId::new(rule).unwrap(),
            Severity::High,
            Confidence::High,
            "m",
            Location::line(path, 3),
            path,
            key,
        )
    }

    fn opts() -> BaselineOptions {
        let today: Date = "2026-11-22".parse().unwrap();
        BaselineOptions {
            owner: "sec-team".into(),
            reason: "adopted".into(),
            expires: today.add_days(90),
            today,
        }
    }

    #[test]
    fn keeps_known_entries_adds_new_and_drops_gone() {
        let a = finding("secrets/aws-access-key", "a.env", b"k1");
        let b = finding("secrets/aws-access-key", "b.env", b"k2");
        let (first, added, dropped) = build(&[], &[&a], &opts());
        assert_eq!((first.len(), added, dropped), (1, 1, 0));
        // The owner edits the entry; a rerun keeps the edit, adds b, and a later run without a
        // drops it.
        let mut edited = first.clone();
        edited[0].owner = "alice".into();
        let (second, added, dropped) = build(&edited, &[&a, &b], &opts());
        assert_eq!((second.len(), added, dropped), (2, 1, 0));
        assert!(second.iter().any(|e| e.owner == "alice"));
        let (third, added, dropped) = build(&second, &[&b], &opts());
        assert_eq!((third.len(), added, dropped), (1, 0, 1));
        assert_eq!(
            third[0].fingerprint.as_deref(),
            Some(b.fingerprint.as_str())
        );
    }

    #[test]
    fn rendered_file_reads_back_identically() {
        let a = finding("ci/unpinned-action", "ci.yml", b"x");
        let (entries, _, _) = build(&[], &[&a], &opts());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DEFAULT_FILE);
        std::fs::write(&path, render(&entries)).unwrap();
        let back = read(&path).unwrap();
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].rule, entries[0].rule);
        assert_eq!(back[0].fingerprint, entries[0].fingerprint);
        assert_eq!(back[0].expires, entries[0].expires);
        assert_eq!(back[0].created, entries[0].created);
        assert!(back[0].reason.starts_with("adopted at ci.yml"));
        assert!(read(&dir.path().join("missing.toml")).unwrap().is_empty());
    }

    /// The line `tollgate init` writes, uncommented where it stands, loads and applies the
    /// baseline file (before: it sat under `[scan]`, where it is ``unknown field `baseline` ``).
    #[test]
    fn init_file_with_the_baseline_line_uncommented_applies_the_baseline() {
        let commented = format!("# {CONFIG_LINE}");
        assert!(crate::DEFAULT_CONFIG.contains(&commented));
        let raw = crate::DEFAULT_CONFIG.replace(&commented, CONFIG_LINE);
        let dir = tempfile::tempdir().unwrap();
        let a = finding("ci/unpinned-uses", "ci.yml", b"x");
        let (entries, _, _) = build(&[], &[&a], &opts());
        std::fs::write(dir.path().join(DEFAULT_FILE), render(&entries)).unwrap();
        let config_path = dir.path().join(crate::FILE_NAME);
        std::fs::write(&config_path, &raw).unwrap();
        let c = crate::Config::load(&config_path, &[]).unwrap();
        assert_eq!(c.baseline, Some(dir.path().join(DEFAULT_FILE)));
        assert_eq!(c.exceptions.len(), 1);
        assert_eq!(c.exceptions[0].fingerprint, entries[0].fingerprint);
    }

    /// `tollgate baseline`'s advice is the line init's file carries, placed where init puts it.
    #[test]
    fn advice_names_the_line_init_writes() {
        let first_table = crate::DEFAULT_CONFIG
            .lines()
            .position(|l| l.starts_with('['))
            .unwrap();
        let line = crate::DEFAULT_CONFIG
            .lines()
            .position(|l| l == format!("# {CONFIG_LINE}"))
            .unwrap();
        assert!(
            line < first_table,
            "the baseline line must come before [scan]"
        );
        for config in [None, Some(Path::new("repo/tollgate.toml"))] {
            let text = advice(config);
            assert!(text.ends_with(&format!("\n    {CONFIG_LINE}")), "{text}");
        }
        assert!(advice(Some(Path::new("x/tollgate.toml"))).contains("above its first [table]"));
        assert!(CONFIG_LINE.contains(DEFAULT_FILE));
    }

    #[test]
    fn private_keys_and_provider_tokens_are_credentials() {
        let generic = RuleMeta {
            id: RuleId::new("secrets/generic-password").unwrap(),
            name: "g".into(),
            default_severity: Severity::Medium,
            default_confidence: Confidence::Medium,
            summary: String::new(),
            docs: String::new(),
            help_uri: None,
            tags: vec!["SP-07".into(), "provider:generic".into(), "generic".into()],
        };
        let token = RuleMeta {
            id: RuleId::new("secrets/github-pat").unwrap(),
            tags: vec!["SP-07".into(), "provider:GitHub".into()],
            ..generic.clone()
        };
        let rules = [generic, token];
        let f = |r: &str| finding(r, "a", b"k");
        assert!(is_credential(&f("secrets/github-pat"), &rules));
        assert!(is_credential(&f("secrets/private-key-pkcs8"), &rules));
        assert!(is_credential(&f("secrets/unknown-rule"), &rules));
        assert!(!is_credential(&f("secrets/generic-password"), &rules));
        assert!(!is_credential(&f("ci/unpinned-uses"), &rules));
    }
}
