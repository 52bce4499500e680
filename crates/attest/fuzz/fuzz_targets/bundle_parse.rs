//! Bundle parsing and verification never panic, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tollgate_attest::{ArtifactRef, Bundle, PrivateKey, Requirements, Trust, verify_bundle};

fn key() -> &'static PrivateKey {
    static K: OnceLock<PrivateKey> = OnceLock::new();
    K.get_or_init(|| PrivateKey::generate(tollgate_attest::KeyAlgorithm::EcdsaP256).unwrap())
}

fn trust() -> &'static Trust {
    static T: OnceLock<Trust> = OnceLock::new();
    T.get_or_init(|| Trust::key(key().public_key().clone()))
}

fuzz_target!(|data: &[u8]| {
    if let Ok(b) = Bundle::from_json(data) {
        // Log entries are read (summaries, cross-checks) and bodies built from any bundle.
        for e in &b.tlog_entries {
            let _ = tollgate_attest::tlog::EntrySummary::read(e);
        }
        let _ = tollgate_attest::tlog::log_body(&b, key().public_key());
    }
    let d = tollgate_model::sha256(b"artifact");
    let _ = verify_bundle(
        data,
        &ArtifactRef::Digest(d),
        trust(),
        &Requirements::default(),
    );
});
