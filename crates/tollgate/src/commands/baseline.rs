//! `tollgate baseline`: records the current findings of every scanner as exceptions in the
//! baseline file (`baseline = "..."` in tollgate.toml; default `tollgate-baseline.toml`).
//! Private keys and provider tokens are left out (they must be revoked, not accepted) unless
//! `--include-credentials` asks for them.

use super::common::CommonArgs;
use crate::exit;
use crate::progress::Bar;
use anyhow::Context;
use tollgate_config::Date;
use tollgate_config::baseline::{self, BaselineOptions, DEFAULT_FILE, is_credential};
use tollgate_model::SuppressionKind;
use tollgate_release::scan;

#[derive(Debug, clap::Args)]
pub struct BaselineArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Who owns the accepted findings (default: $USER).
    #[arg(long)]
    pub owner: Option<String>,
    /// Why they are accepted.
    #[arg(long, default_value = "baseline: present when tollgate was adopted")]
    pub reason: String,
    /// Days until the entries expire.
    #[arg(long, default_value_t = 90)]
    pub days: i64,
    /// Also accept private keys and provider tokens (left out otherwise: revoke and remove
    /// them instead).
    #[arg(long)]
    pub include_credentials: bool,
}

pub fn run(a: BaselineArgs) -> anyhow::Result<u8> {
    let req = a.common.request();
    let config = scan::load_config(&req)?;
    let scanners = tollgate_release::registry::scanners(&config)?;
    let refs: Vec<&dyn tollgate_engine::Scanner> = scanners.iter().map(|s| s.as_ref()).collect();
    let report = scan::scan(&req, &config, &refs, &Bar::new(a.common.quiet))?.report;
    let configured = config.baseline.clone();
    let root = match (&config.path, a.common.paths.first()) {
        (Some(_), _) => config.base_dir(),
        (None, Some(p)) if p.is_dir() => p.clone(),
        _ => std::path::PathBuf::from("."),
    };
    let path = configured
        .clone()
        .unwrap_or_else(|| root.join(DEFAULT_FILE));
    let existing = baseline::read(&path)?;
    let known: std::collections::HashSet<&str> = existing
        .iter()
        .filter_map(|e| e.fingerprint.as_deref())
        .collect();
    // Findings that count (live credentials only when asked for), plus those the existing
    // baseline already suppresses.
    let (credentials, counting): (Vec<&tollgate_model::Finding>, Vec<_>) = report
        .findings
        .iter()
        .partition(|f| !a.include_credentials && is_credential(f, &report.rules));
    let findings: Vec<&tollgate_model::Finding> = counting
        .into_iter()
        .chain(report.suppressed.iter().filter(|f| {
            f.suppression
                .as_ref()
                .is_some_and(|s| s.kind == SuppressionKind::Exception)
                && known.contains(f.fingerprint.as_str())
        }))
        .collect();
    let today = Date::today_utc();
    let owner = a
        .owner
        .or_else(|| std::env::var("USER").ok())
        .filter(|o| !o.trim().is_empty())
        .unwrap_or_else(|| "unassigned".into());
    let opts = BaselineOptions {
        owner,
        reason: a.reason,
        expires: today.add_days(a.days),
        today,
    };
    let (entries, added, dropped) = baseline::build(&existing, &findings, &opts);
    std::fs::write(&path, baseline::render(&entries))
        .with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!(
        "wrote {} ({} entries: {added} added, {dropped} no longer found)",
        path.display(),
        entries.len()
    );
    if configured.is_none() {
        eprintln!("{}", baseline::advice(config.path.as_deref()));
    }
    if !credentials.is_empty() {
        eprintln!(
            "warning: {} private key(s) or provider token(s) were NOT baselined; they keep failing \
             until revoked at the provider and removed (or pass --include-credentials):",
            credentials.len()
        );
        for f in &credentials {
            eprintln!(
                "  {} {}:{}",
                f.rule,
                f.location.display_path(),
                f.location.line
            );
        }
        return Ok(exit::FAIL);
    }
    Ok(exit::PASS)
}
