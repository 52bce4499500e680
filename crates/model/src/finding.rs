use crate::{Confidence, Evidence, Location, RuleId, Severity, sha256_parts};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A content-based fingerprint: SHA-256 over the rule id, the file's path relative to the
/// scanned root (plus archive member) and a scanner-chosen content key (the secret value, the
/// YAML route and offending text, the purl and advisory id…). Line numbers never enter it, so
/// it is stable across runs and when unrelated lines move. 128 bits, 32 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Fingerprint(String);

impl Fingerprint {
    /// `rel_path` is the path relative to the scanned root with `/` separators, so the same
    /// file scanned as `data` or `./data` gets the same fingerprint.
    pub fn compute(rule: &RuleId, rel_path: &str, member: Option<&str>, key: &[u8]) -> Self {
        let d = sha256_parts(&[
            b"tollgate-fingerprint-v1",
            rule.as_str().as_bytes(),
            rel_path.as_bytes(),
            member.unwrap_or("").as_bytes(),
            key,
        ]);
        Fingerprint(hex::encode(&d.0[..16]))
    }

    /// Wraps an existing fingerprint string (read from a report, a baseline or config).
    pub fn from_string(s: impl Into<String>) -> Self {
        Fingerprint(s.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where in version-control history a finding came from (git history scans).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    pub commit: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// RFC 3339 commit (author) date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

/// Why a finding does not count against the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SuppressionKind {
    /// An `[[exceptions]]` entry of `tollgate.toml` (or the baseline it points to).
    Exception,
    /// A `tollgate: allow RULE reason` comment on the line or the line above.
    Inline,
    /// A VEX statement (`not_affected`) from the evidence.
    Vex,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    pub kind: SuppressionKind,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// `YYYY-MM-DD` after which the suppression no longer applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

/// One problem found by one rule at one place. A finding is data, never an error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: RuleId,
    /// The scanner that produced it (`secrets`, `ci`, `deps`…).
    pub scanner: String,
    pub severity: Severity,
    pub confidence: Confidence,
    pub message: String,
    pub location: Location,
    /// Other places that matter to the finding (the step that sets a tainted value…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Location>,
    pub fingerprint: Fingerprint,
    #[serde(default)]
    pub evidence: Evidence,
    /// How to fix it, when the scanner knows (one or two sentences, or a replacement).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
    /// Scanner-specific structured data (advisory ids, fixed versions, checksum validity…).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppression: Option<Suppression>,
}

impl Finding {
    /// A finding with the fingerprint computed from `rel_path` and `key`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        rule: RuleId,
        severity: Severity,
        confidence: Confidence,
        message: impl Into<String>,
        location: Location,
        rel_path: &str,
        key: &[u8],
    ) -> Self {
        let fingerprint = Fingerprint::compute(&rule, rel_path, location.member.as_deref(), key);
        Finding {
            scanner: rule.scanner().to_string(),
            rule,
            severity,
            confidence,
            message: message.into(),
            location,
            related: Vec::new(),
            fingerprint,
            evidence: Evidence::default(),
            remediation: None,
            origin: None,
            properties: BTreeMap::new(),
            suppression: None,
        }
    }

    pub fn with_evidence(mut self, evidence: Evidence) -> Self {
        self.evidence = evidence;
        self
    }

    pub fn with_remediation(mut self, text: impl Into<String>) -> Self {
        self.remediation = Some(text.into());
        self
    }

    pub fn with_property(mut self, key: &str, value: serde_json::Value) -> Self {
        self.properties.insert(key.to_string(), value);
        self
    }

    /// Sort key giving a deterministic report order: path, line, column, rule.
    pub fn sort_key(&self) -> (String, u32, u32, String) {
        (
            self.location.display_path(),
            self.location.line,
            self.location.column,
            self.rule.to_string(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_ignores_line_numbers() {
        let rule = RuleId::from_static("secrets/test");
        let a = Finding::new(
            rule.clone(),
            Severity::High,
            Confidence::High,
            "m",
            Location::line("x/a.py", 3),
            "a.py",
            b"key",
        );
        let b = Finding::new(
            rule.clone(),
            Severity::High,
            Confidence::High,
            "m",
            Location::line("./x/a.py", 40),
            "a.py",
            b"key",
        );
        assert_eq!(a.fingerprint, b.fingerprint);
        assert_eq!(a.fingerprint.as_str().len(), 32);
        let c = Finding::new(
            rule,
            Severity::High,
            Confidence::High,
            "m",
            Location::line("x/b.py", 3),
            "b.py",
            b"key",
        );
        assert_ne!(a.fingerprint, c.fingerprint);
    }
}
