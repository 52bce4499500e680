//! SARIF 2.1.0 from other tools (semgrep, CodeQL, a DAST scanner…) converted to findings.
//!
//! Only the fields a gate needs are read: `runs[].tool.driver.name`, `results[].ruleId`,
//! `level`, `message.text`, the first physical location, `partialFingerprints` and the
//! `security-severity` property that GitHub code scanning also uses (on the result or on its
//! rule). Severity comes from `security-severity` (CVSS-like: ≥9 critical, ≥7 high, ≥4 medium,
//! >0 low) when present, else from `level` (error→high, warning→medium, note→low).

use crate::evidence::FindingInput;
use serde_json::Value;
use tollgate_model::{Fingerprint, RuleId};

/// One SARIF run, converted.
#[derive(Debug, Clone, PartialEq)]
pub struct SarifRun {
    /// The tool name, lowercased to a rule-id-safe form (`semgrep`, `codeql`).
    pub tool: String,
    pub findings: Vec<FindingInput>,
}

/// Whether `v` looks like a SARIF log (used to classify evidence files).
pub fn is_sarif(v: &Value) -> bool {
    v.get("runs").is_some_and(Value::is_array)
        && v.get("version")
            .and_then(Value::as_str)
            .is_some_and(|s| s.starts_with("2."))
}

/// Converts a SARIF log. A structurally invalid log is an error naming what is wrong.
pub fn convert(v: &Value) -> Result<Vec<SarifRun>, String> {
    if !is_sarif(v) {
        return Err("not a SARIF 2.x log (needs `version` and `runs`)".into());
    }
    let mut out = Vec::new();
    for (ri, run) in v["runs"].as_array().into_iter().flatten().enumerate() {
        let name = run
            .pointer("/tool/driver/name")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("runs[{ri}].tool.driver.name is missing"))?;
        let tool = safe_id(name);
        let rules = run.pointer("/tool/driver/rules").and_then(Value::as_array);
        let mut findings = Vec::new();
        let results = match run.get("results") {
            None | Some(Value::Null) => &[][..],
            Some(Value::Array(a)) => a.as_slice(),
            Some(_) => return Err(format!("runs[{ri}].results is not an array")),
        };
        for (i, r) in results.iter().enumerate() {
            let rule_id = r
                .get("ruleId")
                .and_then(Value::as_str)
                .or_else(|| r.pointer("/rule/id").and_then(Value::as_str))
                .ok_or_else(|| format!("runs[{ri}].results[{i}] has no ruleId"))?;
            let rule_meta = rules.and_then(|rs| {
                r.get("ruleIndex")
                    .and_then(Value::as_u64)
                    .and_then(|ix| rs.get(ix as usize))
                    .or_else(|| {
                        rs.iter()
                            .find(|x| x.get("id").and_then(Value::as_str) == Some(rule_id))
                    })
            });
            let message = r
                .pointer("/message/text")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let path = r
                .pointer("/locations/0/physicalLocation/artifactLocation/uri")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let level = r
                .get("level")
                .and_then(Value::as_str)
                .or_else(|| {
                    rule_meta.and_then(|m| {
                        m.pointer("/defaultConfiguration/level")
                            .and_then(Value::as_str)
                    })
                })
                .unwrap_or("warning");
            let sec = security_severity(r.get("properties"))
                .or_else(|| rule_meta.and_then(|m| security_severity(m.get("properties"))));
            let severity = match sec {
                Some(s) if s >= 9.0 => "critical",
                Some(s) if s >= 7.0 => "high",
                Some(s) if s >= 4.0 => "medium",
                Some(s) if s > 0.0 => "low",
                Some(_) => "info",
                None => match level {
                    "error" => "high",
                    "warning" => "medium",
                    "note" => "low",
                    _ => "info",
                },
            };
            let rule = format!("{tool}/{}", safe_id(rule_id));
            let fingerprint = r
                .get("partialFingerprints")
                .and_then(Value::as_object)
                .and_then(|m| m.values().find_map(Value::as_str))
                .map(str::to_string)
                .unwrap_or_else(|| {
                    let id = RuleId::new(rule.clone())
                        .unwrap_or_else(|_| RuleId::from_static("sarif/result"));
                    Fingerprint::compute(&id, &path, None, message.as_bytes()).to_string()
                });
            findings.push(FindingInput {
                rule,
                severity: severity.into(),
                confidence: "medium".into(),
                message,
                path,
                fingerprint,
                source: format!("sarif:{tool}"),
                exception: None,
                expired_exception: None,
                suppressed: r
                    .get("suppressions")
                    .and_then(Value::as_array)
                    .filter(|s| !s.is_empty())
                    .map(|_| "sarif-suppression".to_string()),
            });
        }
        out.push(SarifRun { tool, findings });
    }
    Ok(out)
}

fn security_severity(props: Option<&Value>) -> Option<f64> {
    let v = props?.get("security-severity")?;
    v.as_f64().or_else(|| v.as_str()?.trim().parse().ok())
}

/// Lowercase ASCII letters, digits, `-`, `_`, `.`, `/`; anything else becomes `-`.
fn safe_id(s: &str) -> String {
    let mut out: String = s
        .trim()
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.' | '/') {
                c
            } else {
                '-'
            }
        })
        .collect();
    while out.starts_with(|c: char| !c.is_ascii_alphanumeric()) && !out.is_empty() {
        out.remove(0);
    }
    if out.is_empty() {
        out.push_str("unknown");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn converts_results_with_severity_sources() {
        let log = json!({
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {"name": "Semgrep OSS", "rules": [
                    {"id": "py.sql-injection", "properties": {"security-severity": "8.1"}}
                ]}},
                "results": [
                    {"ruleId": "py.sql-injection", "ruleIndex": 0, "level": "warning",
                     "message": {"text": "SQL built from input"},
                     "locations": [{"physicalLocation": {"artifactLocation": {"uri": "app/db.py"}}}],
                     "partialFingerprints": {"primaryLocationLineHash": "abc"}},
                    {"ruleId": "Style/Thing", "level": "note", "message": {"text": "x"}},
                    {"ruleId": "crit", "properties": {"security-severity": 9.8},
                     "message": {"text": "y"}, "suppressions": [{"kind": "inSource"}]}
                ]
            }]
        });
        let runs = convert(&log).unwrap();
        assert_eq!(runs[0].tool, "semgrep-oss");
        let f = &runs[0].findings;
        assert_eq!(f[0].rule, "semgrep-oss/py.sql-injection");
        assert_eq!(f[0].severity, "high");
        assert_eq!(f[0].fingerprint, "abc");
        assert_eq!(f[0].path, "app/db.py");
        assert_eq!(f[1].rule, "semgrep-oss/style/thing");
        assert_eq!(f[1].severity, "low");
        assert_eq!(f[1].fingerprint.len(), 32);
        assert_eq!(f[2].severity, "critical");
        assert!(f[2].suppressed.is_some());
        for x in f {
            assert!(RuleId::new(x.rule.clone()).is_ok(), "{}", x.rule);
        }
    }

    #[test]
    fn malformed_logs_are_errors() {
        assert!(convert(&json!({"runs": []})).is_err());
        assert!(convert(&json!({"version": "2.1.0", "runs": [{"tool": {}}]})).is_err());
        assert!(
            convert(&json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{}]}]}))
                .is_err()
        );
        assert!(
            convert(&json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": 3}]}))
                .is_err()
        );
    }
}
