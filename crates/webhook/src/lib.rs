//! Webhook intake: verify a delivery over its exact raw bytes, then turn it into CI/CD events.
//!
//! - [`verify`]: GitHub (`X-Hub-Signature-256`, HMAC-SHA256), GitLab (`X-Gitlab-Token`, compared
//!   in constant time, or the Standard Webhooks signature GitLab can send) and Standard Webhooks
//!   1.0 (`webhook-id`, `webhook-timestamp`, `webhook-signature`: symmetric `v1,` HMAC with
//!   `whsec_` secrets and asymmetric `v1a,` Ed25519 with `whpk_` public keys; several
//!   signatures in one header and several secrets per source, for rotation without downtime).
//! - [`events`]: typed payloads of the events tollgate uses (push, pull/merge request,
//!   workflow/pipeline runs, jobs, deployments and their statuses, releases, package
//!   publishes) into [`tollgate_model::Event`]s; unknown event types are reported, not dropped.
//!
//! Everything here is a pure function of the request: the server adds the body limit, the
//! durable store, deduplication by delivery id and rate limits around it.

pub mod events;
pub mod verify;

pub use events::{Delivery, Translation, translate};
pub use verify::{Rejection, Scheme, Source, Verified, verify};
