//! The scanners `check` runs, and the config sections each part of tollgate owns.
//! Each scanner issue registers its scanner here (one line each).

use tollgate_config::{Config, ConfigError};
use tollgate_engine::Scanner;

/// Top-level `tollgate.toml` tables owned by parts other than the core.
pub const SECTIONS: &[&str] = &["verify"];

/// Builds every scanner from the config. A bad section is a usage error naming file:line:col.
pub fn scanners(_config: &Config) -> Result<Vec<Box<dyn Scanner>>, ConfigError> {
    let out: Vec<Box<dyn Scanner>> = Vec::new();
    Ok(out)
}
