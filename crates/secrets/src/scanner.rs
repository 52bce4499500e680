//! The `secrets` scanner: config section, inputs (inventory files, archives, stdin, CI logs)
//! and the conversion of engine matches into findings.

use crate::archive::{self, ArchiveLimits};
use crate::engine::{Engine, Match, line_bounds};
use crate::rules::{self, DEFAULT_REMEDIATION, Rule, RuleError};
use rayon::prelude::*;
use serde::Deserialize;
use std::collections::HashSet;
use std::sync::Mutex;
use tollgate_config::{Config, ConfigError};
use tollgate_engine::{Progress, ScanContext, ScanOutput, Scanner, Silent, Unit};
use tollgate_inventory::{FileEntry, FileKind};
use tollgate_model::{Diagnostic, Evidence, Finding, Location, Origin, RuleMeta, Span};

/// `[secrets]` in tollgate.toml.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SecretsConfig {
    /// Extra rule files (same format as the built-in ones), relative to tollgate.toml.
    #[serde(default)]
    pub rules: Vec<String>,
    /// Rule ids to turn off (`secrets/generic-password` or `generic-password`).
    #[serde(default)]
    pub disable: Vec<String>,
    /// How deep archives inside archives are opened (default 4).
    #[serde(default)]
    pub max_archive_depth: Option<usize>,
    /// Most bytes unpacked from one archive, all members together (default 512 MiB).
    #[serde(default)]
    pub max_archive_bytes: Option<u64>,
}

#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Rule(#[from] RuleError),
    #[error("{path}: [secrets] disable names an unknown rule {rule:?}")]
    UnknownRule { path: String, rule: String },
}

/// Files larger than this are memory-mapped instead of read.
const MMAP_THRESHOLD: u64 = 1 << 20;

pub struct SecretsScanner {
    pub engine: Engine,
    pub limits: ArchiveLimits,
    ruleset: Vec<u8>,
}

impl SecretsScanner {
    /// The scanner with the built-in rules only.
    pub fn builtin() -> Result<SecretsScanner, SecretsError> {
        Self::with_rules(rules::builtin_rules()?, ArchiveLimits::default())
    }

    /// The scanner as configured by `[secrets]`.
    pub fn from_config(config: &Config) -> Result<SecretsScanner, SecretsError> {
        let sc: SecretsConfig = config.section("secrets")?;
        let mut all = rules::builtin_rules()?;
        let base = config.base_dir();
        for r in &sc.rules {
            let shown = base.join(r).display().to_string();
            let user = rules::load_rule_file(&base.join(r), &shown)?;
            for u in user {
                // A user rule with a built-in id replaces it.
                all.retain(|b| b.id != u.id);
                all.push(u);
            }
        }
        for d in &sc.disable {
            let id = if d.contains('/') {
                d.clone()
            } else {
                format!("secrets/{d}")
            };
            let before = all.len();
            all.retain(|r| r.id.as_str() != id);
            if all.len() == before {
                return Err(SecretsError::UnknownRule {
                    path: config.shown_path(),
                    rule: d.clone(),
                });
            }
        }
        let mut limits = ArchiveLimits::default();
        if let Some(d) = sc.max_archive_depth {
            limits.max_depth = d;
        }
        if let Some(b) = sc.max_archive_bytes {
            limits.max_total_bytes = b;
        }
        Self::with_rules(all, limits)
    }

    pub fn with_rules(
        rules: Vec<Rule>,
        limits: ArchiveLimits,
    ) -> Result<SecretsScanner, SecretsError> {
        let mut ruleset = Vec::new();
        for r in &rules {
            ruleset.extend_from_slice(r.origin.as_bytes());
            ruleset.push(0);
            ruleset.extend_from_slice(format!("{:?}", r.def).as_bytes());
            ruleset.push(0);
        }
        Ok(SecretsScanner {
            engine: Engine::new(rules),
            limits,
            ruleset,
        })
    }

    /// Scans one in-memory input. `display` is the path shown, `rel` the path used in
    /// fingerprints, `member` the archive member.
    pub fn scan_bytes(&self, input: &Input<'_>, data: &[u8]) -> ScanOutput {
        let mut out = ScanOutput {
            files_scanned: 1,
            ..Default::default()
        };
        let (matches, failures) = self.engine.scan(data);
        for f in failures {
            out.diagnostics.push(
                Diagnostic::error(
                    "secrets",
                    format!(
                        "rule {} ({}) has a bad pattern and was skipped: {}",
                        self.engine.rules[f.rule].id, self.engine.rules[f.rule].origin, f.message
                    ),
                )
                .at(input.display.to_string(), None, None),
            );
        }
        for m in matches {
            out.findings.push(self.finding(input, data, &m));
        }
        out
    }

    fn finding(&self, input: &Input<'_>, data: &[u8], m: &Match) -> Finding {
        let rule = &self.engine.rules[m.rule];
        let d = &rule.def;
        let secret = &data[m.start..m.end];
        let mut loc = Location::from_span(
            input.display.to_string(),
            data,
            Span {
                start: m.start,
                end: m.end,
            },
        );
        if let Some(mem) = input.member {
            loc = loc.with_member(mem.to_string());
        }
        let mut msg = format!("{}: {} found", d.provider, d.name);
        match m.checksum_valid {
            Some(true) => msg.push_str(" (checksum valid)"),
            Some(false) => msg.push_str(" (checksum invalid: likely a test or redacted value)"),
            None => {}
        }
        if let Some(o) = &input.origin {
            let short: String = o.commit.chars().take(12).collect();
            msg.push_str(&format!(" (introduced in commit {short})"));
        }
        let secret_s = String::from_utf8_lossy(secret).into_owned();
        // Evidence: the secret's first line, cut to a window around the secret.
        let (ls, le) = line_bounds(data, m.start, m.start);
        let first_nl = secret.iter().position(|&b| b == b'\n').map(|p| m.start + p);
        let le = first_nl.map(|p| p.min(le)).unwrap_or(le).max(m.start);
        let from = ls.max(m.start.saturating_sub(80));
        let to = le.min(m.end.max(m.start) + 80).max(from);
        let line = String::from_utf8_lossy(&data[from..to.max(from)]).into_owned();
        let shown_secret = if first_nl.is_some() {
            String::from_utf8_lossy(&data[m.start..le]).into_owned()
        } else {
            secret_s.clone()
        };
        let mut evidence = Evidence::secret(&line, &shown_secret);
        evidence.redacted = Some(tollgate_model::redact_secret(&secret_s));
        let mut f = Finding::new(
            rule.id.clone(),
            d.severity,
            m.confidence,
            msg,
            loc,
            input.rel,
            secret,
        )
        .with_evidence(evidence)
        .with_remediation(
            d.remediation
                .as_deref()
                .unwrap_or(DEFAULT_REMEDIATION)
                .trim(),
        )
        .with_property("provider", serde_json::json!(d.provider))
        .with_property(
            "entropy",
            serde_json::json!((m.entropy * 100.0).round() / 100.0),
        );
        if let Some(v) = m.checksum_valid {
            f = f.with_property("checksum_valid", serde_json::json!(v));
        }
        f.origin = input.origin.clone();
        f
    }

    /// Scans one inventory file (or archive).
    pub fn scan_file(&self, entry: &FileEntry) -> ScanOutput {
        let input = Input {
            display: &entry.display,
            rel: &entry.rel,
            member: None,
            origin: None,
        };
        let data = match read_file(entry) {
            Ok(d) => d,
            Err(e) => {
                return ScanOutput {
                    diagnostics: vec![
                        Diagnostic::warning("secrets", format!("cannot read: {e}")).at(
                            entry.display.clone(),
                            None,
                            None,
                        ),
                    ],
                    ..Default::default()
                };
            }
        };
        if entry.kind == FileKind::Archive || archive::sniff(&data).is_some() {
            let mut out = ScanOutput::default();
            archive::scan_archive(self, &input, &data, 0, &self.limits, &mut out);
            return out;
        }
        self.scan_bytes(&input, &data)
    }
}

/// What is being scanned, for locations and fingerprints.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    pub display: &'a str,
    pub rel: &'a str,
    pub member: Option<&'a str>,
    pub origin: Option<Origin>,
}

/// File bytes: read, or memory-mapped when large.
pub enum FileData {
    Owned(Vec<u8>),
    Mapped(memmap2::Mmap),
}

impl std::ops::Deref for FileData {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            FileData::Owned(v) => v,
            FileData::Mapped(m) => m,
        }
    }
}

fn read_file(entry: &FileEntry) -> std::io::Result<FileData> {
    if entry.size >= MMAP_THRESHOLD {
        let f = std::fs::File::open(&entry.path)?;
        // SAFETY: the map is read-only and lives only while this file is scanned; a file
        // truncated by another process meanwhile can fault, the same trade-off ripgrep makes
        // for large inputs.
        let map = unsafe { memmap2::Mmap::map(&f)? };
        Ok(FileData::Mapped(map))
    } else {
        Ok(FileData::Owned(std::fs::read(&entry.path)?))
    }
}

impl Scanner for SecretsScanner {
    fn name(&self) -> &'static str {
        "secrets"
    }
    fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
    fn rules(&self) -> Vec<RuleMeta> {
        self.engine.rules.iter().map(Rule::meta).collect()
    }
    fn ruleset_bytes(&self) -> Vec<u8> {
        self.ruleset.clone()
    }
    fn scan(&self, ctx: &ScanContext<'_>) -> ScanOutput {
        let files: Vec<&FileEntry> = ctx
            .inventory
            .files
            .iter()
            .filter(|f| f.kind != FileKind::Binary)
            .collect();
        let total: u64 = files.iter().map(|f| f.size).sum();
        ctx.progress.start_in("secrets", total, Unit::Bytes);
        let acc = Mutex::new(ScanOutput::default());
        files.par_iter().for_each(|f| {
            let o = self.scan_file(f);
            ctx.progress.advance(f.size);
            let mut a = acc.lock().unwrap_or_else(|p| p.into_inner());
            merge(&mut a, o);
        });
        let mut out = acc.into_inner().unwrap_or_else(|p| p.into_inner());
        ctx.progress.finish();
        out.files_scanned = files.len();
        dedupe(&mut out.findings);
        out
    }
}

/// Appends `o` to `acc`.
pub fn merge(acc: &mut ScanOutput, o: ScanOutput) {
    acc.findings.extend(o.findings);
    acc.diagnostics.extend(o.diagnostics);
    acc.suppressed.extend(o.suppressed);
    acc.files_scanned += o.files_scanned;
}

/// Removes exact duplicates (same fingerprint at the same place).
pub fn dedupe(findings: &mut Vec<Finding>) {
    let mut seen = HashSet::new();
    findings.retain(|f| {
        seen.insert((
            f.fingerprint.clone(),
            f.location.display_path(),
            f.location.line,
            f.location.column,
        ))
    });
}

/// An input other than the inventory: stdin, a CI log, or git history.
#[derive(Debug, Clone)]
pub enum Source {
    /// Bytes read from standard input, shown as `display`.
    Bytes { display: String, data: Vec<u8> },
    /// A CI log file: ANSI escapes are stripped before scanning.
    CiLog(std::path::PathBuf),
    /// A git repository (history, a range, or the staged index).
    Git {
        repo: std::path::PathBuf,
        scope: crate::git::GitScope,
    },
}

impl SecretsScanner {
    /// Scans a non-inventory source. Errors (not a repository, unreadable log) are returned
    /// as a diagnostic with level error.
    pub fn scan_source(&self, source: &Source) -> ScanOutput {
        self.scan_source_with(source, &Silent)
    }

    /// [`SecretsScanner::scan_source`], reporting progress (history scans count commits, then
    /// blobs, as they go).
    pub fn scan_source_with(&self, source: &Source, progress: &dyn Progress) -> ScanOutput {
        match source {
            Source::Bytes { display, data } => {
                let input = Input {
                    display,
                    rel: display,
                    member: None,
                    origin: None,
                };
                if archive::sniff(data).is_some() {
                    let mut out = ScanOutput::default();
                    archive::scan_archive(self, &input, data, 0, &self.limits, &mut out);
                    out
                } else {
                    self.scan_bytes(&input, data)
                }
            }
            Source::CiLog(path) => {
                let shown = path.display().to_string();
                match std::fs::read(path) {
                    Ok(raw) => {
                        let data = crate::cilog::strip_ansi(&raw);
                        let rel = path
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_else(|| shown.clone());
                        let input = Input {
                            display: &shown,
                            rel: &rel,
                            member: None,
                            origin: None,
                        };
                        self.scan_bytes(&input, &data)
                    }
                    Err(e) => ScanOutput {
                        diagnostics: vec![
                            Diagnostic::error("secrets", format!("cannot read CI log: {e}"))
                                .at(shown, None, None),
                        ],
                        ..Default::default()
                    },
                }
            }
            Source::Git { repo, scope } => {
                match crate::git::scan_repo_with(self, repo, scope, progress) {
                    Ok(mut o) => {
                        dedupe(&mut o.findings);
                        o
                    }
                    Err(e) => ScanOutput {
                        diagnostics: vec![Diagnostic::error("secrets", e.to_string())],
                        ..Default::default()
                    },
                }
            }
        }
    }
}

/// The secrets scanner bound to one [`Source`]: it ignores the inventory.
pub struct SourceScanner {
    pub inner: SecretsScanner,
    pub source: Source,
}

impl Scanner for SourceScanner {
    fn name(&self) -> &'static str {
        "secrets"
    }
    fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
    fn rules(&self) -> Vec<RuleMeta> {
        self.inner.rules()
    }
    fn ruleset_bytes(&self) -> Vec<u8> {
        self.inner.ruleset_bytes()
    }
    fn scan(&self, ctx: &ScanContext<'_>) -> ScanOutput {
        let out = self.inner.scan_source_with(&self.source, ctx.progress);
        ctx.progress.finish();
        out
    }
}

impl From<SecretsError> for ConfigError {
    fn from(e: SecretsError) -> ConfigError {
        match e {
            SecretsError::Config(c) => c,
            SecretsError::Rule(RuleError::Parse { origin, message }) => {
                // origin is `path:line:col`.
                let mut parts = origin.rsplitn(3, ':');
                let col = parts.next().and_then(|c| c.parse().ok()).unwrap_or(1);
                let line = parts.next().and_then(|c| c.parse().ok()).unwrap_or(1);
                let path = parts.next().unwrap_or(&origin).to_string();
                ConfigError::Invalid {
                    path,
                    line,
                    column: col,
                    message,
                }
            }
            other => ConfigError::Invalid {
                path: match &other {
                    SecretsError::UnknownRule { path, .. } => path.clone(),
                    SecretsError::Rule(RuleError::Io { path, .. })
                    | SecretsError::Rule(RuleError::Invalid { origin: path, .. }) => path.clone(),
                    _ => String::new(),
                },
                line: 1,
                column: 1,
                message: other.to_string(),
            },
        }
    }
}
