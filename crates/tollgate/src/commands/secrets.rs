//! `tollgate scan secrets`: files and folders (like `check`), or stdin (`-`), a CI log
//! (`--ci-log`), git history (`--git [RANGE]`) or the staged index (`--staged`).

use super::common::{CommonArgs, code, emit, execute};
use crate::progress::Bar;
use std::io::Read;
use std::path::PathBuf;
use tollgate_engine::Scanner;
use tollgate_release::scan;
use tollgate_secrets::{GitScope, SecretsScanner, Source, SourceScanner};

#[derive(Debug, clap::Args)]
pub struct SecretsArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Scan git history instead of files: every blob reachable from every ref, or RANGE
    /// (`base..head`, or one revision). Findings name the commit that introduced them.
    #[arg(long, value_name = "RANGE", num_args = 0..=1, default_missing_value = "")]
    pub git: Option<String>,
    /// Scan the staged changes (index blobs not in HEAD): for a pre-commit hook.
    #[arg(long, conflicts_with = "git")]
    pub staged: bool,
    /// With `--git` (all refs): skip history scanned by the previous run, whose ref tips are
    /// stored in FILE (rewritten after each run).
    #[arg(long, value_name = "FILE", requires = "git")]
    pub watermark: Option<PathBuf>,
    /// Scan a CI log file (ANSI colour codes are stripped).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["git", "staged"])]
    pub ci_log: Option<PathBuf>,
}

pub fn run(a: SecretsArgs) -> anyhow::Result<u8> {
    let first = a.common.paths.first().cloned();
    let stdin = first.as_deref() == Some(std::path::Path::new("-"));
    let source = if let Some(log) = &a.ci_log {
        Some(Source::CiLog(log.clone()))
    } else if a.staged || a.git.is_some() {
        let repo = first.clone().unwrap_or_else(|| PathBuf::from("."));
        let scope = match (&a.watermark, a.staged) {
            (_, true) => GitScope::Staged,
            (Some(w), false) if a.git.as_deref().unwrap_or("").is_empty() => {
                GitScope::Incremental {
                    watermark: w.clone(),
                }
            }
            (Some(_), false) => {
                anyhow::bail!("--watermark works with `--git` over all refs, not a range")
            }
            (None, false) => GitScope::parse(a.git.as_deref()),
        };
        Some(Source::Git { repo, scope })
    } else if stdin {
        let mut data = Vec::new();
        std::io::stdin().read_to_end(&mut data)?;
        Some(Source::Bytes {
            display: "<stdin>".into(),
            data,
        })
    } else {
        None
    };
    let Some(source) = source else {
        return execute(&a.common, |cfg| {
            Ok(vec![
                Box::new(SecretsScanner::from_config(cfg)?) as Box<dyn Scanner>
            ])
        });
    };
    // Non-file sources: no inventory walk (a pre-commit scan must start fast).
    let mut common = a.common.clone();
    if stdin {
        common.paths.clear();
    }
    let req = common.request();
    let config = scan::load_config(&req)?;
    let scanner = SourceScanner {
        inner: SecretsScanner::from_config(&config)?,
        source,
    };
    let outcome = scan::run(
        &req,
        &config,
        &[&scanner as &dyn Scanner],
        &scan::empty_inventory(),
        &Bar::new(common.quiet),
    );
    emit(&common, &outcome.report)?;
    Ok(code(&outcome))
}
