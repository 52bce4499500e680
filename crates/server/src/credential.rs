//! The credential exchange's state: trusted CI issuers with their JWKS, the trust policies
//! and the server's signing key (created in the data folder on first start).

use crate::config::CredentialTable;
use crate::error::ServerError;
use std::path::Path;
use tollgate_credential::{Issuer, JwtIssuer, TrustPolicy, Verifier};

/// What the exchange runs with.
pub struct CredentialState {
    pub verifier: Verifier,
    pub policies: Vec<TrustPolicy>,
    pub minter: JwtIssuer,
}

/// Builds the credential state: the issuers' JWKS files are read, the policies checked, the
/// server's signing key read from (or created in) the data folder.
pub fn open(
    table: &CredentialTable,
    base: &Path,
    data: &Path,
    default_url: &str,
) -> Result<CredentialState, ServerError> {
    let mut issuers = Vec::new();
    for o in &table.oidc {
        let p = base.join(&o.jwks);
        let text = std::fs::read_to_string(&p).map_err(|source| ServerError::Io {
            path: p.display().to_string(),
            source,
        })?;
        let jwks = serde_json::from_str(&text).map_err(|e| {
            ServerError::Usage(format!("{}: not a JWKS document: {e}", p.display()))
        })?;
        issuers.push(Issuer {
            url: o.url.clone(),
            audiences: o.audiences.clone(),
            jwks,
            leeway_secs: o.leeway,
            max_lifetime_secs: o.max_lifetime,
        });
    }
    for p in &table.policy {
        p.validate()
            .map_err(|e| ServerError::Usage(e.to_string()))?;
    }
    let key_path = data.join("credential.key");
    let url = table
        .issuer_url
        .clone()
        .unwrap_or_else(|| default_url.to_string());
    let minter = if key_path.exists() {
        let der = std::fs::read(&key_path).map_err(|source| ServerError::Io {
            path: key_path.display().to_string(),
            source,
        })?;
        JwtIssuer::from_pkcs8(&url, &der).map_err(ServerError::Usage)?
    } else {
        let m = JwtIssuer::generate(&url).map_err(ServerError::Usage)?;
        write_private(&key_path, m.pkcs8())?;
        m
    };
    Ok(CredentialState {
        verifier: Verifier::new(issuers),
        policies: table.policy.clone(),
        minter,
    })
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), ServerError> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let io = |source| ServerError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut f = o.open(path).map_err(io)?;
    f.write_all(bytes).map_err(io)?;
    f.sync_all().map_err(io)
}
