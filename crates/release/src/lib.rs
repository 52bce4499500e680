//! The release path as one library: the CLI (`crates/tollgate`) and the control-plane server
//! both drive it, so every rule has one implementation.
//!
//! - [`scan`]: config → inventory → scanners → suppressions → Report, and the exit rule.
//! - [`registry`]: the scanners `check` runs and the config sections each part owns.
//! - [`release`]: scan once, SBOM from the same scan, provenance, sign, attest, log, and the
//!   evidence folder (docs/evidence-v1.md).
//! - [`trust`]: where the gate takes signers, approvers, environments and policy from.
//! - [`gate`]: `gate` and `approve` over an evidence folder.
//! - [`log`]: the transparency log as the release path records into it.
//! - [`backends`]: the attest crate behind the policy crate's seams.
//!
//! Nothing here parses arguments or prints: callers render the returned values.

pub mod backends;
pub mod error;
pub mod gate;
pub mod log;
pub mod registry;
pub mod release;
pub mod scan;
pub mod trust;

pub use error::{ReleaseError, Result};
