//! The `secrets` scanner: config section, inputs (inventory files, archives, stdin, CI logs)
//! and the conversion of engine matches into findings.

use crate::archive;
use crate::context::InputClass;
use crate::engine::{Engine, Match, line_bounds};
use crate::input::{ArchiveLimits, BytesScanner};
pub use crate::input::{Input, merge};
use crate::rules::{self, DEFAULT_REMEDIATION, Rule, RuleError};
use rayon::prelude::*;
use serde::Deserialize;
use std::collections::HashSet;
use std::sync::Mutex;
use tollgate_config::{Config, ConfigError};
use tollgate_engine::{Progress, ScanContext, ScanOutput, Scanner, Silent, Unit};
use tollgate_inventory::{FileEntry, FileKind};
use tollgate_model::{Diagnostic, Evidence, Finding, Location, RuleMeta, Span};

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
        let class = InputClass::of(input.member.unwrap_or(input.rel), data);
        let (matches, failures) = self.engine.scan_classified(data, &class);
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
        // Every secret of the input is masked in every snippet, not only the finding's own.
        let spans = SecretSpans::new(&matches);
        // A commit message can carry a secret ("rotate aws key …"): masked once per input,
        // for what the rules find in it and for every secret found in this input.
        let origin = input.origin.as_ref().map(|o| {
            let mut o = o.clone();
            if let Some(summary) = o.summary.as_mut()
                && !matches.is_empty()
            {
                let known: Vec<String> = matches
                    .iter()
                    .map(|m| String::from_utf8_lossy(&data[m.start..m.end]).into_owned())
                    .collect();
                let known: Vec<&str> = known.iter().map(String::as_str).collect();
                *summary = self.redact_text(summary, &known);
            }
            o
        });
        for m in &matches {
            let mut f = self.finding(input, data, m, &spans);
            f.origin = origin.clone();
            out.findings.push(f);
        }
        out
    }

    /// `text` with every secret the rules find in it masked, and every occurrence of each of
    /// `known` (secrets found elsewhere, e.g. in the commit's blob) too. For commit messages.
    pub fn redact_text(&self, text: &str, known: &[&str]) -> String {
        let (matches, _) = self.engine.scan(text.as_bytes());
        let spans = SecretSpans::new(&matches);
        let mut out = spans.mask(text.as_bytes(), 0, text.len());
        for k in known {
            if k.len() >= 4 && out.contains(k) {
                out = out.replace(k, &tollgate_model::redact_secret(k));
            }
        }
        out
    }

    fn finding(&self, input: &Input<'_>, data: &[u8], m: &Match, spans: &SecretSpans) -> Finding {
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
        // Masked before it becomes a string: this finding's secret and every other one whose
        // span meets the window (a second key on the same line, a password beside a token).
        let line = spans.mask(data, from, to.max(from));
        let mut evidence = Evidence::secret(&line, "");
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

/// The byte spans of every secret found in one input, merged and sorted, so that a snippet
/// can mask all of them (`O(log n + k)` per snippet for `k` spans in its window).
pub struct SecretSpans(Vec<(usize, usize)>);

impl SecretSpans {
    pub fn new(matches: &[Match]) -> SecretSpans {
        let mut v: Vec<(usize, usize)> = matches
            .iter()
            .filter(|m| m.end > m.start)
            .map(|m| (m.start, m.end))
            .collect();
        v.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(v.len());
        for (s, e) in v {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        SecretSpans(merged)
    }

    /// `data[from..to]` as text with every secret span in it masked: a span wholly inside
    /// keeps its redacted prefix (`ghp_*****`), a span cut by the window edge is `*****`.
    /// Any other occurrence of a masked value in the window is masked too.
    pub fn mask(&self, data: &[u8], from: usize, to: usize) -> String {
        let first = self.0.partition_point(|&(_, e)| e <= from);
        let mut out = String::new();
        let mut pos = from;
        let mut values: Vec<String> = Vec::new();
        for &(s, e) in self.0[first..].iter().take_while(|&&(s, _)| s < to) {
            let (cs, ce) = (s.max(from), e.min(to));
            out.push_str(&String::from_utf8_lossy(&data[pos..cs]));
            let value = String::from_utf8_lossy(&data[s..e]).into_owned();
            if s >= from && e <= to {
                out.push_str(&tollgate_model::redact_secret(&value));
            } else {
                out.push_str("*****");
            }
            values.push(value);
            pos = ce;
        }
        out.push_str(&String::from_utf8_lossy(&data[pos..to]));
        for v in values {
            if v.len() >= 8 && out.contains(&v) {
                out = out.replace(&v, &tollgate_model::redact_secret(&v));
            }
        }
        out
    }
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

impl BytesScanner for SecretsScanner {
    fn scan_bytes(&self, input: &Input<'_>, data: &[u8]) -> ScanOutput {
        SecretsScanner::scan_bytes(self, input, data)
    }
    fn limits(&self) -> &ArchiveLimits {
        &self.limits
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
                        // No path on the diagnostic: the one source could not be read, so
                        // nothing was scanned (exit 2), not "one file failed".
                        diagnostics: vec![Diagnostic::error(
                            "secrets",
                            format!("{shown}: cannot read CI log: {e}"),
                        )],
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Input;
    use tollgate_model::Origin;

    /// Issue 22: each snippet masks every secret of its line, not only its own.
    #[test]
    fn every_secret_on_a_line_is_masked_in_every_snippet() {
        let line = "AWS_ACCESS_KEY_ID=AKIAODZDOCIS2JHTLGMX AWS_SECRET_ACCESS_KEY=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 GITHUB_TOKEN=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\n";
        let s = SecretsScanner::with_rules(rules::builtin_rules().unwrap(), Default::default())
            .unwrap();
        let input = Input {
            display: "a.env",
            rel: "a.env",
            member: None,
            origin: None,
        };
        let out = s.scan_bytes(&input, line.as_bytes());
        assert_eq!(out.findings.len(), 3, "{:?}", out.findings);
        for f in &out.findings {
            let snip = f.evidence.snippet.as_deref().unwrap();
            for secret in ["ODZDOCIS2JHTLGMX", "2o76umfXfKm", "Ky9Pf34qY6Nb3wWD25RQ"] {
                assert!(!snip.contains(secret), "{snip}");
            }
        }
    }

    #[test]
    fn spans_mask_whole_and_cut_secrets() {
        let data = b"a=SECRETVALUE1 b=SECRETVALUE2 c";
        let m = |start, end| Match {
            rule: 0,
            start,
            end,
            confidence: tollgate_model::Confidence::High,
            checksum_valid: None,
            entropy: 0.0,
        };
        let spans = SecretSpans::new(&[m(17, 29), m(2, 14), m(4, 10)]);
        assert_eq!(spans.mask(data, 0, data.len()), "a=SEC***** b=SEC***** c");
        assert_eq!(spans.mask(data, 8, 20), "***** b=*****");
        assert_eq!(spans.mask(data, 29, 31), " c");
    }

    /// Issue 22: the commit message attached to a history finding is masked, for the secret
    /// found in the blob and for one the rules find in the message itself.
    #[test]
    fn commit_summaries_are_masked() {
        let s = SecretsScanner::with_rules(rules::builtin_rules().unwrap(), Default::default())
            .unwrap();
        let aws = "MIHa/2o76umfXfKm/r5kJP1VrT+1FJors/6ILi8I";
        let gh = "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";
        let input = Input {
            display: "a.env",
            rel: "a.env",
            member: None,
            origin: Some(Origin {
                commit: "0123456789abcdef".into(),
                author: None,
                email: None,
                date: None,
                summary: Some(format!("rotate aws key {aws}, old token {gh}")),
            }),
        };
        let out = s.scan_bytes(&input, format!("AWS_SECRET_ACCESS_KEY={aws}\n").as_bytes());
        assert_eq!(out.findings.len(), 1);
        let summary = out.findings[0]
            .origin
            .as_ref()
            .unwrap()
            .summary
            .clone()
            .unwrap();
        assert_eq!(summary, "rotate aws key MIHa*****, old token ghp_*****");
    }
}
