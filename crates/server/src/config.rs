//! `server.toml`: one file configures the server. Unknown keys and bad values are rejected
//! with file:line:column. Paths are relative to the file; flags override the file.
//!
//! ```toml
//! listen = "127.0.0.1:8620"
//! data = "tollgate-data"
//! allow-insecure-http = false   # plain HTTP off loopback
//! origin = "tollgate.example/log"   # the log's origin line, used when the log is created
//!
//! [trust]
//! file = "/etc/tollgate/trust.toml"   # signers, approvers, environments, policy: held here
//! ```

use crate::error::ServerError;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use tollgate_config::{ConfigError, line_col};

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8620";
pub const DEFAULT_DATA: &str = "tollgate-data";

/// The file's shape.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ServerConfig {
    pub listen: Option<String>,
    pub data: Option<String>,
    #[serde(default)]
    pub allow_insecure_http: bool,
    pub origin: Option<String>,
    #[serde(default)]
    pub trust: TrustTable,
    pub tls: Option<TlsTable>,
    /// Short-lived deploy credentials (`POST /v1/token`).
    pub credential: Option<CredentialTable>,
    /// Webhook sources (`POST /v1/webhooks/NAME`).
    #[serde(default)]
    pub webhook: Vec<WebhookTable>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TrustTable {
    pub file: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TlsTable {
    pub cert: String,
    pub key: String,
}

impl ServerConfig {
    /// Parses `raw` (read from `path`, which errors name).
    pub fn parse(raw: &str, path: &Path) -> Result<ServerConfig, ConfigError> {
        toml::from_str(raw).map_err(|e| {
            let (line, column) = line_col(raw, e.span().map(|s| s.start).unwrap_or(0));
            ConfigError::Invalid {
                path: path.display().to_string(),
                line,
                column,
                message: e.message().trim().to_string(),
            }
        })
    }

    pub fn load(path: &Path) -> Result<ServerConfig, ConfigError> {
        let raw = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&raw, path)
    }
}

/// `[credential]` of server.toml.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CredentialTable {
    /// `iss` of minted credentials: the server's public URL (default `http://LISTEN`).
    pub issuer_url: Option<String>,
    /// Trusted CI OIDC issuers.
    #[serde(default)]
    pub oidc: Vec<OidcTable>,
    /// Who may get a credential for which environment.
    #[serde(default)]
    pub policy: Vec<tollgate_credential::TrustPolicy>,
}

/// `[[credential.oidc]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct OidcTable {
    /// The exact `iss` URL.
    pub url: String,
    pub audiences: Vec<String>,
    /// The issuer's JWKS document (a file, relative to server.toml, refreshed by operations).
    pub jwks: String,
    #[serde(default = "default_leeway")]
    pub leeway: u64,
    #[serde(default = "default_max_lifetime")]
    pub max_lifetime: i64,
}

fn default_leeway() -> u64 {
    30
}
fn default_max_lifetime() -> i64 {
    3600
}

/// `[[webhook]]` of server.toml.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct WebhookTable {
    /// The path segment: `POST /v1/webhooks/NAME`.
    pub name: String,
    /// `github`, `gitlab` or `standard`.
    pub kind: String,
    /// Every secret currently valid (several during a rotation): GitHub secrets, GitLab
    /// tokens, `whsec_…` / `whpk_…` for Standard Webhooks.
    pub secrets: Vec<String>,
    /// Timestamp tolerance in seconds (Standard Webhooks).
    #[serde(default = "default_tolerance")]
    pub tolerance: i64,
    /// Deliveries accepted per second (and burst).
    #[serde(default = "default_rate")]
    pub rate: u32,
}

fn default_tolerance() -> i64 {
    tollgate_webhook::verify::DEFAULT_TOLERANCE.whole_seconds()
}
fn default_rate() -> u32 {
    50
}

/// What the server runs with: the file and the flags, resolved.
#[derive(Debug, Clone)]
pub struct Options {
    pub listen: SocketAddr,
    pub data: PathBuf,
    pub allow_insecure_http: bool,
    pub origin: Option<String>,
    pub trust_file: Option<PathBuf>,
    pub tls: Option<(PathBuf, PathBuf)>,
    /// `[credential]`, with the folder its relative paths start from.
    pub credential: Option<(CredentialTable, PathBuf)>,
    pub webhooks: Vec<WebhookTable>,
}

/// Flags of `tollgate serve` (each overrides the file).
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub config: Option<PathBuf>,
    pub listen: Option<String>,
    pub data: Option<PathBuf>,
}

impl Options {
    /// Reads the config file (when given) and applies the flags.
    pub fn resolve(flags: &Flags) -> Result<Options, ServerError> {
        let (file, base) = match &flags.config {
            Some(p) => (
                ServerConfig::load(p)?,
                p.parent().map(Path::to_path_buf).unwrap_or_default(),
            ),
            None => (ServerConfig::default(), PathBuf::new()),
        };
        let rel = |s: &str| base.join(s);
        let listen_text = flags
            .listen
            .clone()
            .or(file.listen.clone())
            .unwrap_or_else(|| DEFAULT_LISTEN.to_string());
        let listen: SocketAddr = listen_text.parse().map_err(|_| {
            ServerError::Usage(format!(
                "listen address {listen_text:?} must look like 127.0.0.1:8620 or [::1]:8620"
            ))
        })?;
        let data = flags
            .data
            .clone()
            .or_else(|| file.data.as_deref().map(rel))
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA));
        Ok(Options {
            listen,
            data,
            allow_insecure_http: file.allow_insecure_http,
            origin: file.origin.clone(),
            trust_file: file.trust.file.as_deref().map(rel),
            tls: file.tls.as_ref().map(|t| (rel(&t.cert), rel(&t.key))),
            credential: file.credential.clone().map(|c| (c, base.clone())),
            webhooks: file.webhook.clone(),
        })
    }

    /// Plain HTTP is for loopback only, unless the file says `allow-insecure-http = true`.
    pub fn check_transport(&self) -> Result<(), ServerError> {
        if self.tls.is_some() {
            return Err(ServerError::Usage(
                "[tls] is not supported by this build yet: terminate TLS in front of the server, on loopback".into(),
            ));
        }
        if !self.listen.ip().is_loopback() && !self.allow_insecure_http {
            return Err(ServerError::Usage(format!(
                "refusing plain HTTP on {} (not loopback): configure [tls] or set allow-insecure-http = true",
                self.listen
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_positioned() {
        let e = ServerConfig::parse(
            "listen = \"127.0.0.1:1\"\n[trust]\nfile = \"t.toml\"\nfiel = \"x\"\n",
            Path::new("server.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("server.toml:4:1:"), "{e}");
        assert!(e.contains("fiel"), "{e}");
        let e = ServerConfig::parse("allow-insecure-http = \"yes\"\n", Path::new("s.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("s.toml:1:23:"), "{e}");
    }

    #[test]
    fn flags_override_and_paths_are_relative_to_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("server.toml");
        std::fs::write(
            &p,
            "listen = \"0.0.0.0:9000\"\ndata = \"d\"\n[trust]\nfile = \"trust.toml\"\n",
        )
        .unwrap();
        let o = Options::resolve(&Flags {
            config: Some(p.clone()),
            ..Flags::default()
        })
        .unwrap();
        assert_eq!(o.data, dir.path().join("d"));
        assert_eq!(o.trust_file, Some(dir.path().join("trust.toml")));
        // Not loopback, no TLS, not allowed: refused.
        let e = o.check_transport().unwrap_err().to_string();
        assert!(e.contains("refusing plain HTTP"), "{e}");
        let o = Options::resolve(&Flags {
            config: Some(p),
            listen: Some("127.0.0.1:0".into()),
            data: Some("x".into()),
        })
        .unwrap();
        assert_eq!(o.data, PathBuf::from("x"));
        o.check_transport().unwrap();
        let e = Options::resolve(&Flags {
            listen: Some("localhost".into()),
            ..Flags::default()
        })
        .unwrap_err();
        assert!(e.to_string().contains("listen address"), "{e}");
    }
}
