//! Every rule id named outside the scanner that defines it — by the posture controls and in the
//! documentation — exists in the rule registry (`tollgate explain --json`), so a renamed or
//! never-written rule cannot silently disable a control or mislead a reader. (Before: SP-10
//! named `deps/untrusted-source`, the rule is `deps/unapproved-source`; SP-24 named
//! `deps/missing-lockfile`, which does not exist.)

use assert_cmd::Command;
use std::collections::BTreeSet;

fn registry() -> BTreeSet<String> {
    let out = Command::cargo_bin("tollgate")
        .unwrap()
        .args(["explain", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let rules: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn posture_controls_name_only_registered_rules() {
    let known = registry();
    assert!(known.len() > 100, "{}", known.len());
    let mut missing = Vec::new();
    for c in tollgate_posture::CONTROLS {
        for r in c.fail_rules {
            // `scanner/` prefixes name a whole family, which may come from other tools' reports.
            if !r.ends_with('/') && !known.contains(*r) {
                missing.push(format!("{}: {r}", c.id));
            }
        }
    }
    assert!(missing.is_empty(), "unknown rule ids: {missing:?}");
}

/// Backticked `secrets/…`, `ci/…` and `deps/…` ids in README.md, ARCHITECTURE.md and docs/
/// (docs/rules.md is generated from the registry and checked elsewhere).
#[test]
fn docs_name_only_registered_rules() {
    let known = registry();
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let mut files = vec![
        format!("{root}/README.md"),
        format!("{root}/ARCHITECTURE.md"),
    ];
    for e in std::fs::read_dir(format!("{root}/docs")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "md") && !p.ends_with("rules.md") {
            files.push(p.to_string_lossy().into_owned());
        }
    }
    let mut missing = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (i, span) in text.split('`').enumerate() {
            if i % 2 == 0 {
                continue;
            }
            let Some((scanner, name)) = span.split_once('/') else {
                continue;
            };
            let id_like = matches!(scanner, "secrets" | "ci" | "deps")
                && !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if id_like && !known.contains(span) {
                missing.push(format!("{f}: {span}"));
            }
        }
    }
    assert!(missing.is_empty(), "unknown rule ids in docs: {missing:#?}");
}

/// `tollgate explain SP-07` explains the control (before: "no rule named").
#[test]
fn explain_names_every_control() {
    for c in tollgate_posture::CONTROLS {
        let out = Command::cargo_bin("tollgate")
            .unwrap()
            .args(["explain", c.id])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", c.id);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.starts_with(&format!("{} — ", c.id)), "{text}");
    }
}
