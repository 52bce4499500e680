//! VEX: OpenVEX documents and CycloneDX VEX (`vulnerabilities[].analysis`). Only
//! `not_affected` statements suppress a finding; their justification becomes the reason.

use serde_json::Value;
use std::path::Path;

#[derive(Debug, Clone)]
struct Statement {
    ids: Vec<String>,
    /// purls; one without a version covers every version.
    products: Vec<String>,
    reason: String,
}

/// The `not_affected` statements of every VEX document loaded.
#[derive(Debug, Default, Clone)]
pub struct VexSet {
    statements: Vec<Statement>,
}

#[derive(Debug, thiserror::Error)]
pub enum VexError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("line {line}, column {column}: {message}")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("neither an OpenVEX document nor CycloneDX with vulnerabilities")]
    Unknown,
}

fn strs(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| match x {
                Value::String(s) => Some(s.clone()),
                Value::Object(_) => x
                    .get("@id")
                    .or_else(|| x.get("ref"))
                    .or_else(|| x.get("name"))
                    .and_then(Value::as_str)
                    .map(str::to_string),
                _ => None,
            })
            .collect(),
        Some(Value::Object(_)) => v
            .and_then(|o| o.get("@id").or_else(|| o.get("name")))
            .and_then(Value::as_str)
            .map(|s| vec![s.to_string()])
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

impl VexSet {
    pub fn load(&mut self, path: &Path) -> Result<(), VexError> {
        let bytes = std::fs::read(path)?;
        self.load_bytes(&bytes)
    }

    pub fn load_bytes(&mut self, bytes: &[u8]) -> Result<(), VexError> {
        let doc: Value = serde_json::from_slice(bytes).map_err(|e| VexError::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        if let Some(stmts) = doc.get("statements").and_then(Value::as_array) {
            for s in stmts {
                if s.get("status").and_then(Value::as_str) != Some("not_affected") {
                    continue;
                }
                let vuln = s.get("vulnerability");
                let mut ids = strs(vuln);
                if let Some(v) = vuln {
                    ids.extend(strs(v.get("aliases")));
                }
                let mut products = strs(s.get("products"));
                // OpenVEX subcomponents name the package inside a product
                if let Some(ps) = s.get("products").and_then(Value::as_array) {
                    for p in ps {
                        products.extend(strs(p.get("subcomponents")));
                    }
                }
                let reason = [
                    s.get("justification").and_then(Value::as_str),
                    s.get("impact_statement").and_then(Value::as_str),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(": ");
                self.statements.push(Statement {
                    ids,
                    products,
                    reason: format!("VEX not_affected ({reason})"),
                });
            }
            return Ok(());
        }
        if let Some(vulns) = doc.get("vulnerabilities").and_then(Value::as_array) {
            for v in vulns {
                let a = v.get("analysis");
                if a.and_then(|a| a.get("state")).and_then(Value::as_str) != Some("not_affected") {
                    continue;
                }
                let mut ids = strs(v.get("id"));
                if let Some(refs) = v.get("references").and_then(Value::as_array) {
                    ids.extend(
                        refs.iter()
                            .filter_map(|r| r.get("id")?.as_str().map(str::to_string)),
                    );
                }
                let products = strs(v.get("affects"));
                let reason = [
                    a.and_then(|a| a.get("justification"))
                        .and_then(Value::as_str),
                    a.and_then(|a| a.get("detail")).and_then(Value::as_str),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(": ");
                self.statements.push(Statement {
                    ids,
                    products,
                    reason: format!("VEX not_affected ({reason})"),
                });
            }
            return Ok(());
        }
        Err(VexError::Unknown)
    }

    /// The reason when a statement says `purl` is not affected by any of `ids`.
    pub fn not_affected(&self, ids: &[String], purl: &str) -> Option<String> {
        // A statement about `pkg:gem/nokogiri@1.13.10` covers its platform builds
        // (`…@1.13.10?platform=x86_64-linux`): compare without qualifiers.
        let purl = purl.split(['?', '#']).next().unwrap_or(purl);
        let base = purl.split('@').next().unwrap_or(purl);
        self.statements
            .iter()
            .find(|s| {
                s.ids.iter().any(|i| ids.contains(i))
                    && s.products.iter().any(|p| p == purl || p == base)
            })
            .map(|s| s.reason.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openvex_and_cyclonedx() {
        let mut v = VexSet::default();
        v.load_bytes(br#"{"@context":"https://openvex.dev/ns/v0.2.0","statements":[
            {"vulnerability":{"name":"CVE-2023-32681"},"products":[{"@id":"pkg:pypi/requests@2.25.0"}],
             "status":"not_affected","justification":"vulnerable_code_not_in_execute_path"},
            {"vulnerability":{"name":"CVE-1"},"products":[{"@id":"pkg:pypi/requests"}],"status":"affected"}]}"#).unwrap();
        v.load_bytes(br#"{"bomFormat":"CycloneDX","specVersion":"1.6","vulnerabilities":[
            {"id":"RUSTSEC-2024-0003","analysis":{"state":"not_affected","justification":"code_not_reachable"},
             "affects":[{"ref":"pkg:cargo/h2"}]}]}"#).unwrap();
        let ids = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(
            v.not_affected(
                &ids(&["PYSEC-x", "CVE-2023-32681"]),
                "pkg:pypi/requests@2.25.0"
            )
            .unwrap()
            .contains("vulnerable_code_not_in_execute_path")
        );
        assert!(
            v.not_affected(&ids(&["CVE-1"]), "pkg:pypi/requests@2.25.0")
                .is_none()
        );
        assert!(
            v.not_affected(&ids(&["RUSTSEC-2024-0003"]), "pkg:cargo/h2@0.3.0")
                .is_some()
        );
        assert!(
            v.not_affected(&ids(&["RUSTSEC-2024-0003"]), "pkg:cargo/h3@0.3.0")
                .is_none()
        );
        assert!(v.load_bytes(b"{}").is_err());
    }
}
