//! Trust policies, octo-sts style: for one environment, which issuer, which claim values
//! (anchored patterns — prefer `repository_id` and `repository_owner_id` to names, which can be
//! re-registered), and what the minted credential may do.

use regex::Regex;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Longest lifetime of a minted credential.
pub const MAX_LIFETIME_SECS: i64 = 15 * 60;

/// One trust policy (a `[[credential.policy]]` table of the server configuration).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TrustPolicy {
    pub environment: String,
    /// The exact issuer URL.
    pub issuer: String,
    /// Claim name → pattern, matched against the whole value (`^(?:pattern)$`).
    pub claims: BTreeMap<String, String>,
    /// `aud` of the minted credential (what the deploy target checks).
    pub audience: String,
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Lifetime of the minted credential in seconds (at most 900).
    #[serde(default = "default_lifetime")]
    pub lifetime: i64,
    /// Oldest gate decision that still counts, in seconds.
    #[serde(default = "default_decision_age")]
    pub max_decision_age: i64,
    /// The ALLOW must come from the same workflow run as the token (`run_id` claim vs the gate
    /// decision's `run` payload).
    #[serde(default)]
    pub same_run: bool,
}

fn default_lifetime() -> i64 {
    600
}
fn default_decision_age() -> i64 {
    3600
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("policy for {env}: claim {claim}: invalid pattern: {message}")]
    Pattern {
        env: String,
        claim: String,
        message: String,
    },
    #[error("policy for {0}: lifetime must be 1..=900 seconds")]
    Lifetime(String),
    #[error("policy for {0}: no claim pattern (a policy must constrain who may deploy)")]
    Unconstrained(String),
}

impl TrustPolicy {
    /// Checks the policy itself (patterns compile, bounds hold).
    pub fn validate(&self) -> Result<(), PolicyError> {
        if self.claims.is_empty() {
            return Err(PolicyError::Unconstrained(self.environment.clone()));
        }
        if !(1..=MAX_LIFETIME_SECS).contains(&self.lifetime) {
            return Err(PolicyError::Lifetime(self.environment.clone()));
        }
        for (claim, pat) in &self.claims {
            anchored(pat).map_err(|e| PolicyError::Pattern {
                env: self.environment.clone(),
                claim: claim.clone(),
                message: e.to_string(),
            })?;
        }
        Ok(())
    }

    /// Whether the token's verified claims satisfy every pattern: the matched claims, or the
    /// first one that did not.
    pub fn matches(&self, claims: &Map<String, Value>) -> Result<BTreeMap<String, String>, String> {
        if claims.get("iss").and_then(Value::as_str) != Some(self.issuer.as_str()) {
            return Err(format!("issuer is not {}", self.issuer));
        }
        let mut matched = BTreeMap::new();
        for (claim, pat) in &self.claims {
            let value = match claims.get(claim) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                Some(Value::Bool(b)) => b.to_string(),
                _ => return Err(format!("claim {claim} is missing")),
            };
            let re = anchored(pat).map_err(|e| e.to_string())?;
            if !re.is_match(&value) {
                return Err(format!("claim {claim} = {value:?} does not match {pat:?}"));
            }
            matched.insert(claim.clone(), value);
        }
        Ok(matched)
    }
}

fn anchored(pat: &str) -> Result<Regex, regex::Error> {
    Regex::new(&format!("^(?:{pat})$"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> TrustPolicy {
        TrustPolicy {
            environment: "prod".into(),
            issuer: "https://ci.example".into(),
            claims: BTreeMap::from([
                ("repository_id".into(), "123456".into()),
                ("ref".into(), "refs/heads/main".into()),
            ]),
            audience: "deploy".into(),
            scopes: vec![],
            lifetime: 300,
            max_decision_age: 3600,
            same_run: false,
        }
    }

    #[test]
    fn anchored_patterns() {
        let p = policy();
        p.validate().unwrap();
        let ok: Map<String, Value> = serde_json::from_str(
            r#"{"iss":"https://ci.example","repository_id":123456,"ref":"refs/heads/main"}"#,
        )
        .unwrap();
        assert_eq!(p.matches(&ok).unwrap()["repository_id"], "123456");
        // Anchoring: a longer id or a ref with a suffix does not match.
        for bad in [
            r#"{"iss":"https://ci.example","repository_id":1234567,"ref":"refs/heads/main"}"#,
            r#"{"iss":"https://ci.example","repository_id":123456,"ref":"refs/heads/main-evil"}"#,
            r#"{"iss":"https://ci.example","ref":"refs/heads/main"}"#,
            r#"{"iss":"https://other.example","repository_id":123456,"ref":"refs/heads/main"}"#,
        ] {
            let c: Map<String, Value> = serde_json::from_str(bad).unwrap();
            assert!(p.matches(&c).is_err(), "{bad}");
        }
        let mut long = policy();
        long.lifetime = 3600;
        assert!(long.validate().is_err());
        let mut open = policy();
        open.claims.clear();
        assert!(open.validate().is_err());
    }
}
