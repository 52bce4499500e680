//! A fake signature backend and evidence builders for the gate tests.
//!
//! The fake "signs" a DSSE envelope by writing `hex(sha256(key-id || payload))` as the
//! signature: enough to tell a good signature from a forged one without the attest crate.
#![allow(dead_code)]

use base64::Engine as _;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tollgate_model::{Digest, sha256, sha256_parts};
use tollgate_policy::approvals::{ApprovalPredicate, approval_statement};
use tollgate_policy::gate::EvidenceFile;
use tollgate_policy::{ApprovalSigner, BundleVerifier, TrustRole, VerifiedBundle};

pub const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

pub struct FakeTrust {
    /// key id → (identity, table)
    pub keys: BTreeMap<String, (String, TrustRole)>,
}

impl FakeTrust {
    pub fn standard() -> Self {
        let mut keys = BTreeMap::new();
        keys.insert("k-ci".into(), ("ci".into(), TrustRole::Signer));
        for who in ["alice", "bob", "carol", "dave"] {
            keys.insert(format!("k-{who}"), (who.to_string(), TrustRole::Approver));
        }
        FakeTrust { keys }
    }
}

fn sig(key: &str, payload: &[u8]) -> String {
    sha256_parts(&[key.as_bytes(), payload]).hex()
}

impl BundleVerifier for FakeTrust {
    fn verify(&self, bundle: &[u8], artifact: &Digest) -> Result<VerifiedBundle, String> {
        let v: Value = serde_json::from_slice(bundle).map_err(|e| e.to_string())?;
        let env = v.get("dsseEnvelope").unwrap_or(&v);
        let payload = B64
            .decode(env["payload"].as_str().ok_or("no payload")?)
            .map_err(|e| e.to_string())?;
        let s = &env["signatures"][0];
        let key = s["keyid"].as_str().ok_or("no keyid")?;
        let (identity, trust) = self.keys.get(key).ok_or(format!("unknown key {key}"))?;
        if s["sig"].as_str() != Some(sig(key, &payload).as_str()) {
            return Err(format!("signature by {key} does not verify"));
        }
        let st: Value = serde_json::from_slice(&payload).map_err(|e| e.to_string())?;
        let ok = st["subject"].as_array().is_some_and(|subs| {
            subs.iter()
                .any(|s| s["digest"]["sha256"].as_str() == Some(artifact.hex().as_str()))
        });
        if !ok {
            return Err("no subject matches the artifact digest".into());
        }
        Ok(VerifiedBundle {
            identity: identity.clone(),
            key_id: key.into(),
            trust: *trust,
            predicate_type: st["predicateType"].as_str().map(str::to_string),
            statement: Some(st),
            checks: vec!["signature".into(), "subject".into()],
        })
    }
}

/// Signs with a fixed key id (the fake counterpart of `tollgate approve --key`).
pub struct FakeSigner(pub String);

impl ApprovalSigner for FakeSigner {
    fn sign(&self, statement: &Value) -> Result<Vec<u8>, String> {
        Ok(envelope(&self.0, statement))
    }
}

pub fn envelope(key: &str, statement: &Value) -> Vec<u8> {
    let payload = serde_json::to_vec(statement).unwrap();
    serde_json::to_vec(&json!({
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "dsseEnvelope": {
            "payloadType": "application/vnd.in-toto+json",
            "payload": B64.encode(&payload),
            "signatures": [{"keyid": key, "sig": sig(key, &payload)}],
        }
    }))
    .unwrap()
}

pub fn file(name: &str, bytes: Vec<u8>) -> EvidenceFile {
    EvidenceFile::new(name, bytes)
}

pub fn now() -> OffsetDateTime {
    OffsetDateTime::parse("2026-11-22T12:00:00Z", &Rfc3339).unwrap()
}

pub fn artifact() -> Digest {
    sha256(b"app.tar contents")
}

pub fn statement(art: &Digest, predicate_type: &str, predicate: Value) -> Value {
    json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "app.tar", "digest": {"sha256": art.hex()}}],
        "predicateType": predicate_type,
        "predicate": predicate,
    })
}

pub fn provenance(art: &Digest, builder: &str, source: &str) -> Value {
    statement(
        art,
        "https://slsa.dev/provenance/v1",
        json!({
            "buildDefinition": {
                "buildType": "https://example.com/build/v1",
                "externalParameters": {},
                "resolvedDependencies": [{"uri": source, "digest": {"gitCommit": "abc"}}],
            },
            "runDetails": {"builder": {"id": builder}},
        }),
    )
}

pub fn sbom(art: &Digest) -> Value {
    statement(
        art,
        "https://cyclonedx.org/bom",
        json!({"bomFormat": "CycloneDX", "specVersion": "1.6"}),
    )
}

/// A plain signature over the artifact (a statement with no predicate of interest).
pub fn signature(art: &Digest) -> Value {
    statement(
        art,
        "https://tollgate.dev/attestation/signature/v1",
        json!({}),
    )
}

pub fn approval(who: &str, art: &Digest, env: &str, policy: &Digest, at: OffsetDateTime) -> Value {
    approval_statement(
        "app.tar",
        art,
        &ApprovalPredicate {
            environment: env.into(),
            approver: who.into(),
            policy_digest: policy.to_string(),
            approved_at: at.format(&Rfc3339).unwrap(),
            comment: None,
        },
    )
}

/// A `tollgate.report/v1` with the given scanners and findings `(rule, severity, path, fp)`.
/// A scan-report attestation statement over `art` holding `report` (a tollgate.report/v1).
pub fn scan_statement(art: &Digest, report: &[u8]) -> Value {
    json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "app.tar", "digest": {"sha256": art.hex()}}],
        "predicateType": "https://tollgate.dev/attestation/scan-report/v1",
        "predicate": {
            "scanner": {"uri": "https://tollgate.dev", "version": "0.1.0"},
            "result": "PASSED",
            "failOn": "high",
            "counts": {"findings": 0, "failing": 0, "suppressed": 0},
            "report": serde_json::from_slice::<Value>(report).unwrap(),
        }
    })
}

pub fn report(scanners: &[&str], findings: &[(&str, &str, &str, &str)]) -> Vec<u8> {
    let findings: Vec<Value> = findings
        .iter()
        .map(|(rule, sev, path, fp)| {
            json!({
                "rule": rule, "scanner": rule.split('/').next().unwrap(),
                "severity": sev, "confidence": "high", "message": "m",
                "location": {"path": format!("repo/{path}"), "line": 1, "column": 1, "end_line": 1, "end_column": 2},
                "fingerprint": fp,
            })
        })
        .collect();
    serde_json::to_vec(&json!({
        "schema": "tollgate.report/v1",
        "tool": {"name": "tollgate", "version": "0.1.0"},
        "started": "2026-11-22T10:00:00Z",
        "finished": "2026-11-22T10:00:01Z",
        "roots": ["repo"],
        "ruleset_digest": format!("sha256:{}", "0".repeat(64)),
        "summary": {"findings": findings.len(), "by_severity": {}, "suppressed": 0, "files_scanned": 1},
        "scanners": scanners.iter().map(|s| json!({"name": s, "version": "1", "rules": 1, "files": 1, "findings": 0, "duration_ms": 1})).collect::<Vec<_>>(),
        "findings": findings,
    }))
    .unwrap()
}
