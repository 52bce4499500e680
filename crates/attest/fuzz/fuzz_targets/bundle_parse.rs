//! Bundle parsing and verification never panic, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tollgate_attest::{ArtifactRef, Bundle, PrivateKey, Requirements, Trust, verify_bundle};

fn trust() -> &'static Trust {
    static T: OnceLock<Trust> = OnceLock::new();
    T.get_or_init(|| {
        let k = PrivateKey::generate(tollgate_attest::KeyAlgorithm::EcdsaP256).unwrap();
        Trust::key(k.public_key().clone())
    })
}

fuzz_target!(|data: &[u8]| {
    let _ = Bundle::from_json(data);
    let d = tollgate_model::sha256(b"artifact");
    let _ = verify_bundle(
        data,
        &ArtifactRef::Digest(d),
        trust(),
        &Requirements::default(),
    );
});
