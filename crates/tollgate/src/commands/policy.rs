//! `tollgate gate`, `approve`, `exception add|list`, `policy test|eval`, `kpi`: wiring of the
//! policy crate. Signatures and the log are reached through the crate's traits; [`backends`]
//! is the one place that chooses their implementations.

use crate::{exit, registry};
use anyhow::{Context, bail};
use std::io::Write;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tollgate_config::{Config, Date, Exception};
use tollgate_model::{Digest, sha256};
use tollgate_policy::approvals::{ApprovalPredicate, approval_statement};
use tollgate_policy::evidence::Change;
use tollgate_policy::gate::{self, verification_summary};
use tollgate_policy::kpi::{self, Period, Snapshot};
use tollgate_policy::{
    ApprovalSigner, BreakGlass, BundleVerifier, Event, EventSink, Gate, GateRequest, JsonlEventLog,
    NoVerifier, Policy, Settings, exceptions, ptest,
};

/// Signature backends: the attest crate verifies bundles against the trust tables.
struct Backends {
    verifier: Box<dyn BundleVerifier>,
}

fn backends(config: &Config) -> Backends {
    // Bundles signed while a log is configured carry its entry: they verify against the
    // trusted root naming that log's key.
    let trusted_root_json = match tollgate_ledger::configured(config) {
        Ok(Some(log)) => log.created().ok().map(|created| {
            tollgate_ledger::trusted_root::trusted_root(log.verifier(), "", &created).to_string()
        }),
        Ok(None) => None,
        Err(e) => {
            eprintln!(
                "warning: transparency log unusable ({e}); bundle log entries will not verify"
            );
            None
        }
    };
    match tollgate_attest::trust::TrustStore::from_config(config) {
        Ok(store) => Backends {
            verifier: Box::new(AttestVerifier {
                store,
                trusted_root_json,
            }),
        },
        Err(e) => {
            // A broken trust table never lets anything through: no bundle verifies.
            eprintln!("warning: trust tables unusable ({e}); no signature will verify");
            Backends {
                verifier: Box::new(NoVerifier),
            }
        }
    }
}

/// The signer for `--key`: the attest crate's file or `env://VAR` key.
fn signer(
    _config: &Config,
    key: &Path,
    _identity: &str,
) -> anyhow::Result<Box<dyn ApprovalSigner>> {
    let source = tollgate_attest::keys::KeySource::parse(&key.to_string_lossy());
    let signer = tollgate_attest::keys::load_signer(&source)
        .with_context(|| format!("cannot load signing key {}", key.display()))?;
    Ok(Box::new(AttestSigner { signer }))
}
/// The event log: the transparency log when `[log] path` is configured, otherwise
/// `[gate] events` (a JSON-lines file) when set.
fn event_log(config: &Config, settings: &Settings) -> anyhow::Result<Option<Box<dyn EventSink>>> {
    if let Some(log) = tollgate_ledger::configured(config)? {
        return Ok(Some(Box::new(LedgerSink { log })));
    }
    Ok(settings
        .gate
        .events
        .as_ref()
        .map(|p| Box::new(JsonlEventLog::new(config.base_dir().join(p))) as Box<dyn EventSink>))
}

/// Gate, approval and break-glass events recorded in the transparency log.
struct LedgerSink {
    log: tollgate_ledger::Log,
}

fn ledger_kind(kind: &str) -> Option<tollgate_ledger::EventType> {
    use tollgate_ledger::EventType as T;
    Some(match kind {
        "gate" => T::GateDecision,
        "approval" => T::Approval,
        "break-glass" => T::BreakGlass,
        "scan" => T::Scan,
        "exception" => T::Exception,
        "signature" => T::Signature,
        "attestation" => T::Attestation,
        "deployment" => T::Deployment,
        _ => return None,
    })
}

fn policy_kind(kind: tollgate_ledger::EventType) -> String {
    use tollgate_ledger::EventType as T;
    match kind {
        T::GateDecision => "gate".into(),
        other => serde_json::to_value(other)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
    }
}

impl EventSink for LedgerSink {
    fn append(&mut self, e: &Event) -> Result<(), String> {
        let kind =
            ledger_kind(&e.kind).ok_or_else(|| format!("unknown event type {:?}", e.kind))?;
        let subject = e
            .subject
            .parse()
            .map_err(|err| format!("event subject: {err}"))?;
        let event = tollgate_ledger::Event {
            kind,
            actor: e.actor.clone(),
            subject,
            environment: (!e.environment.is_empty()).then(|| e.environment.clone()),
            time: (!e.time.is_empty()).then(|| e.time.clone()),
            payload: (!e.payload.is_null()).then(|| e.payload.clone()),
        };
        self.log
            .append(&[event])
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    fn events(&self) -> Result<Vec<Event>, String> {
        let size = self.log.size().map_err(|e| e.to_string())?;
        let mut out = Vec::with_capacity(size as usize);
        for i in 0..size {
            let bytes = self.log.entry(i).map_err(|e| e.to_string())?;
            // Sigstore log bodies (signatures' Rekor entries) sit beside the events; each has
            // its `signature`/`attestation` event, which is what is counted.
            let entry = match tollgate_ledger::Leaf::from_canonical(&bytes) {
                Ok(tollgate_ledger::Leaf::Event(e)) => e,
                Ok(tollgate_ledger::Leaf::Sigstore { .. }) => continue,
                Err(e) => return Err(format!("entry {i}: {e}")),
            };
            let payload = match &entry.payload_digest {
                Some(d) => self
                    .log
                    .payload(d)
                    .map_err(|e| e.to_string())?
                    .and_then(|b| serde_json::from_slice(&b).ok())
                    .unwrap_or(serde_json::Value::Null),
                None => serde_json::Value::Null,
            };
            out.push(Event {
                kind: policy_kind(entry.kind),
                actor: entry.actor,
                subject: entry.subject.to_string(),
                environment: entry.environment.unwrap_or_default(),
                time: entry.time,
                payload,
            });
        }
        Ok(out)
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct ConfigArg {
    /// Configuration file (default: ./tollgate.toml when present).
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
}

fn load_config(a: &ConfigArg) -> anyhow::Result<Config> {
    let path = a
        .config
        .clone()
        .or_else(|| Config::discover(Path::new(".")));
    Ok(match path {
        Some(p) => Config::load(&p, registry::SECTIONS)?,
        None => Config::default(),
    })
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

/// `sha256:<hex>` as given, or the digest of the file.
fn artifact_digest(a: &str) -> anyhow::Result<(Option<String>, Digest)> {
    if a.starts_with("sha256:") {
        return Ok((None, a.parse()?));
    }
    let bytes = std::fs::read(a).with_context(|| format!("cannot read artifact {a}"))?;
    let name = Path::new(a)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    Ok((name, sha256(&bytes)))
}

fn now_utc() -> OffsetDateTime {
    OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| OffsetDateTime::now_utc())
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
    /// Sign a SLSA verification summary with this key.
    #[arg(long, value_name = "KEY")]
    pub key: Option<PathBuf>,
    /// Where to write the signed verification summary (default: stdout-adjacent `vsa.json`).
    #[arg(
        long,
        value_name = "FILE",
        requires = "key",
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
    pub config: ConfigArg,
}

pub fn run_gate(a: GateArgs) -> anyhow::Result<u8> {
    let config = load_config(&a.config)?;
    let settings = Settings::from_config(&config)?;
    let policy = load_policy(&config, &settings, a.policy.as_deref())?;
    let (name, digest) = artifact_digest(&a.artifact)?;
    let files = match &a.evidence {
        Some(d) => gate::read_dir(d)?,
        None => Vec::new(),
    };
    let b = backends(&config);
    let g = Gate {
        settings: &settings,
        exceptions: &config.exceptions,
        policy: &policy,
        verifier: b.verifier.as_ref(),
    };
    let req = GateRequest {
        artifact_name: name,
        artifact: digest,
        environment: a.env.clone(),
        change: Change {
            author: a.author.clone(),
            committer: a.committer.clone(),
            triggerer: a.triggerer.clone(),
        },
        now: now_utc(),
    };
    let bg = a.break_glass.then(|| BreakGlass {
        identity: a.identity.clone().unwrap_or_default(),
        reason: a.reason.clone().unwrap_or_default(),
    });
    let mut log = event_log(&config, &settings)?;
    let sink: Option<&mut dyn EventSink> = match log.as_mut() {
        Some(l) => Some(l.as_mut()),
        None => None,
    };
    let out = g.run(&req, &files, bg.as_ref(), sink)?;
    if let Some(p) = &a.print_evidence {
        std::fs::write(p, serde_json::to_vec_pretty(&out.evidence)?)
            .with_context(|| format!("cannot write {}", p.display()))?;
    }
    if let Some(key) = &a.key {
        let s = signer(&config, key, "gate")?;
        let bundle = s
            .sign(&verification_summary(&out))
            .map_err(|e| anyhow::anyhow!("cannot sign the verification summary: {e}"))?;
        std::fs::write(&a.summary, &bundle)
            .with_context(|| format!("cannot write {}", a.summary.display()))?;
    }
    let v = &out.verdict;
    let mut stdout = crate::exit::stdout();
    match a.format {
        OutFormat::Json => {
            writeln!(stdout, "{}", serde_json::to_string_pretty(v)?)?;
        }
        OutFormat::Human => {
            let head = match (&v.break_glass, v.allow) {
                (Some(b), true) if b.granted => "ALLOW (break-glass)",
                (_, true) => "ALLOW",
                (_, false) => "DENY",
            };
            writeln!(stdout, "{head}: {} to {}", req.artifact, req.environment)?;
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
    pub config: ConfigArg,
}

pub fn run_approve(a: ApproveArgs) -> anyhow::Result<u8> {
    let config = load_config(&a.config)?;
    let settings = Settings::from_config(&config)?;
    let policy = load_policy(&config, &settings, a.policy.as_deref())?;
    let (name, digest) = artifact_digest(&a.artifact)?;
    let now = now_utc();
    let pred = ApprovalPredicate {
        environment: a.env.clone(),
        approver: a.identity.clone(),
        policy_digest: policy.digest().to_string(),
        approved_at: now.format(&Rfc3339)?,
        comment: a.comment.clone(),
    };
    let st = approval_statement(name.as_deref().unwrap_or("artifact"), &digest, &pred);
    let s = signer(&config, &a.key, &a.identity)?;
    let bundle = s
        .sign(&st)
        .map_err(|e| anyhow::anyhow!("cannot sign the approval: {e}"))?;
    std::fs::write(&a.bundle, &bundle)
        .with_context(|| format!("cannot write {}", a.bundle.display()))?;
    if let Some(mut log) = event_log(&config, &settings)? {
        log.append(&Event {
            kind: "approval".into(),
            actor: a.identity.clone(),
            subject: digest.to_string(),
            environment: a.env.clone(),
            time: pred.approved_at.clone(),
            payload: serde_json::json!({"policy_digest": pred.policy_digest, "bundle": a.bundle.display().to_string()}),
        })
        .map_err(|e| anyhow::anyhow!("cannot record the approval: {e}"))?;
    }
    eprintln!("wrote {}", a.bundle.display());
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

#[derive(Debug, clap::Args)]
pub struct KpiArgs {
    /// day, week or month.
    #[arg(long, default_value = "month")]
    pub period: Period,
    /// Event log (JSON lines; default `[gate] events`).
    #[arg(long, value_name = "FILE")]
    pub events: Option<PathBuf>,
    /// Folder of stored tollgate reports (used for time to remediate, and alone when there is
    /// no log).
    #[arg(long, value_name = "DIR")]
    pub reports: Option<PathBuf>,
    #[arg(long, short = 'f', value_enum, default_value_t = OutFormat::Human)]
    pub format: OutFormat,
    #[command(flatten)]
    pub config: ConfigArg,
}

pub fn run_kpi(a: KpiArgs) -> anyhow::Result<u8> {
    let config = load_config(&a.config)?;
    let settings = Settings::from_config(&config)?;
    // --events FILE, else the configured log (the transparency log or `[gate] events`).
    let sink = match &a.events {
        Some(p) => Some(Box::new(JsonlEventLog::new(p.clone())) as Box<dyn EventSink>),
        None => event_log(&config, &settings)?,
    };
    let events_path = sink.as_ref().map(|_| ());
    let events = match &sink {
        Some(s) => s.events().map_err(anyhow::Error::msg)?,
        None => Vec::new(),
    };
    let mut snaps = Vec::new();
    if let Some(dir) = &a.reports {
        for f in gate::read_dir(dir)? {
            match tollgate_render::json::parse(&f.bytes) {
                Ok(r) => snaps.extend(Snapshot::from_report(&r)),
                Err(e) => eprintln!("warning: {}: {e}", f.name),
            }
        }
    }
    if events_path.is_none() && a.reports.is_none() {
        bail!("no event log (`[gate] events` or --events) and no --reports folder");
    }
    let source = if events_path.is_some() {
        "log"
    } else {
        "reports"
    };
    let ex = exceptions::status(&config.exceptions, Date::today_utc());
    let r = kpi::compute(&events, &snaps, &ex, a.period, source);
    let mut out = crate::exit::stdout();
    match a.format {
        OutFormat::Json => {
            writeln!(out, "{}", serde_json::to_string_pretty(&r)?)?;
        }
        OutFormat::Human => out.write_all(kpi::render_table(&r).as_bytes())?,
    }
    Ok(exit::PASS)
}

/// The attest crate behind the gate's seams: bundles verify against the `[[signers]]` table,
/// and approval attestations against `[[approvers]]`.
struct AttestVerifier {
    store: tollgate_attest::trust::TrustStore,
    /// The configured log's trusted root (None: the Sigstore public-good root).
    trusted_root_json: Option<String>,
}

impl BundleVerifier for AttestVerifier {
    fn verify(
        &self,
        bundle: &[u8],
        artifact: &Digest,
    ) -> Result<tollgate_policy::VerifiedBundle, String> {
        use tollgate_attest::verify::{ArtifactRef, Requirements, Status, Trust, verify_bundle};
        let art = ArtifactRef::parse(&artifact.to_string());
        let mut reasons = Vec::new();
        for (trust, role) in [
            (
                Trust::store(self.store.clone()),
                tollgate_policy::TrustRole::Signer,
            ),
            (
                Trust::approvers(self.store.clone()),
                tollgate_policy::TrustRole::Approver,
            ),
        ] {
            let trust = Trust {
                trusted_root_json: self.trusted_root_json.clone(),
                ..trust
            };
            match verify_bundle(bundle, &art, &trust, &Requirements::default()) {
                Ok(v) if v.ok() => {
                    return Ok(tollgate_policy::VerifiedBundle {
                        identity: v.signer.identity.clone().unwrap_or_default(),
                        key_id: v.signer.key_id.clone().unwrap_or_default(),
                        trust: role,
                        predicate_type: v.predicate_type().map(str::to_string),
                        statement: v
                            .statement
                            .as_ref()
                            .and_then(|s| serde_json::from_slice(&s.to_json()).ok()),
                        checks: v
                            .checks
                            .iter()
                            .filter(|c| c.status == Status::Passed)
                            .map(|c| c.name.clone())
                            .collect(),
                    });
                }
                Ok(v) => reasons.push(format!(
                    "{role:?}: {}",
                    v.checks
                        .iter()
                        .filter(|c| c.status == Status::Failed)
                        .map(|c| format!("{}: {}", c.name, c.detail))
                        .collect::<Vec<_>>()
                        .join("; ")
                )),
                Err(e) => reasons.push(format!("{}: {e}", role.as_str())),
            }
        }
        Err(reasons.join(" | "))
    }
}

/// Signs statements with the attest crate (DSSE in a Sigstore bundle).
struct AttestSigner {
    signer: Box<dyn tollgate_attest::keys::Signer>,
}

impl ApprovalSigner for AttestSigner {
    fn sign(&self, statement: &serde_json::Value) -> Result<Vec<u8>, String> {
        let bytes = serde_json::to_vec(statement).map_err(|e| e.to_string())?;
        let st =
            tollgate_attest::statement::Statement::from_json(&bytes).map_err(|e| e.to_string())?;
        let bundle = tollgate_attest::attest_statement(self.signer.as_ref(), st)
            .map_err(|e| e.to_string())?;
        Ok(bundle.to_json().into_bytes())
    }
}
