//! `https://tollgate.dev/attestation/approval/v1`: a person approved deploying an artifact to an
//! environment under a policy, until an expiry. The Statement's subject is the artifact; the
//! predicate repeats its digest so the approval is unambiguous on its own.
//!
//! ```json
//! {
//!   "artifact": {"digest": {"sha256": "<hex>"}, "name": "app.tar.gz"},
//!   "environment": "production",
//!   "approver": {"identity": "alice@example.com"},
//!   "policyDigest": {"sha256": "<hex>"},
//!   "approvedOn": "2026-01-02T03:04:05Z",
//!   "expiresOn": "2026-01-03T03:04:05Z",
//!   "comment": "hotfix for INC-42"
//! }
//! ```
//! The approver's key must be listed in `[[approvers]]`; the gate checks that the approver is
//! not the author of the change and that `approvedOn <= now < expiresOn`.

use super::{parse_rfc3339, rfc3339};
use serde_json::{Value, json};
use time::OffsetDateTime;
use tollgate_model::Digest;

#[derive(Debug, thiserror::Error)]
pub enum ApprovalError {
    #[error("approval predicate field {0} is missing or malformed")]
    Field(&'static str),
    #[error("approval expires before it was given")]
    Window,
}

/// A deployment approval.
#[derive(Debug, Clone, PartialEq)]
pub struct Approval {
    pub artifact: Digest,
    pub artifact_name: Option<String>,
    pub environment: String,
    pub approver: String,
    pub policy_digest: Option<Digest>,
    pub approved_on: OffsetDateTime,
    pub expires_on: OffsetDateTime,
    pub comment: Option<String>,
}

impl Approval {
    pub fn to_predicate(&self) -> Value {
        let mut v = json!({
            "artifact": {"digest": {"sha256": self.artifact.hex()}},
            "environment": self.environment,
            "approver": {"identity": self.approver},
            "approvedOn": rfc3339(self.approved_on),
            "expiresOn": rfc3339(self.expires_on),
        });
        if let Some(n) = &self.artifact_name {
            v["artifact"]["name"] = json!(n);
        }
        if let Some(p) = &self.policy_digest {
            v["policyDigest"] = json!({"sha256": p.hex()});
        }
        if let Some(c) = &self.comment {
            v["comment"] = json!(c);
        }
        v
    }

    pub fn from_predicate(v: &Value) -> Result<Approval, ApprovalError> {
        let s = |p: &str| v.pointer(p).and_then(Value::as_str);
        let digest = |p: &str, f: &'static str| -> Result<Digest, ApprovalError> {
            s(p).and_then(|h| h.parse().ok())
                .ok_or(ApprovalError::Field(f))
        };
        let artifact = digest("/artifact/digest/sha256", "artifact.digest.sha256")?;
        let policy_digest = match v.get("policyDigest") {
            None => None,
            Some(_) => Some(digest("/policyDigest/sha256", "policyDigest.sha256")?),
        };
        let time =
            |p: &str, f: &'static str| s(p).and_then(parse_rfc3339).ok_or(ApprovalError::Field(f));
        let a = Approval {
            artifact,
            artifact_name: s("/artifact/name").map(str::to_string),
            environment: s("/environment")
                .ok_or(ApprovalError::Field("environment"))?
                .to_string(),
            approver: s("/approver/identity")
                .ok_or(ApprovalError::Field("approver.identity"))?
                .to_string(),
            policy_digest,
            approved_on: time("/approvedOn", "approvedOn")?,
            expires_on: time("/expiresOn", "expiresOn")?,
            comment: s("/comment").map(str::to_string),
        };
        if a.expires_on <= a.approved_on {
            return Err(ApprovalError::Window);
        }
        Ok(a)
    }

    /// Whether the approval is in force at `now`.
    pub fn in_force(&self, now: OffsetDateTime) -> bool {
        self.approved_on <= now && now < self.expires_on
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn roundtrip() {
        let a = Approval {
            artifact: tollgate_model::sha256(b"a"),
            artifact_name: Some("a".into()),
            environment: "production".into(),
            approver: "alice@example.com".into(),
            policy_digest: Some(tollgate_model::sha256(b"p")),
            approved_on: time::macros::datetime!(2026-01-02 03:04:05 UTC),
            expires_on: time::macros::datetime!(2026-01-03 03:04:05 UTC),
            comment: None,
        };
        let v = a.to_predicate();
        assert_eq!(v["approvedOn"], "2026-01-02T03:04:05Z");
        assert_eq!(Approval::from_predicate(&v).unwrap(), a);
        assert!(a.in_force(time::macros::datetime!(2026-01-02 12:00 UTC)));
        assert!(!a.in_force(time::macros::datetime!(2026-01-03 03:04:05 UTC)));
        let mut bad = v.clone();
        bad["expiresOn"] = "2026-01-01T00:00:00Z".into();
        assert!(matches!(
            Approval::from_predicate(&bad),
            Err(ApprovalError::Window)
        ));
        assert!(Approval::from_predicate(&serde_json::json!({})).is_err());
    }
}
