//! The scanners `check` runs, and the config sections each part of tollgate owns.
//! Each scanner registers itself here (one line each).

use tollgate_config::{Config, ConfigError};
use tollgate_engine::Scanner;

/// Top-level `tollgate.toml` tables owned by parts other than the core.
pub const SECTIONS: &[&str] = &[
    tollgate_secrets::SECTION,
    tollgate_ci::SECTION,
    tollgate_iac::SECTION,
    "deps",
    "verify",
    "log",
    "gate",
    "environments",
    "trust",
    "kpi",
];

/// Builds every scanner from the config. A bad section is a usage error naming file:line:col.
pub fn scanners(config: &Config) -> Result<Vec<Box<dyn Scanner>>, ConfigError> {
    let out: Vec<Box<dyn Scanner>> = vec![
        Box::new(tollgate_secrets::SecretsScanner::from_config(config)?),
        Box::new(tollgate_ci::CiScanner::from_config(config)?),
        Box::new(tollgate_deps::DepsScanner::from_config(config, None)?),
        Box::new(tollgate_iac::IacScanner::from_config(config)?),
    ];
    Ok(out)
}

/// Every rule of every registered scanner (what `explain`, docs and reference tests read).
pub fn all_rules() -> Vec<tollgate_model::RuleMeta> {
    scanners(&Config::default())
        .map(|s| s.iter().flat_map(|s| s.rules()).collect())
        .unwrap_or_default()
}

/// The registered scanners, and a handle on the dependency scanner among them.
pub type WithDeps = (
    Vec<Box<dyn Scanner>>,
    std::sync::Arc<tollgate_deps::DepsScanner>,
);

/// The registered scanners, with the dependency scanner keeping the components it read (a
/// release builds its SBOM from them: one parse of every lockfile).
pub fn scanners_keeping_components(config: &Config) -> Result<WithDeps, ConfigError> {
    let deps = std::sync::Arc::new(
        tollgate_deps::DepsScanner::from_config(config, None)?.keeping_components(),
    );
    let out: Vec<Box<dyn Scanner>> = vec![
        Box::new(tollgate_secrets::SecretsScanner::from_config(config)?),
        Box::new(tollgate_ci::CiScanner::from_config(config)?),
        Box::new(deps.clone()),
        Box::new(tollgate_iac::IacScanner::from_config(config)?),
    ];
    Ok((out, deps))
}
