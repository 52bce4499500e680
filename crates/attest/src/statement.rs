//! in-toto Statement v1 (https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md)
//! and the predicate type URIs tollgate writes.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tollgate_model::Digest;

/// Older `_type` still found in the wild (read only).
pub const STATEMENT_V01: &str = "https://in-toto.io/Statement/v0.1";
/// The statement and predicate type URIs: one definition, in `model`.
pub use tollgate_model::predicate::{
    APPROVAL_V1, CYCLONEDX_BOM, SCAN_REPORT_V1, SLSA_PROVENANCE_V1, SPDX_DOCUMENT, STATEMENT_V1,
    TEST_RESULT_V01,
};

#[derive(Debug, thiserror::Error)]
pub enum StatementError {
    #[error("statement is not valid JSON of the expected shape: {0}")]
    Json(String),
    #[error("unknown statement _type {0:?}")]
    Type(String),
    #[error("statement has no subject")]
    NoSubject,
    #[error("subject {0:?} has no digest")]
    NoDigest(String),
}

/// A resource descriptor subset used for subjects (name + digest set).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Algorithm name (`sha256`, `sha512`, `gitCommit`…) to lowercase hex.
    pub digest: BTreeMap<String, String>,
}

impl Subject {
    pub fn sha256(name: impl Into<String>, digest: &Digest) -> Subject {
        Subject {
            name: name.into(),
            digest: BTreeMap::from([("sha256".to_string(), digest.hex())]),
        }
    }

    /// Whether this subject names `digest` (case-insensitive hex).
    pub fn matches(&self, digest: &Digest) -> bool {
        self.digest
            .get("sha256")
            .is_some_and(|h| h.eq_ignore_ascii_case(&digest.hex()))
    }
}

/// An in-toto Statement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Statement {
    #[serde(rename = "_type")]
    pub type_: String,
    pub subject: Vec<Subject>,
    pub predicate_type: String,
    #[serde(default)]
    pub predicate: serde_json::Value,
}

impl Statement {
    /// A v1 Statement about `subjects`.
    pub fn new(subjects: Vec<Subject>, predicate_type: &str, predicate: serde_json::Value) -> Self {
        Statement {
            type_: STATEMENT_V1.to_string(),
            subject: subjects,
            predicate_type: predicate_type.to_string(),
            predicate,
        }
    }

    /// Parses and validates (known `_type`, at least one subject, every subject has a digest).
    pub fn from_json(bytes: &[u8]) -> Result<Self, StatementError> {
        let s: Statement =
            serde_json::from_slice(bytes).map_err(|e| StatementError::Json(e.to_string()))?;
        if s.type_ != STATEMENT_V1 && s.type_ != STATEMENT_V01 {
            return Err(StatementError::Type(s.type_));
        }
        if s.subject.is_empty() {
            return Err(StatementError::NoSubject);
        }
        if let Some(sub) = s.subject.iter().find(|x| x.digest.is_empty()) {
            return Err(StatementError::NoDigest(sub.name.clone()));
        }
        Ok(s)
    }

    /// Compact JSON (the DSSE payload).
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Whether any subject names `digest`.
    pub fn covers(&self, digest: &Digest) -> bool {
        self.subject.iter().any(|s| s.matches(digest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_and_validation() {
        let d = tollgate_model::sha256(b"x");
        let s = Statement::new(
            vec![Subject::sha256("x", &d)],
            TEST_RESULT_V01,
            serde_json::json!({"result":"PASSED"}),
        );
        let back = Statement::from_json(&s.to_json()).unwrap();
        assert_eq!(back, s);
        assert!(back.covers(&d));
        assert!(!back.covers(&tollgate_model::sha256(b"y")));
        assert!(matches!(
            Statement::from_json(br#"{"_type":"x","subject":[],"predicateType":"p"}"#),
            Err(StatementError::Type(_))
        ));
        assert!(matches!(
            Statement::from_json(
                br#"{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"p"}"#
            ),
            Err(StatementError::NoSubject)
        ));
    }
}
