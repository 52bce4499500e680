use crate::{Digest, Finding, RuleMeta, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
}

/// One input file that was scanned, with its content digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputFile {
    pub path: String,
    pub sha256: Digest,
    pub size: u64,
    /// Inventory class: `ci-config`, `lockfile`, `manifest`, `archive`, `dockerfile`,
    /// `kubernetes`, `terraform`, `text`, `binary`.
    pub kind: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DiagnosticLevel {
    Note,
    Warning,
    Error,
}

/// Something about the run that is not a finding: a file that could not be read or parsed, a
/// skipped input, an expired exception. One failing file never aborts a scan; it becomes this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub level: DiagnosticLevel,
    /// `inventory`, `config`, or a scanner name.
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    pub message: String,
}

impl Diagnostic {
    pub fn new(level: DiagnosticLevel, source: &str, message: impl Into<String>) -> Self {
        Diagnostic {
            level,
            source: source.to_string(),
            path: None,
            line: None,
            column: None,
            message: message.into(),
        }
    }
    pub fn error(source: &str, message: impl Into<String>) -> Self {
        Self::new(DiagnosticLevel::Error, source, message)
    }
    pub fn warning(source: &str, message: impl Into<String>) -> Self {
        Self::new(DiagnosticLevel::Warning, source, message)
    }
    pub fn note(source: &str, message: impl Into<String>) -> Self {
        Self::new(DiagnosticLevel::Note, source, message)
    }
    pub fn at(mut self, path: impl Into<String>, line: Option<u32>, column: Option<u32>) -> Self {
        self.path = Some(path.into());
        self.line = line;
        self.column = column;
        self
    }
}

/// What one scanner did in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScannerRun {
    pub name: String,
    pub version: String,
    pub rules: usize,
    pub files: usize,
    pub findings: usize,
    pub duration_ms: u64,
}

/// Everything one run established. Internal shape; the wire format (`tollgate.report/v1`) is
/// produced from it by the renderers and documented in `docs/report-v1.md`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub tool: ToolInfo,
    /// RFC 3339 UTC.
    pub started: String,
    pub finished: String,
    /// Roots as the user gave them.
    pub roots: Vec<String>,
    /// Digest over every enabled rule's id and definition: changes when the rules change.
    pub ruleset_digest: Digest,
    /// Digest of the effective `tollgate.toml` bytes (absent when none was used).
    pub config_digest: Option<Digest>,
    pub inputs: Vec<InputFile>,
    pub scanners: Vec<ScannerRun>,
    /// Rules that were enabled, for SARIF `rules[]` and explain.
    pub rules: Vec<RuleMeta>,
    /// Findings that count.
    pub findings: Vec<Finding>,
    /// Findings matched by an exception, inline allow or VEX statement.
    pub suppressed: Vec<Finding>,
    pub diagnostics: Vec<Diagnostic>,
    /// Counted notes of what the inventory skipped, by reason (`binary`, `too-large`…).
    pub skipped: BTreeMap<String, u64>,
}

impl Report {
    /// Count of counting findings by severity.
    pub fn counts(&self) -> BTreeMap<Severity, usize> {
        let mut m = BTreeMap::new();
        for f in &self.findings {
            *m.entry(f.severity).or_insert(0) += 1;
        }
        m
    }

    /// Findings at or above `threshold`.
    pub fn failing(&self, threshold: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity >= threshold)
            .count()
    }

    /// Sorts findings, suppressed findings and diagnostics into their deterministic order.
    pub fn normalize(&mut self) {
        self.findings.sort_by_key(|f| f.sort_key());
        self.suppressed.sort_by_key(|f| f.sort_key());
        self.inputs.sort_by(|a, b| a.path.cmp(&b.path));
        self.rules.sort_by(|a, b| a.id.cmp(&b.id));
        self.rules.dedup_by(|a, b| a.id == b.id);
    }
}
