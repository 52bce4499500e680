//! Who is trusted: `[[signers]]` and `[[approvers]]` of tollgate.toml (or a `--trust FILE` of
//! the same shape), each an identity, a SPKI PEM public key (path relative to the file) and an
//! optional validity window, so keys rotate without breaking old releases.

use crate::keys::{KeyError, PublicKey};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use tollgate_config::{Config, Date, TrustEntry};

#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("cannot read trust file {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{role} {identity:?}: key {path}: {source}")]
    Key {
        role: Role,
        identity: String,
        path: PathBuf,
        #[source]
        source: KeyError,
    },
    #[error("{role} {identity:?}: valid-from {from} is after valid-until {until}")]
    Window {
        role: Role,
        identity: String,
        from: Date,
        until: Date,
    },
}

/// Which list an entry belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Role {
    #[default]
    Signer,
    Approver,
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Role::Signer => "signer",
            Role::Approver => "approver",
        })
    }
}

/// One trusted key.
#[derive(Debug, Clone)]
pub struct TrustedKey {
    pub identity: String,
    pub role: Role,
    pub key: PublicKey,
    pub valid_from: Option<Date>,
    pub valid_until: Option<Date>,
}

impl TrustedKey {
    /// Whether `on` falls inside the validity window (both ends inclusive).
    pub fn valid_on(&self, on: Date) -> bool {
        self.valid_from.is_none_or(|f| on >= f) && self.valid_until.is_none_or(|u| on <= u)
    }
}

/// Why a key is not trusted for a use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Untrusted {
    #[error("key {key_id} is not among the trusted {role}s")]
    Unknown { role: Role, key_id: String },
    #[error("key {key_id} of {identity:?} is not valid on {on} (window {window})")]
    OutsideWindow {
        identity: String,
        key_id: String,
        on: Date,
        window: String,
    },
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct TrustFile {
    #[serde(default)]
    signers: Vec<TrustEntry>,
    #[serde(default)]
    approvers: Vec<TrustEntry>,
}

/// Trusted signers and approvers.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    pub signers: Vec<TrustedKey>,
    pub approvers: Vec<TrustedKey>,
}

impl TrustStore {
    /// From entry lists; key paths are resolved against `base_dir`.
    pub fn from_entries(
        signers: &[TrustEntry],
        approvers: &[TrustEntry],
        base_dir: &Path,
    ) -> Result<TrustStore, TrustError> {
        let load = |e: &TrustEntry, role: Role| -> Result<TrustedKey, TrustError> {
            let path = base_dir.join(&e.key);
            let key = PublicKey::read(&path).map_err(|source| TrustError::Key {
                role,
                identity: e.identity.clone(),
                path: path.clone(),
                source,
            })?;
            if let (Some(from), Some(until)) = (e.valid_from, e.valid_until)
                && from > until
            {
                return Err(TrustError::Window {
                    role,
                    identity: e.identity.clone(),
                    from,
                    until,
                });
            }
            Ok(TrustedKey {
                identity: e.identity.clone(),
                role,
                key,
                valid_from: e.valid_from,
                valid_until: e.valid_until,
            })
        };
        Ok(TrustStore {
            signers: signers
                .iter()
                .map(|e| load(e, Role::Signer))
                .collect::<Result<_, _>>()?,
            approvers: approvers
                .iter()
                .map(|e| load(e, Role::Approver))
                .collect::<Result<_, _>>()?,
        })
    }

    /// From a loaded tollgate.toml (keys relative to its folder).
    pub fn from_config(config: &Config) -> Result<TrustStore, TrustError> {
        Self::from_entries(&config.signers, &config.approvers, &config.base_dir())
    }

    /// From a `--trust FILE`: TOML with `[[signers]]` / `[[approvers]]` tables only.
    pub fn load_file(path: &Path) -> Result<TrustStore, TrustError> {
        let text = std::fs::read_to_string(path).map_err(|source| TrustError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let file: TrustFile = toml::from_str(&text).map_err(|e| TrustError::Parse {
            path: path.to_path_buf(),
            message: e.to_string().trim_end().to_string(),
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        Self::from_entries(&file.signers, &file.approvers, base)
    }

    /// A store with one signer key (`verify --key`).
    pub fn single_signer(identity: impl Into<String>, key: PublicKey) -> TrustStore {
        TrustStore {
            signers: vec![TrustedKey {
                identity: identity.into(),
                role: Role::Signer,
                key,
                valid_from: None,
                valid_until: None,
            }],
            approvers: Vec::new(),
        }
    }

    fn list(&self, role: Role) -> &[TrustedKey] {
        match role {
            Role::Signer => &self.signers,
            Role::Approver => &self.approvers,
        }
    }

    /// Keys of `role` whose id is `key_id` (or every key of the role when `key_id` is empty).
    pub fn candidates(&self, role: Role, key_id: &str) -> Vec<&TrustedKey> {
        self.list(role)
            .iter()
            .filter(|k| key_id.is_empty() || k.key.key_id() == key_id)
            .collect()
    }

    /// The trusted key of `role` with `key_id`, valid `on` that date.
    pub fn lookup(&self, role: Role, key_id: &str, on: Date) -> Result<&TrustedKey, Untrusted> {
        let found = self.candidates(role, key_id);
        if found.is_empty() {
            return Err(Untrusted::Unknown {
                role,
                key_id: key_id.to_string(),
            });
        }
        if let Some(k) = found.iter().find(|k| k.valid_on(on)) {
            return Ok(k);
        }
        let k = found[0];
        Err(Untrusted::OutsideWindow {
            identity: k.identity.clone(),
            key_id: key_id.to_string(),
            on,
            window: format!(
                "{}..{}",
                k.valid_from.map(|d| d.to_string()).unwrap_or_default(),
                k.valid_until.map(|d| d.to_string()).unwrap_or_default()
            ),
        })
    }

    pub fn is_empty(&self) -> bool {
        self.signers.is_empty() && self.approvers.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{KeyAlgorithm, PrivateKey};

    #[test]
    fn loads_file_with_windows() {
        let dir = tempfile::tempdir().unwrap();
        let old = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let new = PrivateKey::generate(KeyAlgorithm::Ed25519).unwrap();
        std::fs::create_dir(dir.path().join("keys")).unwrap();
        std::fs::write(dir.path().join("keys/old.pub"), old.public_key().to_pem()).unwrap();
        std::fs::write(dir.path().join("keys/new.pub"), new.public_key().to_pem()).unwrap();
        let toml = r#"
[[signers]]
identity = "ci@example.com"
key = "keys/old.pub"
valid-until = "2025-12-31"

[[signers]]
identity = "ci@example.com"
key = "keys/new.pub"
valid-from = "2026-01-01"

[[approvers]]
identity = "alice"
key = "keys/new.pub"
"#;
        let path = dir.path().join("trust.toml");
        std::fs::write(&path, toml).unwrap();
        let store = TrustStore::load_file(&path).unwrap();
        assert_eq!(store.signers.len(), 2);
        let d2025 = Date::new(2025, 6, 1).unwrap();
        let d2026 = Date::new(2026, 6, 1).unwrap();
        let old_id = old.public_key().key_id();
        assert!(store.lookup(Role::Signer, old_id, d2025).is_ok());
        assert!(matches!(
            store.lookup(Role::Signer, old_id, d2026),
            Err(Untrusted::OutsideWindow { .. })
        ));
        assert_eq!(
            store
                .lookup(Role::Approver, new.public_key().key_id(), d2026)
                .unwrap()
                .identity,
            "alice"
        );
        assert!(matches!(
            store.lookup(Role::Approver, old_id, d2026),
            Err(Untrusted::Unknown { .. })
        ));
        std::fs::write(&path, "[[signers]]\nidentity='x'\nkey='missing.pub'\n").unwrap();
        assert!(matches!(
            TrustStore::load_file(&path),
            Err(TrustError::Key { .. })
        ));
        std::fs::write(&path, "[[signerz]]\n").unwrap();
        assert!(matches!(
            TrustStore::load_file(&path),
            Err(TrustError::Parse { .. })
        ));
    }
}
