//! `tollgate key generate`, `sign`, `attest`, `verify` and `release`: wiring around the
//! `tollgate-attest` crate (issue 6).

use crate::commands::check::{self, CommonArgs};
use crate::{exit, registry};
use anyhow::Context;
use std::io::Write;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;
use tollgate_attest::keyless::CertificatePolicy;
use tollgate_attest::keys::{self, KeyAlgorithm, KeySource, PrivateKey, PublicKey, Signer};
use tollgate_attest::predicates::{provenance, sbom, scan_report, test_result};
use tollgate_attest::statement::{self, Statement, Subject};
use tollgate_attest::verify::{VerifySettings, parse_duration};
use tollgate_attest::{
    ArtifactRef, Bundle, Requirements, Status, Trust, TrustStore, Verified, attest_statement,
};
use tollgate_config::Config;

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
    /// Trust the [[signers]] of this file (same shape as tollgate.toml).
    #[arg(long, value_name = "FILE")]
    pub trust: Option<PathBuf>,
    /// tollgate.toml for [[signers]] and [verify] (default: ./tollgate.toml if present).
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
                    eprintln!("error: {} exists (use --force to overwrite)", p.display());
                    return Ok(exit::USAGE);
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
                match keys::obtain_password("Password for the new key: ", true) {
                    Ok(p) => Some(p),
                    Err(e) => {
                        eprintln!("error: {e}");
                        return Ok(exit::USAGE);
                    }
                }
            };
            let key = PrivateKey::generate(a.algorithm)?;
            let pem = keys::write_private_pem(&key, password.as_deref().map(str::as_bytes))?;
            std::fs::create_dir_all(&a.output_dir)
                .with_context(|| format!("cannot create {}", a.output_dir.display()))?;
            write_private(&key_path, &pem)?;
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

/// Private key files are created owner-only on Unix.
fn write_private(path: &Path, pem: &str) -> anyhow::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    f.write_all(pem.as_bytes())?;
    Ok(())
}

fn load_signer(spec: &str) -> Result<Box<dyn Signer>, u8> {
    keys::load_signer(&KeySource::parse(spec)).map_err(|e| {
        eprintln!("error: key {spec}: {e}");
        exit::USAGE
    })
}

/// The transparency log of `./tollgate.toml` (`[log] path`), when one is configured.
fn configured_log() -> anyhow::Result<Option<(PathBuf, tollgate_ledger::Log)>> {
    let Some(path) = Config::discover(Path::new(".")) else {
        return Ok(None);
    };
    let config = Config::load(&path, registry::SECTIONS)?;
    Ok(tollgate_ledger::configured(&config)?.map(|log| (path, log)))
}

/// Records each new bundle in the transparency log when one is configured (`[log] path` in
/// ./tollgate.toml):
/// 1. the signature's Rekor v1 body (hashedrekord or dsse) is appended and the returned entry,
///    with its inclusion proof, signed checkpoint and signed entry timestamp, goes into the
///    bundle's `verificationMaterial.tlogEntries`;
/// 2. a `signature` or `attestation` event about each artifact digest is appended with the
///    finished bundle's digest, its predicate type and the index of its Sigstore entry as
///    payload (what `kpi` and the gate count).
fn publish(bundle: &mut Bundle, key: &PublicKey) -> anyhow::Result<()> {
    use tollgate_attest::bundle::{Content, Material};
    use tollgate_ledger::{Event, EventType};
    let Some((path, mut log)) = configured_log()? else {
        return Ok(());
    };
    tollgate_attest::append_to_log(&mut log, bundle, key)?;
    let sigstore_index = bundle
        .tlog_entries
        .last()
        .and_then(|e| e["logIndex"].as_str())
        .and_then(|i| i.parse::<u64>().ok());
    let actor = match &bundle.material {
        Material::PublicKeyHint(k) => format!("key:{k}"),
        Material::Certificate => "certificate".to_string(),
    };
    let bundle_digest = tollgate_model::sha256(bundle.to_json().as_bytes());
    let mut events = Vec::new();
    match &bundle.content {
        Content::MessageSignature {
            digest: Some(d), ..
        } => events.push((EventType::Signature, *d, None)),
        Content::MessageSignature { digest: None, .. } => {}
        Content::Dsse(env) => {
            if let Ok(st) = tollgate_attest::statement::Statement::from_json(&env.payload) {
                for sub in &st.subject {
                    if let Some(d) = sub
                        .digest
                        .get("sha256")
                        .and_then(|h| format!("sha256:{h}").parse().ok())
                    {
                        events.push((EventType::Attestation, d, Some(st.predicate_type.clone())));
                    }
                }
            }
        }
    }
    let events: Vec<Event> = events
        .into_iter()
        .map(|(kind, subject, ptype)| Event {
            kind,
            actor: actor.clone(),
            subject,
            environment: None,
            time: None,
            payload: Some(serde_json::json!({
                "bundle": bundle_digest.to_string(),
                "predicateType": ptype,
                "sigstoreEntry": sigstore_index,
            })),
        })
        .collect();
    let mut idx = sigstore_index.into_iter().collect::<Vec<_>>();
    if !events.is_empty() {
        idx.extend(log.append(&events)?);
    }
    eprintln!("logged as entries {idx:?} in {}", path.display());
    Ok(())
}

pub fn run_sign(a: SignArgs) -> anyhow::Result<u8> {
    let signer = match load_signer(&a.key) {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let (digest, mut bundle) = match tollgate_attest::sign_file(signer.as_ref(), &a.artifact) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(exit::USAGE);
        }
    };
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
    let digest = match tollgate_attest::hash::sha256_file(&a.artifact) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", a.artifact.display());
            return Ok(exit::USAGE);
        }
    };
    let (kind, ptype, predicate) = if let (Some(t), Some(p)) = (&a.predicate_type, &a.predicate) {
        ("predicate", t.clone(), read_json(p)?)
    } else if a.provenance {
        let now = OffsetDateTime::now_utc();
        let deps = provenance::lockfile_dependencies(
            &a.source,
            source_lockfiles(&a.source).iter().map(String::as_str),
        );
        (
            "provenance",
            statement::SLSA_PROVENANCE_V1.to_string(),
            provenance::generate(&provenance::process_env, now, now, deps),
        )
    } else if let Some(p) = &a.sbom {
        let doc = read_json(p)?;
        let t = match sbom::predicate_type(&doc) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: {}: {e}", p.display());
                return Ok(exit::USAGE);
            }
        };
        ("sbom", t.to_string(), doc)
    } else if let Some(p) = &a.junit {
        let xml = std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
        let results = match test_result::parse_junit(&xml) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {}: {e}", p.display());
                return Ok(exit::USAGE);
            }
        };
        (
            "tests",
            statement::TEST_RESULT_V01.to_string(),
            results.to_predicate(&file_name(p), &xml, ci_job_url().as_deref()),
        )
    } else {
        eprintln!(
            "error: say what to attest: --predicate-type URI --predicate FILE, --provenance, --sbom FILE or --junit FILE"
        );
        return Ok(exit::USAGE);
    };
    let signer = match load_signer(&a.key) {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
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

fn ci_job_url() -> Option<String> {
    let env = provenance::process_env;
    if let Some(u) = env("CI_JOB_URL") {
        return Some(u);
    }
    Some(format!(
        "{}/{}/actions/runs/{}",
        env("GITHUB_SERVER_URL")?,
        env("GITHUB_REPOSITORY")?,
        env("GITHUB_RUN_ID")?
    ))
}

fn load_verify_config(path: Option<&Path>) -> Result<Config, String> {
    let p = match path {
        Some(p) => Some(p.to_path_buf()),
        None => Config::discover(Path::new(".")),
    };
    match p {
        Some(p) => Config::load(&p, registry::SECTIONS).map_err(|e| e.to_string()),
        None => Ok(Config::default()),
    }
}

pub fn run_verify(a: VerifyArgs) -> anyhow::Result<u8> {
    let usage = |m: String| {
        eprintln!("error: {m}");
        Ok(exit::USAGE)
    };
    let config = match load_verify_config(a.config.as_deref()) {
        Ok(c) => c,
        Err(e) => return usage(e),
    };
    let settings: VerifySettings = match config.section("verify") {
        Ok(s) => s,
        Err(e) => return usage(e.to_string()),
    };
    let store = if let Some(k) = &a.key {
        match PublicKey::read(k) {
            Ok(k) => TrustStore::single_signer("--key", k),
            Err(e) => return usage(format!("{}: {e}", k.display())),
        }
    } else if let Some(t) = &a.trust {
        match TrustStore::load_file(t) {
            Ok(s) => s,
            Err(e) => return usage(e.to_string()),
        }
    } else {
        match TrustStore::from_config(&config) {
            Ok(s) => s,
            Err(e) => return usage(e.to_string()),
        }
    };
    let trusted_root_json = match &a.trusted_root {
        Some(p) => match std::fs::read_to_string(p) {
            Ok(t) => Some(t),
            Err(e) => return usage(format!("{}: {e}", p.display())),
        },
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
        return usage(
            "nothing to trust: give --key, --trust, [[signers]] in tollgate.toml, or --certificate-identity with --certificate-oidc-issuer".into(),
        );
    }
    let trust = Trust {
        store,
        certificate,
        trusted_root_json,
        ..Trust::default()
    };
    let max_age = match a.max_age.as_ref().or(settings.max_age.as_ref()) {
        Some(s) => match parse_duration(s) {
            Ok(d) => Some(d),
            Err(e) => return usage(e),
        },
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
        let bytes = match std::fs::read(p) {
            Ok(b) => b,
            Err(e) => return usage(format!("cannot read {}: {e}", p.display())),
        };
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
        Err(e) => return usage(e.to_string()),
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
    let started = OffsetDateTime::now_utc();
    let signer = match load_signer(&a.key) {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    std::fs::create_dir_all(&a.evidence)
        .with_context(|| format!("cannot create {}", a.evidence.display()))?;
    let mut digests = Vec::new();
    for art in &a.artifacts {
        match tollgate_attest::hash::sha256_file(art) {
            Ok(d) => digests.push((art.clone(), d)),
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", art.display());
                return Ok(exit::USAGE);
            }
        }
    }
    // 1. Scan the source with every scanner (`tollgate check`).
    let common = CommonArgs {
        paths: vec![a.source.clone()],
        config: a.config.clone(),
        format: tollgate_render::Format::Json,
        output: None,
        no_ignore: false,
        fail_on: None,
        max_file_size: None,
        quiet: true,
        show_suppressed: false,
    };
    let config = match check::load_config(&common) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(exit::USAGE);
        }
    };
    let scanners = registry::scanners(&config)?;
    let Some(report) = check::scan(&common, &config, &scanners)? else {
        return Ok(exit::USAGE);
    };
    let mut report_json = Vec::new();
    tollgate_render::render(
        &report,
        tollgate_render::Format::Json,
        &Default::default(),
        &mut report_json,
    )?;
    write_file(
        &a.evidence.join("scan-report.json"),
        std::str::from_utf8(&report_json)?,
    )?;
    let threshold = config.scan.fail_on;
    let scan = scan_report::ScanReport {
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        fail_on: threshold.to_string(),
        findings: report.findings.len(),
        failing: report.failing(threshold),
        suppressed: report.suppressed.len(),
        report: serde_json::from_slice(&report_json)?,
    };
    // 2. Tests.
    let mut tests = Vec::new();
    for j in &a.junit {
        let xml = std::fs::read(j).with_context(|| format!("cannot read {}", j.display()))?;
        match test_result::parse_junit(&xml) {
            Ok(r) => tests.push(r.to_predicate(&file_name(j), &xml, ci_job_url().as_deref())),
            Err(e) => {
                eprintln!("error: {}: {e}", j.display());
                return Ok(exit::USAGE);
            }
        }
    }
    let finished = OffsetDateTime::now_utc();
    let deps = provenance::lockfile_dependencies(
        &a.source,
        source_lockfiles(&a.source).iter().map(String::as_str),
    );
    let prov = provenance::generate(&provenance::process_env, started, finished, deps);
    // 3. Sign and attest every artifact.
    let subjects: Vec<Subject> = digests
        .iter()
        .map(|(p, d)| Subject::sha256(file_name(p), d))
        .collect();
    let mut statements: Vec<(&str, Statement)> = vec![
        (
            "provenance",
            Statement::new(subjects.clone(), statement::SLSA_PROVENANCE_V1, prov),
        ),
        (
            "scan",
            Statement::new(
                subjects.clone(),
                statement::SCAN_REPORT_V1,
                scan.to_predicate(),
            ),
        ),
    ];
    for (i, t) in tests.into_iter().enumerate() {
        let kind = if i == 0 { "tests" } else { "tests-more" };
        statements.push((
            kind,
            Statement::new(subjects.clone(), statement::TEST_RESULT_V01, t),
        ));
    }
    // 4. The SBOM of the source's lockfiles (CycloneDX 1.6), kept beside the artifact and
    //    attested.
    if let Some(doc) = source_sbom(&a.source)? {
        write_file(
            &a.evidence.join("sbom.cdx.json"),
            &serde_json::to_string_pretty(&doc)?,
        )?;
        let ptype = sbom::predicate_type(&doc).map_err(|e| anyhow::anyhow!("{e}"))?;
        statements.push(("sbom", Statement::new(subjects.clone(), ptype, doc)));
    }
    let mut written = Vec::new();
    for (art, _) in &digests {
        let name = file_name(art);
        let (_, mut sig) = tollgate_attest::sign_file(signer.as_ref(), art)?;
        publish(&mut sig, signer.public_key())?;
        let p = a.evidence.join(format!("{name}.sigstore.json"));
        write_file(&p, &sig.to_json())?;
        written.push(p);
    }
    let jsonl = a.evidence.join("attestations.intoto.jsonl");
    let _ = std::fs::remove_file(&jsonl);
    for (kind, st) in statements {
        let mut b = attest_statement(signer.as_ref(), st)?;
        publish(&mut b, signer.public_key())?;
        let p = a.evidence.join(format!("{kind}.sigstore.json"));
        write_file(&p, &b.to_json())?;
        append_line(&jsonl, &b)?;
        written.push(p);
    }
    written.push(jsonl);
    write_file(
        &a.evidence.join("tollgate.pub"),
        &signer.public_key().to_pem(),
    )?;
    // With a log, the trusted root naming its key: what `verify --trusted-root` (and any
    // Sigstore verifier) checks the bundles' log entries against.
    if let Some((_, log)) = configured_log()? {
        let p = a.evidence.join("trusted_root.json");
        let doc = tollgate_ledger::trusted_root::trusted_root(log.verifier(), "", &log.created()?);
        write_file(&p, &serde_json::to_string_pretty(&doc)?)?;
        written.push(p);
    }
    if !a.quiet {
        eprintln!(
            "release evidence in {} (key {}):",
            a.evidence.display(),
            signer.key_id()
        );
        for p in &written {
            eprintln!("  {}", p.display());
        }
        eprintln!(
            "scan: {} findings, {} at or above {threshold}",
            scan.findings, scan.failing
        );
    }
    if !scan.passed() {
        bail_code(&scan)
    } else {
        Ok(exit::PASS)
    }
}

fn bail_code(scan: &scan_report::ScanReport) -> anyhow::Result<u8> {
    eprintln!(
        "scan FAILED ({} findings at or above {}): evidence written, release not clean",
        scan.failing, scan.fail_on
    );
    Ok(exit::FAIL)
}

/// CycloneDX SBOM of every lockfile under `source`, or `None` when there is none.
fn source_sbom(source: &Path) -> anyhow::Result<Option<serde_json::Value>> {
    use tollgate_inventory::{Inventory, Options, Root};
    let given = source.to_string_lossy().to_string();
    let inventory = Inventory::collect(&[Root::new(Some(&given))], &Options::default())?;
    let collected = tollgate_deps::collect(&inventory);
    let components: Vec<_> = collected
        .files
        .iter()
        .flat_map(|f| f.components.iter().cloned())
        .collect();
    if collected.files.is_empty() {
        return Ok(None);
    }
    let name = std::fs::canonicalize(source)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
        .unwrap_or(given);
    let timestamp = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| OffsetDateTime::now_utc().unix_timestamp());
    let opts = tollgate_deps::sbom::SbomOptions {
        name,
        timestamp,
        tool_version: env!("CARGO_PKG_VERSION").into(),
    };
    Ok(Some(tollgate_deps::sbom::cyclonedx(&components, &opts)))
}

/// Names of the lockfiles directly under the source folder, as the inventory classifies them
/// (one list of lockfile formats for the whole tool), sorted for stable provenance.
fn source_lockfiles(root: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| {
            tollgate_inventory::classify(n, false) == tollgate_inventory::FileKind::Lockfile
        })
        .collect();
    names.sort();
    names
}
