//! Configured webhook sources: the verification settings of each and its rate limiter.

use crate::config::WebhookTable;
use crate::error::ServerError;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;
use tollgate_webhook::verify::{Scheme, Source};

/// A configured source with its rate limiter.
pub struct WebhookSource {
    pub source: Source,
    /// `github`, `gitlab`, `standard`.
    pub forge: &'static str,
    rate: f64,
    bucket: Mutex<(f64, Instant)>,
}

impl WebhookSource {
    pub fn from_table(t: &WebhookTable) -> Result<WebhookSource, ServerError> {
        let (scheme, forge) = match t.kind.as_str() {
            "github" => (Scheme::GitHub, "github"),
            "gitlab" => (Scheme::GitLab, "gitlab"),
            "standard" => (Scheme::Standard, "standard"),
            other => {
                return Err(ServerError::Usage(format!(
                    "webhook {}: kind {other:?} (github, gitlab or standard)",
                    t.name
                )));
            }
        };
        let valid_name = !t.name.is_empty()
            && t.name.len() <= 64
            && t.name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b));
        if !valid_name || t.secrets.iter().all(|s| s.is_empty()) || t.rate == 0 {
            return Err(ServerError::Usage(format!(
                "webhook {:?}: a name of letters, digits, - and _, at least one secret and a rate above 0",
                t.name
            )));
        }
        Ok(WebhookSource {
            source: Source {
                name: t.name.clone(),
                scheme,
                secrets: t.secrets.clone(),
                tolerance: time::Duration::seconds(t.tolerance.max(0)),
            },
            forge,
            rate: f64::from(t.rate),
            bucket: Mutex::new((f64::from(t.rate), Instant::now())),
        })
    }

    /// Takes one token from the bucket, or says how long to wait.
    pub fn admit(&self) -> Result<(), u64> {
        let mut b = self.bucket.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let refill = now.duration_since(b.1).as_secs_f64() * self.rate;
        b.0 = (b.0 + refill).min(self.rate);
        b.1 = now;
        if b.0 >= 1.0 {
            b.0 -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - b.0) / self.rate).ceil().max(1.0) as u64)
        }
    }
}

/// The configured sources by name.
pub type Sources = HashMap<String, WebhookSource>;
