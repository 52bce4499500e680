//! in-toto predicate type URIs and the predicates tollgate itself defines.
//!
//! One name, one shape: every part of tollgate (attest writes, policy reads, the docs and the
//! JSON Schemas under `schemas/`) refers to these.

use serde::{Deserialize, Serialize};

/// `_type` of an in-toto Statement v1.
pub const STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";
/// SLSA provenance v1.
pub const SLSA_PROVENANCE_V1: &str = "https://slsa.dev/provenance/v1";
/// SLSA verification summary v1 (what `gate --key` signs).
pub const SLSA_VSA_V1: &str = "https://slsa.dev/verification_summary/v1";
/// in-toto test-result v0.1.
pub const TEST_RESULT_V01: &str = "https://in-toto.io/attestation/test-result/v0.1";
/// CycloneDX SBOM (any spec version; the document says which).
pub const CYCLONEDX_BOM: &str = "https://cyclonedx.org/bom";
/// SPDX 2.x SBOM.
pub const SPDX_DOCUMENT: &str = "https://spdx.dev/Document";
/// tollgate scan report (`schemas/scan-report-v1.schema.json`).
pub const SCAN_REPORT_V1: &str = "https://tollgate.dev/attestation/scan-report/v1";
/// tollgate deployment approval (`schemas/approval-v1.schema.json`, [`ApprovalPredicate`]).
pub const APPROVAL_V1: &str = "https://tollgate.dev/attestation/approval/v1";

/// The predicate of an approval: `approver` approves the Statement's subject (the artifact
/// digest) for `environment` under the gate policy whose digest is `policyDigest`.
///
/// ```json
/// {"environment": "prod", "approver": "alice", "policyDigest": "sha256:…",
///  "approvedAt": "2026-12-05T10:00:00Z", "comment": "…"}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApprovalPredicate {
    pub environment: String,
    /// The approver's identity, as listed in `[[approvers]]`; must match the signing key's.
    pub approver: String,
    /// `sha256:<hex>` of the gate policy the approver saw.
    pub policy_digest: String,
    /// RFC 3339 UTC.
    pub approved_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn approval_shape_is_strict() {
        let p: ApprovalPredicate = serde_json::from_str(
            r#"{"environment":"prod","approver":"alice","policyDigest":"sha256:00","approvedAt":"2026-12-05T10:00:00Z"}"#,
        )
        .unwrap();
        assert_eq!(p.approver, "alice");
        // The other shape that once shared the name is refused.
        assert!(serde_json::from_str::<ApprovalPredicate>(
            r#"{"environment":"prod","approver":{"identity":"alice"},"policyDigest":"sha256:00","approvedOn":"2026-12-05T10:00:00Z"}"#
        )
        .is_err());
    }
}
