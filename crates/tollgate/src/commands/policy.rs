//! `tollgate gate`, `approve`, `exception add|list`, `policy test|eval`, `kpi`: flags in,
//! `tollgate_release::gate` and the policy crate called, results rendered.

use crate::exit;
use anyhow::{Context, bail};
use std::io::Write;
use std::path::{Path, PathBuf};
use tollgate_config::{Config, Date, Exception};
use tollgate_kpi::{self as kpi, Period, Snapshot};
use tollgate_policy::gate;
use tollgate_policy::{BreakGlass, EventSink, JsonlEventLog, Policy, Settings, exceptions, ptest};
use tollgate_release::gate::{ApproveArgs as Approve, GateArgs as Gate};
use tollgate_release::registry;
use tollgate_release::trust::TrustArgs;

#[derive(Debug, Clone, clap::Args)]
pub struct ConfigArg {
    /// Configuration file (default: ./tollgate.toml when present).
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
}

fn load_config(a: &ConfigArg) -> anyhow::Result<Config> {
    Ok(tollgate_release::scan::load_config_file(
        a.config.as_deref(),
    )?)
}

fn load_policy(
    config: &Config,
    settings: &Settings,
    over: Option<&Path>,
) -> anyhow::Result<Policy> {
    let p = match (over, &settings.gate.policy) {
        (Some(p), _) => Policy::load(p)?,
        (None, Some(p)) => Policy::load(&config.base_dir().join(p))?,
        (None, None) => Policy::builtin(),
    };
    Ok(p.with_limits(settings.gate.timeout, settings.gate.max_input_bytes))
}

/// `--trust FILE` (or TOLLGATE_TRUST) for commands that decide.
#[derive(Debug, Clone, clap::Args)]
pub struct TrustArg {
    /// Trust file: [[signers]], [[approvers]], [[exceptions]], [gate], [environments], [log]
    /// (the shape of tollgate.toml), kept where the released change cannot rewrite it.
    /// Default: the source tree's tollgate.toml, which the output then names.
    #[arg(long, value_name = "FILE", env = "TOLLGATE_TRUST")]
    pub trust: Option<PathBuf>,
    /// The released source tree (default: the current folder): a trust file inside it is not
    /// external.
    #[arg(long, value_name = "DIR")]
    pub source: Option<PathBuf>,
}

fn trust_args(t: &TrustArg, c: &ConfigArg) -> TrustArgs {
    // clap fills --trust from TOLLGATE_TRUST too; say which it was.
    let from_env = t.trust.is_some()
        && std::env::var_os("TOLLGATE_TRUST").map(PathBuf::from) == t.trust
        && !std::env::args().any(|a| a == "--trust" || a.starts_with("--trust="));
    TrustArgs {
        trust: t.trust.clone().filter(|_| !from_env),
        trust_env: t.trust.clone().filter(|_| from_env),
        config: c.config.clone(),
        source: t.source.clone(),
    }
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum OutFormat {
    Human,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct GateArgs {
    /// The artifact file, or its digest as sha256:<hex>.
    pub artifact: String,
    /// Target environment (`[environments.NAME]`).
    #[arg(long)]
    pub env: String,
    /// Folder of evidence: tollgate reports, SARIF logs, signature bundles, approvals.
    #[arg(long, value_name = "DIR")]
    pub evidence: Option<PathBuf>,
    /// Author of the change (never counts as an approver).
    #[arg(long, value_name = "ID")]
    pub author: Option<String>,
    /// Committer of the change (never counts as an approver).
    #[arg(long, value_name = "ID")]
    pub committer: Option<String>,
    /// Who triggered the pipeline (never counts as an approver).
    #[arg(long, value_name = "ID")]
    pub triggerer: Option<String>,
    /// Rego file or folder replacing the configured policy.
    #[arg(long, value_name = "PATH")]
    pub policy: Option<PathBuf>,
    /// Sign a SLSA verification summary of the decision with this key (PEM file or env://VAR).
    #[arg(long, value_name = "KEY")]
    pub summary_key: Option<String>,
    /// Where to write the signed verification summary.
    #[arg(
        long,
        value_name = "FILE",
        requires = "summary_key",
        default_value = "vsa.sigstore.json"
    )]
    pub summary: PathBuf,
    /// Write the assembled evidence document (tollgate.evidence/v1) to FILE.
    #[arg(long, value_name = "FILE")]
    pub print_evidence: Option<PathBuf>,
    /// Pass a failing gate within the environment's break-glass window (logged, counted).
    #[arg(long, requires_all = ["reason", "identity"])]
    pub break_glass: bool,
    /// Why break-glass is needed.
    #[arg(long, requires = "break_glass")]
    pub reason: Option<String>,
    /// Who is breaking the glass.
    #[arg(long, requires = "break_glass")]
    pub identity: Option<String>,
    #[arg(long, short = 'f', value_enum, default_value_t = OutFormat::Human)]
    pub format: OutFormat,
    #[command(flatten)]
    pub trust: TrustArg,
    #[command(flatten)]
    pub config: ConfigArg,
}

pub fn run_gate(a: GateArgs) -> anyhow::Result<u8> {
    let env = |k: &str| std::env::var(k).ok();
    let r = tollgate_release::gate::gate(&Gate {
        artifact: a.artifact.clone(),
        environment: a.env.clone(),
        evidence: a.evidence.clone(),
        change: tollgate_release::gate::change_identities(
            a.author.clone(),
            a.committer.clone(),
            a.triggerer.clone(),
            &env,
        ),
        policy: a.policy.clone(),
        trust: trust_args(&a.trust, &a.config),
        break_glass: a.break_glass.then(|| BreakGlass {
            identity: a.identity.clone().unwrap_or_default(),
            reason: a.reason.clone().unwrap_or_default(),
        }),
        summary_key: a.summary_key.clone(),
    })?;
    let out = &r.outcome;
    if let Some(p) = &a.print_evidence {
        std::fs::write(p, serde_json::to_vec_pretty(&out.evidence)?)
            .with_context(|| format!("cannot write {}", p.display()))?;
    }
    if let Some(bundle) = &r.summary {
        std::fs::write(&a.summary, bundle)
            .with_context(|| format!("cannot write {}", a.summary.display()))?;
    }
    let v = &out.verdict;
    let mut stdout = crate::exit::stdout();
    match a.format {
        OutFormat::Json => {
            let doc = serde_json::json!({
                "allow": v.allow,
                "policy_allow": v.policy_allow,
                "artifact": r.artifact.to_string(),
                "environment": r.environment,
                "trust": {"source": r.trust, "external": r.trust_external},
                "deny": v.deny,
                "warn": v.warn,
                "notes": r.notes.iter().chain(&out.evidence.notes).collect::<Vec<_>>(),
                "policy_digest": v.policy_digest,
                "break_glass": v.break_glass,
            });
            writeln!(stdout, "{}", serde_json::to_string_pretty(&doc)?)?;
        }
        OutFormat::Human => {
            let head = match (&v.break_glass, v.allow) {
                (Some(b), true) if b.granted => "ALLOW (break-glass)",
                (_, true) => "ALLOW",
                (_, false) => "DENY",
            };
            writeln!(stdout, "{head}: {} to {}", r.artifact, r.environment)?;
            for d in &v.deny {
                writeln!(stdout, "  deny: {d}")?;
            }
            for w in &v.warn {
                writeln!(stdout, "  warn: {w}")?;
            }
            if let Some(b) = &v.break_glass {
                match (&b.until, &b.refused) {
                    (Some(u), _) => writeln!(
                        stdout,
                        "  break-glass by {} until {u}: {}",
                        b.identity, b.reason
                    )?,
                    (_, Some(r)) => writeln!(stdout, "  break-glass refused: {r}")?,
                    _ => {}
                }
            }
            for n in r.notes.iter().chain(&out.evidence.notes) {
                writeln!(stdout, "  note: {n}")?;
            }
            writeln!(
                stdout,
                "  trust: {}{}",
                r.trust,
                if r.trust_external {
                    " (external)"
                } else {
                    " (from the change under review)"
                }
            )?;
            writeln!(stdout, "  policy {}", v.policy_digest)?;
        }
    }
    Ok(if v.allow { exit::PASS } else { exit::FAIL })
}

#[derive(Debug, clap::Args)]
pub struct ApproveArgs {
    /// The artifact file, or its digest as sha256:<hex>.
    pub artifact: String,
    #[arg(long)]
    pub env: String,
    /// The approver's private key.
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    /// The approver's identity (as in `[[approvers]]`).
    #[arg(long, value_name = "ID")]
    pub identity: String,
    /// Where to write the signed approval bundle.
    #[arg(long, value_name = "FILE", default_value = "approval.sigstore.json")]
    pub bundle: PathBuf,
    #[arg(long)]
    pub comment: Option<String>,
    /// Rego file or folder replacing the configured policy (the approval binds its digest).
    #[arg(long, value_name = "PATH")]
    pub policy: Option<PathBuf>,
    #[command(flatten)]
    pub trust: TrustArg,
    #[command(flatten)]
    pub config: ConfigArg,
}

pub fn run_approve(a: ApproveArgs) -> anyhow::Result<u8> {
    let r = tollgate_release::gate::approve(&Approve {
        artifact: a.artifact.clone(),
        environment: a.env.clone(),
        key: a.key.to_string_lossy().into_owned(),
        identity: a.identity.clone(),
        comment: a.comment.clone(),
        policy: a.policy.clone(),
        trust: trust_args(&a.trust, &a.config),
    })?;
    std::fs::write(&a.bundle, &r.bundle)
        .with_context(|| format!("cannot write {}", a.bundle.display()))?;
    eprintln!(
        "wrote {} ({} approves {} for {}{})",
        a.bundle.display(),
        r.predicate.approver,
        r.artifact,
        r.predicate.environment,
        if r.logged { ", logged" } else { "" }
    );
    Ok(exit::PASS)
}

#[derive(Debug, clap::Subcommand)]
pub enum ExceptionCommand {
    /// Grant an exception in tollgate.toml's [[exceptions]] (comments are kept).
    Add(ExceptionAddArgs),
    /// List exceptions with their age and expiry.
    List(ExceptionListArgs),
}

#[derive(Debug, clap::Args)]
pub struct ExceptionAddArgs {
    /// A rule id (`secrets/github-pat`) or a finding fingerprint (32 hex digits).
    pub target: String,
    #[arg(long)]
    pub reason: String,
    #[arg(long)]
    pub owner: String,
    /// Last day it applies (YYYY-MM-DD), within `[gate] max-exception-days`.
    #[arg(long, value_name = "DATE")]
    pub expires: Date,
    /// Only for findings under this path glob.
    #[arg(long, value_name = "GLOB")]
    pub path: Option<String>,
    /// Only for this artifact (sha256:<hex>).
    #[arg(long, value_name = "DIGEST")]
    pub artifact: Option<String>,
    #[command(flatten)]
    pub config: ConfigArg,
}

#[derive(Debug, clap::Args)]
pub struct ExceptionListArgs {
    #[arg(long, short = 'f', value_enum, default_value_t = OutFormat::Human)]
    pub format: OutFormat,
    #[command(flatten)]
    pub config: ConfigArg,
}

pub fn run_exception(c: ExceptionCommand) -> anyhow::Result<u8> {
    let today = Date::today_utc();
    match c {
        ExceptionCommand::Add(a) => {
            let path = a
                .config
                .config
                .clone()
                .unwrap_or_else(|| PathBuf::from(tollgate_config::FILE_NAME));
            let config = if path.exists() {
                Config::load(&path, registry::SECTIONS)?
            } else {
                Config::default()
            };
            let settings = Settings::from_config(&config)?;
            let (rule, fingerprint) = exceptions::target(&a.target)?;
            let e = Exception {
                rule,
                fingerprint,
                path: a.path,
                artifact: a.artifact,
                reason: a.reason,
                owner: a.owner,
                expires: Some(a.expires),
                created: Some(today),
            };
            exceptions::add(
                &path,
                &e,
                today,
                settings.gate.max_exception_days,
                registry::SECTIONS,
            )?;
            eprintln!(
                "added exception for {} (owner {}, expires {}) to {}",
                e.describe(),
                e.owner,
                a.expires,
                path.display()
            );
            Ok(exit::PASS)
        }
        ExceptionCommand::List(a) => {
            let config = load_config(&a.config)?;
            let st = exceptions::status(&config.exceptions, today);
            let mut out = crate::exit::stdout();
            match a.format {
                OutFormat::Json => {
                    writeln!(out, "{}", serde_json::to_string_pretty(&st)?)?;
                }
                OutFormat::Human => {
                    for s in &st {
                        let e = &s.exception;
                        let state = if s.expired { "EXPIRED" } else { "active" };
                        writeln!(
                            out,
                            "{state:<8} {:<40} owner {:<12} expires {} ({} days){} — {}",
                            e.describe(),
                            e.owner,
                            e.expires.map(|d| d.to_string()).unwrap_or_default(),
                            s.days_left.unwrap_or(0),
                            s.age_days
                                .map(|d| format!(", age {d} days"))
                                .unwrap_or_default(),
                            e.reason
                        )?;
                    }
                    let expired = st.iter().filter(|s| s.expired).count();
                    writeln!(out, "{} exceptions, {expired} expired", st.len())?;
                }
            }
            Ok(exit::PASS)
        }
    }
}

#[derive(Debug, clap::Subcommand)]
pub enum PolicyCommand {
    /// Run Rego unit tests (`test_*` rules) in DIR, like `opa test`.
    Test(PolicyTestArgs),
    /// Evaluate a policy on a saved evidence document (tollgate.evidence/v1 or any JSON).
    Eval(PolicyEvalArgs),
}

#[derive(Debug, clap::Args)]
pub struct PolicyTestArgs {
    /// A .rego file or a folder of them.
    pub dir: PathBuf,
    #[arg(long, short = 'f', value_enum, default_value_t = OutFormat::Human)]
    pub format: OutFormat,
}

#[derive(Debug, clap::Args)]
pub struct PolicyEvalArgs {
    /// The input document.
    #[arg(long, value_name = "FILE")]
    pub input: PathBuf,
    /// Rego file or folder (default: the configured policy, else the built-in one).
    #[arg(long, value_name = "PATH")]
    pub policy: Option<PathBuf>,
    #[command(flatten)]
    pub config: ConfigArg,
}

pub fn run_policy(c: PolicyCommand) -> anyhow::Result<u8> {
    match c {
        PolicyCommand::Test(a) => {
            let results = ptest::run_dir(&a.dir)?;
            let failed = results.iter().filter(|r| !r.passed).count();
            let mut out = crate::exit::stdout();
            match a.format {
                OutFormat::Json => {
                    writeln!(out, "{}", serde_json::to_string_pretty(&results)?)?;
                }
                OutFormat::Human => {
                    for r in &results {
                        match &r.failure {
                            None => writeln!(out, "PASS: {} ({}µs)", r.name, r.duration_us)?,
                            Some(f) => writeln!(out, "FAIL: {} ({}): {f}", r.name, r.file)?,
                        }
                    }
                    writeln!(out, "{}", "-".repeat(60))?;
                    if failed == 0 {
                        writeln!(out, "PASS: {}/{}", results.len(), results.len())?;
                    } else {
                        writeln!(out, "PASS: {}/{}", results.len() - failed, results.len())?;
                        writeln!(out, "FAIL: {failed}/{}", results.len())?;
                    }
                }
            }
            Ok(if failed == 0 { exit::PASS } else { exit::FAIL })
        }
        PolicyCommand::Eval(a) => {
            let config = load_config(&a.config)?;
            let settings = Settings::from_config(&config)?;
            let policy = load_policy(&config, &settings, a.policy.as_deref())?;
            let text = std::fs::read_to_string(&a.input)
                .with_context(|| format!("cannot read {}", a.input.display()))?;
            serde_json::from_str::<serde_json::Value>(&text)
                .with_context(|| format!("{} is not JSON", a.input.display()))?;
            let d = policy.evaluate_json(&text)?;
            let mut out = crate::exit::stdout();
            writeln!(out, "{}", serde_json::to_string_pretty(&d)?)?;
            Ok(if d.allow { exit::PASS } else { exit::FAIL })
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KpiFormat {
    Human,
    Json,
    Html,
}

#[derive(Debug, clap::Args)]
pub struct KpiArgs {
    /// day, week or month (UTC boundaries; ISO weeks).
    #[arg(long, default_value = "month")]
    pub period: Period,
    /// Event log (JSON lines; default the configured log).
    #[arg(long, value_name = "FILE")]
    pub events: Option<PathBuf>,
    /// Folder of stored tollgate reports (used for time to remediate, and alone when there is
    /// no log).
    #[arg(long, value_name = "DIR")]
    pub reports: Option<PathBuf>,
    /// Only events of this environment.
    #[arg(long, value_name = "ENV")]
    pub environment: Option<String>,
    /// Only events whose payload names this project.
    #[arg(long, value_name = "NAME")]
    pub project: Option<String>,
    /// human, json (`tollgate.kpi/v2`) or html (one self-contained page).
    #[arg(long, short = 'f', value_enum, default_value_t = KpiFormat::Human)]
    pub format: KpiFormat,
    /// Write to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub config: ConfigArg,
}

pub fn run_kpi(a: KpiArgs) -> anyhow::Result<u8> {
    let config = load_config(&a.config)?;
    let settings = Settings::from_config(&config)?;
    // --events FILE, else the configured log (the transparency log or `[gate] events`).
    let sink = match &a.events {
        Some(p) => Some(Box::new(JsonlEventLog::new(p.clone())) as Box<dyn EventSink>),
        None => tollgate_release::log::event_sink(&config, &settings)?,
    };
    let events = match &sink {
        Some(s) => s.events().map_err(anyhow::Error::msg)?,
        None => Vec::new(),
    };
    let mut snaps = Vec::new();
    if let Some(dir) = &a.reports {
        for f in gate::read_dir(dir)? {
            match tollgate_render::json::parse(&f.bytes) {
                Ok(r) => snaps.extend(report_snapshot(&r)),
                Err(e) => eprintln!("warning: {}: {e}", f.name),
            }
        }
    }
    let source = match (sink.is_some(), a.reports.is_some()) {
        (true, true) => "log+reports",
        (true, false) => "log",
        (false, true) => "reports",
        (false, false) => {
            bail!(
                "no event log (`[log] path`, `[gate] events` or --events) and no --reports folder"
            )
        }
    };
    let today = Date::today_utc();
    let ex: Vec<kpi::ExceptionAge> = exceptions::status(&config.exceptions, today)
        .iter()
        .map(|e| kpi::ExceptionAge {
            age_days: e.age_days,
            expired: e.expired,
        })
        .collect();
    let opts = kpi::KpiOptions {
        period: a.period,
        filter: kpi::Filter {
            environment: a.environment.clone(),
            project: a.project.clone(),
        },
        settings: config.section("kpi")?,
        generated: time::OffsetDateTime::now_utc().replace_nanosecond(0)?,
        source: source.into(),
    };
    let input = kpi::KpiInput {
        events: &events,
        snapshots: &snaps,
        exceptions: &ex,
    };
    let r = kpi::compute(&input, &opts);
    let text = match a.format {
        KpiFormat::Json => serde_json::to_string_pretty(&r)? + "\n",
        KpiFormat::Human => kpi::render_table(&r),
        KpiFormat::Html => {
            // The page names the repository and commit when CI says them.
            let var = |names: [&str; 2]| names.iter().find_map(|n| std::env::var(n).ok());
            let o = kpi::HtmlOptions {
                title: None,
                repository: var(["GITHUB_REPOSITORY", "CI_PROJECT_PATH"]),
                commit: var(["GITHUB_SHA", "CI_COMMIT_SHA"]),
            };
            kpi::render_html(&r, &o)
        }
    };
    match &a.output {
        Some(p) => {
            std::fs::write(p, text).with_context(|| format!("cannot write {}", p.display()))?
        }
        None => crate::exit::stdout().write_all(text.as_bytes())?,
    }
    Ok(exit::PASS)
}

/// A stored `tollgate.report/v1` as the findings present at its `finished` time.
fn report_snapshot(r: &tollgate_render::json::ReportV1) -> Option<Snapshot> {
    use time::format_description::well_known::Rfc3339;
    Some(Snapshot {
        time: time::OffsetDateTime::parse(&r.finished, &Rfc3339).ok()?,
        stream: format!("report|{}", r.roots.join(",")),
        environment: None,
        project: None,
        findings: r
            .findings
            .iter()
            .map(|f| {
                let meta = kpi::FindingMeta {
                    severity: Some(f.severity.clone()),
                    introduced: None,
                };
                (f.fingerprint.clone(), meta)
            })
            .collect(),
    })
}
