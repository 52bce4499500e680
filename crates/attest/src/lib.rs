//! Release integrity for tollgate: signing keys, DSSE envelopes, in-toto Statements, Sigstore
//! bundles, predicates (SLSA provenance, SBOM, test results, scan reports, approvals) and
//! verification of our bundles and of bundles made by other Sigstore clients.
//!
//! Wire formats are the ecosystem's own: Sigstore bundle v0.3 JSON, DSSE v1, in-toto
//! Statement v1, SLSA provenance v1, in-toto test-result v0.1, PKCS#8/SPKI PEM. Cryptography
//! is aws-lc-rs only.
//!
//! ```no_run
//! use tollgate_attest::{keys::{KeyAlgorithm, PrivateKey}, attest_statement, statement::*};
//! let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
//! let digest = tollgate_model::sha256(b"artifact");
//! let bundle = attest_statement(
//!     &key,
//!     Statement::new(vec![Subject::sha256("app.tar.gz", &digest)], TEST_RESULT_V01,
//!                    serde_json::json!({"result": "PASSED"})),
//! ).unwrap();
//! println!("{}", bundle.to_json());
//! ```

pub mod bundle;
pub mod dsse;
pub mod ecdsa;
pub mod hash;
pub mod key_error;
pub mod keyless;
pub mod keys;
pub mod pbes2;
pub mod predicates;
pub mod statement;
pub mod tlog;
pub mod trust;
pub mod verify;

pub use bundle::{Bundle, BundleError};
pub use keys::{KeyAlgorithm, KeyError, KeySource, PrivateKey, PublicKey, Signer};
pub use statement::{Statement, Subject};
pub use trust::{TrustStore, TrustedKey};
pub use verify::{
    ArtifactRef, Check, ReleaseVerification, Requirements, Status, Trust, Verified, VerifyError,
    verify_bundle, verify_release,
};

use std::path::Path;
use tollgate_model::Digest;

/// File name suffix of a single bundle (what cosign and GitHub use).
pub const BUNDLE_SUFFIX: &str = ".sigstore.json";
/// File name suffix of a collection of bundles, one JSON document per line.
pub const JSONL_SUFFIX: &str = ".intoto.jsonl";

#[derive(Debug, thiserror::Error)]
pub enum AttestError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Bundle(#[from] BundleError),
    #[error(transparent)]
    Dsse(#[from] dsse::DsseError),
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error("transparency log: {0}")]
    Log(String),
}

/// Signs an artifact file: streams it for the digest (ECDSA signs the digest; Ed25519 reads
/// the file into memory because it signs the message itself).
pub fn sign_file(signer: &dyn Signer, path: &Path) -> Result<(Digest, Bundle), AttestError> {
    let io = |source| AttestError::Io {
        path: path.to_path_buf(),
        source,
    };
    let digest = hash::sha256_file(path).map_err(io)?;
    let bundle = match Bundle::sign_message(signer, &digest, None) {
        Ok(b) => b,
        Err(BundleError::Key(KeyError::Unsupported(_))) => {
            let bytes = std::fs::read(path).map_err(io)?;
            Bundle::sign_message(signer, &digest, Some(&bytes))?
        }
        Err(e) => return Err(e.into()),
    };
    Ok((digest, bundle))
}

/// Signs `statement` in a DSSE envelope (keyid set, ECDSA as DER) inside a bundle.
pub fn attest_statement(signer: &dyn Signer, statement: Statement) -> Result<Bundle, AttestError> {
    let env = dsse::Envelope::sign(dsse::INTOTO_PAYLOAD_TYPE, statement.to_json(), signer)?;
    Ok(Bundle::from_envelope(signer, env))
}

/// A transparency log that logs a signature's Rekor body and returns the entry to embed
/// (`verificationMaterial.tlogEntries[]`: index, log id, kind/version, integrated time,
/// inclusion proof with its signed checkpoint, signed entry timestamp, canonicalized body).
///
/// The `ledger` crate implements this; `tollgate sign`/`attest`/`release` call
/// [`append_to_log`] after signing when a log is configured.
pub trait TransparencyLog {
    fn append_body(&mut self, body: &tlog::LogBody) -> Result<serde_json::Value, String>;
}

/// Logs `bundle` (its signature made with `key`) and embeds the returned entry.
pub fn append_to_log(
    log: &mut dyn TransparencyLog,
    bundle: &mut Bundle,
    key: &PublicKey,
) -> Result<(), AttestError> {
    let body = tlog::log_body(bundle, key)?;
    let entry = log.append_body(&body).map_err(AttestError::Log)?;
    bundle.tlog_entries.push(entry);
    Ok(())
}

/// Splits a bundle file: one JSON document, or `.intoto.jsonl` with one per line.
pub fn split_bundles(text: &[u8]) -> Vec<Vec<u8>> {
    let trimmed = text.trim_ascii();
    if trimmed.starts_with(b"{") && serde_json::from_slice::<serde_json::Value>(trimmed).is_ok() {
        return vec![trimmed.to_vec()];
    }
    trimmed
        .split(|b| *b == b'\n')
        .map(<[u8]>::trim_ascii)
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}
