//! The scanner through the engine, as `tollgate scan deps` runs it: shared by the integration
//! tests that need a whole run (config, inventory, report).

use std::path::Path;
use tollgate_config::{Config, Date};
use tollgate_deps::DepsScanner;
use tollgate_engine::{RunOptions, Scanner, Silent};
use tollgate_inventory::{Inventory, Options, Root};
use tollgate_model::{Report, ToolInfo};

/// Writes `toml` as `dir/tollgate.toml` and scans `dir` with the advisory index `dir/db`
/// (a missing file means the bundled snapshot).
pub fn run(dir: &Path, toml: &str, db: &str) -> Report {
    std::fs::write(dir.join("tollgate.toml"), toml).unwrap();
    let cfg = Config::load(&dir.join("tollgate.toml"), &["deps"]).unwrap();
    let scanner = DepsScanner::from_config(&cfg, Some(dir.join(db))).unwrap();
    let given = dir.display().to_string();
    let inv = Inventory::collect(
        &[Root::new(Some(&given))],
        &Options {
            no_ignore: true,
            max_file_size: 1 << 20,
            exclude: Vec::new(),
        },
    )
    .unwrap();
    let scanners: Vec<&dyn Scanner> = vec![&scanner];
    tollgate_engine::run(
        &scanners,
        &inv,
        &cfg,
        &RunOptions {
            tool: ToolInfo {
                name: "tollgate".into(),
                version: "test".into(),
            },
            today: Date::today_utc(),
            progress: &Silent,
        },
    )
}
