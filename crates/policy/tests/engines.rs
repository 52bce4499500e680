//! The built-in policy decides identically on regorus's RVM and on its interpreter: property
//! tests over generated evidence documents, well-formed and not (missing fields, wrong types,
//! every field value the policy branches on), comparing the full decision (allow, every deny
//! and warn message) exactly. The 640-case truth table in `tests/gate.rs` compares them too.

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use std::sync::OnceLock;
use tollgate_policy::{EngineKind, Policy};

/// The two routes of the built-in policy, built once (each owns an evaluator thread).
fn engines() -> &'static (Policy, Policy) {
    static E: OnceLock<(Policy, Policy)> = OnceLock::new();
    E.get_or_init(|| {
        let rvm = Policy::builtin();
        assert_eq!(
            rvm.engine(),
            EngineKind::Rvm,
            "TOLLGATE_POLICY_ENGINE is set?"
        );
        let interp = Policy::builtin().with_interpreter().unwrap();
        assert_eq!(interp.engine(), EngineKind::Interpreter);
        assert_eq!(rvm.digest(), interp.digest());
        (rvm, interp)
    })
}

/// Evaluates `doc` on both engines and requires the same outcome: the same decision, or an
/// error on both (error texts differ between engines; the gate turns either into a deny).
fn same(doc: &Value) -> Result<(), TestCaseError> {
    let (rvm, interp) = engines();
    let a = rvm.evaluate(doc);
    let b = interp.evaluate(doc);
    match (&a, &b) {
        (Ok(x), Ok(y)) => prop_assert_eq!(x, y, "{}", doc),
        (Err(_), Err(_)) => {}
        _ => prop_assert!(false, "rvm {:?} / interpreter {:?} on {}", a, b, doc),
    }
    Ok(())
}

/// For documents the gate cannot produce (its evidence is a typed struct): whenever both
/// engines decide, they decide exactly alike; when the interpreter stops with an error (a
/// deny at the gate), the RVM must deny too (it may say why instead of failing).
fn never_looser(doc: &Value) -> Result<(), TestCaseError> {
    let (rvm, interp) = engines();
    let a = rvm.evaluate(doc);
    let b = interp.evaluate(doc);
    match (&a, &b) {
        (Ok(x), Ok(y)) => prop_assert_eq!(x, y, "{}", doc),
        (Err(_), Err(_)) => {}
        (Ok(x), Err(_)) if !x.allow && !x.deny.is_empty() => {}
        _ => prop_assert!(false, "rvm {:?} / interpreter {:?} on {}", a, b, doc),
    }
    Ok(())
}

const SEVERITIES: &[&str] = &["info", "low", "medium", "high", "critical", "bogus"];
const CHECKS: &[&str] = &[
    "scans",
    "findings",
    "signature",
    "provenance",
    "sbom",
    "approvals",
];
const SCANS: &[&str] = &["secrets", "ci", "deps", "sast"];
const PREDICATES: &[&str] = &[
    "https://tollgate.dev/attestation/signature/v1",
    "https://slsa.dev/provenance/v1",
    "https://slsa.dev/provenance/v0.2",
    "https://cyclonedx.org/bom",
    "https://cyclonedx.org/bom/v1.6",
    "https://spdx.dev/Document",
    "https://in-toto.io/attestation/vulns",
];
const BUILDERS: &[&str] = &["https://ci.example/b", "https://evil.example/b"];
const SOURCES: &[&str] = &["git+https://git.example/app", "git+https://other.example/x"];

/// Picks a subset of `items` by a bit mask.
fn subset(items: &[&str], mask: u32) -> Vec<Value> {
    items
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, s)| json!(s))
        .collect()
}

/// Any JSON value of a wrong type (or null) for a field.
fn wrong() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        Just(json!(7)),
        Just(json!("x")),
        Just(json!(true)),
        Just(json!([])),
        Just(json!({})),
        Just(json!([1, "a"])),
    ]
}

fn finding() -> impl Strategy<Value = Value> {
    (
        0..SEVERITIES.len(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        0u8..40,
    )
        .prop_map(|(sev, exception, expired, suppressed, i)| {
            let mut f = json!({"rule": format!("deps/r{}", i % 4), "severity": SEVERITIES[sev],
                "confidence": "high", "message": "m", "path": format!("src/{i}.rs"),
                "fingerprint": format!("{i:032x}"), "source": "tollgate"});
            if exception {
                f["exception"] = json!({"owner": "o", "reason": "r", "expires": "2099-01-01"});
            } else if expired {
                f["expired_exception"] =
                    json!({"owner": "bob", "reason": "r", "expires": "2026-11-21"});
            }
            if suppressed {
                f["suppressed"] = json!(true);
            }
            f
        })
}

fn attestation() -> impl Strategy<Value = Value> {
    (
        0..PREDICATES.len(),
        any::<bool>(),
        prop_oneof![Just("signer"), Just("approver"), Just("unknown")],
        0..BUILDERS.len() + 1,
        0..SOURCES.len() + 1,
    )
        .prop_map(|(pt, verified, trust, builder, source)| {
            let mut predicate = Map::new();
            if builder < BUILDERS.len() {
                predicate.insert(
                    "runDetails".into(),
                    json!({"builder": {"id": BUILDERS[builder]}}),
                );
            }
            if source < SOURCES.len() {
                predicate.insert(
                    "buildDefinition".into(),
                    json!({"resolvedDependencies": [{"uri": SOURCES[source]}]}),
                );
            }
            json!({"file": format!("a{pt}.json"), "verified": verified, "trust": trust,
                "identity": "ci", "key_id": "k", "predicate_type": PREDICATES[pt],
                "statement": {"predicate": predicate}, "checks": ["signature"]})
        })
}

fn approval() -> impl Strategy<Value = Value> {
    (
        prop_oneof![Just("alice"), Just("bob"), Just("dave")],
        any::<bool>(),
    )
        .prop_map(|(who, counted)| {
            let mut a = json!({"file": format!("{who}.json"), "identity": who, "counted": counted});
            if !counted {
                a["reason"] = json!("self-approval by the change's author");
            }
            a
        })
}

fn exception() -> impl Strategy<Value = Value> {
    (0u8..3, any::<bool>(), 0u8..4).prop_map(|(scope, expired, i)| {
        let mut e = json!({"reason": "r", "owner": "o", "expires": "2026-11-21",
            "expired": expired, "age_days": i});
        match scope {
            0 => e["rule"] = json!(format!("deps/r{i}")),
            1 => e["fingerprint"] = json!(format!("{i:032x}")),
            _ => {}
        }
        e
    })
}

/// A well-formed evidence document with every branch of the policy reachable.
fn evidence() -> impl Strategy<Value = Value> {
    (
        (
            0u32..64,
            0u32..16,
            0..SEVERITIES.len() - 1,
            0u32..4,
            0u32..3,
            0u32..4,
        ),
        prop::collection::vec(finding(), 0..8),
        prop::collection::vec(attestation(), 0..5),
        prop::collection::vec(approval(), 0..4),
        prop::collection::vec(exception(), 0..3),
        0u32..4,
        prop::collection::vec("[a-z ]{0,12}", 0..3),
        prop::collection::vec("[a-z ]{0,12}", 0..2),
    )
        .prop_map(
            |(
                (require, scans, block, builders, sources, needed),
                findings,
                attestations,
                approvals,
                exceptions,
                counted,
                warnings,
                errors,
            )| {
                json!({
                    "schema": "tollgate.evidence/v1",
                    "artifact": {"name": "app.tar", "digest": format!("sha256:{}", "a".repeat(64))},
                    "environment": {"name": "prod", "approvals": needed,
                        "block_on": SEVERITIES[block],
                        "require": subset(CHECKS, require),
                        "required_scans": ["secrets", "ci", "deps"],
                        "builders": subset(BUILDERS, builders),
                        "sources": subset(SOURCES, sources)},
                    "time": "2026-11-22T12:00:00Z",
                    "change": {"author": "dave"},
                    "policy_digest": format!("sha256:{}", "b".repeat(64)),
                    "scans": subset(SCANS, scans),
                    "findings": findings,
                    "attestations": attestations,
                    "approvals": approvals,
                    "approvals_counted": counted,
                    "exceptions": exceptions,
                    "warnings": warnings,
                    "errors": errors,
                })
            },
        )
}

/// Every JSON pointer to an object member of `doc` (where a field can be dropped or retyped).
fn members(doc: &Value, at: String, out: &mut Vec<String>) {
    match doc {
        Value::Object(m) => {
            for (k, v) in m {
                let p = format!("{at}/{k}");
                out.push(p.clone());
                members(v, p, out);
            }
        }
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                members(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// Removes the member at `pointer`, or replaces it with `with`.
fn mutate(doc: &mut Value, pointer: &str, with: Option<Value>) {
    let (parent, key) = pointer.rsplit_once('/').expect("a member pointer");
    if let Some(Value::Object(m)) = doc.pointer_mut(parent) {
        match with {
            Some(v) => {
                m.insert(key.to_string(), v);
            }
            None => {
                m.remove(key);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn both_engines_decide_alike_on_evidence(doc in evidence()) {
        same(&doc)?;
    }

    /// Malformed documents: up to three members dropped or given a wrong type.
    #[test]
    fn both_engines_decide_alike_on_malformed_evidence(
        doc in evidence(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), prop::option::of(wrong())), 1..4),
    ) {
        let mut doc = doc;
        for (at, with) in edits {
            let mut paths = Vec::new();
            members(&doc, String::new(), &mut paths);
            if paths.is_empty() {
                break;
            }
            let p = at.get(&paths).clone();
            mutate(&mut doc, &p, with);
        }
        never_looser(&doc)?;
    }
}

/// Inputs that are not evidence documents at all.
#[test]
fn both_engines_decide_alike_on_non_documents() {
    for doc in [
        json!({}),
        json!(null),
        json!([]),
        json!("evidence"),
        json!(3),
        json!({"schema": "tollgate.evidence/v1"}),
        json!({"schema": "tollgate.evidence/v1", "environment": {"require": CHECKS}}),
    ] {
        never_looser(&doc).unwrap();
    }
}

/// A test that cannot fail is a defect: the comparison notices a different decision.
#[test]
fn the_comparison_notices_a_difference() {
    let (rvm, _) = engines();
    let other = Policy::from_sources(vec![(
        "p.rego".into(),
        "package tollgate.gate\nimport rego.v1\nallow := true\n".into(),
    )])
    .unwrap();
    let doc = json!({});
    assert_ne!(rvm.evaluate(&doc).unwrap(), other.evaluate(&doc).unwrap());
}

/// A large evidence document (thousands of findings, most of them blocking): the RVM has no
/// instruction budget that would stop it before the time limit, and decides as the
/// interpreter does.
#[test]
fn both_engines_decide_alike_on_large_evidence() {
    let findings: Vec<Value> = (0..5_000)
        .map(|i| {
            let severity = ["low", "high", "critical"][i % 3];
            json!({"rule": format!("deps/r{}", i % 7), "severity": severity,
                "confidence": "high", "message": "m", "path": format!("src/{i}.rs"),
                "fingerprint": format!("{i:032x}"), "source": "tollgate"})
        })
        .collect();
    let doc = json!({
        "schema": "tollgate.evidence/v1",
        "environment": {"name": "prod", "approvals": 2, "block_on": "high",
            "require": CHECKS, "required_scans": ["secrets"], "builders": [], "sources": []},
        "scans": ["secrets"], "findings": findings, "attestations": [], "approvals": [],
        "approvals_counted": 0, "exceptions": [], "warnings": [], "errors": [],
    });
    let (rvm, interp) = engines();
    let a = rvm.evaluate(&doc).unwrap();
    assert_eq!(a, interp.evaluate(&doc).unwrap());
    assert!(!a.allow);
    assert!(a.deny.len() > 3_000, "{}", a.deny.len());
}
