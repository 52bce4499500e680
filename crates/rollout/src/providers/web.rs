//! A generic HTTP JSON endpoint (Argo's `web` provider): GET or POST, a JSON path selects the
//! value.

use super::http::{Auth, Client, check_url, excerpt};
use super::jsonpath::JsonPath;
use super::provider::Provider;
use crate::duration;
use crate::expr::Value;
use serde::Deserialize;

/// `[metrics.provider.web]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct WebConfig {
    pub url: String,
    /// `GET` (default) or `POST`.
    #[serde(default)]
    pub method: Option<String>,
    /// Request body for POST.
    #[serde(default)]
    pub body: Option<String>,
    /// Extra request headers (`[{ key = "Accept", value = "application/json" }]`).
    #[serde(default)]
    pub headers: Vec<Header>,
    /// Selects the value in the JSON response (`$.data.ok`); the whole document without it.
    #[serde(default)]
    pub json_path: Option<String>,
    /// Request timeout (`10s` by default).
    #[serde(default)]
    pub timeout: Option<String>,
    /// Credentials from environment variables.
    #[serde(default)]
    pub auth: Auth,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub key: String,
    pub value: String,
}

pub(crate) struct Web {
    client: Client,
    url: String,
    method: String,
    body: Option<String>,
    headers: Vec<(String, String)>,
    path: Option<JsonPath>,
}

impl Web {
    pub fn new(c: &WebConfig) -> Result<Web, String> {
        check_url(&c.url)?;
        let method = c
            .method
            .clone()
            .unwrap_or_else(|| "GET".into())
            .to_uppercase();
        if method != "GET" && method != "POST" {
            return Err(format!("method `{method}`: use GET or POST"));
        }
        let timeout = duration::parse(c.timeout.as_deref().unwrap_or("10s"))?;
        let path = c
            .json_path
            .as_deref()
            .map(JsonPath::parse)
            .transpose()
            .map_err(|e| format!("json-path: {e}"))?;
        Ok(Web {
            client: Client::new(timeout, &c.auth)?,
            url: c.url.clone(),
            method,
            body: c.body.clone(),
            headers: c
                .headers
                .iter()
                .map(|h| (h.key.clone(), h.value.clone()))
                .collect(),
            path,
        })
    }
}

impl Provider for Web {
    fn measure(&self) -> Result<Value, String> {
        let resp = self.client.request(
            &self.method,
            &self.url,
            &[],
            &self.headers,
            self.body.as_deref(),
        )?;
        if !(200..300).contains(&resp.status) {
            return Err(format!("HTTP {}: {}", resp.status, excerpt(&resp.body)));
        }
        let json: serde_json::Value = serde_json::from_str(&resp.body)
            .map_err(|e| format!("the response is not JSON ({e}): {}", excerpt(&resp.body)))?;
        let picked = match &self.path {
            Some(p) => p.select(&json)?,
            None => &json,
        };
        Ok(Value::from_json(picked))
    }
}
