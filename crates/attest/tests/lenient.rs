//! Issue 22 item 10: bundle mutations that used to verify, one test each. Every one must be
//! refused with its reason (docs/attest.md "What a bundle must be").

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use tollgate_attest::{
    ArtifactRef, Bundle, KeyAlgorithm, PrivateKey, Requirements, Statement, Subject, Trust,
    VerifyError, verify_bundle,
};
use tollgate_model::Digest;

struct Fixture {
    key: PrivateKey,
    digest: Digest,
}

fn fixture() -> Fixture {
    Fixture {
        key: PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap(),
        digest: tollgate_model::sha256(b"artifact"),
    }
}

impl Fixture {
    fn message(&self) -> Value {
        Bundle::sign_message(&self.key, &self.digest, None)
            .unwrap()
            .to_value()
    }
    fn dsse(&self) -> Value {
        tollgate_attest::attest_statement(
            &self.key,
            Statement::new(
                vec![Subject::sha256("a", &self.digest)],
                "https://example.com/p",
                json!({}),
            ),
        )
        .unwrap()
        .to_value()
    }
    /// Verifies `bundle`; the reason when refused.
    fn verify(&self, bundle: &Value) -> Result<(), String> {
        match verify_bundle(
            bundle.to_string().as_bytes(),
            &ArtifactRef::Digest(self.digest),
            &Trust::key(self.key.public_key().clone()),
            &Requirements::default(),
        ) {
            Ok(_) => Ok(()),
            Err(e @ VerifyError::Failed(_)) => Err(e.to_string()),
            Err(e) => panic!("not a verification failure: {e}"),
        }
    }
    fn refused(&self, bundle: &Value, reason: &str) {
        match self.verify(bundle) {
            Ok(()) => panic!("verified: {bundle}"),
            Err(e) => assert!(e.contains(reason), "expected {reason:?} in {e:?}"),
        }
    }
}

fn sig_of(v: &Value, pointer: &str) -> Vec<u8> {
    STANDARD
        .decode(v.pointer(pointer).unwrap().as_str().unwrap())
        .unwrap()
}

fn set(v: &mut Value, pointer: &str, new: Value) {
    *v.pointer_mut(pointer).unwrap() = new;
}

#[test]
fn unmodified_bundles_verify() {
    let f = fixture();
    f.verify(&f.message()).unwrap();
    f.verify(&f.dsse()).unwrap();
}

#[test]
fn message_digest_removed() {
    let f = fixture();
    let mut b = f.message();
    b["messageSignature"]
        .as_object_mut()
        .unwrap()
        .remove("messageDigest");
    f.refused(&b, "messageSignature has no messageDigest");
}

#[test]
fn bogus_certificate_beside_the_public_key() {
    let f = fixture();
    for mut b in [f.message(), f.dsse()] {
        b["verificationMaterial"]["certificate"] = json!({"rawBytes": "MIIBbG9ndXM="});
        f.refused(
            &b,
            "verificationMaterial has publicKey and certificate: a bundle carries exactly one",
        );
    }
    let mut b = f.message();
    b["verificationMaterial"]["x509CertificateChain"] =
        json!({"certificates": [{"rawBytes": "MIIBbG9ndXM="}]});
    f.refused(&b, "publicKey and x509CertificateChain");
}

#[test]
fn high_s_twin_of_an_ecdsa_signature() {
    let f = fixture();
    let mut b = f.message();
    let sig = sig_of(&b, "/messageSignature/signature");
    let twin = tollgate_attest::ecdsa::twin(sig.clone());
    assert_ne!(twin, sig);
    // The twin is a valid signature (that is the malleability)...
    f.key
        .public_key()
        .verify_digest(&f.digest, &twin)
        .expect("the twin verifies cryptographically");
    set(
        &mut b,
        "/messageSignature/signature",
        json!(STANDARD.encode(&twin)),
    );
    // ...that the bundle check refuses.
    f.refused(&b, "high-S form");
    let mut b = f.dsse();
    let sig = sig_of(&b, "/dsseEnvelope/signatures/0/sig");
    set(
        &mut b,
        "/dsseEnvelope/signatures/0/sig",
        json!(STANDARD.encode(tollgate_attest::ecdsa::twin(sig))),
    );
    f.refused(&b, "high-S form");
}

#[test]
fn tollgate_writes_only_low_s_signatures() {
    // aws-lc signs high-S about half the time: without normalising at signing, some of these
    // would be refused by the check above.
    let f = fixture();
    for _ in 0..16 {
        let m = f.message();
        assert!(!tollgate_attest::ecdsa::is_high_s(&sig_of(
            &m,
            "/messageSignature/signature"
        )));
        f.verify(&m).unwrap();
        let d = f.dsse();
        assert!(!tollgate_attest::ecdsa::is_high_s(&sig_of(
            &d,
            "/dsseEnvelope/signatures/0/sig"
        )));
        f.verify(&d).unwrap();
    }
}

#[test]
fn extra_garbage_dsse_signature() {
    let f = fixture();
    for extra in [
        json!({"keyid": "garbage", "sig": "Z2FyYmFnZQ=="}),
        json!({"sig": "Z2FyYmFnZQ=="}),
    ] {
        let mut b = f.dsse();
        b["dsseEnvelope"]["signatures"]
            .as_array_mut()
            .unwrap()
            .push(extra);
        f.refused(
            &b,
            "the DSSE envelope has 2 signatures: the envelope of a Sigstore bundle carries exactly one",
        );
    }
}

#[test]
fn empty_dsse_keyid() {
    let f = fixture();
    let mut b = f.dsse();
    set(&mut b, "/dsseEnvelope/signatures/0/keyid", json!(""));
    f.refused(&b, "the DSSE signature has an empty keyid");
    // Absent is the same as empty.
    let mut b = f.dsse();
    b["dsseEnvelope"]["signatures"][0]
        .as_object_mut()
        .unwrap()
        .remove("keyid");
    f.refused(&b, "the DSSE signature has an empty keyid");
}

#[test]
fn wrong_dsse_keyid_is_named() {
    let f = fixture();
    let mut b = f.dsse();
    set(
        &mut b,
        "/dsseEnvelope/signatures/0/keyid",
        json!("not-my-key"),
    );
    f.refused(
        &b,
        &format!(
            "the DSSE signature's keyid \"not-my-key\" is not the id of a trusted key (trusted: {} of key)",
            f.key.public_key().key_id()
        ),
    );
}
