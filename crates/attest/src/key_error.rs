//! The error of key handling ([`KeyError`]). It sits below the `keys` module (PEM files,
//! signing, verification) and the `pbes2` module (encrypted PKCS#8), which both return it.

use std::path::PathBuf;

/// Environment variable holding the private-key password.
pub const PASSWORD_ENV: &str = "TOLLGATE_KEY_PASSWORD";

/// Errors about keys and signatures.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{0} is a symbolic link: a private key is never written through one (remove the link or \
         choose another folder)"
    )]
    Symlink(PathBuf),
    #[error(
        "the password is empty: give a non-empty one in {PASSWORD_ENV} or at the prompt (or \
         write the key --unencrypted, owner-only)"
    )]
    EmptyPassword,
    #[error("not a PEM document: {0}")]
    Pem(String),
    #[error("unexpected PEM label {found:?} (expected {expected})")]
    Label {
        found: String,
        expected: &'static str,
    },
    #[error("malformed key DER: {0}")]
    Der(String),
    #[error("unsupported key algorithm {0} (supported: ECDSA P-256, Ed25519)")]
    Unsupported(String),
    #[error("the key is encrypted: a password is needed (set {PASSWORD_ENV})")]
    PasswordNeeded,
    #[error("wrong password or corrupted encrypted key")]
    Decrypt,
    #[error(
        "no password: set {PASSWORD_ENV} (standard input is not a terminal, so tollgate cannot prompt)"
    )]
    NoPassword,
    #[error("passwords do not match")]
    PasswordMismatch,
    #[error("key rejected by the crypto backend: {0}")]
    Rejected(String),
    #[error("environment variable {0} is not set or not valid UTF-8")]
    Env(String),
    #[error("signing failed")]
    Sign,
    #[error("signature does not verify with key {key_id}")]
    BadSignature { key_id: String },
    #[error("signature is malformed: {0}")]
    MalformedSignature(String),
}
