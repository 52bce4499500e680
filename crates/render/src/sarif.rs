//! SARIF 2.1.0 (OASIS) output, for GitHub code scanning and every SARIF viewer.

use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{self, Write};
use tollgate_model::{Finding, Location, Report, SuppressionKind};

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Percent-encodes a relative path into a URI reference (RFC 3986), keeping `/`.
fn uri(path: &str) -> String {
    let mut s = String::new();
    for b in path.trim_start_matches("./").bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

fn physical(l: &Location, snippet: Option<&str>) -> Value {
    let mut region = json!({
        "startLine": l.line.max(1),
        "startColumn": l.column.max(1),
        "endLine": l.end_line.max(l.line).max(1),
    });
    if l.end_line > l.line || l.end_column > l.column {
        region["endColumn"] = json!(l.end_column.max(1));
    }
    if let Some(s) = snippet {
        region["snippet"] = json!({ "text": s });
    }
    json!({
        "artifactLocation": { "uri": uri(&l.path) },
        "region": region,
    })
}

fn location(l: &Location, snippet: Option<&str>) -> Value {
    let mut v = json!({ "physicalLocation": physical(l, snippet) });
    let mut logical = Vec::new();
    if let Some(m) = &l.member {
        logical.push(json!({ "fullyQualifiedName": m, "kind": "member" }));
    }
    if let Some(sym) = &l.symbolic {
        logical.push(json!({ "fullyQualifiedName": sym, "kind": "element" }));
    }
    if !logical.is_empty() {
        v["logicalLocations"] = Value::Array(logical);
    }
    v
}

fn result(f: &Finding, index: &BTreeMap<&str, usize>) -> Value {
    let mut props = serde_json::Map::new();
    props.insert("severity".into(), json!(f.severity.as_str()));
    props.insert("confidence".into(), json!(f.confidence.as_str()));
    props.insert(
        "security-severity".into(),
        json!(f.severity.security_severity()),
    );
    if let Some(r) = &f.evidence.redacted {
        props.insert("redacted".into(), json!(r));
    }
    if let Some(o) = &f.origin {
        props.insert(
            "origin".into(),
            serde_json::to_value(o).unwrap_or(Value::Null),
        );
    }
    for (k, v) in &f.properties {
        props.insert(k.clone(), v.clone());
    }
    let mut message = f.message.clone();
    if let Some(rem) = &f.remediation {
        message.push_str(&format!("\nFix: {rem}"));
    }
    let mut r = json!({
        "ruleId": f.rule.as_str(),
        "level": f.severity.sarif_level(),
        "message": { "text": message },
        "locations": [location(&f.location, f.evidence.snippet.as_deref())],
        "partialFingerprints": { "tollgate/v1": f.fingerprint.as_str() },
        "properties": props,
    });
    if let Some(i) = index.get(f.rule.as_str()) {
        r["ruleIndex"] = json!(i);
    }
    if !f.related.is_empty() {
        r["relatedLocations"] = Value::Array(
            f.related
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let mut v = location(l, None);
                    v["id"] = json!(i);
                    v
                })
                .collect(),
        );
    }
    if let Some(s) = &f.suppression {
        let kind = match s.kind {
            SuppressionKind::Inline => "inSource",
            SuppressionKind::Exception | SuppressionKind::Vex => "external",
        };
        let mut sup = json!({ "kind": kind, "status": "accepted", "justification": s.reason });
        if let Some(o) = &s.owner {
            sup["properties"] = json!({ "owner": o, "expires": s.expires });
        }
        r["suppressions"] = json!([sup]);
    }
    r
}

/// The SARIF log as a JSON value.
pub fn to_sarif(report: &Report) -> Value {
    let index: BTreeMap<&str, usize> = report
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let rules: Vec<Value> = report
        .rules
        .iter()
        .map(|r| {
            let mut v = json!({
                "id": r.id.as_str(),
                "name": r.name,
                "shortDescription": { "text": r.summary },
                "fullDescription": { "text": r.summary },
                "help": { "text": r.docs, "markdown": r.docs },
                "defaultConfiguration": { "level": r.default_severity.sarif_level() },
                "properties": {
                    "tags": r.tags,
                    "precision": match r.default_confidence {
                        tollgate_model::Confidence::High => "high",
                        tollgate_model::Confidence::Medium => "medium",
                        tollgate_model::Confidence::Low => "low",
                    },
                    "security-severity": r.default_severity.security_severity(),
                },
            });
            if let Some(u) = &r.help_uri {
                v["helpUri"] = json!(u);
            }
            v
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .chain(report.suppressed.iter())
        .map(|f| result(f, &index))
        .collect();
    let notifications: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            let mut n = json!({
                "level": match d.level {
                    tollgate_model::DiagnosticLevel::Error => "error",
                    tollgate_model::DiagnosticLevel::Warning => "warning",
                    tollgate_model::DiagnosticLevel::Note => "note",
                },
                "message": { "text": format!("[{}] {}", d.source, d.message) },
            });
            if let Some(p) = &d.path {
                let mut l = Location::line(p.clone(), d.line.unwrap_or(1));
                l.column = d.column.unwrap_or(1);
                l.end_column = l.column;
                n["locations"] = json!([{ "physicalLocation": physical(&l, None) }]);
            }
            n
        })
        .collect();
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": report.tool.name,
                "version": report.tool.version,
                "semanticVersion": report.tool.version,
                "informationUri": "https://example.invalid/tollgate",
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": true,
                "startTimeUtc": report.started,
                "endTimeUtc": report.finished,
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
            "properties": {
                "ruleset_digest": report.ruleset_digest.to_string(),
                "config_digest": report.config_digest.map(|d| d.to_string()),
            },
        }],
    })
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_sarif(report))?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> jsonschema::Validator {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../testdata/schemas/sarif-schema-2.1.0.json"
        );
        let text = std::fs::read_to_string(path).expect("testdata/schemas/sarif-schema-2.1.0.json");
        let schema: Value = serde_json::from_str(&text).unwrap();
        jsonschema::validator_for(&schema).unwrap()
    }

    #[test]
    fn valid_against_the_official_schema() {
        let v = to_sarif(&crate::testdata::report());
        let validator = schema();
        let errors: Vec<String> = validator
            .iter_errors(&v)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
        insta::assert_json_snapshot!("sarif", v);
    }

    #[test]
    fn schema_rejects_broken_sarif() {
        // Guards the test above: the validator must be able to fail.
        let mut v = to_sarif(&crate::testdata::report());
        v["runs"][0]["results"][0]["level"] = json!("catastrophic");
        assert!(!schema().is_valid(&v));
    }

    #[test]
    fn uris_are_encoded() {
        assert_eq!(uri("./a b/c#d.py"), "a%20b/c%23d.py");
    }
}
