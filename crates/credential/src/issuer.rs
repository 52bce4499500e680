//! Minting the credential. [`CredentialIssuer`] is the seam for other backends (Vault dynamic
//! secrets, cloud STS); [`JwtIssuer`] mints an ES256 JWT that anything trusting OIDC/JWKS can
//! consume (Vault JWT auth with `bound_claims` on the digest, cloud web-identity federation, an
//! admission check), and publishes its JWKS and discovery documents.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use base64::Engine as _;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use tollgate_model::Digest;

const B64URL: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// What the exchange decided to grant.
#[derive(Debug, Clone)]
pub struct Grant {
    /// The CI token's `iss` and `sub`.
    pub issuer: String,
    pub subject: String,
    pub environment: String,
    pub artifact: Digest,
    /// Index of the gate decision in the log the grant relies on.
    pub gate_index: u64,
    pub policy_digest: String,
    pub audience: String,
    pub scopes: Vec<String>,
    pub lifetime_secs: i64,
    /// The claims that matched the trust policy.
    pub claims: BTreeMap<String, String>,
}

/// A minted credential. `token` is shown once to the caller and never stored or logged.
#[derive(Clone)]
pub struct Issued {
    pub token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    /// SHA-256 of the token: what the log records.
    pub token_sha256: Digest,
}

impl std::fmt::Debug for Issued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issued")
            .field("token", &"[redacted]")
            .field("expires_in", &self.expires_in)
            .field("token_sha256", &self.token_sha256)
            .finish()
    }
}

/// A credential backend.
pub trait CredentialIssuer: Send + Sync {
    fn issue(&self, grant: &Grant, now: i64) -> Result<Issued, String>;
}

/// Mints ES256 JWTs with the server's key.
pub struct JwtIssuer {
    /// The `iss` of minted tokens (the server's public URL).
    pub url: String,
    kid: String,
    pkcs8: Vec<u8>,
    public: Vec<u8>,
}

impl JwtIssuer {
    /// A new P-256 key (the server keeps its PKCS#8 bytes, see [`JwtIssuer::pkcs8`]).
    pub fn generate(url: &str) -> Result<JwtIssuer, String> {
        let doc =
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
                .map_err(|e| e.to_string())?;
        JwtIssuer::from_pkcs8(url, doc.as_ref())
    }

    /// From a stored PKCS#8 P-256 key.
    pub fn from_pkcs8(url: &str, pkcs8: &[u8]) -> Result<JwtIssuer, String> {
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8)
            .map_err(|e| e.to_string())?;
        let public = pair.public_key().as_ref().to_vec();
        // RFC 7638 thumbprint as the key id: stable across restarts, distinct per key.
        let (x, y) = (
            B64URL.encode(&public[1..33]),
            B64URL.encode(&public[33..65]),
        );
        let thumb = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
        let kid = B64URL.encode(tollgate_model::sha256(thumb.as_bytes()).0);
        Ok(JwtIssuer {
            url: url.trim_end_matches('/').to_string(),
            kid,
            pkcs8: pkcs8.to_vec(),
            public,
        })
    }

    pub fn pkcs8(&self) -> &[u8] {
        &self.pkcs8
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// This key as a JWK.
    pub fn jwk(&self) -> Value {
        json!({
            "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": self.kid,
            "x": B64URL.encode(&self.public[1..33]), "y": B64URL.encode(&self.public[33..65]),
        })
    }

    /// `/.well-known/jwks.json` for the current key and the ones still in overlap.
    pub fn jwks(keys: &[&JwtIssuer]) -> Value {
        json!({"keys": keys.iter().map(|k| k.jwk()).collect::<Vec<_>>()})
    }

    /// `/.well-known/openid-configuration`.
    pub fn discovery(&self, token_endpoint: &str) -> Value {
        json!({
            "issuer": self.url,
            "jwks_uri": format!("{}/.well-known/jwks.json", self.url),
            "token_endpoint": token_endpoint,
            "id_token_signing_alg_values_supported": ["ES256"],
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"],
            "grant_types_supported": ["urn:ietf:params:oauth:grant-type:token-exchange"],
        })
    }
}

impl CredentialIssuer for JwtIssuer {
    fn issue(&self, g: &Grant, now: i64) -> Result<Issued, String> {
        let lifetime = g.lifetime_secs.clamp(1, crate::policy::MAX_LIFETIME_SECS);
        let jti = {
            let mut b = [0u8; 16];
            aws_lc_rs::rand::fill(&mut b).map_err(|e| e.to_string())?;
            B64URL.encode(b)
        };
        let claims = json!({
            "iss": self.url,
            "sub": format!("{}#{}", g.issuer, g.subject),
            "aud": g.audience,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "jti": jti,
            "environment": g.environment,
            "artifact_digest": g.artifact.to_string(),
            "gate_log_index": g.gate_index,
            "policy_digest": g.policy_digest,
            "scope": g.scopes.join(" "),
            "ci_claims": g.claims,
        });
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        header.typ = Some("JWT".into());
        let key = jsonwebtoken::EncodingKey::from_ec_der(&self.pkcs8);
        let token = jsonwebtoken::encode(&header, &claims, &key).map_err(|e| e.to_string())?;
        Ok(Issued {
            token_sha256: tollgate_model::sha256(token.as_bytes()),
            token,
            token_type: "Bearer",
            expires_in: lifetime,
        })
    }
}
