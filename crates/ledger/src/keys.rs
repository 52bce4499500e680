//! The log's Ed25519 key on disk: PKCS#8 in PEM, beside the database.
//!
//! All key-file I/O goes through [`write_key_file`] and [`read_key_file`].

use std::io::Write;
use std::path::Path;

/// Environment variable holding the password that encrypts the log key.
pub const PASSWORD_ENV: &str = "TOLLGATE_KEY_PASSWORD";

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not a PEM PRIVATE KEY (PKCS#8) file")]
    NotPem { path: String },
    #[error("{path}: not an Ed25519 PKCS#8 key")]
    NotEd25519 { path: String },
    #[error("{path}: the log key is encrypted: set {PASSWORD_ENV} to its password")]
    PasswordNeeded { path: String },
    #[error("{path}: {message}")]
    Crypto { path: String, message: String },
}

/// Writes the log's private key. Returns a warning to show the user, if any.
pub fn write_key_file(path: &Path, pkcs8_der: &[u8]) -> Result<Option<String>, KeyError> {
    let shown = path.display().to_string();
    let password = std::env::var(PASSWORD_ENV).ok().filter(|p| !p.is_empty());
    let text = match &password {
        // Encrypted PKCS#8 (PBES2) through the attest crate: one key-file format for every
        // tollgate key.
        Some(pw) => {
            let pair = aws_lc_rs::signature::Ed25519KeyPair::from_pkcs8(pkcs8_der)
                .or_else(|_| {
                    aws_lc_rs::signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8_der)
                })
                .map_err(|_| KeyError::NotEd25519 {
                    path: shown.clone(),
                })?;
            tollgate_attest::keys::write_private_pem(&pair, Some(pw.as_bytes())).map_err(|e| {
                KeyError::Crypto {
                    path: shown.clone(),
                    message: e.to_string(),
                }
            })?
        }
        None => pem::encode(&pem::Pem::new("PRIVATE KEY", pkcs8_der.to_vec())),
    };
    let io = |source| KeyError::Io {
        path: shown.clone(),
        source,
    };
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(io)?;
    f.write_all(text.as_bytes()).map_err(io)?;
    f.sync_all().map_err(io)?;
    if password.is_some() {
        return Ok(None);
    }
    Ok(Some(format!(
        "{shown}: log key written unencrypted (permissions 0600); set {PASSWORD_ENV} to encrypt it"
    )))
}

/// Reads the log's private key (PKCS#8 DER).
pub fn read_key_file(path: &Path) -> Result<Vec<u8>, KeyError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| KeyError::Io {
        path: shown.clone(),
        source,
    })?;
    let p = pem::parse(&text).map_err(|_| KeyError::NotPem {
        path: shown.clone(),
    })?;
    match p.tag() {
        "PRIVATE KEY" => Ok(p.into_contents()),
        // LEAD: decrypt with the attest crate's
        //   tollgate_attest::keys::read_private_pem::<Ed25519KeyPair>(&text, Some(pw))?.to_pkcs8()
        // (`pw` from TOLLGATE_KEY_PASSWORD).
        "ENCRYPTED PRIVATE KEY" => {
            let pw = std::env::var(PASSWORD_ENV)
                .ok()
                .filter(|p| !p.is_empty())
                .ok_or_else(|| KeyError::PasswordNeeded {
                    path: shown.clone(),
                })?;
            let pair: aws_lc_rs::signature::Ed25519KeyPair =
                tollgate_attest::keys::read_private_pem(&text, Some(pw.as_bytes())).map_err(
                    |e| KeyError::Crypto {
                        path: shown.clone(),
                        message: e.to_string(),
                    },
                )?;
            tollgate_attest::keys::Pkcs8Key::to_pkcs8(&pair).map_err(|e| KeyError::Crypto {
                path: shown,
                message: e.to_string(),
            })
        }
        _ => Err(KeyError::NotPem { path: shown }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_round_trips_with_private_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.key");
        let der = b"\x30\x03\x02\x01\x00".to_vec();
        let warning = write_key_file(&path, &der).unwrap();
        assert!(warning.unwrap().contains("unencrypted"));
        assert_eq!(read_key_file(&path).unwrap(), der);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Never overwrites an existing key.
        assert!(write_key_file(&path, &der).is_err());
        std::fs::write(&path, "not pem").unwrap();
        assert!(matches!(read_key_file(&path), Err(KeyError::NotPem { .. })));
    }
}
