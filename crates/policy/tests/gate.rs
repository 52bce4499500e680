//! Gate decisions end to end with the built-in policy: a truth table over every combination of
//! evidence, bad input, break-glass windows and the verification summary.

mod support;

use base64::Engine as _;

use serde_json::json;
use std::path::Path;
use support::*;
use time::Duration;
use tollgate_config::Config;
use tollgate_policy::evidence::Change;
use tollgate_policy::gate::{EvidenceFile, verification_summary};
use tollgate_policy::{
    BreakGlass, EngineKind, EventSink, Gate, GateError, GateRequest, MemoryLog, Policy, SECTIONS,
    Settings,
};

const CONFIG: &str = r#"
[gate]
builders = ["https://ci.example/builder/v1"]
sources = ["git+https://git.example/app"]

[environments.prod]
approvals = 2
max-age = "72h"
break-glass = "1h"

[environments.dev]
require = ["signature"]

[environments.staging]
require = ["scans", "findings"]
accept-unsigned-sarif = true

[environments.locked]
require = ["scans", "findings"]
trust = "external"
source-suppressions = "deny"

[[exceptions]]
fingerprint = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
reason = "test key, rotated"
owner = "alice"
expires = 2027-01-01
created = 2026-11-01

[[exceptions]]
fingerprint = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
reason = "was fixed upstream"
owner = "bob"
expires = 2026-11-21
"#;

struct Fixture {
    config: Config,
    settings: Settings,
    policy: Policy,
    /// The built-in policy on the interpreter: the reference the RVM route must match.
    interpreter: Policy,
    trust: FakeTrust,
}

impl Fixture {
    fn new() -> Self {
        let config = Config::from_str_at(CONFIG, Path::new("tollgate.toml"), SECTIONS).unwrap();
        let settings = Settings::from_config(&config).unwrap();
        Fixture {
            config,
            settings,
            policy: Policy::builtin(),
            interpreter: Policy::builtin().with_interpreter().unwrap(),
            trust: FakeTrust::standard(),
        }
    }

    fn gate(&self) -> Gate<'_> {
        Gate {
            settings: &self.settings,
            exceptions: &self.config.exceptions,
            policy: &self.policy,
            verifier: &self.trust,
        }
    }
}

fn request(env: &str, author: &str) -> GateRequest {
    GateRequest {
        artifact_name: Some("app.tar".into()),
        artifact: artifact(),
        environment: env.into(),
        change: Change {
            author: Some(author.into()),
            committer: Some(author.into()),
            triggerer: Some("ci".into()),
        },
        now: now(),
        trust: tollgate_policy::TrustInput {
            source: "--trust trust.toml".into(),
            external: true,
        },
    }
}

#[derive(Debug, Clone, Copy)]
struct Case {
    signed: bool,
    /// 0 none, 1 good, 2 builder not allowed, 3 source not allowed
    provenance: u8,
    sbom: bool,
    scans_complete: bool,
    /// 0 none, 1 high with active exception, 2 high with expired exception, 3 high, 4 medium
    finding: u8,
    /// 0, 1, 2 valid approvals; 3: two approvals, one by the author
    approvals: u8,
}

fn evidence_for(c: Case, f: &Fixture) -> Vec<EvidenceFile> {
    let art = artifact();
    let pd = f.policy.digest();
    let mut files = Vec::new();
    let scans: &[&str] = if c.scans_complete {
        &["secrets", "ci", "deps"]
    } else {
        &["secrets", "ci"]
    };
    let finding = match c.finding {
        1 => vec![(
            "secrets/aws-key",
            "high",
            "src/a.py",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        )],
        2 => vec![(
            "secrets/aws-key",
            "critical",
            "src/b.py",
            "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
        )],
        3 => vec![(
            "deps/vulnerable-dependency",
            "high",
            "Cargo.lock",
            "cccccccccccccccccccccccccccccccc",
        )],
        4 => vec![(
            "ci/unpinned-action",
            "medium",
            ".github/x.yml",
            "dddddddddddddddddddddddddddddddd",
        )],
        _ => vec![],
    };
    // Scans and findings count only from the signed scan attestation over the artifact; an
    // unsigned report beside it is a note.
    let rep = report(scans, &finding);
    if c.signed {
        files.push(file("app.sig.json", envelope("k-ci", &signature(&art))));
        files.push(file(
            "scan.json",
            envelope("k-ci", &scan_statement(&art, &rep)),
        ));
    } else {
        files.push(file("report.json", rep));
    }
    match c.provenance {
        1 => files.push(file(
            "app.provenance.json",
            envelope(
                "k-ci",
                &provenance(
                    &art,
                    "https://ci.example/builder/v1",
                    "git+https://git.example/app@refs/heads/main",
                ),
            ),
        )),
        2 => files.push(file(
            "app.provenance.json",
            envelope(
                "k-ci",
                &provenance(
                    &art,
                    "https://evil.example/builder",
                    "git+https://git.example/app@refs/heads/main",
                ),
            ),
        )),
        3 => files.push(file(
            "app.provenance.json",
            envelope(
                "k-ci",
                &provenance(
                    &art,
                    "https://ci.example/builder/v1",
                    "git+https://fork.example/app",
                ),
            ),
        )),
        _ => {}
    }
    if c.sbom {
        files.push(file("app.sbom.json", envelope("k-ci", &sbom(&art))));
    }
    let t = now() - Duration::hours(1);
    let approvers: &[&str] = match c.approvals {
        1 => &["bob"],
        2 => &["bob", "carol"],
        3 => &["bob", "alice"],
        _ => &[],
    };
    for who in approvers {
        files.push(file(
            &format!("{who}.approval.json"),
            envelope(&format!("k-{who}"), &approval(who, &art, "prod", &pd, t)),
        ));
    }
    files
}

#[test]
fn truth_table_of_the_default_policy() {
    let f = Fixture::new();
    // The gate runs the built-in policy on the RVM; every case is also decided on the
    // interpreter and must match message for message.
    assert_eq!(f.policy.engine(), EngineKind::Rvm);
    assert_eq!(f.interpreter.engine(), EngineKind::Interpreter);
    let gate = f.gate();
    let mut n = 0;
    let mut allowed = 0;
    for signed in [false, true] {
        for provenance in 0..4 {
            for sbom in [false, true] {
                for scans_complete in [false, true] {
                    for finding in 0..5 {
                        for approvals in 0..4 {
                            let c = Case {
                                signed,
                                provenance,
                                sbom,
                                scans_complete,
                                finding,
                                approvals,
                            };
                            let files = evidence_for(c, &f);
                            let out = gate
                                .run(&request("prod", "alice"), &files, None, None)
                                .unwrap();
                            let v = &out.verdict;
                            // The input value built directly from the evidence and the one
                            // parsed from its JSON text decide alike, message for message.
                            let text = serde_json::to_string(&out.evidence).unwrap();
                            let rvm = f.policy.evaluate(&out.evidence).unwrap();
                            assert_eq!(rvm, f.policy.evaluate_json(&text).unwrap(), "{c:?}");
                            // Both engines decide alike: allow, every deny and warn message.
                            let interp = f.interpreter.evaluate(&out.evidence).unwrap();
                            assert_eq!(rvm, interp, "{c:?}");
                            assert_eq!(interp, f.interpreter.evaluate_json(&text).unwrap());
                            assert_eq!(v.allow, rvm.allow, "{c:?}");
                            // Any verified bundle from a trusted signer over the artifact
                            // (plain signature, provenance, SBOM) proves it was signed.
                            let expect_sig = signed || provenance > 0 || sbom;
                            let expect_prov = provenance == 1;
                            let expect_scans = signed && scans_complete;
                            let expect_findings = !signed || matches!(finding, 0 | 1 | 4);
                            let expect_appr = approvals == 2;
                            let expect = expect_prov
                                && sbom
                                && expect_scans
                                && expect_findings
                                && expect_appr;
                            assert_eq!(v.allow, expect, "{c:?}: {:#?}", v.deny);
                            let has = |p: &str| v.deny.iter().any(|d| d.starts_with(p));
                            assert_eq!(has("SP-04"), !expect_sig, "{c:?} {:?}", v.deny);
                            assert_eq!(has("SP-16"), !expect_prov, "{c:?} {:?}", v.deny);
                            assert_eq!(has("SP-05"), !sbom, "{c:?} {:?}", v.deny);
                            assert_eq!(has("SP-06"), !expect_scans, "{c:?} {:?}", v.deny);
                            assert_eq!(has("SP-17"), !expect_findings, "{c:?} {:?}", v.deny);
                            assert_eq!(has("SP-15"), !expect_appr, "{c:?} {:?}", v.deny);
                            if finding == 2 && signed {
                                assert!(v.deny.iter().any(|d| d.contains("expired on 2026-11-21")));
                            }
                            if approvals == 3 {
                                assert!(
                                    v.warn.iter().any(|w| w.contains("self-approval")),
                                    "{:?}",
                                    v.warn
                                );
                            }
                            // The expired exception is always reported.
                            assert!(v.warn.iter().any(|w| w.contains("expired on 2026-11-21")));
                            n += 1;
                            allowed += usize::from(v.allow);
                        }
                    }
                }
            }
        }
    }
    assert_eq!(n, 2 * 4 * 2 * 2 * 5 * 4);
    assert_eq!(allowed, 3);
}

fn good(f: &Fixture) -> Vec<EvidenceFile> {
    evidence_for(
        Case {
            signed: true,
            provenance: 1,
            sbom: true,
            scans_complete: true,
            finding: 0,
            approvals: 2,
        },
        f,
    )
}

#[test]
fn environment_require_narrows_the_checklist() {
    let f = Fixture::new();
    let art = artifact();
    let files = vec![file("app.sig.json", envelope("k-ci", &signature(&art)))];
    let out = f
        .gate()
        .run(&request("dev", "alice"), &files, None, None)
        .unwrap();
    assert!(out.verdict.allow, "{:?}", out.verdict.deny);
    let out = f
        .gate()
        .run(&request("dev", "alice"), &[], None, None)
        .unwrap();
    assert!(!out.verdict.allow);
}

#[test]
fn malformed_evidence_is_an_explicit_deny() {
    let f = Fixture::new();
    let mut oversized = file("huge.json", Vec::new());
    oversized.problem = Some("70000000 bytes is over the 64 MiB evidence file limit".into());
    for (name, bad) in [
        (
            "broken.json",
            file("broken.json", b"{\"schema\": ".to_vec()),
        ),
        ("huge.json", oversized),
        (
            "lines.intoto.jsonl",
            file("lines.intoto.jsonl", b"{}\nnot json\n".to_vec()),
        ),
    ] {
        let mut files = good(&f);
        files.push(bad);
        let out = f
            .gate()
            .run(&request("prod", "alice"), &files, None, None)
            .unwrap();
        assert!(!out.verdict.allow, "{name}");
        assert!(
            out.verdict
                .deny
                .iter()
                .any(|d| d.starts_with("evidence error:") && d.contains(name)),
            "{name}: {:?}",
            out.verdict.deny
        );
    }
    // The same evidence without the bad file passes.
    let out = f
        .gate()
        .run(&request("prod", "alice"), &good(&f), None, None)
        .unwrap();
    assert!(out.verdict.allow, "{:?}", out.verdict.deny);
}

#[test]
fn files_that_are_not_evidence_are_notes_never_trusted() {
    let f = Fixture::new();
    let mut files = good(&f);
    files.push(file(
        "tollgate.pub",
        b"-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n".to_vec(),
    ));
    files.push(file(
        "trusted_root.json",
        br#"{"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1"}"#.to_vec(),
    ));
    files.push(file(
        "log-root.json",
        br#"{"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1"}"#.to_vec(),
    ));
    files.push(file("notes.json", br#"{"hello": "world"}"#.to_vec()));
    files.push(file(
        "scan-report.json",
        report(&["secrets", "ci", "deps"], &[]),
    ));
    let out = f
        .gate()
        .run(&request("prod", "alice"), &files, None, None)
        .unwrap();
    assert!(out.verdict.allow, "{:?}", out.verdict.deny);
    for name in [
        "tollgate.pub",
        "trusted_root.json",
        "log-root.json",
        "notes.json",
        "scan-report.json",
    ] {
        if name == "log-root.json" {
            // Recognised by its media type, whatever its name.
            assert!(
                out.evidence
                    .notes
                    .iter()
                    .any(|n| n.starts_with(name) && n.contains("trusted root")),
                "{:?}",
                out.evidence.notes
            );
        }
        assert!(
            out.evidence.notes.iter().any(|n| n.starts_with(name)),
            "{name}: {:?}",
            out.evidence.notes
        );
    }
}

/// A release with a critical finding in its signed scan attestation.
fn dirty(f: &Fixture) -> Vec<EvidenceFile> {
    let art = artifact();
    let mut files: Vec<EvidenceFile> = good(f)
        .into_iter()
        .filter(|x| x.name != "scan.json")
        .collect();
    let rep = report(
        &["secrets", "ci", "deps"],
        &[(
            "secrets/aws-key",
            "critical",
            "src/k.py",
            "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee",
        )],
    );
    files.push(file(
        "scan.json",
        envelope("k-ci", &scan_statement(&art, &rep)),
    ));
    files
}

#[test]
fn a_copied_clean_report_or_an_empty_sarif_never_replaces_the_signed_scan() {
    let f = Fixture::new();
    let deny = |files: &[EvidenceFile]| {
        let out = f
            .gate()
            .run(&request("prod", "alice"), files, None, None)
            .unwrap();
        assert!(!out.verdict.allow);
        assert!(
            out.verdict
                .deny
                .iter()
                .any(|d| d.starts_with("SP-17") && d.contains("secrets/aws-key")),
            "{:?}",
            out.verdict.deny
        );
    };
    deny(&dirty(&f));
    // A clean report copied from another release, beside the signed attestation.
    let mut files = dirty(&f);
    files.push(file(
        "scan-report.json",
        report(&["secrets", "ci", "deps"], &[]),
    ));
    deny(&files);
    // The signed attestation removed: a clean unsigned report and a three-line SARIF that
    // names the scanners with no results do not make the scans count.
    let mut files: Vec<EvidenceFile> = good(&f)
        .into_iter()
        .filter(|x| x.name != "scan.json")
        .collect();
    files.push(file(
        "scan-report.json",
        report(&["secrets", "ci", "deps"], &[]),
    ));
    files.push(file(
        "empty.sarif",
        br#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"secrets"}},"results":[]},{"tool":{"driver":{"name":"ci"}},"results":[]},{"tool":{"driver":{"name":"deps"}},"results":[]}]}"#.to_vec(),
    ));
    let out = f
        .gate()
        .run(&request("prod", "alice"), &files, None, None)
        .unwrap();
    assert!(!out.verdict.allow);
    assert!(out.evidence.scans.is_empty(), "{:?}", out.evidence.scans);
    assert!(out.verdict.deny.iter().any(|d| d.starts_with("SP-06")));
}

#[test]
fn trust_from_the_change_and_its_own_suppressions_are_refused_where_required() {
    let f = Fixture::new();
    let art = artifact();
    let rep = report(&["secrets", "ci", "deps"], &[]);
    let files = vec![file(
        "scan.json",
        envelope("k-ci", &scan_statement(&art, &rep)),
    )];
    let mut req = request("locked", "alice");
    assert!(
        f.gate()
            .run(&req, &files, None, None)
            .unwrap()
            .verdict
            .allow
    );
    req.trust = tollgate_policy::TrustInput {
        source: "source-tree ./tollgate.toml".into(),
        external: false,
    };
    let out = f.gate().run(&req, &files, None, None).unwrap();
    assert!(!out.verdict.allow);
    assert!(
        out.verdict
            .deny
            .iter()
            .any(|d| d.contains("requires trust from outside"))
    );
    assert_eq!(out.evidence.trust.source, "source-tree ./tollgate.toml");
    // Elsewhere the same trust is allowed, with a warning naming it.
    let mut req = request("dev", "alice");
    req.trust = out.evidence.trust.clone();
    let files = good(&f);
    let out = f.gate().run(&req, &files, None, None).unwrap();
    assert!(out.verdict.allow, "{:?}", out.verdict.deny);
    assert!(
        out.verdict
            .warn
            .iter()
            .any(|w| w.contains("can rewrite it"))
    );
    // An inline allow and an exclude the change made in its own scan: refused in `locked`.
    let mut rep: serde_json::Value =
        serde_json::from_slice(&report(&["secrets", "ci", "deps"], &[])).unwrap();
    rep["suppressed"] = json!([{
        "rule": "secrets/aws-key", "scanner": "secrets", "severity": "critical", "confidence": "high",
        "message": "m", "location": {"path": "repo/src/k.py", "line": 1, "column": 1, "end_line": 1, "end_column": 2},
        "fingerprint": "ffffffffffffffffffffffffffffffff",
        "suppression": {"kind": "inline", "reason": "trust me"}
    }]);
    let mut st = scan_statement(&art, &serde_json::to_vec(&rep).unwrap());
    st["predicate"]["config"] =
        json!({"path": "tollgate.toml", "inSource": true, "exclude": ["src/secrets/**"]});
    let files = vec![file("scan.json", envelope("k-ci", &st))];
    let out = f
        .gate()
        .run(&request("locked", "alice"), &files, None, None)
        .unwrap();
    assert!(!out.verdict.allow);
    assert!(
        out.verdict
            .deny
            .iter()
            .any(|d| d.contains("refuses source suppressions")),
        "{:?}",
        out.verdict.deny
    );
    assert!(
        out.verdict.deny.iter().any(|d| d.starts_with("SP-17")),
        "{:?}",
        out.verdict.deny
    );
    assert_eq!(out.evidence.source_suppressions.inline, 1);
    assert_eq!(
        out.evidence.source_suppressions.excluded,
        ["src/secrets/**"]
    );
    // In an environment that allows them they are reported, not counted.
    let out = f
        .gate()
        .run(&request("staging", "alice"), &files, None, None)
        .unwrap();
    assert!(out.verdict.allow, "{:?}", out.verdict.deny);
    assert!(
        out.verdict
            .warn
            .iter()
            .any(|w| w.contains("suppresses in its own scan"))
    );
}

#[test]
fn approvals_need_a_known_author() {
    let f = Fixture::new();
    let mut req = request("prod", "alice");
    req.change = Change::default();
    let out = f.gate().run(&req, &good(&f), None, None).unwrap();
    assert!(!out.verdict.allow);
    assert!(
        out.verdict
            .deny
            .iter()
            .any(|d| d.contains("author must be known")),
        "{:?}",
        out.verdict.deny
    );
    // An environment without approvals does not need it.
    let mut req = request("dev", "alice");
    req.change = Change::default();
    assert!(
        f.gate()
            .run(&req, &good(&f), None, None)
            .unwrap()
            .verdict
            .allow
    );
}

/// A verifier that forgets to check the subject: the gate still refuses the bundle.
struct LaxVerifier(FakeTrust);

impl tollgate_policy::BundleVerifier for LaxVerifier {
    fn verify(
        &self,
        bundle: &[u8],
        _artifact: &tollgate_model::Digest,
    ) -> Result<tollgate_policy::VerifiedBundle, String> {
        let v: serde_json::Value = serde_json::from_slice(bundle).map_err(|e| e.to_string())?;
        let payload = B64
            .decode(v["dsseEnvelope"]["payload"].as_str().unwrap())
            .unwrap();
        let st: serde_json::Value = serde_json::from_slice(&payload).unwrap();
        let subject: tollgate_model::Digest = format!(
            "sha256:{}",
            st["subject"][0]["digest"]["sha256"].as_str().unwrap()
        )
        .parse()
        .unwrap();
        let mut b = self.0.verify(bundle, &subject)?;
        b.checks.retain(|c| c != "subject");
        Ok(b)
    }
}

#[test]
fn an_attestation_for_another_artifact_never_counts() {
    let f = Fixture::new();
    let lax = LaxVerifier(FakeTrust::standard());
    let gate = Gate {
        verifier: &lax,
        ..f.gate()
    };
    let other = tollgate_model::sha256(b"other artifact");
    let files = vec![file("other.sig.json", envelope("k-ci", &signature(&other)))];
    let out = gate
        .run(&request("dev", "alice"), &files, None, None)
        .unwrap();
    assert!(!out.verdict.allow);
    assert!(!out.evidence.attestations[0].verified);
    assert!(out.verdict.warn.iter().any(|w| w.contains("no subject")));
}

fn semgrep_sarif() -> serde_json::Value {
    json!({
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "semgrep"}}, "results": [
            {"ruleId": "sql-injection", "level": "error", "message": {"text": "SQLi"},
             "locations": [{"physicalLocation": {"artifactLocation": {"uri": "app/db.py"}}}]}
        ]}]
    })
}

#[test]
fn sarif_findings_from_other_tools_block_when_attested() {
    let f = Fixture::new();
    let art = artifact();
    let blocks = |files: &[EvidenceFile], env: &str| {
        let out = f
            .gate()
            .run(&request(env, "alice"), files, None, None)
            .unwrap();
        assert!(!out.verdict.allow);
        assert!(
            out.verdict
                .deny
                .iter()
                .any(|d| d.contains("semgrep/sql-injection"))
        );
        assert!(out.evidence.scans.contains(&"semgrep".to_string()));
    };
    // Attested over the artifact by a trusted signer.
    let mut files = good(&f);
    let st = json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "app.tar", "digest": {"sha256": art.hex()}}],
        "predicateType": "https://docs.oasis-open.org/sarif/sarif/2.1.0",
        "predicate": semgrep_sarif(),
    });
    files.push(file("semgrep.intoto.json", envelope("k-ci", &st)));
    blocks(&files, "prod");
    // Unsigned: a note in prod, counted where the environment accepts unsigned SARIF.
    let mut files = good(&f);
    files.push(file(
        "semgrep.sarif",
        serde_json::to_vec(&semgrep_sarif()).unwrap(),
    ));
    let out = f
        .gate()
        .run(&request("prod", "alice"), &files, None, None)
        .unwrap();
    assert!(out.verdict.allow, "{:?}", out.verdict.deny);
    assert!(
        out.evidence
            .notes
            .iter()
            .any(|n| n.starts_with("semgrep.sarif: unsigned SARIF"))
    );
    blocks(&files, "staging");
}

#[test]
fn forged_and_unknown_approvals_are_warnings_never_counted() {
    let f = Fixture::new();
    let art = artifact();
    let pd = f.policy.digest();
    let t = now() - Duration::hours(1);
    let mut files = good(&f);
    // Replace carol's approval with: mallory's unknown key, and carol's statement signed with
    // bob's key (bob names carol), and a tampered signature.
    files.retain(|x| x.name != "carol.approval.json");
    files.push(file(
        "mallory.approval.json",
        envelope("k-mallory", &approval("mallory", &art, "prod", &pd, t)),
    ));
    files.push(file(
        "carol-by-bob.approval.json",
        envelope("k-bob", &approval("carol", &art, "prod", &pd, t)),
    ));
    let mut tampered: serde_json::Value = serde_json::from_slice(&envelope(
        "k-carol",
        &approval("carol", &art, "prod", &pd, t),
    ))
    .unwrap();
    tampered["dsseEnvelope"]["signatures"][0]["sig"] = json!("00");
    files.push(file(
        "carol.approval.json",
        serde_json::to_vec(&tampered).unwrap(),
    ));
    let out = f
        .gate()
        .run(&request("prod", "alice"), &files, None, None)
        .unwrap();
    assert!(!out.verdict.allow);
    assert_eq!(out.evidence.approvals_counted, 1);
    let warn = out.verdict.warn.join("\n");
    assert!(warn.contains("unknown key k-mallory"), "{warn}");
    assert!(
        warn.contains("names approver carol but is signed by bob"),
        "{warn}"
    );
    assert!(
        warn.contains("signature by k-carol does not verify"),
        "{warn}"
    );
}

#[test]
fn a_changed_policy_invalidates_approvals() {
    let mut f = Fixture::new();
    let files = good(&f);
    let text = format!("{}\n# tightened\n", tollgate_policy::rego::DEFAULT_POLICY);
    f.policy = Policy::from_sources(vec![("p.rego".into(), text)]).unwrap();
    // A user policy, even one that starts with the built-in text, never runs on the RVM.
    assert_eq!(f.policy.engine(), EngineKind::Interpreter);
    let out = f
        .gate()
        .run(&request("prod", "alice"), &files, None, None)
        .unwrap();
    assert!(!out.verdict.allow);
    assert_eq!(out.evidence.approvals_counted, 0);
    assert!(
        out.verdict
            .warn
            .iter()
            .any(|w| w.contains("the policy is now"))
    );
}

#[test]
fn policy_errors_deny() {
    let mut f = Fixture::new();
    f.policy = Policy::from_sources(vec![(
        "p.rego".into(),
        "package tollgate.gate\nallow := \"yes\"\n".into(),
    )])
    .unwrap();
    let out = f
        .gate()
        .run(&request("prod", "alice"), &good(&f), None, None)
        .unwrap();
    assert!(!out.verdict.allow);
    assert!(
        out.verdict.deny[0].starts_with("policy error:"),
        "{:?}",
        out.verdict.deny
    );
}

#[test]
fn break_glass_window_ends_exactly_and_is_always_logged() {
    let f = Fixture::new();
    let bg = BreakGlass {
        identity: "oncall".into(),
        reason: "INC-42 outage".into(),
    };
    let failing: Vec<EvidenceFile> = Vec::new();
    let mut log = MemoryLog::default();
    // Without a log, break-glass is refused as a usage error.
    assert!(matches!(
        f.gate()
            .run(&request("prod", "alice"), &failing, Some(&bg), None),
        Err(GateError::BreakGlassNeedsLog)
    ));
    let at = |offset: i64, log: &mut MemoryLog| {
        let mut r = request("prod", "alice");
        r.now = now() + Duration::seconds(offset);
        f.gate()
            .run(&r, &failing, Some(&bg), Some(log as &mut dyn EventSink))
            .unwrap()
            .verdict
    };
    let v = at(0, &mut log);
    assert!(v.allow && !v.policy_allow);
    assert_eq!(
        v.break_glass.as_ref().unwrap().until.as_deref(),
        Some("2026-11-22T13:00:00Z")
    );
    assert!(at(3599, &mut log).allow);
    let v = at(3600, &mut log);
    assert!(!v.allow);
    assert!(
        v.break_glass
            .unwrap()
            .refused
            .unwrap()
            .contains("ended at 2026-11-22T13:00:00Z")
    );
    // Every attempt is an event, and so is every decision.
    let kinds: Vec<&str> = log.0.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "break-glass",
            "gate-decision",
            "break-glass",
            "gate-decision",
            "break-glass",
            "gate-decision"
        ]
    );
    assert_eq!(log.0[4].field("granted"), Some(&json!(false)));
    assert_eq!(log.0[1].field("break_glass"), Some(&json!(true)));
    assert!(log.0[1].field("findings").unwrap().is_array());
    // Not enabled for dev.
    let mut log = MemoryLog::default();
    let v = f
        .gate()
        .run(
            &request("dev", "alice"),
            &failing,
            Some(&bg),
            Some(&mut log),
        )
        .unwrap()
        .verdict;
    assert!(!v.allow);
    assert!(
        v.break_glass
            .unwrap()
            .refused
            .unwrap()
            .contains("not enabled")
    );
    assert_eq!(log.0.len(), 2);
}

#[test]
fn verification_summary_names_policy_and_inputs() {
    let f = Fixture::new();
    let out = f
        .gate()
        .run(&request("prod", "alice"), &good(&f), None, None)
        .unwrap();
    let vsa = verification_summary(&out);
    let mut shown = vsa.clone();
    shown["predicate"]["verifier"]["version"] = json!({"tollgate": "[version]"});
    // Checked below; changes with every edit of the built-in policy.
    shown["predicate"]["policy"]["digest"]["sha256"] = json!("[policy digest]");
    insta::assert_json_snapshot!("verification_summary", shown);
    assert_eq!(
        vsa["predicateType"],
        "https://slsa.dev/verification_summary/v1"
    );
    assert_eq!(vsa["subject"][0]["digest"]["sha256"], artifact().hex());
    let p = &vsa["predicate"];
    assert_eq!(p["verificationResult"], "PASSED");
    assert_eq!(p["policy"]["digest"]["sha256"], f.policy.digest().hex());
    assert_eq!(p["verifiedLevels"], json!(["SLSA_BUILD_LEVEL_2"]));
    assert_eq!(p["inputAttestations"].as_array().unwrap().len(), 6);
    for k in ["verifier", "timeVerified", "resourceUri", "slsaVersion"] {
        assert!(p.get(k).is_some(), "{k}");
    }
    let out = f
        .gate()
        .run(&request("prod", "alice"), &[], None, None)
        .unwrap();
    assert_eq!(
        verification_summary(&out)["predicate"]["verificationResult"],
        "FAILED"
    );
}
