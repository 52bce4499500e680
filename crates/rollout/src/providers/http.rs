//! The blocking HTTP client the HTTP providers share (ureq, rustls on aws-lc-rs).

use base64::Engine as _;
use serde::Deserialize;
use std::io::Read as _;
use std::time::Duration;

/// Largest response body read, in bytes.
const MAX_BODY: u64 = 16 << 20;

/// Credentials, named by environment variable so the template holds no secret.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Auth {
    /// Environment variable holding a bearer token (`Authorization: Bearer …`).
    #[serde(default)]
    pub bearer_token_env: Option<String>,
    /// Environment variable holding the basic-auth user name.
    #[serde(default)]
    pub username_env: Option<String>,
    /// Environment variable holding the basic-auth password.
    #[serde(default)]
    pub password_env: Option<String>,
}

impl Auth {
    /// The `Authorization` header value, read from the environment now.
    pub(crate) fn header(&self) -> Result<Option<String>, String> {
        let var = |name: &str| {
            std::env::var(name).map_err(|_| {
                format!("environment variable `{name}` (named in the template) is not set")
            })
        };
        match (
            &self.bearer_token_env,
            &self.username_env,
            &self.password_env,
        ) {
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                Err("use either bearer-token-env or username-env/password-env, not both".into())
            }
            (Some(t), None, None) => Ok(Some(format!("Bearer {}", var(t)?))),
            (None, Some(u), Some(p)) => {
                let raw = format!("{}:{}", var(u)?, var(p)?);
                Ok(Some(format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(raw)
                )))
            }
            (None, Some(_), None) | (None, None, Some(_)) => {
                Err("basic auth needs both username-env and password-env".into())
            }
            (None, None, None) => Ok(None),
        }
    }
}

pub(crate) struct Client {
    agent: ureq::Agent,
    authorization: Option<String>,
}

pub(crate) struct Response {
    pub status: u16,
    pub body: String,
}

impl Client {
    pub fn new(timeout: Duration, auth: &Auth) -> Result<Client, String> {
        // TLS through aws-lc-rs (the workspace's one crypto backend); installing twice is harmless.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .build()
            .into();
        Ok(Client {
            agent,
            authorization: auth.header()?,
        })
    }

    pub fn request(
        &self,
        method: &str,
        url: &str,
        query: &[(&str, &str)],
        headers: &[(String, String)],
        body: Option<&str>,
    ) -> Result<Response, String> {
        let describe = |e: ureq::Error| match e {
            ureq::Error::Timeout(_) => "timed out".to_string(),
            other => other.to_string(),
        };
        let resp = if method.eq_ignore_ascii_case("POST") {
            let mut req = self.agent.post(url);
            for (k, v) in query {
                req = req.query(*k, *v);
            }
            for (k, v) in headers {
                req = req.header(k.as_str(), v.as_str());
            }
            if let Some(a) = &self.authorization {
                req = req.header("Authorization", a.as_str());
            }
            req.send(body.unwrap_or("").as_bytes())
        } else {
            let mut req = self.agent.get(url);
            for (k, v) in query {
                req = req.query(*k, *v);
            }
            for (k, v) in headers {
                req = req.header(k.as_str(), v.as_str());
            }
            if let Some(a) = &self.authorization {
                req = req.header("Authorization", a.as_str());
            }
            req.call()
        };
        let mut resp = resp.map_err(describe)?;
        let status = resp.status().as_u16();
        let mut body = String::new();
        resp.body_mut()
            .as_reader()
            .take(MAX_BODY)
            .read_to_string(&mut body)
            .map_err(|e| format!("reading the response: {e}"))?;
        Ok(Response { status, body })
    }
}

/// Checks that `url` is an http(s) URL (a typo fails at load time, not at the first measurement).
pub(crate) fn check_url(url: &str) -> Result<(), String> {
    if url.starts_with("http://") || url.starts_with("https://") {
        Ok(())
    } else {
        Err(format!("`{url}` is not an http:// or https:// URL"))
    }
}

/// First 200 characters of a body, for error messages.
pub(crate) fn excerpt(body: &str) -> String {
    let t: String = body.trim().chars().take(200).collect();
    if t.len() < body.trim().len() {
        format!("{t}…")
    } else {
        t
    }
}
