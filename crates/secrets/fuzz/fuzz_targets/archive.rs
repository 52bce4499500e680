//! Any bytes as a zip / tar / gzip archive (with a valid magic prefix): no panic, limits hold.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tollgate_secrets::{SecretsScanner, Source};

static SCANNER: OnceLock<SecretsScanner> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let s = SCANNER.get_or_init(|| SecretsScanner::builtin().expect("built-in rules"));
    for magic in [&b"PK\x03\x04"[..], &[0x1f, 0x8b][..], &[][..]] {
        let mut d = magic.to_vec();
        d.extend_from_slice(data);
        let _ = s.scan_source(&Source::Bytes {
            display: "fuzz.bin".into(),
            data: d,
        });
    }
});
