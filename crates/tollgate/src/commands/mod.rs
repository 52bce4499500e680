//! One module per command. Each parses its flags, calls a library and renders the result, and
//! returns the process exit code. `main` dispatches to them.

pub mod analyze;
pub mod attest;
pub mod baseline;
pub mod check;
pub mod ci;
pub mod common;
pub mod credential;
pub mod deps;
pub mod explain;
pub mod init;
pub mod log;
pub mod policy;
pub mod posture;
pub mod scan;
pub mod secrets;
pub mod serve;
