//! Documented exit codes (docs/exit-codes.md).

/// Everything passed: no counting findings at or above the threshold, gate allowed, verified.
pub const PASS: u8 = 0;
/// Findings at or above the threshold, gate denied, verification failed.
pub const FAIL: u8 = 1;
/// Usage error, bad configuration, or a tool error where nothing could be done.
pub const USAGE: u8 = 2;
