//! Verification of bundles against an artifact, trusted keys or a certificate policy, and
//! declarative requirements. Every check that ran, failed or could not apply is reported in
//! [`Verified::checks`]; nothing is skipped silently.

use crate::bundle::{Bundle, Content, Material};
use crate::dsse::INTOTO_PAYLOAD_TYPE;
use crate::keyless::{self, CertificatePolicy, Subject};
use crate::keys::PublicKey;
use crate::predicates::provenance::Facts;
use crate::predicates::{parse_rfc3339, rfc3339};
use crate::statement::{SLSA_PROVENANCE_V1, Statement};
use crate::trust::{Role, TrustStore, TrustedKey};
use serde::Serialize;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;
use tollgate_config::Date;
use tollgate_model::Digest;

/// The artifact being verified: a file, or only its SHA-256 digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArtifactRef {
    Path(PathBuf),
    Digest(Digest),
}

impl ArtifactRef {
    /// `sha256:<hex>` is a digest; anything else a path.
    pub fn parse(s: &str) -> ArtifactRef {
        if s.starts_with("sha256:")
            && let Ok(d) = s.parse()
        {
            return ArtifactRef::Digest(d);
        }
        ArtifactRef::Path(PathBuf::from(s))
    }

    /// Streams the file (or returns the given digest).
    pub fn digest(&self) -> Result<Digest, VerifyError> {
        match self {
            ArtifactRef::Digest(d) => Ok(*d),
            ArtifactRef::Path(p) => {
                crate::hash::sha256_file(p).map_err(|source| VerifyError::Artifact {
                    path: p.clone(),
                    source,
                })
            }
        }
    }

    fn path(&self) -> Option<&Path> {
        match self {
            ArtifactRef::Path(p) => Some(p),
            ArtifactRef::Digest(_) => None,
        }
    }
}

/// What is trusted: signer keys, and/or a certificate policy with a trusted root for keyless
/// bundles and bundles carrying transparency-log entries.
#[derive(Debug, Clone, Default)]
pub struct Trust {
    pub store: TrustStore,
    pub certificate: Option<CertificatePolicy>,
    /// Sigstore trusted_root.json text; `None` = embedded public-good production root.
    pub trusted_root_json: Option<String>,
    /// Which keys of the store may sign: `[[signers]]` (default) or `[[approvers]]` (the
    /// gate verifying approval attestations).
    pub role: Role,
}

impl Trust {
    /// Trust exactly one public key (`--key`).
    pub fn key(key: PublicKey) -> Trust {
        Trust {
            store: TrustStore::single_signer("key", key),
            ..Trust::default()
        }
    }
    pub fn store(store: TrustStore) -> Trust {
        Trust {
            store,
            ..Trust::default()
        }
    }
    /// Trust the `[[approvers]]` of `store` (for approval attestations).
    pub fn approvers(store: TrustStore) -> Trust {
        Trust {
            store,
            role: Role::Approver,
            ..Trust::default()
        }
    }
    pub fn certificate(policy: CertificatePolicy, trusted_root_json: Option<String>) -> Trust {
        Trust {
            certificate: Some(policy),
            trusted_root_json,
            ..Trust::default()
        }
    }
}

/// Declarative requirements (flags or tollgate.toml); richer rules are the gate's Rego policy.
#[derive(Debug, Clone)]
pub struct Requirements {
    /// Each must be the predicate type of at least one verified attestation.
    pub predicate_types: Vec<String>,
    /// Glob the provenance builder id must match.
    pub builder_id: Option<String>,
    /// Glob the provenance source repository must match (`https://github.com/acme/*`).
    pub source_repo: Option<String>,
    /// Glob the provenance source ref must match (`refs/tags/v*`).
    pub source_ref: Option<String>,
    /// Maximum age of every timed attestation.
    pub max_age: Option<time::Duration>,
    /// "Now" (a parameter so tests are reproducible).
    pub now: OffsetDateTime,
}

impl Default for Requirements {
    fn default() -> Self {
        Requirements {
            predicate_types: Vec::new(),
            builder_id: None,
            source_repo: None,
            source_ref: None,
            max_age: None,
            now: OffsetDateTime::now_utc(),
        }
    }
}

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Passed,
    Failed,
    /// The check does not apply to this bundle (the detail says why).
    NotApplicable,
}

/// One check, as printed by `tollgate verify`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub name: String,
    pub status: Status,
    pub detail: String,
}

impl Check {
    fn new(name: &str, status: Status, detail: impl Into<String>) -> Check {
        Check {
            name: name.to_string(),
            status,
            detail: detail.into(),
        }
    }
    fn pass(name: &str, detail: impl Into<String>) -> Check {
        Self::new(name, Status::Passed, detail)
    }
    fn fail(name: &str, detail: impl Into<String>) -> Check {
        Self::new(name, Status::Failed, detail)
    }
    fn na(name: &str, detail: impl Into<String>) -> Check {
        Self::new(name, Status::NotApplicable, detail)
    }
}

/// What kind of signature the bundle holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BundleKind {
    MessageSignature,
    Dsse,
}

/// Who signed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SignerInfo {
    /// Trusted identity (`[[signers]]` identity, or the certificate SAN).
    pub identity: Option<String>,
    /// Key id (key-based bundles).
    pub key_id: Option<String>,
    /// OIDC issuer (keyless).
    pub issuer: Option<String>,
}

/// The result of verifying one bundle. `ok()` holds when no check failed.
#[derive(Debug, Clone, Serialize)]
pub struct Verified {
    /// Label of the bundle (its file name, usually).
    pub bundle: String,
    pub kind: Option<BundleKind>,
    pub artifact: Digest,
    pub signer: SignerInfo,
    /// Authenticated signing time (transparency log / timestamp authority), RFC 3339.
    pub signed_at: Option<String>,
    /// The verified in-toto Statement, for DSSE bundles whose signature verified.
    pub statement: Option<Statement>,
    pub checks: Vec<Check>,
}

impl Verified {
    pub fn ok(&self) -> bool {
        !self.checks.iter().any(|c| c.status == Status::Failed)
    }

    pub fn predicate_type(&self) -> Option<&str> {
        self.statement.as_ref().map(|s| s.predicate_type.as_str())
    }

    /// Time this attestation vouches for: authenticated signing time, else the time the
    /// signed predicate claims (provenance finish, approval, scan).
    pub fn time(&self) -> Option<OffsetDateTime> {
        if let Some(t) = self.signed_at.as_deref().and_then(parse_rfc3339) {
            return Some(t);
        }
        let st = self.statement.as_ref()?;
        let p = &st.predicate;
        [
            "/runDetails/metadata/finishedOn",
            "/approvedOn",
            "/report/finished",
            "/timestamp",
        ]
        .iter()
        .find_map(|ptr| {
            p.pointer(ptr)
                .and_then(|v| v.as_str())
                .and_then(parse_rfc3339)
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("cannot read artifact {path}: {source}")]
    Artifact {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Usage(String),
    #[error("not verified: {}", failed_summary(.0))]
    Failed(Box<Verified>),
}

fn failed_summary(v: &Verified) -> String {
    v.checks
        .iter()
        .filter(|c| c.status == Status::Failed)
        .map(|c| format!("{}: {}", c.name, c.detail))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A whole release: every bundle's result plus the requirement checks across them.
#[derive(Debug, Clone, Serialize)]
pub struct ReleaseVerification {
    pub artifact: Digest,
    pub bundles: Vec<Verified>,
    pub requirements: Vec<Check>,
}

impl ReleaseVerification {
    pub fn ok(&self) -> bool {
        !self.bundles.is_empty()
            && self.bundles.iter().all(Verified::ok)
            && !self.requirements.iter().any(|c| c.status == Status::Failed)
    }
}

/// Verifies one bundle (and `requirements`, as if the release were this bundle alone).
pub fn verify_bundle(
    bundle_bytes: &[u8],
    artifact: &ArtifactRef,
    trust: &Trust,
    requirements: &Requirements,
) -> Result<Verified, VerifyError> {
    let rel = verify_release(
        &[("bundle".to_string(), bundle_bytes.to_vec())],
        artifact,
        trust,
        requirements,
    )?;
    let mut v = rel
        .bundles
        .into_iter()
        .next()
        .ok_or_else(|| VerifyError::Usage("no bundle".into()))?;
    v.checks.extend(rel.requirements);
    if v.ok() {
        Ok(v)
    } else {
        Err(VerifyError::Failed(Box::new(v)))
    }
}

/// Verifies every bundle of a release against one artifact (hashed once), then the
/// requirements across the verified attestations.
pub fn verify_release(
    bundles: &[(String, Vec<u8>)],
    artifact: &ArtifactRef,
    trust: &Trust,
    requirements: &Requirements,
) -> Result<ReleaseVerification, VerifyError> {
    let digest = artifact.digest()?;
    let mut root_cache = None;
    let mut out = Vec::with_capacity(bundles.len());
    for (label, bytes) in bundles {
        out.push(verify_one(
            label,
            bytes,
            &digest,
            artifact.path(),
            trust,
            requirements,
            &mut root_cache,
        )?);
    }
    let req = requirement_checks(&out, requirements);
    Ok(ReleaseVerification {
        artifact: digest,
        bundles: out,
        requirements: req,
    })
}

type RootCache = Option<Result<sigstore_verify::trust_root::TrustedRoot, String>>;

fn root<'a>(
    cache: &'a mut RootCache,
    trust: &Trust,
) -> Result<&'a sigstore_verify::trust_root::TrustedRoot, String> {
    cache
        .get_or_insert_with(|| {
            keyless::trusted_root(trust.trusted_root_json.as_deref()).map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(Clone::clone)
}

fn verify_one(
    label: &str,
    bytes: &[u8],
    digest: &Digest,
    path: Option<&Path>,
    trust: &Trust,
    req: &Requirements,
    cache: &mut RootCache,
) -> Result<Verified, VerifyError> {
    let mut v = Verified {
        bundle: label.to_string(),
        kind: None,
        artifact: *digest,
        signer: SignerInfo::default(),
        signed_at: None,
        statement: None,
        checks: Vec::new(),
    };
    let bundle = match Bundle::from_json(bytes) {
        Ok(b) => b,
        Err(e) => {
            v.checks.push(Check::fail("bundle format", e.to_string()));
            return Ok(v);
        }
    };
    v.kind = Some(match bundle.content {
        Content::MessageSignature { .. } => BundleKind::MessageSignature,
        Content::Dsse(_) => BundleKind::Dsse,
    });
    v.checks.push(Check::pass(
        "bundle format",
        format!(
            "{} with {}",
            bundle.media_type,
            match v.kind {
                Some(BundleKind::Dsse) => "a DSSE envelope",
                _ => "a message signature",
            }
        ),
    ));
    let json = std::str::from_utf8(bytes).unwrap_or_default();
    match &bundle.material {
        Material::Certificate => verify_certificate(&mut v, json, digest, trust, cache)?,
        Material::PublicKeyHint(hint) => {
            if bundle.tlog_entries.is_empty() {
                verify_offline_key(&mut v, &bundle, hint, digest, path, trust, req);
            } else {
                verify_key_with_tlog(&mut v, &bundle, json, hint, digest, path, trust, cache);
            }
        }
    }
    // The statement (DSSE): what the signer says about the artifact.
    if let Some(env) = bundle.envelope() {
        if v.ok() {
            statement_checks(&mut v, env, digest);
        } else {
            v.checks.push(Check::na(
                "statement",
                "not read: the signature did not verify",
            ));
        }
    } else {
        v.checks.push(Check::na(
            "statement",
            "message signature: no in-toto statement",
        ));
    }
    Ok(v)
}

fn statement_checks(v: &mut Verified, env: &crate::dsse::Envelope, digest: &Digest) {
    if env.payload_type != INTOTO_PAYLOAD_TYPE {
        v.checks.push(Check::fail(
            "statement",
            format!(
                "payload type {:?} is not {INTOTO_PAYLOAD_TYPE}",
                env.payload_type
            ),
        ));
        return;
    }
    match Statement::from_json(&env.payload) {
        Ok(st) => {
            v.checks.push(Check::pass(
                "statement",
                format!("in-toto {} with predicate {}", st.type_, st.predicate_type),
            ));
            if st.covers(digest) {
                v.checks.push(Check::pass(
                    "subject",
                    format!("a subject has digest {digest}"),
                ));
            } else {
                v.checks.push(Check::fail(
                    "subject",
                    format!("no subject has digest {digest}"),
                ));
            }
            v.statement = Some(st);
        }
        Err(e) => v.checks.push(Check::fail("statement", e.to_string())),
    }
}

fn verify_certificate(
    v: &mut Verified,
    json: &str,
    digest: &Digest,
    trust: &Trust,
    cache: &mut RootCache,
) -> Result<(), VerifyError> {
    let Some(policy) = &trust.certificate else {
        return Err(VerifyError::Usage(
            "the bundle is signed with a certificate (keyless): give --certificate-identity and --certificate-oidc-issuer".into(),
        ));
    };
    let root = match root(cache, trust) {
        Ok(r) => r,
        Err(e) => return Err(VerifyError::Usage(e)),
    };
    match keyless::verify_certificate_bundle(json, &Subject::Digest(*digest), policy, root) {
        Ok(o) => {
            v.signer.identity = o.identity.clone();
            v.signer.issuer = o.issuer.clone();
            v.signed_at = o
                .signed_at
                .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
                .map(rfc3339);
            v.checks.push(Check::pass(
                "certificate",
                "chain to the trusted root's Fulcio CA, valid at the signing time",
            ));
            v.checks.push(Check::pass(
                "identity",
                format!("SAN {} and issuer {}", policy.identity, policy.issuer),
            ));
            v.checks.push(Check::pass(
                "signature",
                "verified with the certificate's key",
            ));
            v.checks.push(if o.tlog_verified {
                Check::pass(
                    "transparency log",
                    "inclusion verified against the trusted root's log keys",
                )
            } else {
                Check::na(
                    "transparency log",
                    "signing time proven by a timestamp authority instead",
                )
            });
            v.checks.push(Check::pass(
                "artifact digest",
                format!("signature covers {digest}"),
            ));
        }
        Err(e) => v
            .checks
            .push(Check::fail("sigstore verification", e.to_string())),
    }
    Ok(())
}

/// Trusted signer keys for a hint: the matching key id, else every signer key (other tools'
/// hints are free-form).
fn candidates<'a>(trust: &'a Trust, hint: &str) -> Vec<&'a TrustedKey> {
    let c = trust.store.candidates(trust.role, hint);
    if c.is_empty() {
        trust.store.candidates(trust.role, "")
    } else {
        c
    }
}

/// The explicit transparency-log check after sigstore-verify accepted the entries.
fn tlog_detail(bundle: &Bundle) -> Result<String, String> {
    let mut parts = Vec::new();
    for (i, e) in bundle.tlog_entries.iter().enumerate() {
        let s = crate::tlog::EntrySummary::read(e).map_err(|r| format!("entry {i}: {r}"))?;
        let mut text = match &s.checkpoint {
            Some((origin, size)) => format!(
                "inclusion proof of {} entry {} verified against checkpoint of {origin} at size {size}",
                s.kind_version, s.log_index
            ),
            None => format!(
                "{} entry {} has no inclusion proof: its signed entry timestamp was verified",
                s.kind_version, s.log_index
            ),
        };
        if s.promise
            && let Some(t) = s
                .integrated_time
                .and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok())
        {
            text.push_str(&format!(
                "; signed entry timestamp verified, integrated {}",
                rfc3339(t)
            ));
        }
        parts.push(text);
    }
    Ok(parts.join("; "))
}

#[allow(clippy::too_many_arguments)]
fn verify_key_with_tlog(
    v: &mut Verified,
    bundle: &Bundle,
    json: &str,
    hint: &str,
    digest: &Digest,
    path: Option<&Path>,
    trust: &Trust,
    cache: &mut RootCache,
) {
    let keys = candidates(trust, hint);
    if keys.is_empty() {
        v.checks.push(Check::fail(
            "signer key",
            "no trusted signer key (give --key or --trust)",
        ));
        return;
    }
    let root = match root(cache, trust) {
        Ok(r) => r,
        Err(e) => {
            v.checks.push(Check::fail("transparency log", e));
            return;
        }
    };
    // Ed25519 signs the message itself: sigstore-verify needs the artifact's bytes.
    let ed25519_message = matches!(bundle.content, Content::MessageSignature { .. })
        && keys
            .iter()
            .any(|k| k.key.algorithm() == crate::keys::KeyAlgorithm::Ed25519);
    let blob = match (ed25519_message, path) {
        (true, Some(p)) => std::fs::read(p).ok(),
        _ => None,
    };
    let subject = match &blob {
        Some(b) => Subject::Bytes(b),
        None => Subject::Digest(*digest),
    };
    let mut last = String::new();
    for k in &keys {
        match keyless::verify_key_bundle_with_tlog(json, &subject, k.key.spki_der(), root) {
            Ok(o) => {
                set_signer(v, k);
                v.signed_at = o
                    .signed_at
                    .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
                    .map(rfc3339);
                v.checks.push(Check::pass(
                    "signer key",
                    format!("{} ({})", k.identity, k.key.key_id()),
                ));
                v.checks
                    .push(Check::pass("signature", "verified by sigstore-verify"));
                v.checks.push(if o.tlog_verified {
                    match tlog_detail(bundle) {
                        Ok(d) => Check::pass("transparency log", d),
                        Err(e) => Check::fail("transparency log", e),
                    }
                } else {
                    Check::na(
                        "transparency log",
                        "bundle proves time with a timestamp instead",
                    )
                });
                v.checks.push(Check::pass(
                    "artifact digest",
                    format!("signature covers {digest}"),
                ));
                validity_check(v, k, None);
                return;
            }
            Err(e) => last = e.to_string(),
        }
    }
    // sigstore-verify refused the bundle: say whether the signature or the log entry is at
    // fault by checking the signature on its own.
    let mut probe = v.clone();
    probe.checks.clear();
    let good = check_key_signature(&mut probe, bundle, &keys, digest, path, false);
    v.checks.append(&mut probe.checks);
    match good {
        Some(k) => {
            set_signer(v, k);
            v.checks.push(Check::fail("transparency log", last));
        }
        None => v.checks.push(Check::na(
            "transparency log",
            format!("not trusted: the signature did not verify ({last})"),
        )),
    }
}

fn set_signer(v: &mut Verified, k: &TrustedKey) {
    v.signer.identity = Some(k.identity.clone());
    v.signer.key_id = Some(k.key.key_id().to_string());
}

fn verify_offline_key(
    v: &mut Verified,
    bundle: &Bundle,
    hint: &str,
    digest: &Digest,
    path: Option<&Path>,
    trust: &Trust,
    req: &Requirements,
) {
    let keys = candidates(trust, hint);
    if keys.is_empty() {
        v.checks.push(Check::fail(
            "signer key",
            "no trusted signer key (give --key or --trust)",
        ));
        return;
    }
    let Some(k) = check_key_signature(v, bundle, &keys, digest, path, true) else {
        return;
    };
    set_signer(v, k);
    v.checks.push(Check::na(
        "transparency log",
        "bundle carries no log entry (offline key-based signature); signing time is not proven",
    ));
    // Key validity: against the time the signed statement claims, else today.
    let claimed = match &bundle.content {
        Content::Dsse(env) => Statement::from_json(&env.payload).ok().and_then(|st| {
            let tmp = Verified {
                statement: Some(st),
                signed_at: None,
                ..v.clone()
            };
            tmp.time()
        }),
        Content::MessageSignature { .. } => None,
    };
    validity_check(v, k, claimed.or(Some(req.now)));
}

/// Verifies the bundle's signature in-process with the first trusted key that fits; pushes
/// the artifact digest, signer key and signature checks.
///
/// `offline`: nothing but this check binds the signature (no log entry recording its bytes),
/// so an ECDSA signature must be in its low-S form ([`crate::ecdsa`]): its high-S twin is a
/// second valid signature anyone can make from the first. With a log entry, the entry records
/// the exact signature and sigstore-verify decides (high-S signatures from other Sigstore
/// clients are ordinary there: Go's ECDSA does not normalise).
fn check_key_signature<'a>(
    v: &mut Verified,
    bundle: &Bundle,
    keys: &[&'a TrustedKey],
    digest: &Digest,
    path: Option<&Path>,
    offline: bool,
) -> Option<&'a TrustedKey> {
    let malleable = |k: &TrustedKey, sig: &[u8]| {
        offline
            && k.key.algorithm() == crate::keys::KeyAlgorithm::EcdsaP256
            && crate::ecdsa::is_high_s(sig)
    };
    const HIGH_S: &str = "the ECDSA signature is in its high-S form (s > n/2), the malleable twin of another valid signature: tollgate requires the low-S form for a signature no transparency-log entry records";
    let mut verified: Option<&TrustedKey> = None;
    let mut reason = String::from("no trusted key verifies the signature");
    match &bundle.content {
        Content::MessageSignature {
            digest: md,
            signature,
        } => {
            match md {
                Some(d) if d == digest => v.checks.push(Check::pass(
                    "artifact digest",
                    format!("messageDigest is {digest}"),
                )),
                Some(d) => {
                    v.checks.push(Check::fail(
                        "artifact digest",
                        format!("bundle is for {d}, artifact is {digest}"),
                    ));
                    return None;
                }
                None => {
                    v.checks.push(Check::fail(
                        "artifact digest",
                        "bundle has no messageDigest",
                    ));
                    return None;
                }
            }
            let mut message: Option<Vec<u8>> = None;
            for k in keys {
                let r = match k.key.algorithm() {
                    crate::keys::KeyAlgorithm::EcdsaP256 => k.key.verify_digest(digest, signature),
                    crate::keys::KeyAlgorithm::Ed25519 => {
                        let Some(p) = path else {
                            reason = "an Ed25519 message signature needs the artifact file, not its digest".into();
                            continue;
                        };
                        if message.is_none() {
                            match std::fs::read(p) {
                                Ok(m) => message = Some(m),
                                Err(e) => {
                                    reason = format!("cannot read {}: {e}", p.display());
                                    continue;
                                }
                            }
                        }
                        k.key
                            .verify(message.as_deref().unwrap_or_default(), signature)
                    }
                };
                if r.is_ok() {
                    if malleable(k, signature) {
                        reason = HIGH_S.into();
                        break;
                    }
                    verified = Some(k);
                    break;
                }
            }
        }
        Content::Dsse(env) => {
            // A bundle's envelope has exactly one signature (`Bundle::from_json`). Its keyid is
            // unsigned, so it only selects the key; but tollgate always writes it, and an empty
            // or foreign one is reported as such rather than as a bad signature.
            let ids = || {
                keys.iter()
                    .map(|k| format!("{} of {}", k.key.key_id(), k.identity))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            match env.signatures.as_slice() {
                [sig] if sig.keyid.is_empty() && offline => {
                    reason = format!(
                        "the DSSE signature has an empty keyid: tollgate requires the id of the signing key (trusted: {})",
                        ids()
                    );
                }
                [sig] => {
                    let named: Vec<&&TrustedKey> = keys
                        .iter()
                        .filter(|k| sig.keyid.is_empty() || k.key.key_id() == sig.keyid)
                        .collect();
                    if named.is_empty() {
                        reason = format!(
                            "the DSSE signature's keyid {:?} is not the id of a trusted key (trusted: {})",
                            sig.keyid,
                            ids()
                        );
                    }
                    for k in named {
                        if env.verify(&k.key).is_ok() {
                            if malleable(k, &sig.sig) {
                                reason = HIGH_S.into();
                            } else {
                                verified = Some(k);
                            }
                            break;
                        }
                        reason = format!(
                            "the DSSE signature does not verify with the key its keyid names ({} of {})",
                            k.key.key_id(),
                            k.identity
                        );
                    }
                }
                sigs => {
                    reason = format!(
                        "the DSSE envelope has {} signatures, not exactly one",
                        sigs.len()
                    );
                }
            }
        }
    }
    let Some(k) = verified else {
        v.checks.push(Check::fail("signature", reason));
        return None;
    };
    v.checks.push(Check::pass(
        "signer key",
        format!("{} ({})", k.identity, k.key.key_id()),
    ));
    v.checks.push(Check::pass(
        "signature",
        format!("{} signature verified", k.key.algorithm()),
    ));
    Some(k)
}

fn validity_check(v: &mut Verified, k: &TrustedKey, fallback: Option<OffsetDateTime>) {
    if k.valid_from.is_none() && k.valid_until.is_none() {
        v.checks.push(Check::na(
            "key validity",
            "the trusted key has no validity window",
        ));
        return;
    }
    let Some(t) = v.signed_at.as_deref().and_then(parse_rfc3339).or(fallback) else {
        v.checks.push(Check::fail(
            "key validity",
            "no time to check the key's validity window against",
        ));
        return;
    };
    let date = Date::new(t.year(), t.month() as u8, t.day()).unwrap_or_else(Date::today_utc);
    if k.valid_on(date) {
        v.checks
            .push(Check::pass("key validity", format!("key valid on {date}")));
    } else {
        v.checks.push(Check::fail(
            "key validity",
            format!(
                "key of {} not valid on {date} (window {}..{})",
                k.identity,
                k.valid_from.map(|d| d.to_string()).unwrap_or_default(),
                k.valid_until.map(|d| d.to_string()).unwrap_or_default()
            ),
        ));
    }
}

fn glob_match(pattern: &str, text: &str) -> bool {
    match globset::Glob::new(pattern) {
        Ok(g) => g.compile_matcher().is_match(text),
        Err(_) => pattern == text,
    }
}

fn requirement_checks(bundles: &[Verified], req: &Requirements) -> Vec<Check> {
    let mut out = Vec::new();
    let good: Vec<&Verified> = bundles.iter().filter(|b| b.ok()).collect();
    for t in &req.predicate_types {
        if good.iter().any(|b| b.predicate_type() == Some(t.as_str())) {
            out.push(Check::pass(
                "required predicate",
                format!("{t} present and verified"),
            ));
        } else {
            out.push(Check::fail(
                "required predicate",
                format!("no verified attestation of type {t}"),
            ));
        }
    }
    let provenance: Vec<Facts> = good
        .iter()
        .filter(|b| b.predicate_type() == Some(SLSA_PROVENANCE_V1))
        .filter_map(|b| {
            b.statement
                .as_ref()
                .map(|s| Facts::from_predicate(&s.predicate))
        })
        .collect();
    let mut prov_req = |name: &str,
                        pattern: &Option<String>,
                        get: &dyn Fn(&Facts) -> Option<String>| {
        let Some(pattern) = pattern else { return };
        if provenance.is_empty() {
            out.push(Check::fail(
                name,
                format!("requires {pattern:?} but no verified SLSA provenance"),
            ));
            return;
        }
        for f in &provenance {
            match get(f) {
                Some(val) if glob_match(pattern, &val) => {
                    out.push(Check::pass(name, format!("{val} matches {pattern}")))
                }
                Some(val) => out.push(Check::fail(name, format!("{val} does not match {pattern}"))),
                None => out.push(Check::fail(
                    name,
                    format!("provenance does not state it (required {pattern})"),
                )),
            }
        }
    };
    prov_req("builder id", &req.builder_id, &|f| f.builder_id.clone());
    prov_req("source repository", &req.source_repo, &|f| {
        f.repository.clone()
    });
    prov_req("source ref", &req.source_ref, &|f| f.git_ref.clone());
    if let Some(max) = req.max_age {
        let timed: Vec<(String, OffsetDateTime)> = good
            .iter()
            .filter_map(|b| b.time().map(|t| (b.bundle.clone(), t)))
            .collect();
        if timed.is_empty() {
            out.push(Check::fail(
                "max age",
                "no verified attestation states a time",
            ));
        }
        for (label, t) in timed {
            let age = req.now - t;
            if age <= max {
                out.push(Check::pass(
                    "max age",
                    format!("{label}: {} old (limit {max})", human(age)),
                ));
            } else {
                out.push(Check::fail(
                    "max age",
                    format!("{label}: {} old (limit {max})", human(age)),
                ));
            }
        }
    }
    out
}

fn human(d: time::Duration) -> String {
    let s = d.whole_seconds();
    if s.abs() >= 86_400 {
        format!("{}d", s / 86_400)
    } else if s.abs() >= 3600 {
        format!("{}h", s / 3600)
    } else {
        format!("{s}s")
    }
}

/// The `[verify]` table of tollgate.toml (defaults for `tollgate verify` flags).
///
/// ```toml
/// [verify]
/// require-predicates = ["https://slsa.dev/provenance/v1"]
/// builder-id = "https://github.com/actions/runner/github-hosted"
/// source-repo = "https://github.com/acme/*"
/// source-ref = "refs/tags/v*"
/// max-age = "30d"
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct VerifySettings {
    #[serde(default)]
    pub require_predicates: Vec<String>,
    pub builder_id: Option<String>,
    pub source_repo: Option<String>,
    pub source_ref: Option<String>,
    pub max_age: Option<String>,
}

/// Parses `30d`, `12h`, `90m`, `45s` (or a bare number of seconds).
pub fn parse_duration(s: &str) -> Result<time::Duration, String> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, "s"),
    };
    let n: i64 = num
        .parse()
        .map_err(|_| format!("invalid duration {s:?} (use 30d, 12h, 90m, 45s)"))?;
    Ok(match unit {
        "d" => time::Duration::days(n),
        "h" => time::Duration::hours(n),
        "m" => time::Duration::minutes(n),
        "s" => time::Duration::seconds(n),
        "w" => time::Duration::weeks(n),
        _ => {
            return Err(format!(
                "invalid duration unit in {s:?} (use d, h, m, s, w)"
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{KeyAlgorithm, PrivateKey};
    use crate::statement::{SLSA_PROVENANCE_V1, Subject, TEST_RESULT_V01};
    use serde_json::json;

    fn now() -> OffsetDateTime {
        time::macros::datetime!(2026-03-01 00:00 UTC)
    }

    fn provenance(repo: &str, git_ref: &str, finished: &str) -> serde_json::Value {
        json!({
            "buildDefinition": {"buildType": "x", "externalParameters": {"workflow": {"repository": repo, "ref": git_ref}},
                                "resolvedDependencies": []},
            "runDetails": {"builder": {"id": "https://github.com/actions/runner/github-hosted"},
                           "metadata": {"finishedOn": finished}}
        })
    }

    #[test]
    fn release_with_requirements() {
        let k = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let d = tollgate_model::sha256(b"app");
        let (_, sig) = (
            d,
            crate::bundle::Bundle::sign_message(&k, &d, None).unwrap(),
        );
        let prov = crate::attest_statement(
            &k,
            Statement::new(
                vec![Subject::sha256("app", &d)],
                SLSA_PROVENANCE_V1,
                provenance(
                    "https://github.com/acme/app",
                    "refs/tags/v1.0.0",
                    "2026-02-27T00:00:00Z",
                ),
            ),
        )
        .unwrap();
        let tests = crate::attest_statement(
            &k,
            Statement::new(
                vec![Subject::sha256("app", &d)],
                TEST_RESULT_V01,
                json!({"result": "PASSED"}),
            ),
        )
        .unwrap();
        let bundles = vec![
            ("sig".to_string(), sig.to_json().into_bytes()),
            ("prov".to_string(), prov.to_json().into_bytes()),
            ("tests".to_string(), tests.to_json().into_bytes()),
        ];
        let trust = Trust::key(k.public_key().clone());
        let mut req = Requirements {
            predicate_types: vec![SLSA_PROVENANCE_V1.into(), TEST_RESULT_V01.into()],
            builder_id: Some("https://github.com/actions/runner/*".into()),
            source_repo: Some("https://github.com/acme/*".into()),
            source_ref: Some("refs/tags/v*".into()),
            max_age: Some(time::Duration::days(7)),
            now: now(),
        };
        let r = verify_release(&bundles, &ArtifactRef::Digest(d), &trust, &req).unwrap();
        assert!(r.ok(), "{:#?}", r);
        assert_eq!(r.bundles[1].predicate_type(), Some(SLSA_PROVENANCE_V1));
        assert_eq!(
            r.bundles[0].signer.key_id.as_deref(),
            Some(k.public_key().key_id())
        );

        // Each requirement can fail on its own.
        for tweak in 0..5 {
            let mut bad = req.clone();
            match tweak {
                0 => bad
                    .predicate_types
                    .push(crate::statement::APPROVAL_V1.into()),
                1 => bad.builder_id = Some("https://gitlab.com/*".into()),
                2 => bad.source_repo = Some("https://github.com/other/*".into()),
                3 => bad.source_ref = Some("refs/heads/main".into()),
                _ => bad.max_age = Some(time::Duration::hours(1)),
            }
            let r = verify_release(&bundles, &ArtifactRef::Digest(d), &trust, &bad).unwrap();
            assert!(!r.ok(), "tweak {tweak} should fail");
        }

        // Another artifact: every bundle fails.
        let other = tollgate_model::sha256(b"other");
        let r = verify_release(&bundles, &ArtifactRef::Digest(other), &trust, &req).unwrap();
        assert!(r.bundles.iter().all(|b| !b.ok()));

        // Another key: fails.
        let k2 = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        req.predicate_types.clear();
        let r = verify_release(
            &bundles,
            &ArtifactRef::Digest(d),
            &Trust::key(k2.public_key().clone()),
            &req,
        )
        .unwrap();
        assert!(!r.ok());
        assert!(r.bundles.iter().all(|b| {
            b.checks
                .iter()
                .any(|c| c.name == "signature" && c.status == Status::Failed)
        }));
    }

    #[test]
    fn tampered_dsse_payload_fails_and_reports_checks() {
        let k = PrivateKey::generate(KeyAlgorithm::Ed25519).unwrap();
        let d = tollgate_model::sha256(b"app");
        let b = crate::attest_statement(
            &k,
            Statement::new(
                vec![Subject::sha256("app", &d)],
                TEST_RESULT_V01,
                json!({"result": "PASSED"}),
            ),
        )
        .unwrap();
        let trust = Trust::key(k.public_key().clone());
        let ok = verify_bundle(
            b.to_json().as_bytes(),
            &ArtifactRef::Digest(d),
            &trust,
            &Requirements::default(),
        )
        .unwrap();
        assert_eq!(ok.statement.as_ref().unwrap().predicate["result"], "PASSED");
        assert!(
            ok.checks
                .iter()
                .any(|c| c.name == "transparency log" && c.status == Status::NotApplicable)
        );

        let mut v = b.to_value();
        let payload = String::from_utf8(b.envelope().unwrap().payload.clone())
            .unwrap()
            .replace("PASSED", "FAILED");
        use base64::Engine as _;
        v["dsseEnvelope"]["payload"] =
            json!(base64::engine::general_purpose::STANDARD.encode(payload));
        let err = verify_bundle(
            v.to_string().as_bytes(),
            &ArtifactRef::Digest(d),
            &trust,
            &Requirements::default(),
        )
        .unwrap_err();
        let VerifyError::Failed(v) = err else {
            panic!("{err}")
        };
        assert!(v.statement.is_none());
        assert!(
            v.checks
                .iter()
                .any(|c| c.name == "signature" && c.status == Status::Failed)
        );
    }

    #[test]
    fn ed25519_message_signature_needs_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.bin");
        std::fs::write(&p, b"payload").unwrap();
        let k = PrivateKey::generate(KeyAlgorithm::Ed25519).unwrap();
        let (d, b) = crate::sign_file(&k, &p).unwrap();
        let trust = Trust::key(k.public_key().clone());
        verify_bundle(
            b.to_json().as_bytes(),
            &ArtifactRef::Path(p.clone()),
            &trust,
            &Requirements::default(),
        )
        .unwrap();
        assert!(
            verify_bundle(
                b.to_json().as_bytes(),
                &ArtifactRef::Digest(d),
                &trust,
                &Requirements::default()
            )
            .is_err()
        );
    }

    #[test]
    fn key_validity_window_uses_claimed_time() {
        let dir = tempfile::tempdir().unwrap();
        let k = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        std::fs::write(dir.path().join("k.pub"), k.public_key().to_pem()).unwrap();
        let entry = |until: &str| tollgate_config::TrustEntry {
            identity: "ci".into(),
            key: "k.pub".into(),
            valid_from: None,
            valid_until: Some(
                toml::from_str::<toml::Table>(&format!("d = \"{until}\"")).unwrap()["d"]
                    .clone()
                    .try_into()
                    .unwrap(),
            ),
        };
        let d = tollgate_model::sha256(b"app");
        let b = crate::attest_statement(
            &k,
            Statement::new(
                vec![Subject::sha256("app", &d)],
                SLSA_PROVENANCE_V1,
                provenance("r", "refs/heads/main", "2026-01-15T00:00:00Z"),
            ),
        )
        .unwrap();
        let req = Requirements {
            now: now(),
            ..Requirements::default()
        };
        // Key retired on 2026-01-31: a release built 2026-01-15 still verifies in March.
        let store = TrustStore::from_entries(&[entry("2026-01-31")], &[], dir.path()).unwrap();
        verify_bundle(
            b.to_json().as_bytes(),
            &ArtifactRef::Digest(d),
            &Trust::store(store),
            &req,
        )
        .unwrap();
        // Key retired before the build: rejected.
        let store = TrustStore::from_entries(&[entry("2026-01-01")], &[], dir.path()).unwrap();
        assert!(
            verify_bundle(
                b.to_json().as_bytes(),
                &ArtifactRef::Digest(d),
                &Trust::store(store),
                &req
            )
            .is_err()
        );
    }

    #[test]
    fn approvals_verify_against_approvers_only() {
        use tollgate_model::predicate::ApprovalPredicate;
        let dir = tempfile::tempdir().unwrap();
        let alice = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        std::fs::write(dir.path().join("alice.pub"), alice.public_key().to_pem()).unwrap();
        let entry = tollgate_config::TrustEntry {
            identity: "alice@example.com".into(),
            key: "alice.pub".into(),
            valid_from: None,
            valid_until: None,
        };
        let store = TrustStore::from_entries(&[], &[entry], dir.path()).unwrap();
        let d = tollgate_model::sha256(b"app");
        let approval = ApprovalPredicate {
            environment: "production".into(),
            approver: "alice@example.com".into(),
            policy_digest: d.to_string(),
            approved_at: crate::predicates::rfc3339(now() - time::Duration::hours(1)),
            comment: None,
        };
        let b = crate::attest_statement(
            &alice,
            Statement::new(
                vec![Subject::sha256("app", &d)],
                crate::statement::APPROVAL_V1,
                serde_json::to_value(&approval).unwrap(),
            ),
        )
        .unwrap();
        let req = Requirements {
            now: now(),
            ..Requirements::default()
        };
        let v = verify_bundle(
            b.to_json().as_bytes(),
            &ArtifactRef::Digest(d),
            &Trust::approvers(store.clone()),
            &req,
        )
        .unwrap();
        assert_eq!(v.signer.identity.as_deref(), Some("alice@example.com"));
        let back: ApprovalPredicate =
            serde_json::from_value(v.statement.unwrap().predicate).unwrap();
        assert_eq!(back, approval);
        // An approver's key is not a release signer.
        assert!(
            verify_bundle(
                b.to_json().as_bytes(),
                &ArtifactRef::Digest(d),
                &Trust::store(store),
                &req
            )
            .is_err()
        );
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30d").unwrap(), time::Duration::days(30));
        assert_eq!(parse_duration("90").unwrap(), time::Duration::seconds(90));
        assert!(parse_duration("3y").is_err());
        assert!(parse_duration("d").is_err());
    }
}
