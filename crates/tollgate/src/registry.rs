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
