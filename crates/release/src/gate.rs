//! `gate` and `approve`: the release decision over an evidence folder, with trust resolved by
//! [`crate::trust`], signatures checked by the attest crate and the decision recorded in the
//! transparency log.

use crate::backends::{AttestSigner, AttestVerifier, load_signer};
use crate::error::{ReleaseError, Result};
use crate::log;
use crate::trust::TrustArgs;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tollgate_config::Config;
use tollgate_model::{Digest, Event, EventType};
use tollgate_policy::approvals::{ApprovalPredicate, approval_statement};
use tollgate_policy::evidence::Change;
use tollgate_policy::gate::{self as pgate, EvidenceFile, verification_summary};
use tollgate_policy::{
    ApprovalSigner, BreakGlass, BundleVerifier, EventSink, Gate, GateOutcome, GateRequest,
    NoVerifier, Policy, Settings,
};

/// `sha256:<hex>` as given, or the streamed digest of the file (with its name).
pub fn artifact_digest(a: &str) -> Result<(Option<String>, Digest)> {
    if a.starts_with("sha256:") {
        let d = a
            .parse()
            .map_err(|e: tollgate_model::DigestError| ReleaseError::Usage(e.to_string()))?;
        return Ok((None, d));
    }
    let p = Path::new(a);
    let d = tollgate_attest::hash::sha256_file(p).map_err(|e| ReleaseError::io(p, e))?;
    Ok((p.file_name().map(|n| n.to_string_lossy().into_owned()), d))
}

/// The change's identities: the flags, then what the CI system says (GitLab names the commit
/// author; GitHub Actions and GitLab name who triggered the pipeline).
pub fn change_identities(
    author: Option<String>,
    committer: Option<String>,
    triggerer: Option<String>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Change {
    let nonempty = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    Change {
        author: nonempty(author)
            .or_else(|| nonempty(env("TOLLGATE_AUTHOR")))
            .or_else(|| nonempty(env("CI_COMMIT_AUTHOR"))),
        committer: nonempty(committer),
        triggerer: nonempty(triggerer)
            .or_else(|| nonempty(env("GITHUB_ACTOR")))
            .or_else(|| nonempty(env("GITLAB_USER_LOGIN"))),
    }
}

fn now_utc() -> OffsetDateTime {
    OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| OffsetDateTime::now_utc())
}

/// The policy in force. For the gate (`refuse`), a defective policy (does not compile,
/// recurses, overruns its load limit) is loaded as one that denies with why; `approve` refuses
/// to bind an approval to it.
fn load_policy(
    config: &Config,
    settings: &Settings,
    over: Option<&Path>,
    refuse: bool,
) -> Result<Policy> {
    let load = |p: &Path| {
        if refuse {
            Policy::load_or_refuse(p)
        } else {
            Policy::load(p)
        }
    };
    let p = match (over, &settings.gate.policy) {
        (Some(p), _) => load(p)?,
        (None, Some(p)) => load(&config.base_dir().join(p))?,
        (None, None) => Policy::builtin(),
    };
    Ok(p.with_limits(settings.gate.timeout, settings.gate.max_input_bytes))
}

/// The digest of the gate policy `config` puts in force (its `[gate] policy`, else the
/// built-in one): what approvals and credentials are bound to.
pub fn policy_digest(config: &Config) -> Result<String> {
    let settings = Settings::from_config(config)?;
    Ok(load_policy(config, &settings, None, false)?
        .digest()
        .to_string())
}

/// Signature verification against the trust configuration's tables (and its log's root).
pub fn verifier(config: &Config, warnings: &mut Vec<String>) -> Box<dyn BundleVerifier> {
    // Bundles signed while a log is configured carry its entry: they verify against the
    // trusted root naming that log's key.
    let trusted_root_json = match log::configured(config) {
        Ok(Some(l)) => log::trusted_root_json(&l).ok(),
        Ok(None) => None,
        Err(e) => {
            warnings.push(format!(
                "transparency log unusable ({e}); bundle log entries will not verify"
            ));
            None
        }
    };
    match tollgate_attest::trust::TrustStore::from_config(config) {
        Ok(store) => Box::new(AttestVerifier {
            store,
            trusted_root_json,
        }),
        Err(e) => {
            // A broken trust table never lets anything through: no bundle verifies.
            warnings.push(format!(
                "trust tables unusable ({e}); no signature will verify"
            ));
            Box::new(NoVerifier)
        }
    }
}

/// What the gate is asked.
#[derive(Debug, Clone, Default)]
pub struct GateArgs {
    /// The artifact file, or `sha256:<hex>`.
    pub artifact: String,
    pub environment: String,
    pub evidence: Option<PathBuf>,
    pub change: Change,
    /// A Rego file or folder replacing the configured policy.
    pub policy: Option<PathBuf>,
    pub trust: TrustArgs,
    pub break_glass: Option<BreakGlass>,
    /// Sign a SLSA verification summary with this key.
    pub summary_key: Option<String>,
}

/// What the gate decided, and from where it took its trust.
pub struct GateResult {
    pub outcome: GateOutcome,
    pub artifact: Digest,
    pub environment: String,
    /// `--trust …`, `the released source tree's ./tollgate.toml`, …
    pub trust: String,
    pub trust_external: bool,
    /// Notes about the run (ignored source-tree tables, an unusable log…).
    pub notes: Vec<String>,
    /// The signed verification summary, when a key was given.
    pub summary: Option<Vec<u8>>,
}

/// Runs the gate: resolves trust, reads the evidence folder, verifies, evaluates the policy,
/// applies break-glass and records the decision in the log.
pub fn gate(a: &GateArgs) -> Result<GateResult> {
    run_gate(a, None)
}

/// Like [`gate`], but records the decision (and reads break-glass windows) in `sink` instead
/// of the trust configuration's log: a server records in its own log.
pub fn gate_with_sink(a: &GateArgs, sink: &mut dyn EventSink) -> Result<GateResult> {
    run_gate(a, Some(sink))
}

fn run_gate(a: &GateArgs, over: Option<&mut dyn EventSink>) -> Result<GateResult> {
    let trust = a.trust.resolve()?;
    let config = &trust.config;
    let settings = Settings::from_config(config)?;
    let policy = load_policy(config, &settings, a.policy.as_deref(), true)?;
    let (name, digest) = artifact_digest(&a.artifact)?;
    let files: Vec<EvidenceFile> = match &a.evidence {
        Some(d) => pgate::read_dir(d)?,
        None => Vec::new(),
    };
    let mut notes = trust.notes.clone();
    let verifier = verifier(config, &mut notes);
    let (exceptions, beyond) =
        crate::scan::bounded_exceptions(config, tollgate_config::Date::today_utc());
    notes.extend(beyond);
    let g = Gate {
        settings: &settings,
        exceptions: &exceptions,
        policy: &policy,
        verifier: verifier.as_ref(),
    };
    let req = GateRequest {
        artifact_name: name,
        artifact: digest,
        environment: a.environment.clone(),
        change: a.change.clone(),
        now: now_utc(),
        trust: trust.input(),
    };
    let mut configured = match over {
        Some(_) => None,
        None => log::event_sink(config, &settings)?,
    };
    let sink_ref: Option<&mut dyn EventSink> = match (over, configured.as_mut()) {
        (Some(s), _) => Some(s),
        (None, Some(l)) => Some(l.as_mut()),
        (None, None) => None,
    };
    let outcome = g.run(&req, &files, a.break_glass.as_ref(), sink_ref)?;
    let summary = match &a.summary_key {
        Some(key) => {
            let s = AttestSigner {
                signer: load_signer(key)?,
            };
            Some(
                s.sign(&verification_summary(&outcome))
                    .map_err(ReleaseError::Attest)?,
            )
        }
        None => None,
    };
    Ok(GateResult {
        outcome,
        artifact: digest,
        environment: a.environment.clone(),
        trust: trust.describe(),
        trust_external: trust.external,
        notes,
        summary,
    })
}

/// What `approve` is asked.
#[derive(Debug, Clone, Default)]
pub struct ApproveArgs {
    pub artifact: String,
    pub environment: String,
    /// The approver's private key (PEM file or `env://VAR`).
    pub key: String,
    /// The approver's identity (as in `[[approvers]]`).
    pub identity: String,
    pub comment: Option<String>,
    pub policy: Option<PathBuf>,
    pub trust: TrustArgs,
}

/// A signed approval.
pub struct Approval {
    pub bundle: Vec<u8>,
    pub artifact: Digest,
    pub predicate: ApprovalPredicate,
    /// Index of the approval event in the log, when one is configured.
    pub logged: bool,
}

/// Signs an approval of the artifact for the environment, bound to the policy in force, and
/// records it in the log.
pub fn approve(a: &ApproveArgs) -> Result<Approval> {
    let trust = a.trust.resolve()?;
    let config = &trust.config;
    let settings = Settings::from_config(config)?;
    let policy = load_policy(config, &settings, a.policy.as_deref(), false)?;
    let (name, digest) = artifact_digest(&a.artifact)?;
    let now = now_utc();
    let pred = ApprovalPredicate {
        environment: a.environment.clone(),
        approver: a.identity.clone(),
        policy_digest: policy.digest().to_string(),
        approved_at: now
            .format(&Rfc3339)
            .map_err(|e| ReleaseError::Usage(e.to_string()))?,
        comment: a.comment.clone(),
    };
    let st = approval_statement(name.as_deref().unwrap_or("artifact"), &digest, &pred);
    let s = AttestSigner {
        signer: load_signer(&a.key)?,
    };
    let bundle = s.sign(&st).map_err(ReleaseError::Attest)?;
    let mut logged = false;
    if let Some(mut sink) = log::event_sink(config, &settings)? {
        sink.append(&Event {
            kind: EventType::Approval,
            actor: a.identity.clone(),
            subject: digest,
            environment: Some(a.environment.clone()),
            time: Some(pred.approved_at.clone()),
            payload: Some(serde_json::json!({
                "policy_digest": pred.policy_digest,
                "bundle": tollgate_model::sha256(&bundle).to_string(),
            })),
        })
        .map_err(|e| ReleaseError::Usage(format!("cannot record the approval: {e}")))?;
        logged = true;
    }
    Ok(Approval {
        bundle,
        artifact: digest,
        predicate: pred,
        logged,
    })
}
