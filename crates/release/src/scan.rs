//! The scan pipeline: config → inventory → scanners → suppressions → Report, and the one exit
//! rule (findings at or above the threshold fail the run).

use crate::error::{ReleaseError, Result};
use crate::registry;
use std::path::{Path, PathBuf};
use tollgate_config::{Config, Date};
use tollgate_engine::{Progress, RunOptions, Scanner};
use tollgate_inventory::{Inventory, Options, Root};
use tollgate_model::{Diagnostic, DiagnosticLevel, Report, Severity, ToolInfo};

/// What to scan and how.
#[derive(Debug, Clone, Default)]
pub struct ScanRequest {
    /// Files or folders (empty: the current folder).
    pub paths: Vec<PathBuf>,
    /// `--config` (default: tollgate.toml at the first root).
    pub config: Option<PathBuf>,
    pub no_ignore: bool,
    pub fail_on: Option<Severity>,
    pub max_file_size: Option<u64>,
}

/// A finished scan and whether it passes.
#[derive(Debug)]
pub struct ScanOutcome {
    pub report: Report,
    pub threshold: Severity,
    /// Counting findings at or above `threshold`.
    pub failing: usize,
    /// Nothing could be scanned at all (a source that could not be read): a tool error.
    pub tool_error: bool,
}

impl ScanOutcome {
    fn new(report: Report, threshold: Severity) -> ScanOutcome {
        let failing = report.failing(threshold);
        let tool_error = report
            .diagnostics
            .iter()
            .any(|d| d.level == DiagnosticLevel::Error && d.path.is_none());
        ScanOutcome {
            report,
            threshold,
            failing,
            tool_error,
        }
    }

    pub fn passed(&self) -> bool {
        self.failing == 0
    }
}

/// The tool's name and version as reports carry them.
pub fn tool_info() -> ToolInfo {
    ToolInfo {
        name: "tollgate".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    }
}

/// Loads the config for `req` (explicit `--config`, or tollgate.toml at the first root).
pub fn load_config(req: &ScanRequest) -> Result<Config> {
    let path = match &req.config {
        Some(p) => Some(p.clone()),
        None => {
            let root = req
                .paths
                .first()
                .cloned()
                .unwrap_or_else(|| PathBuf::from("."));
            if root.is_dir() {
                Config::discover(&root)
            } else {
                None
            }
        }
    };
    Ok(match path {
        Some(p) => Config::load(&p, registry::SECTIONS)?,
        None => Config::default(),
    })
}

/// Loads `path` (or `./tollgate.toml` when present, else defaults).
pub fn load_config_file(path: Option<&Path>) -> Result<Config> {
    let p = match path {
        Some(p) => Some(p.to_path_buf()),
        None => Config::discover(Path::new(".")),
    };
    Ok(match p {
        Some(p) => Config::load(&p, registry::SECTIONS)?,
        None => Config::default(),
    })
}

/// Builds the inventory of `req`'s paths and runs `scanners` over it.
pub fn scan(
    req: &ScanRequest,
    config: &Config,
    scanners: &[&dyn Scanner],
    progress: &dyn Progress,
) -> Result<ScanOutcome> {
    let roots: Vec<Root> = if req.paths.is_empty() {
        vec![Root::new(None)]
    } else {
        req.paths.iter().map(|p| Root::from_path(p)).collect()
    };
    let opts = Options {
        no_ignore: req.no_ignore,
        max_file_size: req.max_file_size.unwrap_or(config.scan.max_file_size),
        exclude: config.scan.exclude.clone(),
    };
    let inventory =
        Inventory::collect(&roots, &opts).map_err(|e| ReleaseError::Inventory(e.to_string()))?;
    let mut outcome = run(req, config, scanners, &inventory, progress);
    if inventory.files.is_empty() {
        // Nothing was scanned (an empty folder, a FIFO or device, only skipped files): a pass
        // here would vouch for what nobody looked at, so it is a tool error (exit 2).
        let shown: Vec<&str> = roots
            .iter()
            .map(|r| r.given.as_deref().unwrap_or("."))
            .collect();
        let skipped: Vec<String> = inventory
            .skipped
            .iter()
            .map(|(reason, n)| format!("{n} {reason}"))
            .collect();
        let why = if skipped.is_empty() {
            String::new()
        } else {
            format!(" (skipped: {})", skipped.join(", "))
        };
        outcome.report.diagnostics.push(Diagnostic::error(
            "inventory",
            format!(
                "nothing was scanned: {} holds no regular file tollgate can read{why}",
                shown.join(", ")
            ),
        ));
        outcome.tool_error = true;
    }
    Ok(outcome)
}

/// Runs `scanners` over a given inventory (an empty one for sources that are not files:
/// stdin, a CI log, git history).
pub fn run(
    req: &ScanRequest,
    config: &Config,
    scanners: &[&dyn Scanner],
    inventory: &Inventory,
    progress: &dyn Progress,
) -> ScanOutcome {
    let today = Date::today_utc();
    let (bounded, warnings) = bounded_exceptions(config, today);
    let mut report = if warnings.is_empty() {
        tollgate_engine::run(
            scanners,
            inventory,
            config,
            &RunOptions {
                tool: tool_info(),
                today,
                progress,
            },
        )
    } else {
        let mut config = config.clone();
        config.exceptions = bounded;
        tollgate_engine::run(
            scanners,
            inventory,
            &config,
            &RunOptions {
                tool: tool_info(),
                today,
                progress,
            },
        )
    };
    report.diagnostics.extend(
        warnings
            .into_iter()
            .map(|w| Diagnostic::warning("config", w)),
    );
    progress.finish();
    ScanOutcome::new(report, req.fail_on.unwrap_or(config.scan.fail_on))
}

/// The exceptions of `config` that stay within `[gate] max-exception-days` of when they were
/// granted, and a warning for each one left out (a hand-edited `expires = 9999-12-31` is not
/// taken silently; see docs/gate.md). An unreadable `[gate]` table counts as the default limit
/// here; the gate itself reports it.
pub fn bounded_exceptions(
    config: &Config,
    today: Date,
) -> (Vec<tollgate_config::Exception>, Vec<String>) {
    let max_days = config
        .section::<tollgate_policy::settings::GateSettings>("gate")
        .unwrap_or_default()
        .max_exception_days;
    let mut kept = Vec::new();
    let mut warnings = Vec::new();
    for e in &config.exceptions {
        match e.beyond_max_days(today, max_days) {
            Some(w) => warnings.push(w),
            None => kept.push(e.clone()),
        }
    }
    (kept, warnings)
}

/// `check`: every registered scanner.
pub fn check(req: &ScanRequest, progress: &dyn Progress) -> Result<ScanOutcome> {
    let config = load_config(req)?;
    let scanners = registry::scanners(&config)?;
    let refs: Vec<&dyn Scanner> = scanners.iter().map(|s| s.as_ref()).collect();
    scan(req, &config, &refs, progress)
}

/// An inventory with nothing in it (for scans of non-file sources).
pub fn empty_inventory() -> Inventory {
    Inventory {
        roots: Vec::new(),
        files: Vec::new(),
        skipped: Default::default(),
        diagnostics: Vec::new(),
    }
}
