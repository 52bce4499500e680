//! `tollgate.evidence/v1`: the one JSON document a gate policy reads (`input` in Rego).
//!
//! It is assembled for ONE artifact digest and ONE target environment from tollgate reports,
//! verified attestations, SARIF from other tools, approvals and exceptions. Facts that need
//! cryptography or the exceptions table (is this approval valid? does this exception still
//! apply?) are settled in Rust before evaluation and written into the document, so a policy
//! only counts and compares. The schema is documented in `docs/evidence-v1.md`.

use serde::{Deserialize, Serialize};
use tollgate_config::Exception;

pub const SCHEMA: &str = "tollgate.evidence/v1";

/// The gate's input document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub schema: String,
    pub artifact: Artifact,
    pub environment: EnvironmentInput,
    /// Evaluation time, RFC 3339 UTC.
    pub time: String,
    #[serde(default)]
    pub change: Change,
    /// `sha256:` of the Rego policy being evaluated (approvals are bound to it).
    pub policy_digest: String,
    /// Names of the scans that ran on this change (tollgate scanners and SARIF tools).
    #[serde(default)]
    pub scans: Vec<String>,
    #[serde(default)]
    pub findings: Vec<FindingInput>,
    #[serde(default)]
    pub attestations: Vec<AttestationInput>,
    #[serde(default)]
    pub approvals: Vec<ApprovalInput>,
    /// Distinct identities whose approvals count (settled by the approval rules).
    #[serde(default)]
    pub approvals_counted: usize,
    /// Every `[[exceptions]]` entry, with its state on `time`.
    #[serde(default)]
    pub exceptions: Vec<ExceptionInput>,
    /// Problems met while assembling (unreadable file, bundle that did not verify…).
    #[serde(default)]
    pub warnings: Vec<String>,
    /// Malformed evidence (bad JSON, bad SARIF, unreadable report): the gate denies while any
    /// is present, whatever the policy says.
    #[serde(default)]
    pub errors: Vec<String>,
    /// Where the signers, approvers, environments, exceptions and policy came from.
    #[serde(default)]
    pub trust: TrustInput,
    /// What the released change suppressed in its own scan (inline allows, excluded paths).
    #[serde(default)]
    pub source_suppressions: SourceSuppressions,
    /// Files of the evidence folder that are not evidence (keys, a trusted root, unsigned
    /// reports): listed, never trusted.
    #[serde(default)]
    pub notes: Vec<String>,
    /// Conditions under which the gate refuses whatever the policy says (trust read from the
    /// change under review where the environment requires external trust, an unknown author
    /// where approvals are required, suppressions the environment refuses).
    #[serde(default)]
    pub refusals: Vec<String>,
}

/// Where the gate's trust configuration came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustInput {
    /// `--trust FILE`, `TOLLGATE_TRUST`, `[trust] file`, `source-tree` or `none`, with the path.
    pub source: String,
    /// True when the trust file lives outside the source tree being released, so the change
    /// under review could not rewrite it.
    pub external: bool,
}

/// Suppressions that the released change applied to its own scan, read from the signed scan
/// attestation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceSuppressions {
    /// Findings hidden by `tollgate: allow` comments in the source.
    pub inline: usize,
    /// `[scan] exclude` patterns of the configuration the scan used.
    #[serde(default)]
    pub excluded: Vec<String>,
    /// The configuration file the scan used, when it was read from the source tree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Artifact {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `sha256:<hex>`.
    pub digest: String,
}

/// The target environment and its rules (from `[environments.NAME]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnvironmentInput {
    pub name: String,
    /// Checks this environment needs: `scans`, `findings`, `signature`, `provenance`, `sbom`,
    /// `approvals`.
    pub require: Vec<String>,
    /// Distinct approvals needed.
    pub approvals: usize,
    /// Scans that must have run (for `scans`).
    pub required_scans: Vec<String>,
    /// Allowed SLSA builder ids (for `provenance`). Empty: any builder.
    #[serde(default)]
    pub builders: Vec<String>,
    /// Allowed source URI prefixes (for `provenance`). Empty: any source.
    #[serde(default)]
    pub sources: Vec<String>,
    /// Lowest severity that blocks (for `findings`): `high` by default.
    pub block_on: String,
    /// `external` when the environment accepts trust only from outside the released tree.
    #[serde(default)]
    pub trust: String,
}

/// Who made, committed and triggered the change: these identities never approve it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub committer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub triggerer: Option<String>,
}

impl Change {
    /// The identities of the change (never approvers of it).
    pub fn identities(&self) -> impl Iterator<Item = &str> {
        [&self.author, &self.committer, &self.triggerer]
            .into_iter()
            .filter_map(|x| x.as_deref())
    }
}

/// One finding, from a tollgate report or converted from SARIF.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingInput {
    pub rule: String,
    pub severity: String,
    pub confidence: String,
    pub message: String,
    pub path: String,
    pub fingerprint: String,
    /// `tollgate` or `sarif:<tool>`.
    pub source: String,
    /// The exception that covers it now (it does not count), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exception: Option<ExceptionRef>,
    /// An exception that covered it but expired (it counts again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expired_exception: Option<ExceptionRef>,
    /// Suppressed in the source by an inline allow comment or a VEX statement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExceptionRef {
    pub owner: String,
    pub reason: String,
    pub expires: String,
}

/// A bundle that was checked by the [`crate::BundleVerifier`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttestationInput {
    /// The evidence file it came from.
    pub file: String,
    pub verified: bool,
    /// `signer` or `approver`: which trust table the key came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// in-toto predicate type; absent for a plain artifact signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate_type: Option<String>,
    /// The in-toto Statement (verified attestations only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<serde_json::Value>,
    /// Checks that passed (`signature`, `subject`, `tlog`…).
    #[serde(default)]
    pub checks: Vec<String>,
    /// Why it did not verify.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One approval and whether it counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalInput {
    pub file: String,
    /// The identity whose key signed it (empty when the signature did not verify).
    pub identity: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    pub counted: bool,
    /// Why it does not count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One `[[exceptions]]` entry and its state at evaluation time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExceptionInput {
    #[serde(flatten)]
    pub exception: Exception,
    pub expired: bool,
    /// Days since `created` (absent when unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_days: Option<i64>,
}

/// The subset of the document the default policy needs to be meaningful; used by tests and
/// by `policy eval` to reject a document that is not evidence.
pub fn parse(bytes: &[u8]) -> Result<Evidence, String> {
    let e: Evidence = serde_json::from_slice(bytes).map_err(|e| {
        format!(
            "not a tollgate evidence document (line {}, column {}): {e}",
            e.line(),
            e.column()
        )
    })?;
    if e.schema != SCHEMA {
        return Err(format!(
            "unsupported evidence schema {:?} (this tollgate reads {SCHEMA})",
            e.schema
        ));
    }
    Ok(e)
}
