//! The scanner contract and the `check` pipeline.
//!
//! A scanner is a crate that implements [`Scanner`]: it receives the [`Inventory`] and the
//! [`Config`], returns findings and diagnostics, and never fails as a whole because one file
//! is bad. [`run`] runs the scanners the binary registered, applies inline allow comments and
//! the `[[exceptions]]` of the config, reports expired exceptions, and assembles the [`Report`].

mod allow;

pub use allow::{InlineAllow, find_inline_allow};

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;
use tollgate_config::{Config, Date, ExceptionMatch, ExceptionSet};
use tollgate_inventory::Inventory;
use tollgate_model::{
    Diagnostic, Finding, Report, RuleMeta, ScannerRun, Severity, Suppression, SuppressionKind,
    ToolInfo, sha256,
};

/// What a phase of [`Progress`] counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Files,
    Bytes,
    Commits,
    Blobs,
}

impl Unit {
    /// The plural noun shown beside the count (`bytes` are shown in KiB/MiB instead).
    pub fn noun(self) -> &'static str {
        match self {
            Unit::Files => "files",
            Unit::Bytes => "bytes",
            Unit::Commits => "commits",
            Unit::Blobs => "blobs",
        }
    }
}

/// Reports progress of long work. The binary shows a bar on a TTY; tests and CI pass [`Silent`].
pub trait Progress: Send + Sync {
    /// Starts a phase of `total` files; 0 when unknown.
    fn start(&self, label: &str, total: u64);
    fn advance(&self, n: u64);
    fn finish(&self);
    /// Starts a phase of `total` units of `unit`; 0 when unknown (then the count grows as the
    /// work finds more). Defaults to [`Progress::start`].
    fn start_in(&self, label: &str, total: u64, unit: Unit) {
        let _ = unit;
        self.start(label, total);
    }
}

/// A progress sink that shows nothing.
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _label: &str, _total: u64) {}
    fn advance(&self, _n: u64) {}
    fn finish(&self) {}
}

/// What a scanner gets.
pub struct ScanContext<'a> {
    pub inventory: &'a Inventory,
    pub config: &'a Config,
    pub progress: &'a dyn Progress,
}

/// What a scanner returns.
#[derive(Debug, Default)]
pub struct ScanOutput {
    pub findings: Vec<Finding>,
    pub diagnostics: Vec<Diagnostic>,
    /// How many inputs it looked at.
    pub files_scanned: usize,
    /// Findings the scanner itself suppressed (for example VEX `not_affected`), with the
    /// suppression filled in.
    pub suppressed: Vec<Finding>,
}

/// A scanner: one crate, one implementation. Scanners never depend on each other.
pub trait Scanner: Send + Sync {
    /// Short name used in rule ids and on the command line (`secrets`, `ci`, `deps`).
    fn name(&self) -> &'static str;
    /// Version of the scanner (its crate version).
    fn version(&self) -> &'static str;
    /// Every rule it can report, with its documentation.
    fn rules(&self) -> Vec<RuleMeta>;
    /// Bytes that identify the rule set in force (rule definitions as loaded, including user
    /// rules). The default hashes the rule metadata.
    fn ruleset_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(&self.rules()).unwrap_or_default()
    }
    fn scan(&self, ctx: &ScanContext<'_>) -> ScanOutput;
}

/// A shared scanner is a scanner, so a command can keep a handle on one the engine runs (and
/// read back what it kept, such as the components `scan deps --sbom` writes).
impl<S: Scanner + ?Sized> Scanner for std::sync::Arc<S> {
    fn name(&self) -> &'static str {
        (**self).name()
    }
    fn version(&self) -> &'static str {
        (**self).version()
    }
    fn rules(&self) -> Vec<RuleMeta> {
        (**self).rules()
    }
    fn ruleset_bytes(&self) -> Vec<u8> {
        (**self).ruleset_bytes()
    }
    fn scan(&self, ctx: &ScanContext<'_>) -> ScanOutput {
        (**self).scan(ctx)
    }
}

/// Options for one run.
pub struct RunOptions<'a> {
    pub tool: ToolInfo,
    /// The date exceptions are judged against (today, UTC, in normal use).
    pub today: Date,
    pub progress: &'a dyn Progress,
}

/// Runs `scanners` over `inventory` and assembles the report.
pub fn run(
    scanners: &[&dyn Scanner],
    inventory: &Inventory,
    config: &Config,
    opts: &RunOptions<'_>,
) -> Report {
    let started = now_rfc3339();
    let ctx = ScanContext {
        inventory,
        config,
        progress: opts.progress,
    };
    let mut findings = Vec::new();
    let mut suppressed = Vec::new();
    let mut diagnostics = inventory.diagnostics.clone();
    let mut runs = Vec::new();
    let mut rules = Vec::new();
    let mut ruleset = Vec::new();
    for s in scanners {
        let t = Instant::now();
        let out = s.scan(&ctx);
        let r = s.rules();
        runs.push(ScannerRun {
            name: s.name().to_string(),
            version: s.version().to_string(),
            rules: r.len(),
            files: out.files_scanned,
            findings: out.findings.len(),
            duration_ms: t.elapsed().as_millis() as u64,
        });
        ruleset.extend_from_slice(s.name().as_bytes());
        ruleset.push(0);
        ruleset.extend_from_slice(&s.ruleset_bytes());
        rules.extend(r);
        findings.extend(out.findings);
        suppressed.extend(out.suppressed);
        diagnostics.extend(out.diagnostics);
    }

    let (kept, mut supp, diags) = apply_suppressions(findings, inventory, config, opts.today);
    suppressed.append(&mut supp);
    diagnostics.extend(diags);

    let mut report = Report {
        tool: opts.tool.clone(),
        started,
        finished: now_rfc3339(),
        roots: inventory
            .roots
            .iter()
            .map(|r| r.given.clone().unwrap_or_else(|| ".".into()))
            .collect(),
        ruleset_digest: sha256(&ruleset),
        config_digest: config.digest,
        inputs: inventory.files.iter().map(|f| f.input_file()).collect(),
        scanners: runs,
        rules,
        findings: kept,
        suppressed,
        diagnostics,
        skipped: inventory.skipped.clone(),
    };
    report.normalize();
    report
}

/// Applies inline allow comments and config exceptions. Returns (counting findings,
/// suppressed findings, diagnostics about expired exceptions and reason-less allows).
pub fn apply_suppressions(
    findings: Vec<Finding>,
    inventory: &Inventory,
    config: &Config,
    today: Date,
) -> (Vec<Finding>, Vec<Finding>, Vec<Diagnostic>) {
    let set = ExceptionSet::new(&config.exceptions);
    let by_display: HashMap<&str, &tollgate_inventory::FileEntry> = inventory
        .files
        .iter()
        .map(|f| (f.display.as_str(), f))
        .collect();
    let mut contents: HashMap<String, Option<Vec<u8>>> = HashMap::new();
    let mut kept = Vec::new();
    let mut suppressed = Vec::new();
    let mut diags = Vec::new();
    let mut expired_reported = BTreeMap::new();

    for mut f in findings {
        let entry = by_display.get(f.location.path.as_str()).copied();
        let rel = entry
            .map(|e| e.rel.clone())
            .unwrap_or_else(|| rel_from_display(&f.location.path, inventory));

        // Inline allow comments live in the file itself (not in archive members or history).
        if let (Some(e), None, None) = (entry, &f.location.member, &f.origin) {
            let text = contents
                .entry(e.display.clone())
                .or_insert_with(|| e.read().ok());
            if let Some(text) = text {
                match find_inline_allow(text, f.location.line, f.rule.as_str()) {
                    Some(InlineAllow {
                        reason: Some(reason),
                        ..
                    }) => {
                        f.suppression = Some(Suppression {
                            kind: SuppressionKind::Inline,
                            reason,
                            owner: None,
                            expires: None,
                        });
                        suppressed.push(f);
                        continue;
                    }
                    Some(InlineAllow { reason: None, line }) => {
                        diags.push(
                            Diagnostic::warning(
                                "config",
                                format!(
                                    "`tollgate: allow {}` without a reason is ignored; add why",
                                    f.rule
                                ),
                            )
                            .at(
                                f.location.path.clone(),
                                Some(line),
                                None,
                            ),
                        );
                    }
                    None => {}
                }
            }
        }

        match set.find(&f, &rel, None, today) {
            ExceptionMatch::Active(e) => {
                f.suppression = Some(Suppression {
                    kind: SuppressionKind::Exception,
                    reason: e.reason.clone(),
                    owner: Some(e.owner.clone()),
                    expires: e.expires.map(|d| d.to_string()),
                });
                suppressed.push(f);
            }
            ExceptionMatch::Expired(e) => {
                expired_reported.insert(e.describe(), e.clone());
                f = f.with_property(
                    "expired_exception",
                    serde_json::json!({
                        "reason": e.reason,
                        "owner": e.owner,
                        "expired": e.expires.map(|d| d.to_string()),
                    }),
                );
                kept.push(f);
            }
            ExceptionMatch::None => kept.push(f),
        }
    }
    for e in set.expired(today) {
        let _ = expired_reported.insert(e.describe(), e.clone());
    }
    for (name, e) in expired_reported {
        diags.push(
            Diagnostic::warning(
                "config",
                format!(
                    "exception {name} (owner {}, reason: {}) expired on {}: it no longer suppresses anything",
                    e.owner,
                    e.reason,
                    e.expires.map(|d| d.to_string()).unwrap_or_default()
                ),
            )
            .at(config.shown_path(), None, None),
        );
    }
    (kept, suppressed, diags)
}

fn rel_from_display(display: &str, inventory: &Inventory) -> String {
    for r in &inventory.roots {
        if let Some(g) = &r.given {
            let g = g.trim_end_matches('/');
            if let Some(rest) = display.strip_prefix(g) {
                return rest.trim_start_matches('/').to_string();
            }
        }
    }
    display.to_string()
}

/// Severity at or above which findings fail a run, from config.
pub fn fail_threshold(config: &Config) -> Severity {
    config.scan.fail_on
}

/// Current UTC time as RFC 3339 (seconds precision). Honours `SOURCE_DATE_EPOCH`.
pub fn now_rfc3339() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<i64>().ok());
    let t = match secs {
        Some(s) => {
            time::OffsetDateTime::from_unix_timestamp(s).unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        }
        None => time::OffsetDateTime::now_utc(),
    };
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
