//! The gate: assemble evidence for one artifact and environment, evaluate the policy, apply
//! break-glass, record the decision, and describe it as a SLSA verification summary.

use crate::approvals::{self, APPROVAL_PREDICATE, ApprovalContext, Candidate, fmt_time};
use crate::evidence::{
    self, Artifact, AttestationInput, Change, EnvironmentInput, Evidence, ExceptionInput,
    ExceptionRef, FindingInput, TrustInput,
};
use crate::rego::{Decision, Policy};
use crate::sarif;
use crate::settings::{EnvironmentRules, Settings, SourceSuppressionRule, TrustRequirement};
use crate::traits::{BundleVerifier, Event, EventSink, EventType, TrustRole, VerifiedBundle};
use base64::Engine as _;
use serde::Serialize;
use serde_json::{Value, json};
use std::path::Path;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tollgate_config::{Date, Exception, ExceptionMatch, ExceptionSet};
use tollgate_model::predicate::SCAN_REPORT_V1;
use tollgate_model::{
    Confidence, Digest, Finding, Fingerprint, Location, RuleId, Severity, sha256,
};

/// SLSA verification summary predicate type.
pub use tollgate_model::predicate::SLSA_VSA_V1 as VSA_PREDICATE;
/// Verifier id written into verification summaries.
pub const VERIFIER_ID: &str = "https://tollgate.dev/gate/v1";

#[derive(Debug, thiserror::Error)]
pub enum GateError {
    #[error("{path}: cannot read evidence: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "break-glass needs the transparency log (`[log] path`): an editable event file cannot hold its record"
    )]
    BreakGlassNeedsLog,
    #[error("break-glass needs a non-empty --reason and --identity")]
    BreakGlassIncomplete,
    #[error("cannot record the gate decision: {0}")]
    Log(String),
    #[error("cannot sign the verification summary: {0}")]
    Sign(String),
}

/// Largest evidence file the gate reads; a larger one is an error (deny), never skipped.
pub const MAX_EVIDENCE_FILE: u64 = 64 << 20;

/// One evidence file's name and bytes.
#[derive(Debug, Clone)]
pub struct EvidenceFile {
    pub name: String,
    pub bytes: Vec<u8>,
    /// Why it could not be read (too large, I/O error): an evidence error.
    pub problem: Option<String>,
}

impl EvidenceFile {
    pub fn new(name: impl Into<String>, bytes: Vec<u8>) -> EvidenceFile {
        EvidenceFile {
            name: name.into(),
            bytes,
            problem: None,
        }
    }
}

/// Reads every regular file of `dir` (not recursive), sorted by name. A file that is too
/// large or unreadable is kept with its problem, so the gate denies with the reason.
pub fn read_dir(dir: &Path) -> Result<Vec<EvidenceFile>, GateError> {
    let io = |source| GateError::Io {
        path: dir.display().to_string(),
        source,
    };
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    Ok(paths
        .into_iter()
        .map(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let problem = match std::fs::metadata(&p) {
                Ok(m) if m.len() > MAX_EVIDENCE_FILE => Some(format!(
                    "{} bytes is over the {} MiB evidence file limit",
                    m.len(),
                    MAX_EVIDENCE_FILE >> 20
                )),
                Ok(_) => None,
                Err(e) => Some(format!("cannot read: {e}")),
            };
            if let Some(problem) = problem {
                return EvidenceFile {
                    name,
                    bytes: Vec::new(),
                    problem: Some(problem),
                };
            }
            match std::fs::read(&p) {
                Ok(bytes) => EvidenceFile::new(name, bytes),
                Err(e) => EvidenceFile {
                    name,
                    bytes: Vec::new(),
                    problem: Some(format!("cannot read: {e}")),
                },
            }
        })
        .collect())
}

/// What the gate is asked.
#[derive(Debug, Clone)]
pub struct GateRequest {
    pub artifact_name: Option<String>,
    pub artifact: Digest,
    pub environment: String,
    pub change: Change,
    pub now: OffsetDateTime,
    /// Where the trust configuration came from (reported, and checked against
    /// `[environments.NAME] trust`).
    pub trust: TrustInput,
}

/// A break-glass request: `--break-glass --reason R --identity I`.
#[derive(Debug, Clone)]
pub struct BreakGlass {
    pub identity: String,
    pub reason: String,
}

/// The outcome of break-glass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BreakGlassOutcome {
    pub granted: bool,
    pub identity: String,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// Why it was refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
}

/// The gate's verdict, with every reason.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    pub allow: bool,
    /// What the policy alone decided (before break-glass).
    pub policy_allow: bool,
    pub deny: Vec<String>,
    pub warn: Vec<String>,
    pub policy_digest: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub break_glass: Option<BreakGlassOutcome>,
}

/// Everything a gate run produced.
#[derive(Debug, Clone)]
pub struct GateOutcome {
    pub evidence: Evidence,
    pub verdict: Verdict,
    /// Bundle files that entered the decision: name and SHA-256 (for the summary).
    pub inputs: Vec<(String, Digest)>,
}

/// The gate, configured.
pub struct Gate<'a> {
    pub settings: &'a Settings,
    pub exceptions: &'a [Exception],
    pub policy: &'a Policy,
    pub verifier: &'a dyn BundleVerifier,
}

impl Gate<'_> {
    fn env_input(&self, name: &str, rules: &EnvironmentRules) -> EnvironmentInput {
        let g = &self.settings.gate;
        EnvironmentInput {
            name: name.to_string(),
            require: rules.checks(),
            approvals: rules.approvals_needed(),
            required_scans: rules
                .required_scans
                .clone()
                .unwrap_or_else(|| g.required_scans.clone()),
            builders: rules.builders.clone().unwrap_or_else(|| g.builders.clone()),
            sources: rules.sources.clone().unwrap_or_else(|| g.sources.clone()),
            block_on: rules.block_on.unwrap_or(Severity::High).to_string(),
            trust: rules.trust.as_str().to_string(),
        }
    }

    /// Builds the evidence document from `files` (reports, SARIF, bundles).
    pub fn assemble(
        &self,
        req: &GateRequest,
        files: &[EvidenceFile],
    ) -> (Evidence, Vec<(String, Digest)>) {
        let rules = self.settings.environment(&req.environment);
        let today = Date::from_days_since_epoch(req.now.unix_timestamp().div_euclid(86_400));
        let artifact_str = req.artifact.to_string();
        let set = ExceptionSet::new(self.exceptions);
        let mut ev = Evidence {
            schema: evidence::SCHEMA.into(),
            artifact: Artifact {
                name: req.artifact_name.clone(),
                digest: artifact_str.clone(),
            },
            environment: self.env_input(&req.environment, &rules),
            time: fmt_time(req.now),
            change: req.change.clone(),
            policy_digest: self.policy.digest().to_string(),
            scans: Vec::new(),
            findings: Vec::new(),
            attestations: Vec::new(),
            approvals: Vec::new(),
            approvals_counted: 0,
            exceptions: self
                .exceptions
                .iter()
                .map(|e| ExceptionInput {
                    exception: e.clone(),
                    expired: e.is_expired(today),
                    age_days: e
                        .created
                        .map(|c| today.days_since_epoch() - c.days_since_epoch()),
                })
                .collect(),
            warnings: Vec::new(),
            errors: Vec::new(),
            trust: TrustInput::default(),
            source_suppressions: Default::default(),
            notes: Vec::new(),
            refusals: Vec::new(),
        };
        let mut candidates = Vec::new();
        let mut inputs = Vec::new();
        for f in files {
            if let Some(p) = &f.problem {
                ev.errors.push(format!("{}: {p}", f.name));
                continue;
            }
            if f.name.ends_with(".jsonl") {
                // A JSON-lines collection of bundles (`*.intoto.jsonl`): each line is one.
                for (i, line) in f.bytes.split(|b| *b == b'\n').enumerate() {
                    if line.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    let one = EvidenceFile::new(format!("{}:{}", f.name, i + 1), line.to_vec());
                    self.add_file(
                        &mut ev,
                        &mut candidates,
                        &mut inputs,
                        &one,
                        req,
                        &rules,
                        &set,
                        today,
                    );
                }
                continue;
            }
            if is_key_or_root(&f.name, &f.bytes) {
                ev.notes.push(format!(
                    "{}: a key or trusted root is not evidence; the gate takes its trust from {}",
                    f.name,
                    if req.trust.source.is_empty() {
                        "its trust configuration"
                    } else {
                        &req.trust.source
                    }
                ));
                continue;
            }
            self.add_file(
                &mut ev,
                &mut candidates,
                &mut inputs,
                f,
                req,
                &rules,
                &set,
                today,
            );
        }
        ev.trust = req.trust.clone();
        self.refusals(&mut ev, req, &rules);
        let ctx = ApprovalContext {
            artifact: req.artifact,
            environment: &req.environment,
            policy_digest: self.policy.digest(),
            now: req.now,
            change: &req.change,
            rules: &rules,
        };
        let (list, n) = approvals::assess(&candidates, &ctx);
        ev.approvals = list;
        ev.approvals_counted = n;
        (ev, inputs)
    }

    /// One evidence file (or one line of a `.jsonl` collection).
    #[allow(clippy::too_many_arguments)]
    fn add_file(
        &self,
        ev: &mut Evidence,
        candidates: &mut Vec<Candidate>,
        inputs: &mut Vec<(String, Digest)>,
        f: &EvidenceFile,
        req: &GateRequest,
        rules: &EnvironmentRules,
        set: &ExceptionSet,
        today: Date,
    ) {
        let artifact_str = req.artifact.to_string();
        let v: Value = match serde_json::from_slice(&f.bytes) {
            Ok(v) => v,
            Err(e) => {
                ev.errors.push(format!(
                    "{}:{}:{}: evidence is not valid JSON: {e}",
                    f.name,
                    e.line(),
                    e.column()
                ));
                return;
            }
        };
        if let Some(what) = known_non_evidence(&v) {
            ev.notes
                .push(format!("{}: {what}; not evidence itself", f.name));
        } else if v.get("schema").and_then(Value::as_str) == Some(tollgate_render::json::SCHEMA) {
            // An unsigned report names no artifact and anyone can write one: only the signed
            // scan attestation over the artifact decides.
            ev.notes.push(format!(
                "{}: unsigned tollgate report, not counted (the signed scan attestation is)",
                f.name
            ));
        } else if sarif::is_sarif(&v) {
            if rules.accept_unsigned_sarif {
                ev.warnings.push(format!(
                    "{}: unsigned SARIF counted ([environments.{}] accept-unsigned-sarif)",
                    f.name, req.environment
                ));
                self.add_sarif(ev, &v, &f.name, set, today, &artifact_str);
            } else {
                ev.notes.push(format!(
                    "{}: unsigned SARIF, not counted (attest it over the artifact, or set accept-unsigned-sarif for the environment)",
                    f.name
                ));
            }
        } else if is_bundle(&v) {
            let digest = sha256(f.bytes.trim_ascii());
            if let Some((first, _)) = inputs.iter().find(|(_, d)| *d == digest) {
                // The same bundle twice (a `.sigstore.json` file and its line in the
                // `.intoto.jsonl` collection): counted once.
                ev.notes
                    .push(format!("{}: the same bundle as {first}", f.name));
                return;
            }
            inputs.push((f.name.clone(), digest));
            match self.verifier.verify(&f.bytes, &req.artifact) {
                Ok(b) if b.predicate_type.as_deref() == Some(APPROVAL_PREDICATE) => candidates
                    .push(Candidate {
                        file: f.name.clone(),
                        verified: Ok(b),
                    }),
                // Defence in depth: a statement must name the artifact among its subjects,
                // whatever the verifier checked.
                Ok(b)
                    if b.statement
                        .as_ref()
                        .is_some_and(|st| !names_subject(st, &req.artifact)) =>
                {
                    let why = "verified, but no subject of its statement is this artifact";
                    ev.warnings.push(format!("{}: {why}", f.name));
                    ev.attestations.push(AttestationInput {
                        file: f.name.clone(),
                        verified: false,
                        trust: None,
                        identity: Some(b.identity),
                        key_id: Some(b.key_id),
                        predicate_type: b.predicate_type,
                        statement: None,
                        checks: Vec::new(),
                        reason: Some(why.into()),
                    });
                }
                Ok(b) => {
                    if b.trust == TrustRole::Signer {
                        self.add_attested_scan(ev, &b, &f.name, rules, set, today, &artifact_str);
                    }
                    ev.attestations.push(AttestationInput {
                        file: f.name.clone(),
                        verified: true,
                        trust: Some(b.trust.as_str().into()),
                        identity: Some(b.identity),
                        key_id: Some(b.key_id),
                        predicate_type: b.predicate_type,
                        statement: b.statement,
                        checks: b.checks,
                        reason: None,
                    })
                }
                Err(why) => {
                    let claimed = unverified_predicate_type(&v);
                    if claimed.as_deref() == Some(APPROVAL_PREDICATE) {
                        candidates.push(Candidate {
                            file: f.name.clone(),
                            verified: Err(why),
                        });
                    } else {
                        ev.warnings
                            .push(format!("{}: bundle does not verify: {why}", f.name));
                        ev.attestations.push(AttestationInput {
                            file: f.name.clone(),
                            verified: false,
                            trust: None,
                            identity: None,
                            key_id: None,
                            predicate_type: claimed,
                            statement: None,
                            checks: Vec::new(),
                            reason: Some(why),
                        });
                    }
                }
            }
        } else {
            ev.notes.push(format!(
                "{}: not a signature bundle, SARIF log or tollgate report; ignored",
                f.name
            ));
        }
    }

    /// Scans and findings from a verified signer attestation over the artifact: a tollgate
    /// scan report (its `report`), or a SARIF log attested by a trusted signer.
    #[allow(clippy::too_many_arguments)]
    fn add_attested_scan(
        &self,
        ev: &mut Evidence,
        b: &VerifiedBundle,
        file: &str,
        rules: &EnvironmentRules,
        set: &ExceptionSet,
        today: Date,
        artifact: &str,
    ) {
        let Some(predicate) = b.statement.as_ref().and_then(|s| s.get("predicate")) else {
            return;
        };
        match b.predicate_type.as_deref() {
            Some(SCAN_REPORT_V1) => {
                let Some(report) = predicate.get("report") else {
                    ev.errors
                        .push(format!("{file}: scan attestation holds no report"));
                    return;
                };
                let parsed = serde_json::to_vec(report)
                    .map_err(|e| e.to_string())
                    .and_then(|bytes| {
                        tollgate_render::json::parse(&bytes).map_err(|e| e.to_string())
                    });
                match parsed {
                    Ok(r) => self.add_report(ev, &r, set, today, artifact, rules),
                    Err(e) => ev
                        .errors
                        .push(format!("{file}: scan attestation report: {e}")),
                }
                let excluded: Vec<String> = predicate
                    .pointer("/config/exclude")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default();
                for x in excluded {
                    push_unique(&mut ev.source_suppressions.excluded, &x);
                }
                if let Some(c) = predicate
                    .pointer("/config/path")
                    .and_then(Value::as_str)
                    .filter(|_| predicate.pointer("/config/inSource") == Some(&Value::Bool(true)))
                {
                    ev.source_suppressions.config = Some(c.to_string());
                }
            }
            _ if sarif::is_sarif(predicate) => {
                self.add_sarif(ev, predicate, file, set, today, artifact)
            }
            _ => {}
        }
    }

    fn add_sarif(
        &self,
        ev: &mut Evidence,
        v: &Value,
        file: &str,
        set: &ExceptionSet,
        today: Date,
        artifact: &str,
    ) {
        match sarif::convert(v) {
            Ok(runs) => {
                for run in runs {
                    push_unique(&mut ev.scans, &run.tool);
                    for mut fi in run.findings {
                        apply_exceptions(&mut fi, set, today, artifact);
                        ev.findings.push(fi);
                    }
                }
            }
            Err(e) => ev.errors.push(format!("{file}: malformed SARIF: {e}")),
        }
    }

    /// What the gate refuses whatever the policy says.
    fn refusals(&self, ev: &mut Evidence, req: &GateRequest, rules: &EnvironmentRules) {
        let env = &req.environment;
        if rules.trust == TrustRequirement::External && !req.trust.external {
            ev.refusals.push(format!(
                "environment {env} requires trust from outside the released source tree, but it came from {} (give --trust FILE or set TOLLGATE_TRUST)",
                if req.trust.source.is_empty() { "nowhere" } else { &req.trust.source }
            ));
        }
        if !req.trust.external {
            ev.warnings.push(format!(
                "trust came from {}: the change under review can rewrite it",
                if req.trust.source.is_empty() {
                    "the default (no signers, no approvers)"
                } else {
                    &req.trust.source
                }
            ));
        }
        if rules.approvals_needed() > 0
            && req
                .change
                .author
                .as_deref()
                .is_none_or(|a| a.trim().is_empty())
        {
            ev.refusals.push(format!(
                "environment {env} requires approvals, so the change's author must be known (give --author, or run where the CI system names it)"
            ));
        }
        let s = &ev.source_suppressions;
        let mut what = Vec::new();
        if s.inline > 0 {
            what.push(format!(
                "{} finding(s) hidden by inline `tollgate: allow`",
                s.inline
            ));
        }
        if !s.excluded.is_empty() {
            what.push(format!("excluded paths {}", s.excluded.join(", ")));
        }
        if !what.is_empty() {
            let m = format!(
                "the released change suppresses in its own scan: {}",
                what.join("; ")
            );
            if rules.source_suppressions == SourceSuppressionRule::Deny {
                ev.refusals.push(format!(
                    "{m} (environment {env} refuses source suppressions)"
                ));
            } else {
                ev.warnings.push(m);
            }
        }
    }

    fn add_report(
        &self,
        ev: &mut Evidence,
        r: &tollgate_render::json::ReportV1,
        set: &ExceptionSet,
        today: Date,
        artifact: &str,
        rules: &EnvironmentRules,
    ) {
        for s in &r.scanners {
            push_unique(&mut ev.scans, &s.name);
        }
        for f in r.findings.iter().chain(&r.suppressed) {
            let kind = f
                .suppression
                .as_ref()
                .and_then(|s| s.get("kind"))
                .and_then(Value::as_str);
            let path = rel_path(&f.location.path, &r.roots);
            let mut fi = FindingInput {
                rule: f.rule.clone(),
                severity: f.severity.clone(),
                confidence: f.confidence.clone(),
                message: f.message.clone(),
                path,
                fingerprint: f.fingerprint.clone(),
                source: "tollgate".into(),
                exception: None,
                expired_exception: None,
                // Inline allows and VEX stay decided by the report (inline ones are counted as
                // the change's own suppressions, and count as findings where the environment
                // refuses them); exceptions are re-checked today against the gate's own
                // exceptions, so one the change added to its tollgate.toml, or one that
                // expired since the scan, no longer applies.
                suppressed: kind.filter(|k| *k != "exception").map(str::to_string),
            };
            if kind == Some("inline") {
                ev.source_suppressions.inline += 1;
                if rules.source_suppressions == SourceSuppressionRule::Deny {
                    fi.suppressed = None;
                }
            }
            if fi.suppressed.is_none() {
                apply_exceptions(&mut fi, set, today, artifact);
            }
            ev.findings.push(fi);
        }
    }

    /// Evaluates the policy on `evidence`. A policy error is an explicit deny; so is any
    /// evidence error (a malformed file), whatever the policy says.
    pub fn evaluate(&self, evidence: &Evidence) -> Verdict {
        let (allow, mut deny, warn) = match self.policy.evaluate(evidence) {
            Ok(Decision { allow, deny, warn }) => (allow, deny, warn),
            Err(e) => (false, vec![format!("policy error: {e}")], Vec::new()),
        };
        for e in &evidence.errors {
            let m = format!("evidence error: {e}");
            if !deny.contains(&m) {
                deny.push(m);
            }
        }
        for r in &evidence.refusals {
            if !deny.contains(r) {
                deny.push(r.clone());
            }
        }
        let allow = allow && evidence.errors.is_empty() && deny.is_empty();
        Verdict {
            allow,
            policy_allow: allow,
            deny,
            warn,
            policy_digest: self.policy.digest().to_string(),
            break_glass: None,
        }
    }

    /// Assembles, evaluates, applies break-glass and records the decision in `sink`.
    pub fn run(
        &self,
        req: &GateRequest,
        files: &[EvidenceFile],
        break_glass: Option<&BreakGlass>,
        mut sink: Option<&mut dyn EventSink>,
    ) -> Result<GateOutcome, GateError> {
        if let Some(bg) = break_glass {
            if bg.identity.trim().is_empty() || bg.reason.trim().is_empty() {
                return Err(GateError::BreakGlassIncomplete);
            }
            if !sink.as_deref().is_some_and(|s| s.tamper_evident()) {
                return Err(GateError::BreakGlassNeedsLog);
            }
        }
        let (evidence, inputs) = self.assemble(req, files);
        let mut verdict = self.evaluate(&evidence);
        if let (Some(bg), Some(sink)) = (break_glass, sink.as_deref_mut()) {
            let rules = self.settings.environment(&req.environment);
            let out = apply_break_glass(&verdict, bg, &rules, req, &*sink)?;
            // The transparency log's sink replaces this time with the log's own clock (for
            // every event): that recorded time is where a window starts.
            sink.append(&Event {
                kind: EventType::BreakGlass,
                actor: bg.identity.clone(),
                subject: req.artifact,
                environment: Some(req.environment.clone()),
                time: Some(fmt_time(req.now)),
                payload: Some(json!({
                    "reason": bg.reason,
                    "granted": out.granted,
                    "until": out.until,
                    "refused": out.refused,
                    "deny": verdict.deny,
                })),
            })
            .map_err(GateError::Log)?;
            if out.granted {
                verdict.allow = true;
            }
            verdict.break_glass = Some(out);
        }
        if let Some(sink) = sink {
            let signed = evidence
                .attestations
                .iter()
                .any(|a| a.verified && a.trust.as_deref() == Some(TrustRole::Signer.as_str()));
            sink.append(&Event {
                kind: EventType::GateDecision,
                actor: req
                    .change
                    .triggerer
                    .clone()
                    .or_else(|| req.change.author.clone())
                    .unwrap_or_else(|| "unknown".into()),
                subject: req.artifact,
                environment: Some(req.environment.clone()),
                time: Some(fmt_time(req.now)),
                payload: Some(json!({
                    "allow": verdict.allow,
                    "trust": evidence.trust.source,
                    "policy_allow": verdict.policy_allow,
                    "break_glass": verdict.break_glass.as_ref().is_some_and(|b| b.granted),
                    "signed": signed,
                    "policy_digest": verdict.policy_digest,
                    "deny": verdict.deny,
                    // Counting findings, for time-to-remediate from the log.
                    "findings": evidence
                        .findings
                        .iter()
                        .filter(|f| f.exception.is_none() && f.suppressed.is_none())
                        .map(|f| f.fingerprint.as_str())
                        .collect::<Vec<_>>(),
                })),
            })
            .map_err(GateError::Log)?;
        }
        Ok(GateOutcome {
            evidence,
            verdict,
            inputs,
        })
    }
}

/// Break-glass passes a failing gate only while the window opened by the first granted
/// break-glass for this artifact and environment lasts: from `start` up to, not including,
/// `start + window`.
fn apply_break_glass(
    verdict: &Verdict,
    bg: &BreakGlass,
    rules: &EnvironmentRules,
    req: &GateRequest,
    sink: &dyn EventSink,
) -> Result<BreakGlassOutcome, GateError> {
    let mut out = BreakGlassOutcome {
        granted: false,
        identity: bg.identity.clone(),
        reason: bg.reason.clone(),
        until: None,
        refused: None,
    };
    if verdict.policy_allow {
        out.refused = Some("the gate passed without break-glass".into());
        return Ok(out);
    }
    let Some(window) = rules.break_glass else {
        out.refused = Some(format!(
            "break-glass is not enabled for environment {} (set `break-glass` in [environments.{}])",
            req.environment, req.environment
        ));
        return Ok(out);
    };
    if let Some(who) = req
        .change
        .identities()
        .find(|c| approvals::same_identity(c, &bg.identity))
    {
        out.refused = Some(format!(
            "{who} authored, committed or triggered this change and cannot break the glass for it"
        ));
        return Ok(out);
    }
    if !rules.approvers.is_empty()
        && !rules
            .approvers
            .iter()
            .any(|a| approvals::same_identity(a, &bg.identity))
    {
        out.refused = Some(format!(
            "{} is not among the approvers of environment {}",
            bg.identity, req.environment
        ));
        return Ok(out);
    }
    // The window starts at the log's own time of the first granted break-glass (events whose
    // time lies ahead of the log's clock are refused by the log itself).
    let start = sink
        .events()
        .map_err(GateError::Log)?
        .iter()
        .filter(|e| {
            e.kind == EventType::BreakGlass
                && e.subject == req.artifact
                && e.environment.as_deref() == Some(req.environment.as_str())
                && e.field("granted") == Some(&Value::Bool(true))
        })
        .filter_map(|e| OffsetDateTime::parse(e.time.as_deref()?, &Rfc3339).ok())
        .map(|t| t.min(req.now))
        .min()
        .unwrap_or(req.now);
    let until = start + window;
    if req.now < until {
        out.granted = true;
        out.until = Some(fmt_time(until));
    } else {
        out.refused = Some(format!(
            "the break-glass window for this artifact ended at {}",
            fmt_time(until)
        ));
    }
    Ok(out)
}

/// The in-toto Statement of a SLSA verification summary for this gate run.
pub fn verification_summary(outcome: &GateOutcome) -> Value {
    let ev = &outcome.evidence;
    let provenance_ok = ev.attestations.iter().any(|a| {
        a.verified
            && a.trust.as_deref() == Some("signer")
            && a.predicate_type.as_deref() == Some("https://slsa.dev/provenance/v1")
    });
    let level = if outcome.verdict.allow && provenance_ok {
        "SLSA_BUILD_LEVEL_2"
    } else {
        "SLSA_BUILD_LEVEL_0"
    };
    let digest_hex = ev
        .artifact
        .digest
        .strip_prefix("sha256:")
        .unwrap_or(&ev.artifact.digest);
    let policy_hex = outcome
        .verdict
        .policy_digest
        .strip_prefix("sha256:")
        .unwrap_or(&outcome.verdict.policy_digest);
    let name = ev
        .artifact
        .name
        .clone()
        .unwrap_or_else(|| ev.artifact.digest.clone());
    json!({
        "_type": approvals::STATEMENT_TYPE,
        "subject": [{"name": name, "digest": {"sha256": digest_hex}}],
        "predicateType": VSA_PREDICATE,
        "predicate": {
            "verifier": {"id": VERIFIER_ID, "version": {"tollgate": env!("CARGO_PKG_VERSION")}},
            "timeVerified": ev.time,
            "resourceUri": name,
            "policy": {"uri": format!("tollgate:policy/{}", ev.environment.name), "digest": {"sha256": policy_hex}},
            "inputAttestations": outcome.inputs.iter().map(|(n, d)| json!({"uri": n, "digest": {"sha256": d.hex()}})).collect::<Vec<_>>(),
            "verificationResult": if outcome.verdict.allow { "PASSED" } else { "FAILED" },
            "verifiedLevels": [level],
            "slsaVersion": "1.0",
        }
    })
}

fn names_subject(statement: &Value, artifact: &Digest) -> bool {
    let want = artifact.hex();
    statement
        .get("subject")
        .and_then(Value::as_array)
        .is_some_and(|subs| {
            subs.iter().any(|s| {
                s.pointer("/digest/sha256")
                    .and_then(Value::as_str)
                    .is_some_and(|d| d.eq_ignore_ascii_case(&want))
            })
        })
}

fn push_unique(v: &mut Vec<String>, s: &str) {
    if !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}

/// Documents a release folder holds beside its evidence: the release manifest (an index) and
/// SBOM documents (whose signed attestations are what counts).
fn known_non_evidence(v: &Value) -> Option<&'static str> {
    if v.get("schema").and_then(Value::as_str) == Some("tollgate.release/v1") {
        Some("the release manifest (an unsigned index of the folder)")
    } else if v
        .get("mediaType")
        .and_then(Value::as_str)
        .is_some_and(|m| m.starts_with("application/vnd.dev.sigstore.trustedroot"))
    {
        Some("a Sigstore trusted root (trust never comes from the evidence)")
    } else if v.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX")
        || v.get("spdxVersion").is_some()
    {
        Some("an SBOM document (its signed SBOM attestation is what counts)")
    } else {
        None
    }
}

/// Public keys and certificates by name or PEM armour, and the trusted root by its usual name:
/// material that says whom to trust, which an evidence folder must never supply. (A trusted
/// root under another name is recognised by its media type once the file is parsed.)
fn is_key_or_root(name: &str, bytes: &[u8]) -> bool {
    let lower = name.to_ascii_lowercase();
    [".pub", ".pem", ".crt", ".key"]
        .iter()
        .any(|x| lower.ends_with(x))
        || bytes.trim_ascii_start().starts_with(b"-----BEGIN")
        || lower == "trusted_root.json"
}

fn is_bundle(v: &Value) -> bool {
    v.get("mediaType")
        .and_then(Value::as_str)
        .is_some_and(|m| m.starts_with("application/vnd.dev.sigstore.bundle"))
        || v.get("dsseEnvelope").is_some()
        || (v.get("payloadType").is_some() && v.get("signatures").is_some())
}

/// The predicate type a bundle claims, read WITHOUT verification (only to report a bad
/// approval as an approval).
fn unverified_predicate_type(v: &Value) -> Option<String> {
    let payload = v
        .pointer("/dsseEnvelope/payload")
        .or_else(|| v.get("payload"))?
        .as_str()?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(payload)
        .ok()?;
    let st: Value = serde_json::from_slice(&bytes).ok()?;
    st.get("predicateType")?.as_str().map(str::to_string)
}

fn rel_path(path: &str, roots: &[String]) -> String {
    let p = path.strip_prefix("./").unwrap_or(path);
    for root in roots {
        let root = root.trim_end_matches('/');
        let root = root.strip_prefix("./").unwrap_or(root);
        if root.is_empty() || root == "." {
            continue;
        }
        if let Some(rest) = p.strip_prefix(root).and_then(|r| r.strip_prefix('/')) {
            return rest.to_string();
        }
    }
    p.to_string()
}

/// Matches `fi` against the exceptions (the config crate's one matcher) on `today`.
fn apply_exceptions(fi: &mut FindingInput, set: &ExceptionSet, today: Date, artifact: &str) {
    if set.is_empty() {
        return;
    }
    let Ok(rule) = RuleId::new(fi.rule.clone()) else {
        return;
    };
    let mut f = Finding::new(
        rule,
        fi.severity.parse().unwrap_or(Severity::Info),
        fi.confidence.parse().unwrap_or(Confidence::Medium),
        fi.message.clone(),
        Location::line(fi.path.clone(), 1),
        &fi.path,
        b"",
    );
    f.fingerprint = Fingerprint::from_string(fi.fingerprint.clone());
    let r = |e: &Exception| ExceptionRef {
        owner: e.owner.clone(),
        reason: e.reason.clone(),
        expires: e.expires.map(|d| d.to_string()).unwrap_or_default(),
    };
    match set.find(&f, &fi.path, Some(artifact), today) {
        ExceptionMatch::Active(e) => fi.exception = Some(r(e)),
        ExceptionMatch::Expired(e) => fi.expired_exception = Some(r(e)),
        ExceptionMatch::None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rel_paths_strip_roots() {
        let roots = vec!["repo".to_string(), "./other/".to_string()];
        assert_eq!(rel_path("repo/src/a.rs", &roots), "src/a.rs");
        assert_eq!(rel_path("other/x", &roots), "x");
        assert_eq!(rel_path("./lib.rs", &roots), "lib.rs");
        assert_eq!(rel_path("repository/x", &roots), "repository/x");
    }

    #[test]
    fn classifies_bundles() {
        assert!(is_bundle(
            &json!({"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json"})
        ));
        assert!(is_bundle(&json!({"payloadType": "x", "signatures": []})));
        assert!(!is_bundle(&json!({"schema": "x"})));
        let payload = base64::engine::general_purpose::STANDARD
            .encode(br#"{"predicateType":"https://tollgate.dev/attestation/approval/v1"}"#);
        assert_eq!(
            unverified_predicate_type(&json!({"dsseEnvelope": {"payload": payload}})).as_deref(),
            Some(APPROVAL_PREDICATE)
        );
    }
}
