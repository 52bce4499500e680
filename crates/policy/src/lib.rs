//! The release gate.
//!
//! - [`evidence`]: `tollgate.evidence/v1`, the document a policy reads (docs/evidence-v1.md).
//! - [`rego`]: Rego policies (regorus), bounded in time and memory; the built-in default
//!   policy encodes the checklist (SP-04, SP-05, SP-06, SP-15, SP-16, SP-17).
//! - [`approvals`]: approvals bound to an artifact digest, an environment and a policy digest,
//!   with separation of duties.
//! - [`gate`]: assembling evidence, deciding, break-glass, the SLSA verification summary.
//! - [`exceptions`]: `exception add|list` over `[[exceptions]]`.
//! - [`ptest`]: `policy test`, Rego unit tests.
//! - `callgraph`: the static check that refuses recursive and too deeply nested policies.
//!
//! Signatures and the log are reached through [`traits`], implemented by the binary with the
//! attest and ledger crates; this crate depends on neither.

pub mod approvals;
mod callgraph;
pub mod evidence;
pub mod exceptions;
pub mod gate;
pub mod ptest;
pub mod rego;
pub mod sarif;
pub mod settings;
pub mod traits;
mod value;

pub use evidence::{Evidence, SourceSuppressions, TrustInput};
pub use gate::{BreakGlass, Gate, GateError, GateOutcome, GateRequest, Verdict};
pub use rego::{Decision, EngineKind, Policy, PolicyError};
pub use settings::{EnvironmentRules, SECTIONS, Settings, SourceSuppressionRule, TrustRequirement};
pub use traits::{
    ApprovalSigner, BundleVerifier, Event, EventSink, JsonlEventLog, MemoryLog, NoVerifier,
    TrustRole, VerifiedBundle,
};
