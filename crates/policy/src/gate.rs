//! The gate: assemble evidence for one artifact and environment, evaluate the policy, apply
//! break-glass, record the decision, and describe it as a SLSA verification summary.

use crate::approvals::{self, APPROVAL_PREDICATE, ApprovalContext, Candidate, fmt_time};
use crate::evidence::{
    self, Artifact, AttestationInput, Change, EnvironmentInput, Evidence, ExceptionInput,
    ExceptionRef, FindingInput,
};
use crate::rego::{Decision, Policy};
use crate::sarif;
use crate::settings::{EnvironmentRules, Settings};
use crate::traits::{BundleVerifier, Event, EventSink, TrustRole};
use base64::Engine as _;
use serde::Serialize;
use serde_json::{Value, json};
use std::path::Path;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tollgate_config::{Date, Exception, ExceptionMatch, ExceptionSet};
use tollgate_model::{
    Confidence, Digest, Finding, Fingerprint, Location, RuleId, Severity, sha256,
};

/// SLSA verification summary predicate type.
pub const VSA_PREDICATE: &str = "https://slsa.dev/verification_summary/v1";
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
    #[error("break-glass needs an event log (set `[gate] events` or configure the log)")]
    BreakGlassNeedsLog,
    #[error("break-glass needs a non-empty --reason and --identity")]
    BreakGlassIncomplete,
    #[error("cannot record the gate decision: {0}")]
    Log(String),
    #[error("cannot sign the verification summary: {0}")]
    Sign(String),
}

/// One evidence file's name and bytes.
#[derive(Debug, Clone)]
pub struct EvidenceFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Reads every regular file of `dir` (not recursive), sorted by name.
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
    paths
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).map_err(|source| GateError::Io {
                path: p.display().to_string(),
                source,
            })?;
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            Ok(EvidenceFile { name, bytes })
        })
        .collect()
}

/// What the gate is asked.
#[derive(Debug, Clone)]
pub struct GateRequest {
    pub artifact_name: Option<String>,
    pub artifact: Digest,
    pub environment: String,
    pub change: Change,
    pub now: OffsetDateTime,
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
        };
        let mut candidates = Vec::new();
        let mut inputs = Vec::new();
        for f in files {
            let v: Value = match serde_json::from_slice(&f.bytes) {
                Ok(v) => v,
                Err(e) => {
                    ev.errors.push(format!(
                        "{}:{}:{}: evidence is not valid JSON: {e}",
                        f.name,
                        e.line(),
                        e.column()
                    ));
                    continue;
                }
            };
            if v.get("schema").and_then(Value::as_str) == Some(tollgate_render::json::SCHEMA) {
                match tollgate_render::json::parse(&f.bytes) {
                    Ok(r) => self.add_report(&mut ev, &r, &set, today, &artifact_str),
                    Err(e) => ev.errors.push(format!("{}: {e}", f.name)),
                }
            } else if sarif::is_sarif(&v) {
                match sarif::convert(&v) {
                    Ok(runs) => {
                        for run in runs {
                            push_unique(&mut ev.scans, &run.tool);
                            for mut fi in run.findings {
                                apply_exceptions(&mut fi, &set, today, &artifact_str);
                                ev.findings.push(fi);
                            }
                        }
                    }
                    Err(e) => ev.errors.push(format!("{}: malformed SARIF: {e}", f.name)),
                }
            } else if is_bundle(&v) {
                inputs.push((f.name.clone(), sha256(&f.bytes)));
                match self.verifier.verify(&f.bytes, &req.artifact) {
                    Ok(b) if b.predicate_type.as_deref() == Some(APPROVAL_PREDICATE) => candidates
                        .push(Candidate {
                            file: f.name.clone(),
                            verified: Ok(b),
                        }),
                    // Defence in depth: a statement must name the artifact among its
                    // subjects, whatever the verifier checked.
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
                    Ok(b) => ev.attestations.push(AttestationInput {
                        file: f.name.clone(),
                        verified: true,
                        trust: Some(b.trust.as_str().into()),
                        identity: Some(b.identity),
                        key_id: Some(b.key_id),
                        predicate_type: b.predicate_type,
                        statement: b.statement,
                        checks: b.checks,
                        reason: None,
                    }),
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
                ev.warnings.push(format!(
                    "{}: not a tollgate report, SARIF log or signature bundle; ignored",
                    f.name
                ));
            }
        }
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

    fn add_report(
        &self,
        ev: &mut Evidence,
        r: &tollgate_render::json::ReportV1,
        set: &ExceptionSet,
        today: Date,
        artifact: &str,
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
                // Inline allows and VEX stay decided by the report; exceptions are re-checked
                // today, so one that expired since the scan no longer applies.
                suppressed: kind.filter(|k| *k != "exception").map(str::to_string),
            };
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
            if sink.is_none() {
                return Err(GateError::BreakGlassNeedsLog);
            }
        }
        let (evidence, inputs) = self.assemble(req, files);
        let mut verdict = self.evaluate(&evidence);
        if let (Some(bg), Some(sink)) = (break_glass, sink.as_deref_mut()) {
            let rules = self.settings.environment(&req.environment);
            let out = apply_break_glass(&verdict, bg, &rules, req, &*sink)?;
            sink.append(&Event {
                kind: "break-glass".into(),
                actor: bg.identity.clone(),
                subject: req.artifact.to_string(),
                environment: req.environment.clone(),
                time: fmt_time(req.now),
                payload: json!({
                    "reason": bg.reason,
                    "granted": out.granted,
                    "until": out.until,
                    "refused": out.refused,
                    "deny": verdict.deny,
                }),
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
                kind: "gate".into(),
                actor: req
                    .change
                    .triggerer
                    .clone()
                    .or_else(|| req.change.author.clone())
                    .unwrap_or_else(|| "unknown".into()),
                subject: req.artifact.to_string(),
                environment: req.environment.clone(),
                time: fmt_time(req.now),
                payload: json!({
                    "allow": verdict.allow,
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
                }),
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
    let subject = req.artifact.to_string();
    let start = sink
        .events()
        .map_err(GateError::Log)?
        .iter()
        .filter(|e| {
            e.kind == "break-glass"
                && e.subject == subject
                && e.environment == req.environment
                && e.payload.get("granted") == Some(&Value::Bool(true))
        })
        .filter_map(|e| OffsetDateTime::parse(&e.time, &Rfc3339).ok())
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
