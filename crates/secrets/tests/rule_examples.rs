//! Every rule's `examples` must be reported by that rule, and none of its `negative-examples`.

use tollgate_secrets::engine::Engine;
use tollgate_secrets::rules::builtin_rules;

#[test]
fn at_least_150_rules_all_with_keywords_and_examples() {
    let rules = builtin_rules().expect("built-in rules parse");
    assert!(rules.len() >= 150, "only {} rules", rules.len());
    let mut ids = std::collections::HashSet::new();
    for r in &rules {
        assert!(ids.insert(r.id.clone()), "duplicate id {}", r.id);
        assert!(!r.def.keywords.is_empty(), "{} has no keywords", r.id);
        assert!(!r.def.examples.is_empty(), "{} has no examples", r.id);
        assert!(
            !r.def.negative_examples.is_empty(),
            "{} has no negative examples",
            r.id
        );
        r.regexes()
            .unwrap_or_else(|e| panic!("{}: bad pattern: {e}", r.id));
    }
}

#[test]
fn every_example_is_found_and_no_negative_example_is() {
    examples_hold(&Engine::new(builtin_rules().unwrap()));
}

/// A user rule with a one-byte keyword moves the keyword search from the hashed prefilter to
/// the Aho-Corasick automaton: every built-in rule must behave the same there.
#[test]
fn examples_hold_on_the_automaton_fallback_too() {
    let mut rules = builtin_rules().unwrap();
    rules.extend(
        tollgate_secrets::rules::parse_rule_file(
            r#"[[rules]]
id = "one-byte-keyword"
name = "test rule with a one-byte keyword"
provider = "test"
keywords = ["~"]
pattern = '~(zq[0-9]{8})~'
severity = "low"
confidence = "low"
examples = ["x = ~zq12345678~"]
negative-examples = ["x = ~zq1234~"]
"#,
            "test.toml",
        )
        .unwrap(),
    );
    examples_hold(&Engine::new(rules));
}

fn examples_hold(engine: &Engine) {
    let mut failures = Vec::new();
    for (i, r) in engine.rules.iter().enumerate() {
        for ex in &r.def.examples {
            let (found, fails) = engine.scan(ex.as_bytes());
            assert!(fails.is_empty(), "{fails:?}");
            if !found.iter().any(|m| m.rule == i) {
                let others: Vec<String> = found
                    .iter()
                    .map(|m| engine.rules[m.rule].id.to_string())
                    .collect();
                failures.push(format!(
                    "{}: example not found: {ex:?} (found: {others:?})",
                    r.id
                ));
            }
        }
        for ex in &r.def.negative_examples {
            let (found, _) = engine.scan(ex.as_bytes());
            if found.iter().any(|m| m.rule == i) {
                failures.push(format!("{}: negative example reported: {ex:?}", r.id));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn github_checksum_sets_confidence() {
    let engine = Engine::new(builtin_rules().unwrap());
    let ex = &engine
        .rules
        .iter()
        .find(|r| r.id.as_str() == "secrets/github-pat")
        .unwrap()
        .def
        .examples[0];
    let (found, _) = engine.scan(ex.as_bytes());
    let m = found.iter().find(|m| m.checksum_valid.is_some()).unwrap();
    assert_eq!(m.checksum_valid, Some(true));
    assert_eq!(m.confidence, tollgate_model::Confidence::High);
    // Same shape, broken checksum: still reported, at low confidence.
    let mut broken = ex.clone();
    let pos = broken.rfind('"').unwrap() - 1;
    let c = broken.as_bytes()[pos];
    broken.replace_range(pos..pos + 1, if c == b'A' { "B" } else { "A" });
    let (found, _) = engine.scan(broken.as_bytes());
    let m = found.iter().find(|m| m.checksum_valid.is_some()).unwrap();
    assert_eq!(m.checksum_valid, Some(false));
    assert_eq!(m.confidence, tollgate_model::Confidence::Low);
}
