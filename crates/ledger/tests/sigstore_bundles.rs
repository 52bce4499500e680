//! Bundles carry this log's inclusion proof (`verificationMaterial.tlogEntries[]`), and Sigstore
//! verifiers accept it given the trusted root `tollgate log trusted-root` exports:
//! - the sigstore-verify crate (through `tollgate_attest::verify_bundle`, the path of
//!   `tollgate verify`), which also reports the tlog check explicitly;
//! - npm `@sigstore/verify` as a library with its DEFAULT thresholds (one log entry, one
//!   timestamp), from scripts/peers/attest.sh (a missing peer fails under `CI`, else skips).
//!
//! Tampering with the artifact, signature, canonicalizedBody, a proof hash, the root hash, the
//! tree size, the checkpoint signature or the signed entry timestamp makes both fail.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use tollgate_attest::keys::{KeyAlgorithm, PrivateKey};
use tollgate_attest::statement::{Statement, Subject, TEST_RESULT_V01};
use tollgate_attest::{
    ArtifactRef, Bundle, Requirements, Status, Trust, Verified, VerifyError, append_to_log,
    attest_statement, sign_file, verify_bundle,
};
use tollgate_ledger::{Event, Leaf, Log, PrepareEvent, trusted_root};

const ORIGIN: &str = "log.example/tollgate";
const JS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../attest/tests/peers/sigstore_verify.js"
);

struct Fixture {
    dir: tempfile::TempDir,
    log: Log,
    key: PrivateKey,
    artifact: PathBuf,
    root: String,
}

fn event(i: usize) -> Event {
    Event::from_json(&format!(
        r#"{{"type":"scan","actor":"ci","subject":"sha256:{:064x}"}}"#,
        i
    ))
    .unwrap()
}

fn fixture(alg: KeyAlgorithm) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let mut log = Log::init(&dir.path().join("log.db"), Some(ORIGIN))
        .unwrap()
        .log;
    // Some events first, so proofs have hashes on both sides.
    log.append(&(0..5).map(event).collect::<Vec<_>>()).unwrap();
    let key = PrivateKey::generate(alg).unwrap();
    let artifact = dir.path().join("app.tar.gz");
    std::fs::write(&artifact, b"release artifact bytes\n").unwrap();
    let root = trusted_root::trusted_root(log.verifier(), "", &log.created().unwrap()).to_string();
    Fixture {
        dir,
        log,
        key,
        artifact,
        root,
    }
}

/// A signed message bundle and an attestation bundle, both logged (with events between).
fn logged_bundles(f: &mut Fixture) -> Vec<(&'static str, Bundle)> {
    let (d, mut sig) = sign_file(&f.key, &f.artifact).unwrap();
    append_to_log(&mut f.log, &mut sig, f.key.public_key()).unwrap();
    f.log.append(&[event(9)]).unwrap();
    let mut att = attest_statement(
        &f.key,
        Statement::new(
            vec![Subject::sha256("app.tar.gz", &d)],
            TEST_RESULT_V01,
            serde_json::json!({"result": "PASSED", "configuration": [], "passedTests": ["a"],
                               "warnedTests": [], "failedTests": []}),
        ),
    )
    .unwrap();
    append_to_log(&mut f.log, &mut att, f.key.public_key()).unwrap();
    f.log.append(&[event(10), event(11)]).unwrap();
    vec![("message", sig), ("dsse", att)]
}

fn trust(f: &Fixture) -> Trust {
    Trust {
        trusted_root_json: Some(f.root.clone()),
        ..Trust::key(f.key.public_key().clone())
    }
}

fn tollgate_verify(f: &Fixture, bundle: &str, artifact: &Path) -> Result<Verified, Box<Verified>> {
    match verify_bundle(
        bundle.as_bytes(),
        &ArtifactRef::Path(artifact.to_path_buf()),
        &trust(f),
        &Requirements::default(),
    ) {
        Ok(v) => Ok(v),
        Err(VerifyError::Failed(v)) => Err(v),
        Err(e) => panic!("{e}"),
    }
}

fn reencode(v: &mut Value, ptr: &str, change: impl FnOnce(&mut Vec<u8>)) {
    let slot = v.pointer_mut(ptr).unwrap_or_else(|| panic!("{ptr}"));
    let mut bytes = STANDARD.decode(slot.as_str().unwrap()).unwrap();
    change(&mut bytes);
    *slot = STANDARD.encode(bytes).into();
}

const E: &str = "/verificationMaterial/tlogEntries/0";

/// A named change to the bundle JSON.
type Tampering = (&'static str, Box<dyn Fn(&mut Value)>);

/// Each tampering, applied to the bundle JSON.
fn tamperings(kind: &str) -> Vec<Tampering> {
    let sig_ptr = if kind == "message" {
        "/messageSignature/signature"
    } else {
        "/dsseEnvelope/signatures/0/sig"
    };
    vec![
        (
            "signature",
            Box::new(move |v: &mut Value| reencode(v, sig_ptr, |b| b[12] ^= 1)),
        ),
        (
            "canonicalizedBody",
            Box::new(|v: &mut Value| {
                reencode(v, &format!("{E}/canonicalizedBody"), |b| {
                    // Change one hex digit of the logged hash, keeping valid JSON.
                    let i = b.windows(8).position(|w| w == b"\"value\":").unwrap() + 9;
                    b[i] = if b[i] == b'0' { b'1' } else { b'0' };
                })
            }),
        ),
        (
            "proof hash",
            Box::new(|v: &mut Value| {
                reencode(v, &format!("{E}/inclusionProof/hashes/0"), |b| b[0] ^= 1)
            }),
        ),
        (
            "checkpoint signature",
            Box::new(|v: &mut Value| {
                let p = format!("{E}/inclusionProof/checkpoint/envelope");
                let env = v.pointer(&p).unwrap().as_str().unwrap().to_string();
                let (body, sig) = env.split_once("\n\n").unwrap();
                let line = sig.trim_end().rsplit_once(' ').unwrap();
                let mut raw = STANDARD.decode(line.1).unwrap();
                raw[10] ^= 1;
                *v.pointer_mut(&p).unwrap() =
                    format!("{body}\n\n{} {}\n", line.0, STANDARD.encode(raw)).into();
            }),
        ),
        (
            "root hash (checkpoint and proof)",
            Box::new(|v: &mut Value| {
                let p = format!("{E}/inclusionProof/checkpoint/envelope");
                let env = v.pointer(&p).unwrap().as_str().unwrap().to_string();
                let mut lines: Vec<String> = env.split('\n').map(str::to_string).collect();
                let mut root = STANDARD.decode(&lines[2]).unwrap();
                root[0] ^= 1;
                lines[2] = STANDARD.encode(&root);
                *v.pointer_mut(&p).unwrap() = lines.join("\n").into();
                *v.pointer_mut(&format!("{E}/inclusionProof/rootHash"))
                    .unwrap() = STANDARD.encode(&root).into();
            }),
        ),
        (
            "tree size (checkpoint and proof)",
            Box::new(|v: &mut Value| {
                let p = format!("{E}/inclusionProof/checkpoint/envelope");
                let env = v.pointer(&p).unwrap().as_str().unwrap().to_string();
                let mut lines: Vec<String> = env.split('\n').map(str::to_string).collect();
                let size: u64 = lines[1].parse().unwrap();
                lines[1] = (size + 1).to_string();
                *v.pointer_mut(&p).unwrap() = lines.join("\n").into();
                *v.pointer_mut(&format!("{E}/inclusionProof/treeSize"))
                    .unwrap() = (size + 1).to_string().into();
            }),
        ),
        (
            "signed entry timestamp",
            Box::new(|v: &mut Value| {
                reencode(
                    v,
                    &format!("{E}/inclusionPromise/signedEntryTimestamp"),
                    |b| b[5] ^= 1,
                )
            }),
        ),
        (
            "integrated time",
            Box::new(|v: &mut Value| {
                let p = format!("{E}/integratedTime");
                let t: i64 = v.pointer(&p).unwrap().as_str().unwrap().parse().unwrap();
                *v.pointer_mut(&p).unwrap() = (t - 3600).to_string().into();
            }),
        ),
        (
            "log index",
            Box::new(|v: &mut Value| {
                for p in [
                    format!("{E}/logIndex"),
                    format!("{E}/inclusionProof/logIndex"),
                ] {
                    let i: u64 = v.pointer(&p).unwrap().as_str().unwrap().parse().unwrap();
                    *v.pointer_mut(&p).unwrap() = (i + 1).to_string().into();
                }
            }),
        ),
    ]
}

/// The fields Rekor v1 duplicates outside the signed checkpoint, changed alone.
fn duplicate_tamperings() -> Vec<Tampering> {
    vec![
        (
            "inclusionProof.rootHash alone",
            Box::new(|v: &mut Value| {
                reencode(v, &format!("{E}/inclusionProof/rootHash"), |b| b[0] ^= 1)
            }),
        ),
        (
            "inclusionProof.treeSize alone",
            Box::new(|v: &mut Value| {
                let p = format!("{E}/inclusionProof/treeSize");
                let s: u64 = v.pointer(&p).unwrap().as_str().unwrap().parse().unwrap();
                *v.pointer_mut(&p).unwrap() = (s + 1).to_string().into();
            }),
        ),
    ]
}

#[test]
fn entries_are_sigstore_log_bodies_and_the_log_still_verifies() {
    let mut f = fixture(KeyAlgorithm::EcdsaP256);
    let bundles = logged_bundles(&mut f);
    for (kind, b) in &bundles {
        let e = &b.tlog_entries[0];
        let index: u64 = e["logIndex"].as_str().unwrap().parse().unwrap();
        let body = STANDARD
            .decode(e["canonicalizedBody"].as_str().unwrap())
            .unwrap();
        // The leaf is exactly the canonicalized body.
        assert_eq!(f.log.entry(index).unwrap(), body, "{kind}");
        let leaf = Leaf::from_canonical(&body).unwrap();
        let want = if *kind == "message" {
            "hashedrekord"
        } else {
            "dsse"
        };
        assert!(
            matches!(&leaf, Leaf::Sigstore { kind, version } if kind == want && version == "0.0.1")
        );
        assert_eq!(e["kindVersion"]["kind"], want);
        assert_eq!(
            e["logId"]["keyId"],
            serde_json::from_str::<Value>(&f.root).unwrap()["tlogs"][0]["logId"]["keyId"]
        );
    }
    // Events and Sigstore bodies share the tree; verify checks both kinds.
    let report = f.log.verify(&[]).unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!(report.size, 10);
    // A Sigstore leaf that is not canonical is a problem like a broken event.
    let bad = br#"{"apiVersion":"0.0.1","kind":"dsse","spec":{"b":1,"a":2}}"#;
    assert!(f.log.append_sigstore(bad).is_err());
    assert!(f.log.append_sigstore(b"{\"type\":\"scan\"}").is_err());
}

#[test]
fn sigstore_verify_crate_and_tollgate_verify() {
    for alg in [KeyAlgorithm::EcdsaP256, KeyAlgorithm::Ed25519] {
        let mut f = fixture(alg);
        for (kind, b) in logged_bundles(&mut f) {
            let text = b.to_json();
            let v = tollgate_verify(&f, &text, &f.artifact)
                .unwrap_or_else(|v| panic!("{alg} {kind}: {:#?}", v.checks));
            let tlog = v
                .checks
                .iter()
                .find(|c| c.name == "transparency log")
                .unwrap();
            assert_eq!(tlog.status, Status::Passed, "{tlog:?}");
            assert!(
                tlog.detail
                    .contains(&format!("verified against checkpoint of {ORIGIN} at size "))
                    && tlog.detail.contains("signed entry timestamp verified"),
                "{}",
                tlog.detail
            );
            assert!(v.signed_at.is_some(), "the log proves the signing time");

            // Another artifact.
            let other = f.dir.path().join("other");
            std::fs::write(&other, b"not the artifact").unwrap();
            assert!(tollgate_verify(&f, &text, &other).is_err());
            // Every tampering, including the duplicated fields sigstore-verify and tollgate
            // cross-check against the signed checkpoint.
            let mut all = tamperings(kind);
            all.extend(duplicate_tamperings());
            for (what, tamper) in all {
                let mut j = b.to_value();
                tamper(&mut j);
                let r = tollgate_verify(&f, &j.to_string(), &f.artifact);
                let Err(v) = r else {
                    panic!("{alg} {kind}: tampered {what} accepted");
                };
                let failed: Vec<_> = v
                    .checks
                    .iter()
                    .filter(|c| c.status == Status::Failed)
                    .collect();
                if what != "signature" {
                    // The signature is intact: the failure is pinned on the log entry.
                    assert!(
                        failed.iter().any(|c| c.name == "transparency log"),
                        "{alg} {kind} {what}: {failed:?}"
                    );
                }
            }
            // A trusted root for another log.
            let other_log = Log::init(
                &f.dir.path().join(format!("other-{kind}.db")),
                Some("other.example/log"),
            )
            .unwrap()
            .log;
            let other_root =
                trusted_root::trusted_root(other_log.verifier(), "", "2020-01-01T00:00:00Z");
            let r = verify_bundle(
                text.as_bytes(),
                &ArtifactRef::Path(f.artifact.clone()),
                &Trust {
                    trusted_root_json: Some(other_root.to_string()),
                    ..Trust::key(f.key.public_key().clone())
                },
                &Requirements::default(),
            );
            assert!(r.is_err(), "{alg} {kind}: accepted with another log's root");
        }
    }
}

fn node_modules() -> PathBuf {
    let base = match std::env::var_os("TOLLGATE_PEERS_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
            .join(".cache/tollgate-peers"),
    };
    base.join("attest/node_modules")
}

fn node_available() -> bool {
    let ok = Command::new("node")
        .env("NODE_PATH", node_modules())
        .args([
            "-e",
            "require('@sigstore/verify'); require('@sigstore/bundle'); require('@sigstore/protobuf-specs')",
        ])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok {
        assert!(
            std::env::var_os("CI").is_none_or(|v| v.is_empty()),
            "peer npm @sigstore/verify is missing: run scripts/peers/attest.sh"
        );
        eprintln!("SKIP: npm @sigstore/verify missing (run scripts/peers/attest.sh)");
    }
    ok
}

fn js_verify(f: &Fixture, bundle: &str, artifact: &Path) -> (bool, String) {
    js_verify_with_root(f, bundle, artifact, &f.root)
}

fn js_verify_with_root(f: &Fixture, bundle: &str, artifact: &Path, root: &str) -> (bool, String) {
    let b = f.dir.path().join("bundle.json");
    std::fs::write(&b, bundle).unwrap();
    let key = f.dir.path().join("key.pub");
    std::fs::write(&key, f.key.public_key().to_pem()).unwrap();
    let root_text = root;
    let root = f.dir.path().join("trusted_root.json");
    std::fs::write(&root, root_text).unwrap();
    let out = Command::new("node")
        .env("NODE_PATH", node_modules())
        .arg(JS)
        .arg(&b)
        .arg(artifact)
        .arg(&key)
        .arg("--trusted-root")
        .arg(&root)
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn npm_sigstore_verify_with_default_thresholds() {
    if !node_available() {
        return;
    }
    for alg in [KeyAlgorithm::EcdsaP256, KeyAlgorithm::Ed25519] {
        let mut f = fixture(alg);
        for (kind, b) in logged_bundles(&mut f) {
            if alg == KeyAlgorithm::Ed25519 && kind == "message" {
                // @sigstore/verify 3.x refuses Ed25519 message signatures whatever the log
                // (docs/attest.md); Ed25519 DSSE works.
                continue;
            }
            let text = b.to_json();
            let (ok, out) = js_verify(&f, &text, &f.artifact);
            assert!(ok, "{alg} {kind}: {out}");
            let other = f.dir.path().join("other");
            std::fs::write(&other, b"not the artifact").unwrap();
            let (ok, out) = js_verify(&f, &text, &other);
            assert!(!ok, "{alg} {kind}: other artifact accepted: {out}");
            for (what, tamper) in tamperings(kind) {
                let mut j = b.to_value();
                tamper(&mut j);
                let (ok, out) = js_verify(&f, &j.to_string(), &f.artifact);
                assert!(!ok, "{alg} {kind}: tampered {what} accepted: {out}");
            }
            // @sigstore/verify takes the tree size and root from the signed checkpoint and
            // ignores the copies Rekor v1 keeps beside it (tollgate and sigstore-verify refuse
            // a disagreement, see above). Pinned so a change is noticed (docs/attest.md).
            for (what, tamper) in duplicate_tamperings() {
                let mut j = b.to_value();
                tamper(&mut j);
                let (ok, out) = js_verify(&f, &j.to_string(), &f.artifact);
                assert!(
                    ok,
                    "{alg} {kind}: @sigstore/verify now checks {what}: update docs/attest.md ({out})"
                );
            }
            // Without our log in the trusted root: refused (no tlog authority for the entry).
            let other_log = Log::init(
                &f.dir.path().join(format!("x-{kind}.db")),
                Some("x.example/log"),
            )
            .unwrap()
            .log;
            let other_root =
                trusted_root::trusted_root(other_log.verifier(), "", "2020-01-01T00:00:00Z")
                    .to_string();
            let (ok, out) = js_verify_with_root(&f, &text, &f.artifact, &other_root);
            assert!(!ok, "{alg} {kind}: accepted with another log's root: {out}");
        }
    }
}
