//! `tollgate key generate`, `sign`, `attest`, `verify` and `release`: wiring around the
//! `tollgate-attest` crate (issue 6).

use crate::exit;
use crate::progress::Bar;
use anyhow::Context;
use std::io::Write;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;
use tollgate_attest::keyless::CertificatePolicy;
use tollgate_attest::keys::{self, KeyAlgorithm, PrivateKey, PublicKey};
use tollgate_attest::predicates::sbom;
use tollgate_attest::statement::{Statement, Subject};
use tollgate_attest::verify::{VerifySettings, parse_duration};
use tollgate_attest::{
    ArtifactRef, Bundle, Requirements, Status, Trust, TrustStore, Verified, attest_statement,
};
use tollgate_model::predicate::{SLSA_PROVENANCE_V1, TEST_RESULT_V01};
use tollgate_release::backends::load_signer;
use tollgate_release::release::{self, ReleaseRequest};
use tollgate_release::trust::TrustArgs;

#[derive(Debug, clap::Subcommand)]
pub enum KeyCommand {
    /// Write DIR/tollgate.key (encrypted PKCS#8 PEM) and DIR/tollgate.pub (SPKI PEM).
    Generate(KeyGenerateArgs),
}

#[derive(Debug, clap::Args)]
pub struct KeyGenerateArgs {
    /// Folder for tollgate.key and tollgate.pub.
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub output_dir: PathBuf,
    /// ecdsa-p256 (default; what every Sigstore verifier accepts) or ed25519.
    #[arg(long, default_value = "ecdsa-p256")]
    pub algorithm: KeyAlgorithm,
    /// Write the private key unencrypted (plain PKCS#8). Otherwise the password comes from
    /// TOLLGATE_KEY_PASSWORD or a prompt.
    #[arg(long)]
    pub unencrypted: bool,
    /// Overwrite existing key files, and write the private key even inside a git work tree.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, clap::Args)]
pub struct SignArgs {
    /// The artifact to sign.
    pub artifact: PathBuf,
    /// Private key: a PEM file, or env://VAR for a PEM in an environment variable.
    #[arg(long, value_name = "KEY")]
    pub key: String,
    /// Bundle to write (default: ARTIFACT.sigstore.json).
    #[arg(long, value_name = "FILE")]
    pub bundle: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct AttestArgs {
    /// The artifact the attestation is about (its SHA-256 becomes the subject).
    pub artifact: PathBuf,
    /// Private key: a PEM file, or env://VAR.
    #[arg(long, value_name = "KEY")]
    pub key: String,
    /// Predicate type URI (with --predicate).
    #[arg(long, value_name = "URI", requires = "predicate")]
    pub predicate_type: Option<String>,
    /// Predicate JSON file (with --predicate-type).
    #[arg(long, value_name = "FILE", requires = "predicate_type")]
    pub predicate: Option<PathBuf>,
    /// SLSA provenance v1 from the CI environment (GitHub Actions, GitLab CI, or local).
    #[arg(long, conflicts_with_all = ["predicate", "sbom", "junit"])]
    pub provenance: bool,
    /// Folder whose lockfiles are recorded as resolved dependencies (with --provenance).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub source: PathBuf,
    /// A CycloneDX or SPDX JSON SBOM.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["predicate", "junit"])]
    pub sbom: Option<PathBuf>,
    /// JUnit XML test results (in-toto test-result v0.1).
    #[arg(long, value_name = "FILE", conflicts_with = "predicate")]
    pub junit: Option<PathBuf>,
    /// Bundle to write (default: ARTIFACT.<kind>.sigstore.json).
    #[arg(long, value_name = "FILE")]
    pub bundle: Option<PathBuf>,
    /// Also append the bundle as one line to this .intoto.jsonl collection.
    #[arg(long, value_name = "FILE")]
    pub jsonl: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The artifact file, or sha256:<hex> of it.
    pub artifact: String,
    /// Bundle(s) to verify: .sigstore.json or .intoto.jsonl (repeatable).
    #[arg(long, value_name = "FILE", required = true)]
    pub bundle: Vec<PathBuf>,
    /// Trust this public key (SPKI PEM).
    #[arg(long, value_name = "FILE", conflicts_with = "trust")]
    pub key: Option<PathBuf>,
    /// Trust file: [[signers]] and [verify] (same shape as tollgate.toml; also
    /// TOLLGATE_TRUST). Without it the source tree's tollgate.toml is used, and said so.
    #[arg(long, value_name = "FILE")]
    pub trust: Option<PathBuf>,
    /// tollgate.toml of the source tree (default: ./tollgate.toml if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Keyless: the certificate's expected SAN identity.
    #[arg(long, value_name = "IDENTITY", requires = "certificate_oidc_issuer")]
    pub certificate_identity: Option<String>,
    /// Keyless: the certificate's expected OIDC issuer.
    #[arg(long, value_name = "URL", requires = "certificate_identity")]
    pub certificate_oidc_issuer: Option<String>,
    /// Sigstore trusted_root.json (default: the embedded public-good production root).
    #[arg(long, value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,
    /// Require a verified attestation of this predicate type (repeatable).
    #[arg(long = "require-predicate", value_name = "URI")]
    pub require_predicate: Vec<String>,
    /// Glob the provenance builder id must match.
    #[arg(long, value_name = "GLOB")]
    pub builder_id: Option<String>,
    /// Glob the provenance source repository must match.
    #[arg(long, value_name = "GLOB")]
    pub source_repo: Option<String>,
    /// Glob the provenance source ref must match.
    #[arg(long, value_name = "GLOB")]
    pub source_ref: Option<String>,
    /// Maximum age of timed attestations (30d, 12h…).
    #[arg(long, value_name = "DURATION")]
    pub max_age: Option<String>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct ReleaseArgs {
    /// Built artifacts.
    #[arg(required = true)]
    pub artifacts: Vec<PathBuf>,
    /// Private key: a PEM file, or env://VAR.
    #[arg(long, value_name = "KEY")]
    pub key: String,
    /// Folder to put the evidence in (created).
    #[arg(long, value_name = "DIR")]
    pub evidence: PathBuf,
    /// Source tree to scan and whose lockfiles the provenance records.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub source: PathBuf,
    /// JUnit XML test results to attest.
    #[arg(long, value_name = "FILE")]
    pub junit: Vec<PathBuf>,
    /// tollgate.toml (default: SOURCE/tollgate.toml if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Trust file kept outside the repository (also TOLLGATE_TRUST): its `[log]` records the
    /// release, in the same log the gate records its decisions in.
    #[arg(long, value_name = "FILE", env = "TOLLGATE_TRUST")]
    pub trust: Option<PathBuf>,
    /// No summary on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

fn write_file(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

fn sidecar(artifact: &Path, suffix: &str) -> PathBuf {
    let mut s = artifact.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

pub fn run_key(k: KeyCommand) -> anyhow::Result<u8> {
    match k {
        KeyCommand::Generate(a) => {
            let key_path = a.output_dir.join("tollgate.key");
            let pub_path = a.output_dir.join("tollgate.pub");
            for p in [&key_path, &pub_path] {
                if p.exists() && !a.force {
                    anyhow::bail!("{} exists (use --force to overwrite)", p.display());
                }
            }
            if !a.force
                && let Some(tree) = keys::enclosing_work_tree(&a.output_dir)
            {
                eprintln!(
                    "error: {} is inside the git work tree {}: a private key there is one \
                     `git add` away from being published (use --force to write it anyway)\n\
                     hint: {}",
                    a.output_dir.display(),
                    tree.display(),
                    keys::KEY_PLACEMENT_ADVICE
                );
                return Ok(exit::USAGE);
            }
            let password = if a.unencrypted {
                None
            } else {
                Some(keys::obtain_password("Password for the new key: ", true)?)
            };
            let key = PrivateKey::generate(a.algorithm)?;
            let pem = keys::write_private_pem(&key, password.as_deref().map(str::as_bytes))?;
            std::fs::create_dir_all(&a.output_dir)
                .with_context(|| format!("cannot create {}", a.output_dir.display()))?;
            keys::write_private_key_file(&key_path, &pem)?;
            write_file(&pub_path, &key.public_key().to_pem())?;
            outln!(
                "wrote {} ({}{}) and {}\nkey id: {}",
                key_path.display(),
                a.algorithm,
                if a.unencrypted {
                    ", UNENCRYPTED"
                } else {
                    ", encrypted"
                },
                pub_path.display(),
                key.public_key().key_id()
            );
            Ok(exit::PASS)
        }
    }
}

/// Records one bundle in the log of ./tollgate.toml (`[log] path`), when one is configured.
fn publish(bundle: &mut Bundle, key: &PublicKey) -> anyhow::Result<()> {
    let config = tollgate_release::scan::load_config_file(None)?;
    if let Some(mut log) = tollgate_release::log::configured(&config)? {
        let idx = tollgate_release::log::publish(&mut log, bundle, key)?;
        eprintln!("logged as entries {idx:?}");
    }
    Ok(())
}

pub fn run_sign(a: SignArgs) -> anyhow::Result<u8> {
    let signer = load_signer(&a.key)?;
    let (digest, mut bundle) = tollgate_attest::sign_file(signer.as_ref(), &a.artifact)?;
    publish(&mut bundle, signer.public_key())?;
    let out = a
        .bundle
        .unwrap_or_else(|| sidecar(&a.artifact, tollgate_attest::BUNDLE_SUFFIX));
    write_file(&out, &bundle.to_json())?;
    outln!(
        "signed {} ({digest}) with key {}\nwrote {}",
        a.artifact.display(),
        signer.key_id(),
        out.display()
    );
    Ok(exit::PASS)
}

fn read_json(p: &Path) -> anyhow::Result<serde_json::Value> {
    let text = std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
    serde_json::from_slice(&text).with_context(|| format!("{} is not JSON", p.display()))
}

pub fn run_attest(a: AttestArgs) -> anyhow::Result<u8> {
    let digest = tollgate_attest::hash::sha256_file(&a.artifact)
        .with_context(|| format!("cannot read {}", a.artifact.display()))?;
    let (kind, ptype, predicate) = if let (Some(t), Some(p)) = (&a.predicate_type, &a.predicate) {
        ("predicate", t.clone(), read_json(p)?)
    } else if a.provenance {
        let now = OffsetDateTime::now_utc();
        (
            "provenance",
            SLSA_PROVENANCE_V1.to_string(),
            release::provenance_predicate(&a.source, now, now),
        )
    } else if let Some(p) = &a.sbom {
        let doc = read_json(p)?;
        let t = sbom::predicate_type(&doc).with_context(|| p.display().to_string())?;
        ("sbom", t.to_string(), doc)
    } else if let Some(p) = &a.junit {
        (
            "tests",
            TEST_RESULT_V01.to_string(),
            release::junit_predicate(p)?,
        )
    } else {
        anyhow::bail!(
            "say what to attest: --predicate-type URI --predicate FILE, --provenance, --sbom FILE or --junit FILE"
        );
    };
    let signer = load_signer(&a.key)?;
    let st = Statement::new(
        vec![Subject::sha256(file_name(&a.artifact), &digest)],
        &ptype,
        predicate,
    );
    let mut bundle = attest_statement(signer.as_ref(), st)?;
    publish(&mut bundle, signer.public_key())?;
    let out = a
        .bundle
        .unwrap_or_else(|| sidecar(&a.artifact, &format!(".{kind}.sigstore.json")));
    write_file(&out, &bundle.to_json())?;
    if let Some(j) = &a.jsonl {
        append_line(j, &bundle)?;
    }
    outln!(
        "attested {ptype} for {} ({digest})\nwrote {}",
        a.artifact.display(),
        out.display()
    );
    Ok(exit::PASS)
}

fn append_line(path: &Path, bundle: &Bundle) -> anyhow::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    writeln!(f, "{}", bundle.to_value())?;
    Ok(())
}

pub fn run_verify(a: VerifyArgs) -> anyhow::Result<u8> {
    // Trust: --key, else the trust file (--trust, TOLLGATE_TRUST, `[trust] file`), else the
    // source tree's tollgate.toml, which is said on stderr.
    let trust_cfg = TrustArgs {
        trust: a.trust.clone(),
        trust_env: std::env::var_os("TOLLGATE_TRUST").map(PathBuf::from),
        config: a.config.clone(),
        source: None,
    }
    .resolve()?;
    let settings: VerifySettings = trust_cfg.config.section("verify")?;
    let store = if let Some(k) = &a.key {
        let k = PublicKey::read(k).with_context(|| k.display().to_string())?;
        TrustStore::single_signer("--key", k)
    } else {
        if !trust_cfg.external {
            eprintln!("note: trusting the signers of {}", trust_cfg.describe());
        }
        TrustStore::from_config(&trust_cfg.config)?
    };
    let trusted_root_json = match &a.trusted_root {
        Some(p) => Some(
            std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?,
        ),
        None => None,
    };
    let certificate = match (&a.certificate_identity, &a.certificate_oidc_issuer) {
        (Some(i), Some(o)) => Some(CertificatePolicy {
            identity: i.clone(),
            issuer: o.clone(),
        }),
        _ => None,
    };
    if store.signers.is_empty() && certificate.is_none() {
        anyhow::bail!(
            "nothing to trust: give --key, --trust, [[signers]] in tollgate.toml, or --certificate-identity with --certificate-oidc-issuer"
        );
    }
    let trust = Trust {
        store,
        certificate,
        trusted_root_json,
        ..Trust::default()
    };
    let max_age = match a.max_age.as_ref().or(settings.max_age.as_ref()) {
        Some(s) => Some(parse_duration(s).map_err(anyhow::Error::msg)?),
        None => None,
    };
    let mut predicate_types = settings.require_predicates.clone();
    predicate_types.extend(a.require_predicate.iter().cloned());
    let req = Requirements {
        predicate_types,
        builder_id: a.builder_id.clone().or(settings.builder_id),
        source_repo: a.source_repo.clone().or(settings.source_repo),
        source_ref: a.source_ref.clone().or(settings.source_ref),
        max_age,
        now: OffsetDateTime::now_utc(),
    };
    let mut bundles = Vec::new();
    for p in &a.bundle {
        let bytes = std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
        let parts = tollgate_attest::split_bundles(&bytes);
        let n = parts.len();
        for (i, b) in parts.into_iter().enumerate() {
            let label = if n > 1 {
                format!("{}:{}", p.display(), i + 1)
            } else {
                p.display().to_string()
            };
            bundles.push((label, b));
        }
    }
    let artifact = ArtifactRef::parse(&a.artifact);
    let result = match tollgate_attest::verify_release(&bundles, &artifact, &trust, &req) {
        Ok(r) => r,
        Err(tollgate_attest::VerifyError::Failed(v)) => tollgate_attest::ReleaseVerification {
            artifact: v.artifact,
            bundles: vec![*v],
            requirements: Vec::new(),
        },
        Err(e) => return Err(e.into()),
    };
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        print_human(&result)?;
    }
    Ok(if result.ok() { exit::PASS } else { exit::FAIL })
}

fn mark(s: Status) -> &'static str {
    match s {
        Status::Passed => "PASS",
        Status::Failed => "FAIL",
        Status::NotApplicable => "n/a ",
    }
}

fn print_human(r: &tollgate_attest::ReleaseVerification) -> std::io::Result<()> {
    outln!("artifact {}", r.artifact);
    for b in &r.bundles {
        print_bundle(b)?;
    }
    if !r.requirements.is_empty() {
        outln!("requirements");
        for c in &r.requirements {
            outln!("  [{}] {}: {}", mark(c.status), c.name, c.detail);
        }
    }
    outln!("{}", if r.ok() { "VERIFIED" } else { "NOT VERIFIED" });
    Ok(())
}

fn print_bundle(b: &Verified) -> std::io::Result<()> {
    let what = b.predicate_type().unwrap_or("signature");
    outln!("{} ({what})", b.bundle);
    if let Some(id) = &b.signer.identity {
        outln!(
            "  signer: {id}{}{}",
            b.signer
                .key_id
                .as_ref()
                .map(|k| format!(" key {k}"))
                .unwrap_or_default(),
            b.signer
                .issuer
                .as_ref()
                .map(|i| format!(" issuer {i}"))
                .unwrap_or_default()
        );
    }
    for c in &b.checks {
        outln!("  [{}] {}: {}", mark(c.status), c.name, c.detail);
    }
    Ok(())
}

pub fn run_release(a: ReleaseArgs) -> anyhow::Result<u8> {
    let out = release::release(
        &ReleaseRequest {
            artifacts: a.artifacts.clone(),
            key: a.key.clone(),
            evidence: a.evidence.clone(),
            source: a.source.clone(),
            junit: a.junit.clone(),
            config: a.config.clone(),
            trust: a.trust.clone(),
        },
        &Bar::new(a.quiet),
    )?;
    if !a.quiet {
        eprintln!(
            "release evidence in {} (key {}):",
            a.evidence.display(),
            out.key_id
        );
        for p in &out.written {
            eprintln!("  {}", p.display());
        }
        match &out.log {
            Some(l) => eprintln!(
                "logged {} entries in {}",
                out.manifest.log_entries.len(),
                l.display()
            ),
            None => eprintln!("no transparency log configured ([log] path): nothing logged"),
        }
        eprintln!(
            "scan: {} findings, {} at or above {}",
            out.scan.report.findings.len(),
            out.scan.failing,
            out.scan.threshold
        );
    }
    if out.passed() {
        Ok(exit::PASS)
    } else {
        eprintln!(
            "scan FAILED ({} findings at or above {}): evidence written, release not clean",
            out.scan.failing, out.scan.threshold
        );
        Ok(exit::FAIL)
    }
}
