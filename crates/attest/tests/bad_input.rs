//! Malformed bundles are rejected with a reason and never panic (a small deterministic
//! stand-in for the fuzz targets in crates/attest/fuzz, run on every `cargo test`).

use tollgate_attest::{
    ArtifactRef, Bundle, KeyAlgorithm, PrivateKey, Requirements, Trust, verify_bundle,
};

#[test]
fn mutations_of_a_valid_bundle_never_panic_and_never_verify() {
    let k = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let d = tollgate_model::sha256(b"artifact");
    let b = tollgate_attest::attest_statement(
        &k,
        tollgate_attest::Statement::new(
            vec![tollgate_attest::Subject::sha256("a", &d)],
            "https://example.com/p",
            serde_json::json!({}),
        ),
    )
    .unwrap();
    let good = b.to_json().into_bytes();
    let trust = Trust::key(k.public_key().clone());
    let req = Requirements::default();
    assert!(verify_bundle(&good, &ArtifactRef::Digest(d), &trust, &req).is_ok());
    // Truncations, byte flips and deletions at every position of the compact form.
    let compact = b.to_value().to_string().into_bytes();
    let mut accepted = 0;
    for i in 0..compact.len() {
        let mut variants = vec![compact[..i].to_vec()];
        let mut flipped = compact.clone();
        flipped[i] ^= 0x01;
        variants.push(flipped);
        let mut deleted = compact.clone();
        deleted.remove(i);
        variants.push(deleted);
        for v in variants {
            let _ = Bundle::from_json(&v);
            if verify_bundle(&v, &ArtifactRef::Digest(d), &trust, &req).is_ok() {
                // Only changes that do not alter the signed content may still verify
                // (e.g. the key hint or JSON whitespace).
                accepted += 1;
                // (The DSSE keyid is unsigned metadata, so it may change too.)
                let parsed = Bundle::from_json(&v).unwrap();
                let (got, want) = (parsed.envelope().unwrap(), b.envelope().unwrap());
                assert_eq!(got.payload, want.payload, "accepted a changed payload");
                assert_eq!(got.payload_type, want.payload_type);
                assert_eq!(got.signatures[0].sig, want.signatures[0].sig);
            }
        }
    }
    assert!(
        accepted < compact.len(),
        "almost every mutation must be rejected"
    );
}

#[test]
fn reasons_are_given() {
    let k = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let d = tollgate_model::sha256(b"artifact");
    let trust = Trust::key(k.public_key().clone());
    let cases = [
        ("{}", "mediaType"),
        (
            r#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.4+json"}"#,
            "unknown bundle media type",
        ),
        (
            r#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":""}},"dsseEnvelope":{"payload":"e30","payloadType":"x","signatures":[{"sig":"AA=="},{"sig":"AA=="}]}}"#,
            "repeats a signature",
        ),
        (
            r#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":""}},"messageSignature":{"signature":"AAA"}}"#,
            "base64",
        ),
    ];
    for (text, reason) in cases {
        let err = verify_bundle(
            text.as_bytes(),
            &ArtifactRef::Digest(d),
            &trust,
            &Requirements::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains(reason), "{text}: {err}");
    }
}
