//! SARIF 2.1.0 (OASIS) output, for GitHub code scanning and every SARIF viewer.

use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};
use tollgate_model::{Finding, Location, Report, SuppressionKind};

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The base id of the first scan root, the name GitHub code scanning and the SARIF
/// specification's examples use for the checkout.
pub const SRCROOT: &str = "SRCROOT";

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

/// `file://` URI of an absolute path (`/a b` → `file:///a%20b`; `C:\x` → `file:///C:/x`).
fn file_uri(abs: &Path) -> String {
    let p = abs.to_string_lossy().replace('\\', "/");
    let p = if p.starts_with('/') {
        p
    } else {
        format!("/{p}")
    };
    // The drive colon of a Windows path stays literal; everything else is encoded as usual.
    match p.split_once(':') {
        Some((drive, rest)) if drive.len() == 2 && rest.starts_with('/') => {
            format!("file://{drive}:{}", uri(rest))
        }
        _ => format!("file://{}", uri(&p)),
    }
}

/// `a/./b/../c` → `a/c`, without touching the file system (symlinks are not resolved, so a
/// path keeps the spelling the user gave).
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Where artifact URIs are anchored: each scan root becomes a `uriBaseId` (`SRCROOT`, then
/// `SRCROOT2`…) whose absolute `file://` URI is in `originalUriBaseIds`. A path under a root is
/// written relative to it; any other path as an absolute `file://` URI.
struct Bases {
    cwd: PathBuf,
    /// (absolute folder, base id) in root order.
    roots: Vec<(PathBuf, String)>,
}

impl Bases {
    fn new(given: &[String], cwd: &Path) -> Bases {
        let cwd = normalize(cwd);
        let mut roots: Vec<(PathBuf, String)> = Vec::new();
        let dot = [".".to_string()];
        for g in if given.is_empty() { &dot[..] } else { given } {
            let mut abs = normalize(&cwd.join(g));
            // A file given as a root: its folder is the base.
            if abs.is_file() {
                abs.pop();
            }
            if roots.iter().any(|(p, _)| *p == abs) {
                continue;
            }
            let id = match roots.len() {
                0 => SRCROOT.to_string(),
                n => format!("{SRCROOT}{}", n + 1),
            };
            roots.push((abs, id));
        }
        Bases { cwd, roots }
    }

    fn original_uri_base_ids(&self) -> Value {
        let mut m = serde_json::Map::new();
        for (dir, id) in &self.roots {
            let mut u = file_uri(dir);
            if !u.ends_with('/') {
                u.push('/');
            }
            m.insert(id.clone(), json!({ "uri": u }));
        }
        Value::Object(m)
    }

    /// The `artifactLocation` of a finding path. `in_history`: the path is relative to the
    /// repository (a git history finding), not to the working directory.
    fn artifact(&self, path: &str, in_history: bool) -> Value {
        // `<stdin>` and the like name no file.
        if path.starts_with('<') && path.ends_with('>') {
            return json!({ "uri": uri(path) });
        }
        if in_history && !Path::new(path).is_absolute() {
            return json!({ "uri": uri(path), "uriBaseId": SRCROOT });
        }
        let abs = normalize(&self.cwd.join(path));
        // The innermost root that holds the path.
        let best = self
            .roots
            .iter()
            .filter(|(dir, _)| abs.starts_with(dir))
            .max_by_key(|(dir, _)| dir.components().count());
        match best {
            Some((dir, id)) => {
                let rel = abs.strip_prefix(dir).unwrap_or(&abs);
                let rel: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                json!({ "uri": uri(&rel.join("/")), "uriBaseId": id })
            }
            None => json!({ "uri": file_uri(&abs) }),
        }
    }
}

fn physical(bases: &Bases, l: &Location, snippet: Option<&str>, in_history: bool) -> Value {
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
        "artifactLocation": bases.artifact(&l.path, in_history),
        "region": region,
    })
}

fn location(bases: &Bases, l: &Location, snippet: Option<&str>, in_history: bool) -> Value {
    let mut v = json!({ "physicalLocation": physical(bases, l, snippet, in_history) });
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

fn result(f: &Finding, index: &BTreeMap<&str, usize>, bases: &Bases) -> Value {
    let in_history = f.origin.is_some();
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
        "locations": [location(bases, &f.location, f.evidence.snippet.as_deref(), in_history)],
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
                    let mut v = location(bases, l, None, in_history);
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

/// The SARIF log as a JSON value, with paths resolved against the current directory.
pub fn to_sarif(report: &Report) -> Value {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    to_sarif_in(report, &cwd)
}

/// The SARIF log as a JSON value; relative roots and paths of `report` are relative to `cwd`.
pub fn to_sarif_in(report: &Report, cwd: &Path) -> Value {
    let bases = Bases::new(&report.roots, cwd);
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
        .map(|f| result(f, &index, &bases))
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
                n["locations"] = json!([{ "physicalLocation": physical(&bases, &l, None, false) }]);
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
            "originalUriBaseIds": bases.original_uri_base_ids(),
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
        let v = to_sarif_in(&crate::testdata::report(), Path::new("/home/dev/work"));
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
        assert_eq!(file_uri(Path::new("/a b/c")), "file:///a%20b/c");
        assert_eq!(file_uri(Path::new("C:/x y")), "file:///C:/x%20y");
    }

    fn artifacts(v: &Value) -> Vec<Value> {
        v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"].clone())
            .collect()
    }

    /// A relative root: URIs relative to the root (not to the working directory), anchored
    /// at `SRCROOT`, whose absolute `file://` URI ends with a slash.
    #[test]
    fn relative_root_gives_root_relative_uris() {
        let r = crate::testdata::report();
        let v = to_sarif_in(&r, Path::new("/home/dev/work"));
        assert_eq!(
            v["runs"][0]["originalUriBaseIds"],
            json!({ "SRCROOT": { "uri": "file:///home/dev/work/repo/" } })
        );
        let a = artifacts(&v);
        assert!(a.contains(&json!({ "uri": "src/config.py", "uriBaseId": "SRCROOT" })));
        assert!(a.contains(&json!({ "uri": ".github/workflows/ci.yml", "uriBaseId": "SRCROOT" })));
        let n = &v["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
        assert_eq!(
            n["locations"][0]["physicalLocation"]["artifactLocation"],
            json!({ "uri": ".github/workflows/broken.yml", "uriBaseId": "SRCROOT" })
        );
    }

    /// An absolute root (the issue: bare `/path` URIs with no scheme) and a path outside it.
    #[test]
    fn absolute_root_and_outside_paths() {
        let mut r = crate::testdata::report();
        r.roots = vec!["/srv/checkout/".into()];
        r.findings[0].location.path = "/srv/checkout/src/config.py".into();
        r.findings[1].location.path = "/etc/tollgate/extra file.yml".into();
        let v = to_sarif_in(&r, Path::new("/somewhere/else"));
        assert_eq!(
            v["runs"][0]["originalUriBaseIds"]["SRCROOT"]["uri"],
            "file:///srv/checkout/"
        );
        let a = artifacts(&v);
        assert_eq!(
            a[0],
            json!({ "uri": "src/config.py", "uriBaseId": "SRCROOT" })
        );
        assert_eq!(
            a[1],
            json!({ "uri": "file:///etc/tollgate/extra%20file.yml" })
        );
        assert!(schema().is_valid(&v));
    }

    /// No root given (`.`), several roots, `..` in a root, history and stdin paths.
    #[test]
    fn default_multiple_history_and_stdin() {
        let mut r = crate::testdata::report();
        r.roots = vec![".".into()];
        r.findings[0].location.path = "src/config.py".into();
        let v = to_sarif_in(&r, Path::new("/w"));
        assert_eq!(
            v["runs"][0]["originalUriBaseIds"]["SRCROOT"]["uri"],
            "file:///w/"
        );
        assert_eq!(artifacts(&v)[0]["uri"], "src/config.py");

        r.roots = vec!["a".into(), "../b".into()];
        r.findings[0].location.path = "a/x.py".into();
        r.findings[1].location.path = "../b/y.yml".into();
        let v = to_sarif_in(&r, Path::new("/w/cwd"));
        assert_eq!(
            v["runs"][0]["originalUriBaseIds"],
            json!({
                "SRCROOT": { "uri": "file:///w/cwd/a/" },
                "SRCROOT2": { "uri": "file:///w/b/" },
            })
        );
        let a = artifacts(&v);
        assert_eq!(a[0], json!({ "uri": "x.py", "uriBaseId": "SRCROOT" }));
        assert_eq!(a[1], json!({ "uri": "y.yml", "uriBaseId": "SRCROOT2" }));

        r.findings[0].location.path = "src/old.py".into();
        r.findings[0].origin = Some(tollgate_model::Origin {
            commit: "0123abcd".into(),
            author: None,
            email: None,
            date: None,
            summary: None,
        });
        r.findings[1].location.path = "<stdin>".into();
        let a = artifacts(&to_sarif_in(&r, Path::new("/w/cwd")));
        assert_eq!(a[0], json!({ "uri": "src/old.py", "uriBaseId": "SRCROOT" }));
        assert_eq!(a[1], json!({ "uri": "%3Cstdin%3E" }));
    }
}
