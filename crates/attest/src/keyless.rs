//! Bundles made by others — keyless (Fulcio certificate + Rekor) and managed-key bundles with
//! transparency-log entries — verified offline with the `sigstore-verify` crate family against
//! an embedded (Sigstore public-good production) or given trusted root.

use sigstore_verify::trust_root::{SIGSTORE_PRODUCTION_TRUSTED_ROOT, TrustedRoot};
use sigstore_verify::types::{
    Artifact, ArtifactDigest, Bundle as SsBundle, DerPublicKey, Sha256Hash,
};
use sigstore_verify::{PublicKeyVerificationPolicy, VerificationPolicy, Verifier};
use tollgate_model::Digest;

/// What a certificate must say (cosign's `--certificate-identity` / `--certificate-oidc-issuer`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificatePolicy {
    pub identity: String,
    pub issuer: String,
}

#[derive(Debug, thiserror::Error)]
pub enum KeylessError {
    #[error("trusted root is invalid: {0}")]
    TrustedRoot(String),
    #[error("bundle rejected by sigstore-verify parser: {0}")]
    Parse(String),
    #[error("sigstore verification failed: {0}")]
    Verify(String),
}

/// The trusted root: `json` if given, else the embedded Sigstore production root.
pub fn trusted_root(json: Option<&str>) -> Result<TrustedRoot, KeylessError> {
    TrustedRoot::from_json(json.unwrap_or(SIGSTORE_PRODUCTION_TRUSTED_ROOT))
        .map_err(|e| KeylessError::TrustedRoot(e.to_string()))
}

/// What sigstore-verify established.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Certificate SAN (keyless).
    pub identity: Option<String>,
    pub issuer: Option<String>,
    pub certificate_verified: bool,
    pub tlog_verified: bool,
    pub sct_verified: bool,
    /// Authenticated signing time (Rekor integrated time or RFC 3161), Unix seconds.
    pub signed_at: Option<i64>,
}

/// The artifact as sigstore-verify wants it.
pub enum Subject<'a> {
    Bytes(&'a [u8]),
    Digest(Digest),
}

fn artifact<'a>(s: &Subject<'a>) -> Artifact<'a> {
    match s {
        Subject::Bytes(b) => Artifact::from_blob(b),
        Subject::Digest(d) => Artifact::from_digest(ArtifactDigest::sha256(Sha256Hash::new(d.0))),
    }
}

fn outcome(r: &sigstore_verify::VerificationResult) -> Outcome {
    Outcome {
        identity: r.identity().map(|i| i.to_string()),
        issuer: r.issuer().map(str::to_string),
        certificate_verified: r.certificate_verified(),
        tlog_verified: r.tlog_verified(),
        sct_verified: r.sct_verified(),
        signed_at: r
            .integrated_time()
            .or_else(|| r.verified_timestamps().first().copied())
            .map(|t| t.as_second()),
    }
}

/// Verifies a certificate-signed bundle (identity and issuer must match exactly).
pub fn verify_certificate_bundle(
    bundle_json: &str,
    subject: &Subject,
    policy: &CertificatePolicy,
    root: &TrustedRoot,
) -> Result<Outcome, KeylessError> {
    let bundle =
        SsBundle::from_json(bundle_json).map_err(|e| KeylessError::Parse(e.to_string()))?;
    let verifier = Verifier::new(root).map_err(|e| KeylessError::TrustedRoot(e.to_string()))?;
    let p = VerificationPolicy::any_identity()
        .require_identity(policy.identity.as_str())
        .require_issuer(policy.issuer.as_str());
    let r = verifier
        .verify(artifact(subject), &bundle, &p)
        .map_err(|e| KeylessError::Verify(e.to_string()))?;
    Ok(outcome(&r))
}

/// Verifies a managed-key bundle that carries transparency-log entries (cosign `--key`
/// bundles): signature with `spki_der`, log inclusion against `root`.
pub fn verify_key_bundle_with_tlog(
    bundle_json: &str,
    subject: &Subject,
    spki_der: &[u8],
    root: &TrustedRoot,
) -> Result<Outcome, KeylessError> {
    let bundle =
        SsBundle::from_json(bundle_json).map_err(|e| KeylessError::Parse(e.to_string()))?;
    let verifier = Verifier::new(root).map_err(|e| KeylessError::TrustedRoot(e.to_string()))?;
    let p = PublicKeyVerificationPolicy::new(DerPublicKey::new(spki_der.to_vec()));
    let r = verifier
        .verify(artifact(subject), &bundle, &p)
        .map_err(|e| KeylessError::Verify(e.to_string()))?;
    Ok(outcome(&r))
}
