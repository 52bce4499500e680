//! Interop with peer implementations (offline):
//! - DSSE envelopes verify with Python securesystemslib; Statements parse with the in-toto
//!   attestation Python bindings; tampered ones fail;
//! - bundles verify with npm @sigstore/verify (as a library); the sigstore-verify
//!   crate reads them and asks for a log entry; a tampered artifact or signature fails.
//!
//! Peers come from scripts/peers/attest.sh; missing peers fail under CI and skip otherwise.

mod common;

use base64::Engine as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use tollgate_attest::keys::{KeyAlgorithm, PrivateKey};
use tollgate_attest::statement::{Statement, Subject, TEST_RESULT_V01};
use tollgate_attest::{Bundle, attest_statement, sign_file};

const PEERS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers");

struct Fixture {
    dir: tempfile::TempDir,
    key: PrivateKey,
    artifact: PathBuf,
    pubkey: PathBuf,
}

fn fixture(alg: KeyAlgorithm) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let key = PrivateKey::generate(alg).unwrap();
    let artifact = dir.path().join("app.tar.gz");
    std::fs::write(&artifact, b"release artifact bytes\n").unwrap();
    let pubkey = dir.path().join("key.pub");
    std::fs::write(&pubkey, key.public_key().to_pem()).unwrap();
    Fixture {
        dir,
        key,
        artifact,
        pubkey,
    }
}

fn statement_bundle(f: &Fixture) -> Bundle {
    let d = tollgate_attest::hash::sha256_file(&f.artifact).unwrap();
    attest_statement(
        &f.key,
        Statement::new(
            vec![Subject::sha256("app.tar.gz", &d)],
            TEST_RESULT_V01,
            serde_json::json!({"result": "PASSED", "configuration": [], "passedTests": ["a"],
                               "warnedTests": [], "failedTests": []}),
        ),
    )
    .unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn tampered_payload(b: &Bundle) -> serde_json::Value {
    let mut env = b.to_value()["dsseEnvelope"].clone();
    let payload = String::from_utf8(b.envelope().unwrap().payload.clone())
        .unwrap()
        .replace("PASSED", "FAILED");
    env["payload"] = base64::engine::general_purpose::STANDARD
        .encode(payload)
        .into();
    env
}

#[test]
fn securesystemslib_and_in_toto_bindings() {
    if !common::require(
        "python securesystemslib + in-toto-attestation",
        Command::new("python3").args([
            "-c",
            "import securesystemslib.signer, cryptography, in_toto_attestation.v1.statement",
        ]),
    ) {
        return;
    }
    for (alg, scheme) in [
        (KeyAlgorithm::EcdsaP256, "ecdsa-sha2-nistp256"),
        (KeyAlgorithm::Ed25519, "ed25519"),
    ] {
        let f = fixture(alg);
        let b = statement_bundle(&f);
        let env = write(
            f.dir.path(),
            "env.json",
            &b.to_value()["dsseEnvelope"].to_string(),
        );
        let check = |env: &Path| {
            run(Command::new("python3")
                .arg(format!("{PEERS}/dsse_check.py"))
                .arg(env)
                .arg(&f.pubkey)
                .arg(scheme))
        };
        let (ok, out) = check(&env);
        assert!(ok, "{alg}: {out}");
        assert!(out.contains(TEST_RESULT_V01), "{out}");

        let bad = write(f.dir.path(), "bad.json", &tampered_payload(&b).to_string());
        let (ok, out) = check(&bad);
        assert!(
            !ok && out.contains("FAIL signature"),
            "{alg} tampered: {out}"
        );

        // A signed payload that is not a valid Statement is refused by the bindings.
        let not_statement = tollgate_attest::dsse::Envelope::sign(
            tollgate_attest::dsse::INTOTO_PAYLOAD_TYPE,
            br#"{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":""}"#
                .to_vec(),
            &f.key,
        )
        .unwrap();
        let p = write(f.dir.path(), "ns.json", &not_statement.to_json());
        let (ok, out) = check(&p);
        assert!(!ok && out.contains("FAIL statement"), "{out}");
    }
}

#[test]
fn npm_sigstore_verify() {
    let node_modules = common::node_dir().join("node_modules");
    if !common::require(
        "npm @sigstore/verify",
        Command::new("node").env("NODE_PATH", &node_modules).args([
            "-e",
            "require('@sigstore/verify'); require('@sigstore/bundle')",
        ]),
    ) {
        return;
    }
    let verify = |bundle: &Path, artifact: &Path, key: &Path, extra: &[&str]| {
        run(Command::new("node")
            .env("NODE_PATH", &node_modules)
            .arg(format!("{PEERS}/sigstore_verify.js"))
            .arg(bundle)
            .arg(artifact)
            .arg(key)
            .args(extra))
    };
    for alg in [KeyAlgorithm::EcdsaP256, KeyAlgorithm::Ed25519] {
        let f = fixture(alg);
        let (_, sig) = sign_file(&f.key, &f.artifact).unwrap();
        let sig_path = write(f.dir.path(), "app.sigstore.json", &sig.to_json());
        let att = statement_bundle(&f);
        let att_path = write(f.dir.path(), "att.sigstore.json", &att.to_json());
        for p in [&sig_path, &att_path] {
            let (ok, out) = verify(p, &f.artifact, &f.pubkey, &[]);
            if alg == KeyAlgorithm::Ed25519 && p == &sig_path {
                // @sigstore/verify 3.x checks message signatures with the bundle's SHA-256 as
                // the signature hash, which Node refuses for Ed25519 keys: Ed25519 message
                // signatures only verify with tollgate and sigstore-verify (why P-256 is the
                // default). Documented in docs/attest.md; DSSE with Ed25519 works.
                assert!(
                    !ok,
                    "Ed25519 message signatures now verify with @sigstore/verify: update docs/attest.md"
                );
                continue;
            }
            assert!(ok, "{alg} {}: {out}", p.display());
            // With the library's default thresholds a bundle with no log entry is refused:
            // documented in docs/attest.md.
            let (ok, out) = verify(p, &f.artifact, &f.pubkey, &["--default-thresholds"]);
            assert!(!ok, "{out}");
        }
        // Tampered artifact.
        let other = write(f.dir.path(), "other", "not the artifact");
        for p in [&sig_path, &att_path] {
            let (ok, out) = verify(p, &other, &f.pubkey, &[]);
            assert!(
                !ok,
                "{alg} {}: tampered artifact accepted: {out}",
                p.display()
            );
        }
        // Tampered signature / payload.
        if alg == KeyAlgorithm::Ed25519 {
            continue;
        }
        let mut v = sig.to_value();
        let mut s = sig_bytes(&v);
        s[10] ^= 1;
        v["messageSignature"]["signature"] =
            base64::engine::general_purpose::STANDARD.encode(&s).into();
        let bad = write(f.dir.path(), "bad.sigstore.json", &v.to_string());
        let (ok, out) = verify(&bad, &f.artifact, &f.pubkey, &[]);
        assert!(!ok, "{alg} tampered signature accepted: {out}");
        let mut v = att.to_value();
        v["dsseEnvelope"] = tampered_payload(&att);
        let bad = write(f.dir.path(), "bad2.sigstore.json", &v.to_string());
        let (ok, out) = verify(&bad, &f.artifact, &f.pubkey, &[]);
        assert!(!ok, "{alg} tampered payload accepted: {out}");
        // Another key.
        let k2 = PrivateKey::generate(alg).unwrap();
        let k2p = write(f.dir.path(), "k2.pub", &k2.public_key().to_pem());
        let (ok, _) = verify(&sig_path, &f.artifact, &k2p, &[]);
        assert!(!ok);
    }
}

fn sig_bytes(v: &serde_json::Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(v["messageSignature"]["signature"].as_str().unwrap())
        .unwrap()
}

/// The sigstore-verify crate requires every bundle to carry a transparency-log entry or an
/// RFC 3161 timestamp, so our offline key-based bundles (no log yet) are refused by it with
/// that exact reason (documented in docs/attest.md). Once the ledger appends entries, the same
/// bundles go through its managed-key path (see the conformance suite's managed-key cases).
#[test]
fn sigstore_verify_crate_needs_a_log_entry() {
    use sigstore_verify::types::Bundle as SsBundle;
    let f = fixture(KeyAlgorithm::EcdsaP256);
    let (_, sig) = sign_file(&f.key, &f.artifact).unwrap();
    let att = statement_bundle(&f);
    for b in [&sig, &att] {
        // Its parser reads our JSON…
        let parsed = SsBundle::from_json(&b.to_json());
        // …and its validation asks for a log entry or a timestamp.
        let err = match parsed {
            Err(e) => e.to_string(),
            Ok(p) => {
                let root = tollgate_attest::keyless::trusted_root(None).unwrap();
                let verifier = sigstore_verify::Verifier::new(&root).unwrap();
                let policy = sigstore_verify::PublicKeyVerificationPolicy::new(
                    sigstore_verify::types::DerPublicKey::new(
                        f.key.public_key().spki_der().to_vec(),
                    ),
                )
                .skip_tlog_unsafe();
                let bytes = std::fs::read(&f.artifact).unwrap();
                verifier
                    .verify(
                        sigstore_verify::types::Artifact::from_blob(&bytes),
                        &p,
                        &policy,
                    )
                    .map(|_| String::new())
                    .unwrap_or_else(|e| e.to_string())
            }
        };
        assert!(
            err.contains("at least one tlog entry or timestamp"),
            "{err}"
        );
    }
}
