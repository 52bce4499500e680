//! `release`: scan the source once, build the SBOM from the components that scan read, write
//! SLSA provenance, sign every artifact, attest provenance, scan report, tests and SBOM over
//! every artifact, record each bundle in the transparency log (opened once, from the chosen
//! configuration), and write the evidence folder that `gate` reads as is (docs/evidence-v1.md).

use crate::error::{ReleaseError, Result};
use crate::scan::{self, ScanOutcome, ScanRequest};
use crate::{log, registry};
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;
use tollgate_attest::predicates::{provenance, sbom, scan_report, test_result};
use tollgate_attest::statement::{Statement, Subject};
use tollgate_attest::{Bundle, attest_statement};
use tollgate_engine::{Progress, Scanner};
use tollgate_model::Digest;
use tollgate_model::predicate::{SCAN_REPORT_V1, SLSA_PROVENANCE_V1, TEST_RESULT_V01};

/// Schema tag of the evidence folder's `manifest.json`.
pub const MANIFEST_SCHEMA: &str = "tollgate.release/v1";
/// The evidence folder's index (not evidence itself: unsigned).
pub const MANIFEST: &str = "manifest.json";
/// A copy of the scan report for people and other tools (unsigned; the gate reads the signed
/// scan attestation).
pub const SCAN_REPORT: &str = "scan-report.json";
/// The SBOM document (its signed attestation is `sbom.sigstore.json`).
pub const SBOM: &str = "sbom.cdx.json";
/// The Sigstore trusted root of the log the bundles were recorded in (when one is configured).
pub const TRUSTED_ROOT: &str = "trusted_root.json";
/// Every attestation again, one bundle per line (in-toto JSON lines, for other tools).
pub const JSONL: &str = "attestations.intoto.jsonl";

/// What to release.
#[derive(Debug, Clone)]
pub struct ReleaseRequest {
    pub artifacts: Vec<PathBuf>,
    /// The signing key: a PEM file or `env://VAR`.
    pub key: String,
    /// The evidence folder (created).
    pub evidence: PathBuf,
    /// The source tree that is scanned and whose lockfiles the provenance records.
    pub source: PathBuf,
    pub junit: Vec<PathBuf>,
    /// tollgate.toml (default: SOURCE/tollgate.toml when present).
    pub config: Option<PathBuf>,
    /// A trust file (`--trust`, `TOLLGATE_TRUST`): when it has `[log]`, the release is
    /// recorded there, in the same log the gate records its decisions in.
    pub trust: Option<PathBuf>,
}

/// One file of the evidence folder.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceEntry {
    pub file: String,
    /// `signature`, `attestation`, `sbom`, `report`, `collection`.
    pub kind: &'static str,
    #[serde(rename = "predicateType", skip_serializing_if = "Option::is_none")]
    pub predicate_type: Option<String>,
    pub digest: Digest,
}

/// The artifacts of the release.
#[derive(Debug, Clone, Serialize)]
pub struct ArtifactEntry {
    pub name: String,
    pub digest: Digest,
}

/// `manifest.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    pub schema: &'static str,
    pub tool: String,
    pub created: String,
    pub signer: String,
    pub artifacts: Vec<ArtifactEntry>,
    pub files: Vec<EvidenceEntry>,
    /// Log indexes of the entries this release appended (empty: no log configured).
    #[serde(rename = "logEntries")]
    pub log_entries: Vec<u64>,
}

/// What `release` did.
#[derive(Debug)]
pub struct ReleaseOutcome {
    pub scan: ScanOutcome,
    pub manifest: Manifest,
    /// Paths written, in order.
    pub written: Vec<PathBuf>,
    pub key_id: String,
    /// The log file, when one is configured.
    pub log: Option<PathBuf>,
}

impl ReleaseOutcome {
    /// The release is clean: no finding at or above the threshold.
    pub fn passed(&self) -> bool {
        self.scan.passed()
    }
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|e| ReleaseError::io(path, e))
}

fn attest_err(e: impl std::fmt::Display) -> ReleaseError {
    ReleaseError::Attest(e.to_string())
}

/// The CI job's URL (GitLab `CI_JOB_URL`, or the GitHub Actions run).
pub fn ci_job_url() -> Option<String> {
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

/// Names of the lockfiles directly under the source folder, as the inventory classifies them
/// (one list of lockfile formats for the whole tool), sorted for stable provenance.
pub fn source_lockfiles(root: &Path) -> Vec<String> {
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

/// SLSA provenance for a build of `source` that ran from `started` to `finished`.
pub fn provenance_predicate(
    source: &Path,
    started: OffsetDateTime,
    finished: OffsetDateTime,
) -> serde_json::Value {
    let deps = provenance::lockfile_dependencies(
        source,
        source_lockfiles(source).iter().map(String::as_str),
    );
    provenance::generate(&provenance::process_env, started, finished, deps)
}

/// The test-result predicate of a JUnit XML file.
pub fn junit_predicate(path: &Path) -> Result<serde_json::Value> {
    let xml = std::fs::read(path).map_err(|e| ReleaseError::io(path, e))?;
    let results = test_result::parse_junit(&xml).map_err(|e| ReleaseError::Input {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    Ok(results.to_predicate(&file_name(path), &xml, ci_job_url().as_deref()))
}

/// Runs a release. Findings do not stop it: the evidence is written either way and
/// [`ReleaseOutcome::passed`] says whether the scan was clean.
pub fn release(req: &ReleaseRequest, progress: &dyn Progress) -> Result<ReleaseOutcome> {
    let started = OffsetDateTime::now_utc();
    let signer = crate::backends::load_signer(&req.key)?;
    let mut digests = Vec::new();
    for art in &req.artifacts {
        let d = tollgate_attest::hash::sha256_file(art).map_err(|e| ReleaseError::io(art, e))?;
        digests.push((art.clone(), d));
    }
    std::fs::create_dir_all(&req.evidence).map_err(|e| ReleaseError::io(&req.evidence, e))?;

    // 1. One scan of the source with every scanner; the dependency scanner keeps what it read.
    let scan_req = ScanRequest {
        paths: vec![req.source.clone()],
        config: req.config.clone(),
        ..ScanRequest::default()
    };
    let mut config = scan::load_config(&scan_req)?;
    // Accepted risks of an external trust file count in the release's own verdict, as they
    // will at the gate (which re-checks every exception against the trust file alone).
    let trust = crate::trust::Trust::resolve(req.trust.as_deref(), None, &config, &req.source)?;
    if trust.external {
        config
            .exceptions
            .extend(trust.config.exceptions.iter().cloned());
    }
    let (scanners, deps) = registry::scanners_keeping_components(&config)?;
    let refs: Vec<&dyn Scanner> = scanners.iter().map(|s| s.as_ref()).collect();
    let outcome = scan::scan(&scan_req, &config, &refs, progress)?;
    let report = &outcome.report;
    let mut report_json = Vec::new();
    tollgate_render::render(
        report,
        tollgate_render::Format::Json,
        &Default::default(),
        &mut report_json,
    )
    .map_err(|e| ReleaseError::io(req.evidence.join(SCAN_REPORT), e))?;
    let report_value: serde_json::Value =
        serde_json::from_slice(&report_json).map_err(attest_err)?;
    let mut predicate = scan_report::ScanReport {
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        fail_on: outcome.threshold.to_string(),
        findings: report.findings.len(),
        failing: outcome.failing,
        suppressed: report.suppressed.len(),
        report: report_value,
    }
    .to_predicate();
    // What the scan was told to skip, and whether its configuration came from the released
    // tree itself: the gate reports (and an environment may refuse) both.
    let source_root = crate::trust::work_tree_root(&req.source);
    predicate["config"] = serde_json::json!({
        "path": config.path.as_ref().map(|p| p.display().to_string()),
        "digest": config.digest.map(|d| d.to_string()),
        "inSource": config.path.as_ref().is_some_and(|p| {
            std::fs::canonicalize(p).is_ok_and(|p| p.starts_with(&source_root))
        }),
        "exclude": config.scan.exclude,
    });

    // 2. Tests.
    let mut tests = Vec::new();
    for j in &req.junit {
        tests.push(junit_predicate(j)?);
    }
    let prov = provenance_predicate(&req.source, started, OffsetDateTime::now_utc());

    // 3. The SBOM of the components the dependency scan read.
    let components = deps.take_components();
    let sbom_doc = (!components.is_empty()).then(|| {
        let name = std::fs::canonicalize(&req.source)
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
            .unwrap_or_else(|| req.source.display().to_string());
        let timestamp = std::env::var("SOURCE_DATE_EPOCH")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| OffsetDateTime::now_utc().unix_timestamp());
        tollgate_deps::sbom::cyclonedx(
            &components,
            &tollgate_deps::sbom::SbomOptions {
                name,
                timestamp,
                tool_version: env!("CARGO_PKG_VERSION").into(),
            },
        )
    });

    // 4. Statements over every artifact.
    let subjects: Vec<Subject> = digests
        .iter()
        .map(|(p, d)| Subject::sha256(file_name(p), d))
        .collect();
    let mut statements: Vec<(String, Statement)> = vec![
        (
            "provenance".into(),
            Statement::new(subjects.clone(), SLSA_PROVENANCE_V1, prov),
        ),
        (
            "scan".into(),
            Statement::new(subjects.clone(), SCAN_REPORT_V1, predicate),
        ),
    ];
    for (i, t) in tests.into_iter().enumerate() {
        let kind = if i == 0 {
            "tests".to_string()
        } else {
            format!("tests-{}", i + 1)
        };
        statements.push((kind, Statement::new(subjects.clone(), TEST_RESULT_V01, t)));
    }
    let mut written = Vec::new();
    let mut files = Vec::new();
    let mut entry = |path: &Path, kind: &'static str, ptype: Option<String>, text: &str| {
        files.push(EvidenceEntry {
            file: file_name(path),
            kind,
            predicate_type: ptype,
            digest: tollgate_model::sha256(text.as_bytes()),
        });
    };
    let p = req.evidence.join(SCAN_REPORT);
    let text = String::from_utf8_lossy(&report_json).into_owned();
    write(&p, &text)?;
    entry(&p, "report", None, &text);
    written.push(p);
    if let Some(doc) = &sbom_doc {
        let p = req.evidence.join(SBOM);
        let text = serde_json::to_string_pretty(doc).map_err(attest_err)?;
        write(&p, &text)?;
        entry(&p, "sbom", None, &text);
        written.push(p);
        let ptype = sbom::predicate_type(doc).map_err(attest_err)?;
        statements.push((
            "sbom".into(),
            Statement::new(subjects.clone(), ptype, doc.clone()),
        ));
    }

    // 5. Sign, attest and log. The log is opened once, from the configuration in use.
    let log_config = if log::configured_path(&trust.config)?.is_some() {
        &trust.config
    } else {
        &config
    };
    let mut ledger = log::configured(log_config)?;
    let log_path = log::configured_path(log_config)?;
    let mut log_entries = Vec::new();
    // The scan, as an event about every artifact: what the KPIs (time to remediate) read.
    if let Some(l) = ledger.as_mut() {
        let fingerprints: Vec<&str> = report
            .findings
            .iter()
            .map(|f| f.fingerprint.as_str())
            .collect();
        let events: Vec<tollgate_model::Event> = digests
            .iter()
            .map(|(_, d)| tollgate_model::Event {
                kind: tollgate_model::EventType::Scan,
                actor: format!("key:{}", signer.key_id()),
                subject: *d,
                environment: None,
                time: None,
                payload: Some(serde_json::json!({
                    "findings": report.findings.len(),
                    "failing": outcome.failing,
                    "failOn": outcome.threshold.to_string(),
                    "fingerprints": fingerprints,
                })),
            })
            .collect();
        log_entries.extend(l.append(&events)?);
    }
    let mut record = |b: &mut Bundle| -> Result<()> {
        if let Some(l) = ledger.as_mut() {
            log_entries.extend(log::publish(l, b, signer.public_key())?);
        }
        Ok(())
    };
    for (art, _) in &digests {
        let (_, mut sig) = tollgate_attest::sign_file(signer.as_ref(), art).map_err(attest_err)?;
        record(&mut sig)?;
        let p = req.evidence.join(format!(
            "{}{}",
            file_name(art),
            tollgate_attest::BUNDLE_SUFFIX
        ));
        let text = sig.to_json();
        write(&p, &text)?;
        entry(&p, "signature", None, &text);
        written.push(p);
    }
    let jsonl_path = req.evidence.join(JSONL);
    let mut jsonl = String::new();
    for (kind, st) in statements {
        let ptype = st.predicate_type.clone();
        let mut b = attest_statement(signer.as_ref(), st).map_err(attest_err)?;
        record(&mut b)?;
        let p = req.evidence.join(format!("{kind}.sigstore.json"));
        let text = b.to_json();
        write(&p, &text)?;
        entry(&p, "attestation", Some(ptype), &text);
        written.push(p);
        jsonl.push_str(&b.to_value().to_string());
        jsonl.push('\n');
    }
    write(&jsonl_path, &jsonl)?;
    entry(&jsonl_path, "collection", None, &jsonl);
    written.push(jsonl_path);
    // With a log, the Sigstore trusted root naming its key, for `verify --trusted-root` and
    // other Sigstore verifiers. The gate never takes trust from it (it names the log itself).
    if let Some(l) = &ledger {
        let p = req.evidence.join(TRUSTED_ROOT);
        let doc: serde_json::Value =
            serde_json::from_str(&log::trusted_root_json(l)?).map_err(attest_err)?;
        let text = serde_json::to_string_pretty(&doc).map_err(attest_err)?;
        write(&p, &text)?;
        entry(&p, "trusted-root", None, &text);
        written.push(p);
    }
    let manifest = Manifest {
        schema: MANIFEST_SCHEMA,
        tool: format!("tollgate {}", env!("CARGO_PKG_VERSION")),
        created: tollgate_attest::predicates::rfc3339(OffsetDateTime::now_utc()),
        signer: signer.key_id().to_string(),
        artifacts: digests
            .iter()
            .map(|(p, d)| ArtifactEntry {
                name: file_name(p),
                digest: *d,
            })
            .collect(),
        files,
        log_entries,
    };
    let p = req.evidence.join(MANIFEST);
    let mut f = std::fs::File::create(&p).map_err(|e| ReleaseError::io(&p, e))?;
    let text = serde_json::to_string_pretty(&manifest).map_err(attest_err)?;
    writeln!(f, "{text}").map_err(|e| ReleaseError::io(&p, e))?;
    written.push(p);
    Ok(ReleaseOutcome {
        scan: outcome,
        manifest,
        written,
        key_id: signer.key_id().to_string(),
        log: log_path,
    })
}
