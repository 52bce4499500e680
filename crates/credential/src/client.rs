//! The CI side of the exchange (`tollgate credential exchange`): get the job's OIDC token from
//! the CI system, post it with the artifact digest and environment, and return the credential.

use serde_json::Value;
use std::io::Read;
use std::path::PathBuf;
use std::time::Duration;

/// Largest response read.
const MAX_BODY: u64 = 1 << 20;

/// Where the CI job's OIDC token comes from.
#[derive(Debug, Clone)]
pub enum TokenSource {
    /// A file holding the token.
    File(PathBuf),
    /// An environment variable holding it (GitLab `id_tokens:` define one per token).
    Env(String),
    /// GitHub Actions: `ACTIONS_ID_TOKEN_REQUEST_URL` with `ACTIONS_ID_TOKEN_REQUEST_TOKEN`
    /// (the job needs `permissions: id-token: write`).
    GitHubActions { audience: String },
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("{0}")]
    Token(String),
    #[error("{url}: {message}")]
    Http { url: String, message: String },
    /// The server refused: its RFC 6749 `error` and description.
    #[error("refused ({status} {code}): {description}")]
    Refused {
        status: u16,
        code: String,
        description: String,
    },
}

fn agent() -> ureq::Agent {
    // TLS through aws-lc-rs (the workspace's one crypto backend); installing twice is harmless.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .http_status_as_error(false)
        .build()
        .into()
}

fn read_body(resp: &mut ureq::http::Response<ureq::Body>) -> Result<String, String> {
    let mut body = String::new();
    resp.body_mut()
        .as_reader()
        .take(MAX_BODY)
        .read_to_string(&mut body)
        .map_err(|e| e.to_string())?;
    Ok(body)
}

/// The CI job's OIDC token. `env` reads the environment (a parameter so tests need not set it).
pub fn ci_token(
    src: &TokenSource,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<String, ClientError> {
    let t = match src {
        TokenSource::File(p) => std::fs::read_to_string(p)
            .map_err(|e| ClientError::Token(format!("{}: {e}", p.display())))?,
        TokenSource::Env(name) => {
            env(name).ok_or_else(|| ClientError::Token(format!("${name} is not set")))?
        }
        TokenSource::GitHubActions { audience } => {
            let (Some(url), Some(bearer)) = (
                env("ACTIONS_ID_TOKEN_REQUEST_URL"),
                env("ACTIONS_ID_TOKEN_REQUEST_TOKEN"),
            ) else {
                return Err(ClientError::Token(
                    "ACTIONS_ID_TOKEN_REQUEST_URL is not set: give the job `permissions: id-token: write`, or use --token-file / --token-env".into(),
                ));
            };
            let mut resp = agent()
                .get(&url)
                .query("audience", audience)
                .header("Authorization", &format!("Bearer {bearer}"))
                .call()
                .map_err(|e| ClientError::Http {
                    url: "ACTIONS_ID_TOKEN_REQUEST_URL".into(),
                    message: e.to_string(),
                })?;
            let body = read_body(&mut resp).map_err(|message| ClientError::Http {
                url: "ACTIONS_ID_TOKEN_REQUEST_URL".into(),
                message,
            })?;
            let v: Value = serde_json::from_str(&body).map_err(|e| ClientError::Http {
                url: "ACTIONS_ID_TOKEN_REQUEST_URL".into(),
                message: format!("not JSON: {e}"),
            })?;
            v["value"].as_str().map(str::to_string).ok_or_else(|| {
                ClientError::Token("the GitHub token response has no `value`".into())
            })?
        }
    };
    let t = t.trim().to_string();
    if t.is_empty() {
        return Err(ClientError::Token("the CI token is empty".into()));
    }
    Ok(t)
}

/// A credential as the server returned it.
#[derive(Clone)]
pub struct Credential {
    pub access_token: String,
    pub expires_in: i64,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("access_token", &"[redacted]")
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

/// Posts the exchange to `server` (`https://…`, or `http://` on loopback).
pub fn exchange(
    server: &str,
    subject_token: &str,
    artifact: &tollgate_model::Digest,
    environment: &str,
) -> Result<Credential, ClientError> {
    let url = format!("{}/v1/token", server.trim_end_matches('/'));
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    let body = format!(
        "grant_type={}&subject_token={}&subject_token_type={}&artifact={}&environment={}",
        enc(crate::exchange::GRANT_TYPE),
        enc(subject_token),
        enc(crate::exchange::SUBJECT_TOKEN_TYPES[0]),
        enc(&artifact.to_string()),
        enc(environment)
    );
    let http = |message: String| ClientError::Http {
        url: url.clone(),
        message,
    };
    let mut resp = agent()
        .post(&url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send(body.as_bytes())
        .map_err(|e| http(e.to_string()))?;
    let status = resp.status().as_u16();
    let text = read_body(&mut resp).map_err(http)?;
    let v: Value =
        serde_json::from_str(&text).map_err(|e| http(format!("HTTP {status}, not JSON: {e}")))?;
    if status != 200 {
        return Err(ClientError::Refused {
            status,
            code: v["error"].as_str().unwrap_or("error").to_string(),
            description: v["error_description"]
                .as_str()
                .or_else(|| v["error"].as_str())
                .unwrap_or("")
                .to_string(),
        });
    }
    Ok(Credential {
        access_token: v["access_token"]
            .as_str()
            .ok_or_else(|| http("no access_token in the response".into()))?
            .to_string(),
        expires_in: v["expires_in"].as_i64().unwrap_or(0),
    })
}
