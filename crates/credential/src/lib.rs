//! Short-lived deploy credentials that exist only when the gate said yes (issue 18).
//!
//! A CI job presents its OIDC token (GitHub Actions, GitLab `id_tokens`, any OIDC issuer) in
//! an RFC 8693 token exchange, naming an artifact digest and an environment. The exchange
//! succeeds only when
//! 1. the token verifies against a configured issuer ([`oidc`]): key from the issuer's JWKS by
//!    `kid`, algorithm taken from the key (never from the header), `iss`, `aud`, `sub`, `exp`,
//!    `iat` required with their JSON types, `nbf` honoured, leeway ≤ 60 s, a lifetime cap and a
//!    `jti` replay cache;
//! 2. a trust policy for the environment matches the token's claims ([`policy`]): anchored
//!    patterns over repository ids, refs, environment, workflow, event, runner;
//! 3. the latest gate decision logged for that digest and environment is ALLOW, recent enough,
//!    under the policy digest still in force, and (optionally) from the same workflow run
//!    ([`exchange`]).
//!
//! Then an [`issuer::CredentialIssuer`] mints the credential (by default an ES256 JWT of
//! minutes, [`issuer::JwtIssuer`], with JWKS and discovery documents to publish). Every
//! issuance and every refusal is a `credential-issuance` event holding hashes, never tokens.

pub mod client;
pub mod exchange;
pub mod issuer;
pub mod oidc;
pub mod policy;

pub use exchange::{ExchangeForm, GateRecord, Outcome, Refusal, exchange};
pub use issuer::{CredentialIssuer, Grant, Issued, JwtIssuer};
pub use oidc::{Issuer, TokenError, Verifier};
pub use policy::TrustPolicy;
