//! `tollgate policy test DIR`: Rego unit tests, as `opa test` runs them. Every rule whose name
//! starts with `test_` in any package is a test; it passes when it evaluates to `true`.
//! Tests usually mock the input with `with input as {...}`.

use crate::rego::{PolicyError, compile, read_sources};
use regorus::Value;
use regorus::utils::limits::ExecutionTimerConfig;
use serde::Serialize;
use std::num::NonZeroU32;
use std::time::Duration;
use std::time::Instant;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestResult {
    /// `data.<package>.<rule>`.
    pub name: String,
    pub file: String,
    pub passed: bool,
    /// Why it failed (`false`, undefined, or an evaluation error).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    pub duration_us: u64,
}

/// Finds the test rules: `test_…` rule heads at the start of a line, after the `package` line.
/// (regorus does not list rules by name, and Rego rule heads are not indented by convention —
/// `opa fmt` writes them at column 0.)
fn discover(sources: &[(String, String)]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (file, text) in sources {
        let mut package: Option<String> = None;
        for line in text.lines() {
            if let Some(p) = line.strip_prefix("package ") {
                package = Some(p.trim().to_string());
                continue;
            }
            let Some(pkg) = &package else { continue };
            if !line.starts_with("test_") {
                continue;
            }
            let name: String = line
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let full = format!("data.{pkg}.{name}");
            if !out.iter().any(|(n, _): &(String, String)| *n == full) {
                out.push((full, file.clone()));
            }
        }
    }
    out
}

/// Time limit of one test.
pub const TEST_TIMEOUT: Duration = Duration::from_secs(5);

/// Runs every test in `sources`. A file that does not compile is an error.
pub fn run(sources: &[(String, String)]) -> Result<Vec<TestResult>, PolicyError> {
    let (mut base, _) = compile(sources, false)?;
    base.set_execution_timer_config(ExecutionTimerConfig {
        limit: TEST_TIMEOUT,
        check_interval: NonZeroU32::new(64).expect("non-zero"),
    });
    Ok(discover(sources)
        .into_iter()
        .map(|(name, file)| {
            let mut engine = base.clone();
            let started = Instant::now();
            let r = engine.eval_rule(name.clone());
            let duration_us = started.elapsed().as_micros() as u64;
            let failure = match r {
                Ok(Value::Bool(true)) => None,
                Ok(Value::Undefined) => Some("undefined (a condition did not hold)".into()),
                Ok(other) => Some(format!(
                    "evaluated to {}",
                    other.to_json_str().unwrap_or_default()
                )),
                Err(e) => Some(format!("error: {e}")),
            };
            TestResult {
                name,
                file,
                passed: failure.is_none(),
                failure,
                duration_us,
            }
        })
        .collect())
}

/// Loads `dir` (a .rego file or a folder) and runs its tests. Zero tests is an error, as with
/// `opa test`.
pub fn run_dir(dir: &std::path::Path) -> Result<Vec<TestResult>, PolicyError> {
    let r = run(&read_sources(dir)?)?;
    if r.is_empty() {
        return Err(PolicyError::Empty(format!(
            "{} (no test_ rules)",
            dir.display()
        )));
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_policy_passes_its_own_tests() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/policy");
        let r = run_dir(std::path::Path::new(dir)).unwrap();
        assert!(r.len() >= 6);
        for t in &r {
            assert!(t.passed, "{}: {:?}", t.name, t.failure);
        }
    }

    #[test]
    fn runs_tests_and_reports_failures() {
        let r = run(&[
            (
                "p.rego".into(),
                "package tollgate.gate\nimport rego.v1\nallow if input.ok\n".into(),
            ),
            (
                "p_test.rego".into(),
                "package tollgate.gate_test\nimport rego.v1\nimport data.tollgate.gate\n\
                 test_allows if gate.allow with input as {\"ok\": true}\n\
                 test_denies if not gate.allow with input as {\"ok\": false}\n\
                 test_wrong if gate.allow with input as {\"ok\": false}\n"
                    .into(),
            ),
        ])
        .unwrap();
        let names: Vec<_> = r.iter().map(|t| (t.name.as_str(), t.passed)).collect();
        assert_eq!(
            names,
            vec![
                ("data.tollgate.gate_test.test_allows", true),
                ("data.tollgate.gate_test.test_denies", true),
                ("data.tollgate.gate_test.test_wrong", false),
            ]
        );
    }
}
