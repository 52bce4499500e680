//! The gate's tables in `tollgate.toml`: `[gate]` and `[environments.NAME]`.

use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::time::Duration;
use tollgate_config::{Config, ConfigError};

/// Top-level tables this crate owns (the binary adds them to `registry::SECTIONS`).
pub const SECTIONS: &[&str] = &["gate", "environments"];

/// Every check the default policy knows, in the order it reports them.
pub const ALL_CHECKS: &[&str] = &[
    "scans",
    "findings",
    "signature",
    "provenance",
    "sbom",
    "approvals",
];

/// `[gate]`: settings shared by every environment.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct GateSettings {
    /// A `.rego` file or a folder of them replacing the built-in policy (relative to the config).
    #[serde(default)]
    pub policy: Option<String>,
    /// Longest an exception may be granted for, in days (`exception add` refuses longer).
    #[serde(default = "default_exception_days")]
    pub max_exception_days: u32,
    /// Wall-clock limit of one policy evaluation.
    #[serde(default = "default_timeout", deserialize_with = "duration")]
    pub timeout: Duration,
    /// Largest evidence document evaluated, in bytes (bounds the evaluator's memory).
    #[serde(default = "default_max_input")]
    pub max_input_bytes: usize,
    /// Append-only JSON-lines event file used when no transparency log is wired in.
    #[serde(default)]
    pub events: Option<String>,
    /// Allowed SLSA builder ids, for every environment that does not set its own.
    #[serde(default)]
    pub builders: Vec<String>,
    /// Allowed source URI prefixes, for every environment that does not set its own.
    #[serde(default)]
    pub sources: Vec<String>,
    /// Scans that must have run (default: secrets, ci, deps).
    #[serde(default = "default_scans")]
    pub required_scans: Vec<String>,
}

fn default_exception_days() -> u32 {
    90
}
fn default_timeout() -> Duration {
    Duration::from_secs(2)
}
fn default_max_input() -> usize {
    16 * 1024 * 1024
}
fn default_scans() -> Vec<String> {
    vec!["secrets".into(), "ci".into(), "deps".into()]
}

impl Default for GateSettings {
    fn default() -> Self {
        GateSettings {
            policy: None,
            max_exception_days: default_exception_days(),
            timeout: default_timeout(),
            max_input_bytes: default_max_input(),
            events: None,
            builders: Vec::new(),
            sources: Vec::new(),
            required_scans: default_scans(),
        }
    }
}

/// `[environments.NAME]`: what one deployment target requires.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct EnvironmentRules {
    /// Checks required (see [`ALL_CHECKS`]); omitted = the full default checklist.
    #[serde(default)]
    pub require: Option<Vec<String>>,
    /// Distinct approvals needed (never from the change's author, committer or triggerer).
    #[serde(default)]
    pub approvals: Option<usize>,
    /// Identities allowed to approve (must also be in `[[approvers]]`). Empty: any approver.
    #[serde(default)]
    pub approvers: Vec<String>,
    /// An approval older than this no longer counts.
    #[serde(default, deserialize_with = "opt_duration")]
    pub max_age: Option<Duration>,
    /// An approval counts only once it is this old (time to object or revoke).
    #[serde(default, deserialize_with = "opt_duration")]
    pub wait: Option<Duration>,
    /// How long a break-glass override lasts from its first use; absent: break-glass is off.
    #[serde(default, deserialize_with = "opt_duration")]
    pub break_glass: Option<Duration>,
    #[serde(default)]
    pub builders: Option<Vec<String>>,
    #[serde(default)]
    pub sources: Option<Vec<String>>,
    #[serde(default)]
    pub required_scans: Option<Vec<String>>,
    /// Lowest finding severity that blocks (default `high`).
    #[serde(default)]
    pub block_on: Option<tollgate_model::Severity>,
    /// `external`: deny unless the trust configuration came from outside the released source
    /// tree (`--trust`, `TOLLGATE_TRUST`, or a `[trust] file` outside it). Default `any`.
    #[serde(default)]
    pub trust: TrustRequirement,
    /// `deny`: inline allows and `[scan] exclude` patterns of the released change itself make
    /// the gate deny. Default `allow` (they are always reported).
    #[serde(default)]
    pub source_suppressions: SourceSuppressionRule,
    /// Count SARIF logs that are not attested (findings and scans from other tools) for this
    /// environment. Off by default: only signed, artifact-bound evidence decides.
    #[serde(default)]
    pub accept_unsigned_sarif: bool,
}

/// `[environments.NAME] trust`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TrustRequirement {
    #[default]
    Any,
    External,
}

impl TrustRequirement {
    pub fn as_str(self) -> &'static str {
        match self {
            TrustRequirement::Any => "any",
            TrustRequirement::External => "external",
        }
    }
}

/// `[environments.NAME] source-suppressions`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceSuppressionRule {
    #[default]
    Allow,
    Deny,
}

impl EnvironmentRules {
    /// Checks this environment requires: the listed ones, or all of them.
    pub fn checks(&self) -> Vec<String> {
        match &self.require {
            Some(r) => r.clone(),
            None => ALL_CHECKS.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// Approvals needed: the configured number, else 1 when `approvals` is required, else 0.
    pub fn approvals_needed(&self) -> usize {
        match self.approvals {
            Some(n) => n,
            None if self.checks().iter().any(|c| c == "approvals") => 1,
            None => 0,
        }
    }
}

/// Everything the gate reads from the config.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub gate: GateSettings,
    pub environments: BTreeMap<String, EnvironmentRules>,
}

impl Settings {
    /// Reads `[gate]` and `[environments]`; unknown keys and unknown check names are errors
    /// with file:line:column.
    pub fn from_config(config: &Config) -> Result<Settings, ConfigError> {
        let gate: GateSettings = config.section("gate")?;
        let environments: BTreeMap<String, EnvironmentRules> = config.section("environments")?;
        for (name, env) in &environments {
            for c in env.require.iter().flatten() {
                if !ALL_CHECKS.contains(&c.as_str()) {
                    return Err(config.error_at(
                        &format!("\"{c}\""),
                        format!(
                            "environments.{name}.require: unknown check `{c}` (known: {})",
                            ALL_CHECKS.join(", ")
                        ),
                    ));
                }
            }
        }
        Ok(Settings { gate, environments })
    }

    /// The rules of `env`; an environment not configured gets the full default checklist.
    pub fn environment(&self, env: &str) -> EnvironmentRules {
        self.environments.get(env).cloned().unwrap_or_default()
    }
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s).map_err(|e| format!("invalid duration {s:?} ({e}); e.g. \"72h\""))
}

fn duration<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let s = String::deserialize(d)?;
    parse_duration(&s).map_err(serde::de::Error::custom)
}

fn opt_duration<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    let s = String::deserialize(d)?;
    parse_duration(&s)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn load(raw: &str) -> Result<Settings, ConfigError> {
        let c = Config::from_str_at(raw, Path::new("tollgate.toml"), SECTIONS)?;
        Settings::from_config(&c)
    }

    #[test]
    fn environments_parse_with_durations() {
        let s = load(
            "[environments.prod]\nrequire = [\"signature\", \"approvals\"]\napprovals = 2\nmax-age = \"72h\"\nbreak-glass = \"1h\"\n",
        )
        .unwrap();
        let p = s.environment("prod");
        assert_eq!(p.approvals_needed(), 2);
        assert_eq!(p.max_age, Some(Duration::from_secs(72 * 3600)));
        assert_eq!(p.checks(), vec!["signature", "approvals"]);
        // An unknown environment gets the whole checklist and one approval.
        let d = s.environment("staging");
        assert_eq!(d.checks().len(), ALL_CHECKS.len());
        assert_eq!(d.approvals_needed(), 1);
    }

    #[test]
    fn bad_keys_and_checks_are_positioned() {
        let e = load("[environments.prod]\napprovels = 2\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("tollgate.toml:2:1"), "{e}");
        let e = load("[environments.prod]\nrequire = [\"sigs\"]\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("tollgate.toml:2:12"), "{e}");
        assert!(e.contains("unknown check"), "{e}");
        let e = load("[environments.prod]\nmax-age = \"soon\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("tollgate.toml:2:"), "{e}");
    }
}
