//! Arguments and output shared by `check` and every `scan` subcommand: the scan itself is
//! `tollgate_release::scan`; this module turns flags into a request and a report into output
//! and an exit code.

use crate::exit;
use crate::progress::Bar;
use anyhow::Context;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use std::io::Write;
use std::path::PathBuf;
use tollgate_config::Config;
use tollgate_engine::Scanner;
use tollgate_model::{Report, Severity};
use tollgate_release::scan::{self, ScanOutcome, ScanRequest};
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
    #[arg(long, short = 'f', default_value_t = Format::Human, value_parser = PossibleValuesParser::new(Format::NAMES).try_map(|s| s.parse::<Format>()))]
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

impl CommonArgs {
    /// The library's scan request for these flags.
    pub fn request(&self) -> ScanRequest {
        ScanRequest {
            paths: self.paths.clone(),
            config: self.config.clone(),
            no_ignore: self.no_ignore,
            fail_on: self.fail_on,
            max_file_size: self.max_file_size,
        }
    }
}

/// Runs the pipeline with the scanners `build` makes from the config, writes the output and
/// returns the exit code.
pub fn execute(
    common: &CommonArgs,
    build: impl FnOnce(&Config) -> anyhow::Result<Vec<Box<dyn Scanner>>>,
) -> anyhow::Result<u8> {
    let req = common.request();
    let config = scan::load_config(&req)?;
    let scanners = build(&config)?;
    let refs: Vec<&dyn Scanner> = scanners.iter().map(|s| s.as_ref()).collect();
    let outcome = scan::scan(&req, &config, &refs, &Bar::new(common.quiet))?;
    emit(common, &outcome.report)?;
    Ok(code(&outcome))
}

/// The one exit rule of every scan: 2 when nothing could be scanned, 1 on findings at or
/// above the threshold, else 0.
pub fn code(outcome: &ScanOutcome) -> u8 {
    if outcome.tool_error {
        exit::USAGE
    } else if outcome.passed() {
        exit::PASS
    } else {
        exit::FAIL
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
