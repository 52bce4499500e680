//! `tollgate analyze --template analysis.toml [--arg NAME=VALUE …]`: run a rollout analysis and
//! exit 0 (promote), 1 (roll back) or 3 (inconclusive: pause for a human); 2 for a bad
//! template or arguments. docs/rollout.md.

use crate::exit;
use anyhow::Context;
use std::io::Write;
use std::path::PathBuf;
use tollgate_rollout::{Template, report};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit codes: 0 promote, 1 roll back, 2 bad template or arguments, 3 inconclusive (pause for a human)."
)]
pub struct AnalyzeArgs {
    /// The analysis template (TOML, Argo Rollouts AnalysisTemplate semantics).
    #[arg(long, value_name = "FILE")]
    pub template: PathBuf,
    /// A template argument, substituted for `{{args.NAME}}` (repeatable).
    #[arg(long = "arg", value_name = "NAME=VALUE")]
    pub args: Vec<String>,
    /// Output format of the final report.
    #[arg(long, short = 'f', value_enum, default_value_t = AnalyzeFormat::Human)]
    pub format: AnalyzeFormat,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// No progress lines on standard error.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Record the verdict as a `rollout-analysis` event about ARTIFACT (a file or sha256:…)
    /// in the transparency log of the trust file (or ./tollgate.toml).
    #[arg(long, value_name = "ARTIFACT", requires = "env")]
    pub record: Option<String>,
    /// The environment the analysed rollout went to (with --record).
    #[arg(long)]
    pub env: Option<String>,
    /// Trust file whose `[log]` records the verdict (also TOLLGATE_TRUST).
    #[arg(long, value_name = "FILE", env = "TOLLGATE_TRUST")]
    pub trust: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AnalyzeFormat {
    Human,
    Json,
}

pub fn run(a: AnalyzeArgs) -> anyhow::Result<u8> {
    let mut args = Vec::new();
    for pair in &a.args {
        let Some((name, value)) = pair.split_once('=') else {
            eprintln!("error: --arg {pair}: expected NAME=VALUE");
            return Ok(exit::USAGE);
        };
        args.push((name.trim().to_string(), value.to_string()));
    }
    let template = match Template::load(&a.template, &args) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(exit::USAGE);
        }
    };
    let quiet = a.quiet;
    let analysis = tollgate_rollout::run(&template, &mut |e| {
        if !quiet {
            eprintln!("{}", report::progress_line(e));
        }
    });
    let text = match a.format {
        AnalyzeFormat::Human => report::human(&analysis),
        AnalyzeFormat::Json => serde_json::to_string_pretty(&analysis)? + "\n",
    };
    match &a.output {
        Some(p) => {
            std::fs::write(p, &text).with_context(|| format!("cannot write {}", p.display()))?
        }
        None => {
            let mut out = exit::stdout();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
    }
    if let Some(artifact) = &a.record {
        let trust = tollgate_release::trust::TrustArgs {
            trust: a.trust.clone(),
            ..Default::default()
        }
        .resolve()?;
        let (_, subject) = tollgate_release::gate::artifact_digest(artifact)?;
        let actor = std::env::var("GITHUB_ACTOR")
            .or_else(|_| std::env::var("GITLAB_USER_LOGIN"))
            .unwrap_or_else(|_| "tollgate analyze".into());
        let event = tollgate_model::Event {
            kind: tollgate_model::EventType::RolloutAnalysis,
            actor,
            subject,
            environment: a.env.clone(),
            time: None,
            payload: Some(serde_json::json!({
                "template": analysis.template,
                "phase": analysis.phase,
                "verdict": analysis.verdict,
                "exit_code": analysis.exit_code,
                "message": analysis.message,
                "summary": analysis.summary,
            })),
        };
        let index = tollgate_release::log::record(&trust.config, &event)?;
        if !quiet {
            eprintln!("recorded as log entry {index}");
        }
    }
    Ok(analysis.exit_code)
}
