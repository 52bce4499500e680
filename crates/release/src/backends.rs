//! The attest crate behind the policy crate's seams: bundle verification against the trust
//! tables, and signing of approvals and verification summaries.

use crate::error::{ReleaseError, Result};
use tollgate_attest::keys::{self, KeySource, Signer};
use tollgate_attest::trust::TrustStore;
use tollgate_attest::verify::{ArtifactRef, Requirements, Status, Trust, verify_bundle};
use tollgate_model::Digest;
use tollgate_policy::{ApprovalSigner, BundleVerifier, TrustRole, VerifiedBundle};

/// Loads a private key: a PEM file, or `env://VAR`.
pub fn load_signer(spec: &str) -> Result<Box<dyn Signer>> {
    keys::load_signer(&KeySource::parse(spec)).map_err(|e| ReleaseError::Key {
        spec: spec.to_string(),
        message: e.to_string(),
    })
}

/// Bundles verify against `[[signers]]`, approval attestations against `[[approvers]]`.
pub struct AttestVerifier {
    pub store: TrustStore,
    /// The configured log's trusted root (None: the Sigstore public-good root).
    pub trusted_root_json: Option<String>,
}

impl BundleVerifier for AttestVerifier {
    fn verify(&self, bundle: &[u8], artifact: &Digest) -> Result<VerifiedBundle, String> {
        let art = ArtifactRef::parse(&artifact.to_string());
        let mut reasons = Vec::new();
        for (trust, role) in [
            (Trust::store(self.store.clone()), TrustRole::Signer),
            (Trust::approvers(self.store.clone()), TrustRole::Approver),
        ] {
            let trust = Trust {
                trusted_root_json: self.trusted_root_json.clone(),
                ..trust
            };
            match verify_bundle(bundle, &art, &trust, &Requirements::default()) {
                Ok(v) if v.ok() => {
                    return Ok(VerifiedBundle {
                        identity: v.signer.identity.clone().unwrap_or_default(),
                        key_id: v.signer.key_id.clone().unwrap_or_default(),
                        trust: role,
                        predicate_type: v.predicate_type().map(str::to_string),
                        statement: v
                            .statement
                            .as_ref()
                            .and_then(|s| serde_json::from_slice(&s.to_json()).ok()),
                        checks: v
                            .checks
                            .iter()
                            .filter(|c| c.status == Status::Passed)
                            .map(|c| c.name.clone())
                            .collect(),
                    });
                }
                Ok(v) => reasons.push(format!(
                    "{}: {}",
                    role.as_str(),
                    v.checks
                        .iter()
                        .filter(|c| c.status == Status::Failed)
                        .map(|c| format!("{}: {}", c.name, c.detail))
                        .collect::<Vec<_>>()
                        .join("; ")
                )),
                Err(e) => reasons.push(format!("{}: {e}", role.as_str())),
            }
        }
        Err(reasons.join(" | "))
    }
}

/// Signs statements with the attest crate (DSSE in a Sigstore bundle).
pub struct AttestSigner {
    pub signer: Box<dyn Signer>,
}

impl ApprovalSigner for AttestSigner {
    fn sign(&self, statement: &serde_json::Value) -> Result<Vec<u8>, String> {
        let bytes = serde_json::to_vec(statement).map_err(|e| e.to_string())?;
        let st =
            tollgate_attest::statement::Statement::from_json(&bytes).map_err(|e| e.to_string())?;
        let bundle = tollgate_attest::attest_statement(self.signer.as_ref(), st)
            .map_err(|e| e.to_string())?;
        Ok(bundle.to_json().into_bytes())
    }
}
