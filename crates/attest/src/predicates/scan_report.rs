//! `https://tollgate.dev/attestation/scan-report/v1`: a tollgate scan's verdict and report.
//!
//! ```json
//! {
//!   "scanner": {"uri": "https://tollgate.dev", "version": "0.1.0"},
//!   "result": "PASSED" | "FAILED",
//!   "failOn": "high",
//!   "counts": {"findings": 3, "failing": 0, "suppressed": 1},
//!   "report": { ... the tollgate.report/v1 JSON document ... }
//! }
//! ```
//! `result` is `FAILED` when at least one unsuppressed finding is at or above `failOn`.

use serde_json::{Value, json};

/// Inputs of a scan-report predicate.
#[derive(Debug, Clone)]
pub struct ScanReport {
    pub tool_version: String,
    /// Severity threshold name (`[scan] fail-on`).
    pub fail_on: String,
    pub findings: usize,
    pub failing: usize,
    pub suppressed: usize,
    /// The `tollgate.report/v1` JSON document.
    pub report: Value,
}

impl ScanReport {
    pub fn passed(&self) -> bool {
        self.failing == 0
    }

    pub fn to_predicate(&self) -> Value {
        json!({
            "scanner": {"uri": "https://tollgate.dev", "version": self.tool_version},
            "result": if self.passed() { "PASSED" } else { "FAILED" },
            "failOn": self.fail_on,
            "counts": {"findings": self.findings, "failing": self.failing, "suppressed": self.suppressed},
            "report": self.report,
        })
    }
}
