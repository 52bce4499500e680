#![no_main]
//! Any input through the bounded loader, with the default limits and with small ones (so the
//! budgets trip often): a tree or a positioned error, never a panic, a hang or an allocation
//! beyond the budget; the JSON view of any tree.

use libfuzzer_sys::fuzz_target;
use tollgate_yaml::{Limits, parse, parse_with, to_json};

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    if let Ok(node) = parse(src) {
        let _ = to_json(&node);
    }
    let small = Limits {
        max_nodes: 2_000,
        max_depth: 16,
        max_bytes: 64 * 1024,
        max_expanded_bytes: 16 * 1024,
    };
    match parse_with(src, small) {
        Ok(node) => {
            let _ = to_json(&node);
        }
        Err(e) => assert!(e.line >= 1 || src.is_empty(), "{e:?}"),
    }
});
