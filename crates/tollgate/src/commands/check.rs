//! `tollgate check` and `tollgate scan <scanner>`: inventory → scanners → report → output.

use crate::{exit, progress::Bar, registry};
use anyhow::Context;
use std::io::Write;
use std::path::PathBuf;
use tollgate_config::{Config, Date};
use tollgate_engine::{RunOptions, Scanner};
use tollgate_inventory::{Inventory, Options, Root};
use tollgate_model::{Report, Severity, ToolInfo};
use tollgate_render::{Format, RenderOptions};

/// Options shared by `check` and every `scan` subcommand.
#[derive(Debug, Clone, clap::Args)]
pub struct CommonArgs {
    /// Files or folders to scan (default: the current folder).
    pub paths: Vec<PathBuf>,
    /// Configuration file (default: tollgate.toml at the first scanned root).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Do not honour .gitignore and .ignore files.
    #[arg(long)]
    pub no_ignore: bool,
    /// Lowest severity that fails the run (overrides `[scan] fail-on`).
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
    /// Skip files larger than this many bytes (overrides `[scan] max-file-size`).
    #[arg(long, value_name = "BYTES")]
    pub max_file_size: Option<u64>,
    /// No progress bar and no summary on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Also print suppressed findings (human format).
    #[arg(long)]
    pub show_suppressed: bool,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub common: CommonArgs,
}

/// `tollgate scan <scanner>`: one variant per scanner, each with its own extra flags.
#[derive(Debug, clap::Subcommand)]
pub enum ScanCommand {
    /// Secrets in files, archives, stdin (`-`), CI logs (`--ci-log`) and git history (`--git`, `--staged`).
    Secrets(crate::commands::secrets::SecretsArgs),
    /// Audit CI/CD configuration: GitHub Actions workflows, composite actions, Dependabot, GitLab CI.
    Ci(super::ci::CiArgs),
    /// Dependencies: lockfiles, manifests and SBOMs matched against OSV advisories.
    Deps(crate::commands::deps::DepsArgs),
    /// Infrastructure as code: Dockerfiles/Containerfiles, Kubernetes manifests, Terraform.
    Iac(CheckArgs),
}

pub fn run_check(a: CheckArgs) -> anyhow::Result<u8> {
    execute(&a.common, |cfg| Ok(registry::scanners(cfg)?))
}

pub fn run_scan(s: ScanCommand) -> anyhow::Result<u8> {
    match s {
        ScanCommand::Secrets(a) => crate::commands::secrets::run(a),
        ScanCommand::Ci(a) => super::ci::run(a),
        ScanCommand::Deps(a) => crate::commands::deps::run_scan(a),
        ScanCommand::Iac(a) => execute(&a.common, |cfg| {
            Ok(vec![
                Box::new(tollgate_iac::IacScanner::from_config(cfg)?) as _
            ])
        }),
    }
}

/// Loads the config for `common` (explicit `--config`, or tollgate.toml at the first root).
pub fn load_config(common: &CommonArgs) -> Result<Config, tollgate_config::ConfigError> {
    let path = match &common.config {
        Some(p) => Some(p.clone()),
        None => {
            let root = common
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
    match path {
        Some(p) => Config::load(&p, registry::SECTIONS),
        None => Ok(Config::default()),
    }
}

/// Runs the pipeline with the scanners `build` makes from the config, writes the output and
/// returns the exit code.
pub fn execute(
    common: &CommonArgs,
    build: impl FnOnce(&Config) -> anyhow::Result<Vec<Box<dyn Scanner>>>,
) -> anyhow::Result<u8> {
    let config = match load_config(common) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(exit::USAGE);
        }
    };
    let scanners = match build(&config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e:#}");
            return Ok(exit::USAGE);
        }
    };
    let report = match scan(common, &config, &scanners)? {
        Some(r) => r,
        None => return Ok(exit::USAGE),
    };
    emit(common, &report)?;
    let threshold = common.fail_on.unwrap_or(config.scan.fail_on);
    let failing = report.failing(threshold);
    Ok(if failing > 0 { exit::FAIL } else { exit::PASS })
}

/// Builds the inventory and runs the scanners. `None` when nothing could be scanned (the
/// reason has been printed).
pub fn scan(
    common: &CommonArgs,
    config: &Config,
    scanners: &[Box<dyn Scanner>],
) -> anyhow::Result<Option<Report>> {
    let roots: Vec<Root> = if common.paths.is_empty() {
        vec![Root::new(None)]
    } else {
        common
            .paths
            .iter()
            .map(|p| Root::new(Some(&p.to_string_lossy())))
            .collect()
    };
    let opts = Options {
        no_ignore: common.no_ignore,
        max_file_size: common.max_file_size.unwrap_or(config.scan.max_file_size),
        exclude: config.scan.exclude.clone(),
    };
    let bar = Bar::new(common.quiet);
    let inventory = match Inventory::collect(&roots, &opts) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(None);
        }
    };
    let refs: Vec<&dyn Scanner> = scanners.iter().map(|s| s.as_ref()).collect();
    let report = tollgate_engine::run(
        &refs,
        &inventory,
        config,
        &RunOptions {
            tool: tool_info(),
            today: Date::today_utc(),
            progress: &bar,
        },
    );
    tollgate_engine::Progress::finish(&bar);
    Ok(Some(report))
}

pub fn tool_info() -> ToolInfo {
    ToolInfo {
        name: "tollgate".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    }
}

/// Renders `report` to `--output` or stdout.
pub fn emit(common: &CommonArgs, report: &Report) -> anyhow::Result<()> {
    let opts = RenderOptions {
        color: common.output.is_none() && tollgate_render::human::stdout_wants_color(),
        show_suppressed: common.show_suppressed,
    };
    match &common.output {
        Some(p) => {
            let mut f = std::io::BufWriter::new(
                std::fs::File::create(p)
                    .with_context(|| format!("cannot write {}", p.display()))?,
            );
            tollgate_render::render(report, common.format, &opts, &mut f)?;
            f.flush()?;
            if !common.quiet && common.format != Format::Human {
                let mut err = std::io::stderr();
                tollgate_render::human::summary(report, &mut err, false)?;
            }
        }
        None => {
            let mut lock = crate::exit::stdout();
            tollgate_render::render(report, common.format, &opts, &mut lock)?;
            lock.flush()?;
        }
    }
    Ok(())
}
