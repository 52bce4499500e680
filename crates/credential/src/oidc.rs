//! Verification of the CI job's OIDC token (the `subject_token` of the exchange).
//!
//! jsonwebtoken checks the signature and the registered claims it knows; this module adds what
//! it leaves to the caller: the issuer is matched by exact URL before any key is chosen, the
//! key comes from that issuer's JWKS by `kid`, the algorithm comes from the key (an `alg` in
//! the header that differs is refused, so `none` and HMAC-with-a-public-key cannot be chosen by
//! the token), `iat` is required and not in the future, every time claim is a JSON number, the
//! lifetime `exp - iat` is capped, and a `jti` is accepted once until it expires.

use base64::Engine as _;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Mutex;

/// Largest leeway accepted for clock skew.
pub const MAX_LEEWAY_SECS: u64 = 60;
/// Largest token accepted (bytes): CI tokens are about 1–2 KB.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// A trusted OIDC issuer.
#[derive(Debug, Clone)]
pub struct Issuer {
    /// The exact `iss` value (`https://token.actions.githubusercontent.com`).
    pub url: String,
    /// Audiences a token must name (one of them).
    pub audiences: Vec<String>,
    /// The issuer's signing keys (its JWKS document).
    pub jwks: JwkSet,
    /// Clock skew allowed on `exp`, `nbf` and `iat` (capped at 60 s).
    pub leeway_secs: u64,
    /// Longest accepted `exp - iat` (GitHub's tokens live 5 to 10 minutes).
    pub max_lifetime_secs: i64,
}

/// Why a token was refused. Messages name claims, never the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token is not a JWT: {0}")]
    Malformed(String),
    #[error("issuer {0:?} is not trusted")]
    UnknownIssuer(String),
    #[error("the token names no key (`kid`)")]
    NoKid,
    #[error("key {0:?} is not in the issuer's JWKS")]
    UnknownKid(String),
    #[error("algorithm {header} in the token does not match the key's {key}")]
    Algorithm { header: String, key: String },
    #[error("the issuer's key {0:?} cannot verify tokens (symmetric or unsupported)")]
    UnusableKey(String),
    #[error("claim {0} is missing or has the wrong JSON type")]
    Claim(&'static str),
    #[error("the token does not verify: {0}")]
    Invalid(String),
    #[error("the token was issued in the future (iat {0})")]
    IssuedInFuture(i64),
    #[error("the token lives {0} s, more than the {1} s allowed")]
    TooLong(i64, i64),
    #[error("the token (jti {0:?}) was already used")]
    Replayed(String),
    #[error("the token is larger than {MAX_TOKEN_BYTES} bytes")]
    TooLarge,
}

/// Verifies tokens of the configured issuers, remembering `jti`s until they expire.
pub struct Verifier {
    issuers: Vec<Issuer>,
    seen: Mutex<HashMap<String, i64>>,
}

fn key_algorithm(jwk: &Jwk) -> Result<Algorithm, TokenError> {
    let kid = jwk.common.key_id.clone().unwrap_or_default();
    let declared = jwk.common.key_algorithm;
    let alg = match (&jwk.algorithm, declared) {
        (AlgorithmParameters::RSA(_), None | Some(KeyAlgorithm::RS256)) => Algorithm::RS256,
        (AlgorithmParameters::RSA(_), Some(KeyAlgorithm::RS384)) => Algorithm::RS384,
        (AlgorithmParameters::RSA(_), Some(KeyAlgorithm::RS512)) => Algorithm::RS512,
        (AlgorithmParameters::RSA(_), Some(KeyAlgorithm::PS256)) => Algorithm::PS256,
        (AlgorithmParameters::EllipticCurve(p), None | Some(KeyAlgorithm::ES256))
            if p.curve == EllipticCurve::P256 =>
        {
            Algorithm::ES256
        }
        (AlgorithmParameters::EllipticCurve(p), None | Some(KeyAlgorithm::ES384))
            if p.curve == EllipticCurve::P384 =>
        {
            Algorithm::ES384
        }
        (AlgorithmParameters::OctetKeyPair(_), None | Some(KeyAlgorithm::EdDSA)) => {
            Algorithm::EdDSA
        }
        _ => return Err(TokenError::UnusableKey(kid)),
    };
    Ok(alg)
}

/// The claims part of a JWT, read WITHOUT verification: only to pick the issuer.
fn unverified_claims(token: &str) -> Result<Map<String, Value>, TokenError> {
    let mut parts = token.split('.');
    let (Some(_), Some(payload), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed(
            "expected three dot-separated parts".into(),
        ));
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|e| TokenError::Malformed(e.to_string()))?;
    serde_json::from_slice(&bytes).map_err(|e| TokenError::Malformed(e.to_string()))
}

fn number(c: &Map<String, Value>, name: &'static str) -> Result<Option<i64>, TokenError> {
    match c.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => n.as_i64().map(Some).ok_or(TokenError::Claim(name)),
        Some(_) => Err(TokenError::Claim(name)),
    }
}

fn string<'c>(c: &'c Map<String, Value>, name: &'static str) -> Result<&'c str, TokenError> {
    c.get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or(TokenError::Claim(name))
}

impl Verifier {
    pub fn new(issuers: Vec<Issuer>) -> Verifier {
        Verifier {
            issuers,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// The configured issuers (the server refreshes their JWKS).
    pub fn issuers_mut(&mut self) -> &mut Vec<Issuer> {
        &mut self.issuers
    }

    /// Verifies `token` at unix time `now` and returns its claims.
    pub fn verify(&self, token: &str, now: i64) -> Result<Map<String, Value>, TokenError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(TokenError::TooLarge);
        }
        let header =
            jsonwebtoken::decode_header(token).map_err(|e| TokenError::Malformed(e.to_string()))?;
        let claimed = unverified_claims(token)?;
        let iss = string(&claimed, "iss")?;
        let issuer = self
            .issuers
            .iter()
            .find(|i| i.url == iss)
            .ok_or_else(|| TokenError::UnknownIssuer(iss.to_string()))?;
        let kid = header.kid.as_deref().ok_or(TokenError::NoKid)?;
        let jwk = issuer
            .jwks
            .find(kid)
            .ok_or_else(|| TokenError::UnknownKid(kid.to_string()))?;
        let alg = key_algorithm(jwk)?;
        if header.alg != alg {
            return Err(TokenError::Algorithm {
                header: format!("{:?}", header.alg),
                key: format!("{alg:?}"),
            });
        }
        let key = DecodingKey::from_jwk(jwk).map_err(|_| TokenError::UnusableKey(kid.into()))?;
        let leeway = issuer.leeway_secs.min(MAX_LEEWAY_SECS);
        let mut v = Validation::new(alg);
        v.set_required_spec_claims(&["iss", "aud", "sub", "exp"]);
        v.set_issuer(&[issuer.url.as_str()]);
        v.set_audience(&issuer.audiences);
        v.leeway = leeway;
        // Time claims are checked below against the caller's clock `now` (one clock for the
        // whole exchange), not against jsonwebtoken's reading of the wall clock.
        v.validate_exp = false;
        v.validate_nbf = false;
        let data = jsonwebtoken::decode::<Map<String, Value>>(token, &key, &v)
            .map_err(|e| TokenError::Invalid(e.to_string()))?;
        let c = data.claims;
        string(&c, "sub")?;
        match c.get("aud") {
            Some(Value::String(_)) => {}
            Some(Value::Array(a)) if !a.is_empty() && a.iter().all(Value::is_string) => {}
            _ => return Err(TokenError::Claim("aud")),
        }
        let exp = number(&c, "exp")?.ok_or(TokenError::Claim("exp"))?;
        let iat = number(&c, "iat")?.ok_or(TokenError::Claim("iat"))?;
        let nbf = number(&c, "nbf")?;
        let leeway = leeway as i64;
        if exp + leeway < now {
            return Err(TokenError::Invalid("ExpiredSignature".into()));
        }
        if nbf.is_some_and(|n| n - leeway > now) {
            return Err(TokenError::Invalid("ImmatureSignature".into()));
        }
        if iat - leeway > now {
            return Err(TokenError::IssuedInFuture(iat));
        }
        if exp - iat > issuer.max_lifetime_secs {
            return Err(TokenError::TooLong(exp - iat, issuer.max_lifetime_secs));
        }
        if let Some(jti) = c.get("jti") {
            let jti = jti.as_str().ok_or(TokenError::Claim("jti"))?;
            let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
            seen.retain(|_, until| *until + leeway >= now);
            let k = format!("{}\u{0}{jti}", issuer.url);
            if seen.contains_key(&k) {
                return Err(TokenError::Replayed(jti.to_string()));
            }
            seen.insert(k, exp);
        }
        Ok(c)
    }
}
