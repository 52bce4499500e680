#![no_main]
//! Any input: the YAML layer and every audit of every document kind must return (a finding
//! list or a diagnostic), never panic, loop or blow the stack.

use libfuzzer_sys::fuzz_target;
use tollgate_ci::{CiScanner, DocKind};

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    let s = CiScanner::default();
    for kind in [DocKind::Workflow, DocKind::Action, DocKind::Dependabot, DocKind::GitLab] {
        let _ = s.audit_text(kind, "f.yml", "f.yml", src);
    }
    let _ = tollgate_ci::fix::fix_text(src);
});
