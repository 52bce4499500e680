//! Rollout analysis: decide whether a deployment is promoted, rolled back, or left for a
//! human, from metrics measured over time — Argo Rollouts' AnalysisTemplate semantics for any
//! deploy target (docs/rollout.md).
//!
//! - [`template`]: the TOML template (`analysis.toml`), arguments, validation with positions;
//! - [`expr`]: the condition language (`result[0] < 0.01`), parsed and evaluated by hand;
//! - [`phase`]: the rules from measurements to a metric's phase and from metrics to a verdict;
//! - [`providers`]: Prometheus, HTTP JSON (`web`), command, saved results (`file`);
//! - [`run`]: the scheduler and the [`Analysis`] (also the JSON report);
//! - [`report`]: the human report and progress lines.

pub mod duration;
pub mod expr;
pub mod phase;
pub mod providers;
pub mod report;
pub mod run;
pub mod template;

pub use phase::Phase;
pub use run::{Analysis, Event, SCHEMA, Verdict, run};
pub use template::{Template, TemplateError};
