//! The tollgate finding model.
//!
//! Every scanner produces [`Finding`]s; the engine gathers them into a [`Report`]; policy,
//! attestation, the log and the renderers read reports. This crate performs no I/O: it only
//! defines the vocabulary (and hashes bytes it is given, for fingerprints and digests).

mod digest;
mod event;
mod evidence;
mod finding;
mod location;
pub mod predicate;
mod report;
mod rule;
mod severity;

pub use digest::{Digest, DigestError, sha256, sha256_parts};
pub use event::{Event, EventType};
pub use evidence::{Evidence, redact_secret};
pub use finding::{Finding, Fingerprint, Origin, Suppression, SuppressionKind};
pub use location::{Location, Span};
pub use report::{Diagnostic, DiagnosticLevel, InputFile, Report, ScannerRun, ToolInfo};
pub use rule::{RuleId, RuleIdError, RuleMeta};
pub use severity::{Confidence, ParseLevelError, Severity};
