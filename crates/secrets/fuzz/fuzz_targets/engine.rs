//! Any bytes through the keyword prefilter, windowed regexes and validators: no panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tollgate_secrets::{Input, SecretsScanner};

static SCANNER: OnceLock<SecretsScanner> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let s = SCANNER.get_or_init(|| SecretsScanner::builtin().expect("built-in rules"));
    let input = Input {
        display: "fuzz",
        rel: "fuzz",
        member: None,
        origin: None,
    };
    let _ = s.scan_bytes(&input, data);
    let _ = tollgate_secrets::cilog::strip_ansi(data);
});
