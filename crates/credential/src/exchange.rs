//! The exchange (RFC 8693): a verified CI token, a trust policy for the environment, and the
//! latest logged gate decision for the artifact in that environment — then a credential, or a
//! refusal with its reason. Both are events for the log.

use crate::issuer::{CredentialIssuer, Grant, Issued};
use crate::oidc::Verifier;
use crate::policy::TrustPolicy;
use serde_json::{Value, json};
use tollgate_model::{Digest, Event, EventType};

/// `grant_type` of a token exchange.
pub const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
/// Subject token types accepted (an OIDC ID token is a JWT).
pub const SUBJECT_TOKEN_TYPES: &[&str] = &[
    "urn:ietf:params:oauth:token-type:id_token",
    "urn:ietf:params:oauth:token-type:jwt",
];
/// `issued_token_type` of the response.
pub const ISSUED_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:jwt";

/// The form fields of an exchange request (`application/x-www-form-urlencoded`).
#[derive(Clone, PartialEq, Eq)]
pub struct ExchangeForm {
    pub subject_token: String,
    pub artifact: Digest,
    pub environment: String,
}

impl std::fmt::Debug for ExchangeForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExchangeForm")
            .field("subject_token", &"[redacted]")
            .field("artifact", &self.artifact)
            .field("environment", &self.environment)
            .finish()
    }
}

/// A bad request (400 `invalid_request` / `unsupported_grant_type` in RFC 6749 terms).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    #[error("unsupported_grant_type: grant_type must be {GRANT_TYPE}")]
    GrantType,
    #[error("invalid_request: {0}")]
    Invalid(String),
}

impl FormError {
    /// The RFC 6749 `error` code.
    pub fn code(&self) -> &'static str {
        match self {
            FormError::GrantType => "unsupported_grant_type",
            FormError::Invalid(_) => "invalid_request",
        }
    }
}

impl ExchangeForm {
    /// Parses the form body: `grant_type`, `subject_token`, `subject_token_type`, and the
    /// release it is for: `artifact` (`sha256:…`) and `environment` (tollgate parameters, as
    /// RFC 8693 allows). A repeated field is refused, not guessed.
    pub fn parse(body: &[u8]) -> Result<ExchangeForm, FormError> {
        let text = std::str::from_utf8(body).map_err(|_| FormError::Invalid("not UTF-8".into()))?;
        let mut fields: Vec<(String, String)> = Vec::new();
        for pair in text.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let dec = |s: &str| {
                percent_encoding::percent_decode_str(&s.replace('+', " "))
                    .decode_utf8()
                    .map(|c| c.into_owned())
                    .map_err(|_| FormError::Invalid("bad percent-encoding".into()))
            };
            let (k, v) = (dec(k)?, dec(v)?);
            if fields.iter().any(|(x, _)| *x == k) {
                return Err(FormError::Invalid(format!("{k} given twice")));
            }
            fields.push((k, v));
        }
        let get = |k: &str| fields.iter().find(|(x, _)| x == k).map(|(_, v)| v.as_str());
        if get("grant_type") != Some(GRANT_TYPE) {
            return Err(FormError::GrantType);
        }
        let token_type = get("subject_token_type")
            .ok_or_else(|| FormError::Invalid("subject_token_type is required".into()))?;
        if !SUBJECT_TOKEN_TYPES.contains(&token_type) {
            return Err(FormError::Invalid(format!(
                "subject_token_type {token_type} is not an ID token or JWT"
            )));
        }
        let subject_token = get("subject_token")
            .filter(|t| !t.is_empty())
            .ok_or_else(|| FormError::Invalid("subject_token is required".into()))?;
        let artifact = get("artifact")
            .ok_or_else(|| FormError::Invalid("artifact (sha256:…) is required".into()))?
            .parse()
            .map_err(|e: tollgate_model::DigestError| FormError::Invalid(e.to_string()))?;
        let environment = get("environment")
            .filter(|e| !e.is_empty())
            .ok_or_else(|| FormError::Invalid("environment is required".into()))?;
        Ok(ExchangeForm {
            subject_token: subject_token.to_string(),
            artifact,
            environment: environment.to_string(),
        })
    }
}

/// The latest gate decision logged for an artifact and environment.
#[derive(Debug, Clone, PartialEq)]
pub struct GateRecord {
    /// Its index in the transparency log.
    pub index: u64,
    pub allow: bool,
    /// Unix time it was recorded.
    pub time: i64,
    pub policy_digest: String,
    /// The CI run that asked for it, when recorded (`payload.run`).
    pub run: Option<String>,
}

impl GateRecord {
    /// The last `gate-decision` event about `artifact` in `env` among `(index, event)` pairs
    /// read from the log, oldest first.
    pub fn latest<'a>(
        events: impl IntoIterator<Item = (u64, &'a Event)>,
        artifact: &Digest,
        env: &str,
    ) -> Option<GateRecord> {
        let mut last = None;
        for (index, e) in events {
            if e.kind != EventType::GateDecision
                || e.subject != *artifact
                || e.environment.as_deref() != Some(env)
            {
                continue;
            }
            let time = e
                .time
                .as_deref()
                .and_then(|t| {
                    time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
                        .ok()
                })
                .map(|t| t.unix_timestamp())
                .unwrap_or(i64::MIN);
            last = Some(GateRecord {
                index,
                allow: e.field("allow") == Some(&Value::Bool(true)),
                time,
                policy_digest: e
                    .field("policy_digest")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                run: e.field("run").and_then(Value::as_str).map(str::to_string),
            });
        }
        last
    }
}

/// Why an exchange was refused: 401 for the token itself, 403 for everything after it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the subject token was refused: {0}")]
    Token(String),
    #[error("no trust policy of environment {env} admits this token: {reason}")]
    Policy { env: String, reason: String },
    #[error("no gate decision is recorded for {artifact} in {env}")]
    NoDecision { artifact: String, env: String },
    #[error("the latest gate decision for this artifact in {env} (log entry {index}) is DENY")]
    Denied { env: String, index: u64 },
    #[error("the latest gate ALLOW (log entry {index}) is {age} s old, more than {limit} s")]
    Stale { index: u64, age: i64, limit: i64 },
    #[error(
        "the gate ALLOW (log entry {index}) was made under policy {was}, not the current {now}"
    )]
    OldPolicy {
        index: u64,
        was: String,
        now: String,
    },
    #[error("the gate ALLOW (log entry {index}) comes from another CI run")]
    OtherRun { index: u64 },
    #[error("the credential could not be issued: {0}")]
    Issuer(String),
}

impl Refusal {
    /// The HTTP status: 401 when the token itself failed, 403 otherwise (500 never: an issuer
    /// failure is a 503 the server maps).
    pub fn status(&self) -> u16 {
        match self {
            Refusal::Token(_) => 401,
            Refusal::Issuer(_) => 503,
            _ => 403,
        }
    }
}

/// An exchange's result and the event that records it.
#[derive(Debug)]
pub struct Outcome {
    pub result: Result<Issued, Refusal>,
    /// A `credential-issuance` event: granted or not, hashes only.
    pub event: Event,
}

/// The RFC 8693 response body of an issued credential.
pub fn response(issued: &Issued) -> Value {
    json!({
        "access_token": issued.token,
        "issued_token_type": ISSUED_TOKEN_TYPE,
        "token_type": issued.token_type,
        "expires_in": issued.expires_in,
    })
}

/// Runs one exchange at unix time `now`. `latest_gate` reads the log; `current_policy` gives
/// the digest of the gate policy in force for an environment.
pub fn exchange(
    form: &ExchangeForm,
    verifier: &Verifier,
    policies: &[TrustPolicy],
    latest_gate: &dyn Fn(&Digest, &str) -> Option<GateRecord>,
    current_policy: &dyn Fn(&str) -> Option<String>,
    issuer: &dyn CredentialIssuer,
    now: i64,
) -> Outcome {
    let env = form.environment.as_str();
    let mut record = json!({
        "granted": false,
        "subject_token_sha256": tollgate_model::sha256(form.subject_token.as_bytes()).to_string(),
    });
    let mut actor = "unknown".to_string();
    let result = (|| {
        let claims = verifier
            .verify(&form.subject_token, now)
            .map_err(|e| Refusal::Token(e.to_string()))?;
        let iss = claims
            .get("iss")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let sub = claims
            .get("sub")
            .and_then(Value::as_str)
            .unwrap_or_default();
        actor = format!("{iss}#{sub}");
        let mut reasons = Vec::new();
        let (policy, matched) = policies
            .iter()
            .filter(|p| p.environment == env)
            .find_map(|p| match p.matches(&claims) {
                Ok(m) => Some((p, m)),
                Err(r) => {
                    reasons.push(r);
                    None
                }
            })
            .ok_or_else(|| Refusal::Policy {
                env: env.to_string(),
                reason: if reasons.is_empty() {
                    "no policy for this environment".into()
                } else {
                    reasons.join("; ")
                },
            })?;
        record["claims"] = json!(matched);
        let gate = latest_gate(&form.artifact, env).ok_or_else(|| Refusal::NoDecision {
            artifact: form.artifact.to_string(),
            env: env.to_string(),
        })?;
        record["gate_entry"] = json!(gate.index);
        if !gate.allow {
            return Err(Refusal::Denied {
                env: env.to_string(),
                index: gate.index,
            });
        }
        let age = now - gate.time;
        if age > policy.max_decision_age {
            return Err(Refusal::Stale {
                index: gate.index,
                age,
                limit: policy.max_decision_age,
            });
        }
        if let Some(current) = current_policy(env)
            && current != gate.policy_digest
        {
            return Err(Refusal::OldPolicy {
                index: gate.index,
                was: gate.policy_digest.clone(),
                now: current,
            });
        }
        if policy.same_run {
            let run = claims.get("run_id").map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            });
            if run.is_none() || run != gate.run {
                return Err(Refusal::OtherRun { index: gate.index });
            }
        }
        let grant = Grant {
            issuer: iss.to_string(),
            subject: sub.to_string(),
            environment: env.to_string(),
            artifact: form.artifact,
            gate_index: gate.index,
            policy_digest: gate.policy_digest.clone(),
            audience: policy.audience.clone(),
            scopes: policy.scopes.clone(),
            lifetime_secs: policy.lifetime,
            claims: matched,
        };
        issuer.issue(&grant, now).map_err(Refusal::Issuer)
    })();
    match &result {
        Ok(issued) => {
            record["granted"] = json!(true);
            record["token_sha256"] = json!(issued.token_sha256.to_string());
            record["expires_in"] = json!(issued.expires_in);
        }
        Err(r) => record["refused"] = json!(r.to_string()),
    }
    Outcome {
        result,
        event: Event {
            kind: EventType::CredentialIssuance,
            actor,
            subject: form.artifact,
            environment: Some(env.to_string()),
            time: None,
            payload: Some(record),
        },
    }
}
