//! `tollgate.report/v1`: the JSON wire format (docs/report-v1.md).
//!
//! These structs are the contract; they are deliberately separate from the internal model so
//! that the model can change without breaking readers. Adding optional fields is compatible;
//! renaming or removing one needs `v2`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{self, Write};
use tollgate_model::{Finding, Report};

pub const SCHEMA: &str = "tollgate.report/v1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportV1 {
    pub schema: String,
    pub tool: ToolV1,
    pub started: String,
    pub finished: String,
    pub roots: Vec<String>,
    pub ruleset_digest: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_digest: Option<String>,
    pub summary: SummaryV1,
    #[serde(default)]
    pub scanners: Vec<ScannerV1>,
    pub findings: Vec<FindingV1>,
    #[serde(default)]
    pub suppressed: Vec<FindingV1>,
    #[serde(default)]
    pub diagnostics: Vec<DiagnosticV1>,
    #[serde(default)]
    pub inputs: Vec<InputV1>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolV1 {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryV1 {
    pub findings: usize,
    pub by_severity: BTreeMap<String, usize>,
    pub suppressed: usize,
    pub files_scanned: usize,
    #[serde(default)]
    pub skipped: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScannerV1 {
    pub name: String,
    pub version: String,
    pub rules: usize,
    pub files: usize,
    pub findings: usize,
    pub duration_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocationV1 {
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub byte_start: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub byte_end: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbolic: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingV1 {
    pub rule: String,
    pub scanner: String,
    pub severity: String,
    pub confidence: String,
    pub message: String,
    pub location: LocationV1,
    pub fingerprint: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redacted: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<LocationV1>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppression: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiagnosticV1 {
    pub level: String,
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputV1 {
    pub path: String,
    pub sha256: String,
    pub size: u64,
    pub kind: String,
}

fn location(l: &tollgate_model::Location) -> LocationV1 {
    LocationV1 {
        path: l.path.clone(),
        member: l.member.clone(),
        line: l.line,
        column: l.column,
        end_line: l.end_line,
        end_column: l.end_column,
        byte_start: l.span.map(|s| s.start),
        byte_end: l.span.map(|s| s.end),
        symbolic: l.symbolic.clone(),
    }
}

fn finding(f: &Finding) -> FindingV1 {
    FindingV1 {
        rule: f.rule.to_string(),
        scanner: f.scanner.clone(),
        severity: f.severity.to_string(),
        confidence: f.confidence.to_string(),
        message: f.message.clone(),
        location: location(&f.location),
        fingerprint: f.fingerprint.to_string(),
        snippet: f.evidence.snippet.clone(),
        redacted: f.evidence.redacted.clone(),
        remediation: f.remediation.clone(),
        related: f.related.iter().map(location).collect(),
        origin: f.origin.as_ref().and_then(|o| serde_json::to_value(o).ok()),
        properties: f.properties.clone(),
        suppression: f
            .suppression
            .as_ref()
            .and_then(|s| serde_json::to_value(s).ok()),
    }
}

/// The wire document for `report`.
pub fn to_v1(report: &Report) -> ReportV1 {
    let mut by_severity = BTreeMap::new();
    for (sev, n) in report.counts() {
        by_severity.insert(sev.to_string(), n);
    }
    ReportV1 {
        schema: SCHEMA.into(),
        tool: ToolV1 {
            name: report.tool.name.clone(),
            version: report.tool.version.clone(),
        },
        started: report.started.clone(),
        finished: report.finished.clone(),
        roots: report.roots.clone(),
        ruleset_digest: report.ruleset_digest.to_string(),
        config_digest: report.config_digest.map(|d| d.to_string()),
        summary: SummaryV1 {
            findings: report.findings.len(),
            by_severity,
            suppressed: report.suppressed.len(),
            files_scanned: report.inputs.len(),
            skipped: report.skipped.clone(),
        },
        scanners: report
            .scanners
            .iter()
            .map(|s| ScannerV1 {
                name: s.name.clone(),
                version: s.version.clone(),
                rules: s.rules,
                files: s.files,
                findings: s.findings,
                duration_ms: s.duration_ms,
            })
            .collect(),
        findings: report.findings.iter().map(finding).collect(),
        suppressed: report.suppressed.iter().map(finding).collect(),
        diagnostics: report
            .diagnostics
            .iter()
            .map(|d| DiagnosticV1 {
                level: format!("{:?}", d.level).to_lowercase(),
                source: d.source.clone(),
                path: d.path.clone(),
                line: d.line,
                column: d.column,
                message: d.message.clone(),
            })
            .collect(),
        inputs: report
            .inputs
            .iter()
            .map(|i| InputV1 {
                path: i.path.clone(),
                sha256: i.sha256.to_string(),
                size: i.size,
                kind: i.kind.clone(),
            })
            .collect(),
    }
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_v1(report))?;
    out.write_all(b"\n")
}

#[derive(Debug)]
pub struct ParseError(pub String);

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for ParseError {}

/// Reads a `tollgate.report/v1` document (for the gate, posture and attestations).
pub fn parse(bytes: &[u8]) -> Result<ReportV1, ParseError> {
    let r: ReportV1 = serde_json::from_slice(bytes).map_err(|e| {
        ParseError(format!(
            "not a tollgate report (line {}, column {}): {e}",
            e.line(),
            e.column()
        ))
    })?;
    if r.schema != SCHEMA {
        return Err(ParseError(format!(
            "unsupported report schema {:?} (this tollgate reads {SCHEMA})",
            r.schema
        )));
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_and_round_trip() {
        let r = crate::testdata::report();
        let mut buf = Vec::new();
        render(&r, &mut buf).unwrap();
        let text = String::from_utf8(buf.clone()).unwrap();
        insta::assert_snapshot!("report_v1", text);
        let back = parse(&buf).unwrap();
        assert_eq!(back, to_v1(&r));
        // The documented minimum fields of every finding.
        let v: serde_json::Value = serde_json::from_slice(&buf).unwrap();
        for f in v["findings"].as_array().unwrap() {
            for k in [
                "rule",
                "scanner",
                "severity",
                "confidence",
                "message",
                "fingerprint",
            ] {
                assert!(f.get(k).is_some(), "missing {k}");
            }
            for k in ["path", "line", "end_line"] {
                assert!(f["location"].get(k).is_some(), "missing location.{k}");
            }
        }
        assert!(!text.contains("ghp_0123456789abcdef"), "secret leaked");
    }

    #[test]
    fn rejects_other_schema() {
        assert!(parse(br#"{"schema":"x"}"#).is_err());
        assert!(parse(b"not json").is_err());
    }
}
