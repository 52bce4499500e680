//! The release path through the library, as the server will drive it: release, approve and
//! gate over one evidence folder, with trust from outside the released tree; what `release`
//! and `approve` write checked against the JSON Schemas under `schemas/`; and the attacks of a
//! change that tries to trust itself.

use std::path::{Path, PathBuf};
use tollgate_attest::keys::{self, KeyAlgorithm, PrivateKey};
use tollgate_policy::evidence::Change;
use tollgate_release::gate::{ApproveArgs, GateArgs, approve, gate};
use tollgate_release::release::{ReleaseRequest, release};
use tollgate_release::trust::TrustArgs;

fn schema(name: &str) -> jsonschema::Validator {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../schemas")
        .join(name);
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    jsonschema::validator_for(&v).unwrap()
}

fn valid(validator: &jsonschema::Validator, doc: &serde_json::Value) {
    let errors: Vec<String> = validator.iter_errors(doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}\n{doc:#}");
}

fn key(dir: &Path, who: &str) -> (PathBuf, PathBuf) {
    let k = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let d = dir.join(who);
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("k.pem"), keys::write_private_pem(&k, None).unwrap()).unwrap();
    std::fs::write(d.join("k.pub"), k.public_key().to_pem()).unwrap();
    (d.join("k.pem"), d.join("k.pub"))
}

fn payload(bundle: &[u8]) -> serde_json::Value {
    use base64::Engine as _;
    let b: serde_json::Value = serde_json::from_slice(bundle).unwrap();
    let p = base64::engine::general_purpose::STANDARD
        .decode(b["dsseEnvelope"]["payload"].as_str().unwrap())
        .unwrap();
    serde_json::from_slice(&p).unwrap()
}

struct World {
    _dir: tempfile::TempDir,
    root: PathBuf,
    repo: PathBuf,
    trust: PathBuf,
    artifact: PathBuf,
    evidence: PathBuf,
}

/// A repository whose own tollgate.toml tries to trust itself: its own signer and approvers,
/// an allow-everything policy, an exception for everything; and a trust file outside it.
fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let repo = root.join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::create_dir_all(repo.join("src")).unwrap();
    std::fs::write(repo.join("src/main.py"), "print('hello')\n").unwrap();
    std::fs::write(repo.join("requirements.txt"), "requests==2.32.3\n").unwrap();
    let keys = root.join("keys");
    let (_, ci_pub) = key(&keys, "ci");
    let (_, alice_pub) = key(&keys, "alice");
    let (_, _) = key(&keys, "bob");
    // The change's own key: its public half committed in the repository.
    let (_, mallory_pub) = key(&root, "mallory");
    let mallory_pub = {
        let p = repo.join("mallory.pub");
        std::fs::copy(&mallory_pub, &p).unwrap();
        p
    };
    std::fs::write(repo.join("allow.rego"), "package tollgate.gate\nimport rego.v1\ndefault allow := true\ndeny := set()\nwarn := set()\n").unwrap();
    std::fs::write(
        repo.join("tollgate.toml"),
        format!(
            "[gate]\npolicy = \"allow.rego\"\n\n[[signers]]\nidentity = \"mallory\"\nkey = \"{m}\"\n\n[[approvers]]\nidentity = \"mallory\"\nkey = \"{m}\"\n\n[[approvers]]\nidentity = \"mallory2\"\nkey = \"{m}\"\n\n[environments.prod]\napprovals = 1\n",
            m = mallory_pub.display()
        ),
    )
    .unwrap();
    let trust = root.join("trust.toml");
    std::fs::write(
        &trust,
        format!(
            "[[signers]]\nidentity = \"ci\"\nkey = \"{}\"\n\n[[approvers]]\nidentity = \"alice\"\nkey = \"{}\"\n\n[environments.prod]\napprovals = 1\ntrust = \"external\"\n\n[log]\npath = \"release.log\"\n",
            ci_pub.display(),
            alice_pub.display()
        ),
    )
    .unwrap();
    tollgate_ledger::Log::init(&root.join("release.log"), Some("test.example/log")).unwrap();
    let artifact = root.join("app.tar");
    std::fs::write(&artifact, b"the artifact").unwrap();
    World {
        evidence: root.join("evidence"),
        _dir: dir,
        root,
        repo,
        trust,
        artifact,
    }
}

fn trust_args(w: &World, external: bool) -> TrustArgs {
    TrustArgs {
        trust: external.then(|| w.trust.clone()),
        trust_env: None,
        config: Some(w.repo.join("tollgate.toml")),
        source: Some(w.repo.clone()),
    }
}

fn gate_args(w: &World, external: bool) -> GateArgs {
    GateArgs {
        artifact: w.artifact.display().to_string(),
        environment: "prod".into(),
        evidence: Some(w.evidence.clone()),
        change: Change {
            author: Some("bob".into()),
            ..Change::default()
        },
        trust: trust_args(w, external),
        ..GateArgs::default()
    }
}

fn do_release(w: &World) -> tollgate_release::release::ReleaseOutcome {
    release(
        &ReleaseRequest {
            artifacts: vec![w.artifact.clone()],
            key: w.root.join("keys/ci/k.pem").display().to_string(),
            evidence: w.evidence.clone(),
            source: w.repo.clone(),
            junit: Vec::new(),
            config: None,
            trust: Some(w.trust.clone()),
        },
        &tollgate_engine::Silent,
    )
    .unwrap()
}

#[test]
fn release_approve_gate_with_external_trust_and_schemas() {
    let w = world();
    let out = do_release(&w);
    // The manifest and the scan predicate match their schemas.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(w.evidence.join("manifest.json")).unwrap()).unwrap();
    valid(&schema("release-manifest-v1.schema.json"), &manifest);
    assert!(
        !out.manifest.log_entries.is_empty(),
        "recorded in the trust file's log"
    );
    let scan = payload(&std::fs::read(w.evidence.join("scan.sigstore.json")).unwrap());
    valid(&schema("scan-report-v1.schema.json"), &scan["predicate"]);
    assert_eq!(scan["predicate"]["config"]["inSource"], true);
    // Alice approves; the predicate matches the schema.
    let a = approve(&ApproveArgs {
        artifact: w.artifact.display().to_string(),
        environment: "prod".into(),
        key: w.root.join("keys/alice/k.pem").display().to_string(),
        identity: "alice".into(),
        trust: trust_args(&w, true),
        ..ApproveArgs::default()
    })
    .unwrap();
    valid(
        &schema("approval-v1.schema.json"),
        &payload(&a.bundle)["predicate"],
    );
    std::fs::write(w.evidence.join("alice.approval.json"), &a.bundle).unwrap();
    let r = gate(&gate_args(&w, true)).unwrap();
    let v = &r.outcome.verdict;
    assert!(v.allow, "{:?}", v.deny);
    assert!(r.trust_external);
    assert!(r.trust.starts_with("--trust"), "{}", r.trust);
    // The tree's own tables were ignored, and said so.
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("[[signers]]") && n.contains("[gate]")),
        "{:?}",
        r.notes
    );
    assert_eq!(
        v.policy_digest,
        tollgate_policy::Policy::builtin().digest().to_string(),
        "the built-in policy, not the change's allow-everything one"
    );
}

#[test]
fn a_change_that_trusts_itself_gets_nothing_from_it() {
    let w = world();
    // The change signs its own release with its own key and approves it twice.
    release(
        &ReleaseRequest {
            artifacts: vec![w.artifact.clone()],
            key: w.root.join("mallory/k.pem").display().to_string(),
            evidence: w.evidence.clone(),
            source: w.repo.clone(),
            junit: Vec::new(),
            config: None,
            trust: Some(w.trust.clone()),
        },
        &tollgate_engine::Silent,
    )
    .unwrap();
    for who in ["mallory", "mallory2"] {
        let a = approve(&ApproveArgs {
            artifact: w.artifact.display().to_string(),
            environment: "prod".into(),
            key: w.root.join("mallory/k.pem").display().to_string(),
            identity: who.into(),
            trust: trust_args(&w, false),
            ..ApproveArgs::default()
        })
        .unwrap();
        std::fs::write(w.evidence.join(format!("{who}.approval.json")), &a.bundle).unwrap();
    }
    // Read from the released tree (its own signers, approvers and allow-all policy), the gate
    // would have allowed: it says where trust came from and warns.
    let r = gate(&gate_args(&w, false)).unwrap();
    assert!(!r.trust_external);
    assert!(
        r.outcome.verdict.allow,
        "the change's own policy allows everything"
    );
    assert!(
        r.outcome
            .evidence
            .warnings
            .iter()
            .any(|w| w.contains("can rewrite it")),
        "{:?}",
        r.outcome.evidence.warnings
    );
    // With the trust file, nothing the change made counts.
    let r = gate(&gate_args(&w, true)).unwrap();
    let v = &r.outcome.verdict;
    assert!(!v.allow);
    assert_eq!(
        r.outcome.evidence.approvals_counted, 0,
        "{:?}",
        r.outcome.evidence.approvals
    );
    assert!(
        v.deny.iter().any(|d| d.starts_with("SP-04")),
        "{:?}",
        v.deny
    );
    assert!(
        v.deny.iter().any(|d| d.starts_with("SP-15")),
        "{:?}",
        v.deny
    );
    assert!(
        v.deny.iter().any(|d| d.starts_with("SP-06")),
        "the unsigned-by-trust scan does not count: {:?}",
        v.deny
    );
}

#[test]
fn an_unknown_author_is_a_deny_where_approvals_are_required() {
    let w = world();
    do_release(&w);
    let mut a = gate_args(&w, true);
    a.change = Change::default();
    let r = gate(&a).unwrap();
    assert!(!r.outcome.verdict.allow);
    assert!(
        r.outcome
            .verdict
            .deny
            .iter()
            .any(|d| d.contains("author must be known")),
        "{:?}",
        r.outcome.verdict.deny
    );
    // The CI system can name the author.
    let env = |k: &str| (k == "CI_COMMIT_AUTHOR").then(|| "Bob <bob@example.com>".to_string());
    let c = tollgate_release::gate::change_identities(None, None, None, &env);
    assert_eq!(c.author.as_deref(), Some("Bob <bob@example.com>"));
}

#[test]
fn bad_trust_and_evidence_input_is_a_clear_error_or_deny() {
    let w = world();
    let mut a = gate_args(&w, true);
    a.trust.trust = Some(w.root.join("missing.toml"));
    let e = gate(&a)
        .err()
        .expect("a missing trust file is an error")
        .to_string();
    assert!(e.contains("missing.toml"), "{e}");
    std::fs::write(w.root.join("bad.toml"), "[[signers]]\nidentity = 3\n").unwrap();
    a.trust.trust = Some(w.root.join("bad.toml"));
    let e = gate(&a)
        .err()
        .expect("a malformed trust file is an error")
        .to_string();
    assert!(e.contains("bad.toml:2:"), "{e}");
    // An evidence folder with a foreign binary file: a deny naming it.
    do_release(&w);
    std::fs::write(w.evidence.join("blob.bin"), [0u8, 159, 146, 150]).unwrap();
    let r = gate(&gate_args(&w, true)).unwrap();
    assert!(!r.outcome.verdict.allow);
    assert!(
        r.outcome
            .verdict
            .deny
            .iter()
            .any(|d| d.contains("blob.bin")),
        "{:?}",
        r.outcome.verdict.deny
    );
}

#[test]
fn the_changes_own_excludes_and_inline_allows_are_reported_and_can_be_refused() {
    let w = world();
    // The change hides a token with an inline allow and excludes a folder in its own config.
    std::fs::write(
        w.repo.join("src/config.py"),
        "TOKEN = \"ghp_R7xQ2mZk9Lw4Tn8Vb3Yc6Hd1Fj5Gs0Pa2Ke7\"  # tollgate: allow secrets/github-pat test token\n",
    )
    .unwrap();
    let cfg = std::fs::read_to_string(w.repo.join("tollgate.toml")).unwrap();
    std::fs::write(
        w.repo.join("tollgate.toml"),
        format!("[scan]\nexclude = [\"vendor/**\"]\n\n{cfg}"),
    )
    .unwrap();
    do_release(&w);
    let r = gate(&gate_args(&w, true)).unwrap();
    let s = &r.outcome.evidence.source_suppressions;
    assert_eq!(s.excluded, ["vendor/**"]);
    assert!(s.inline >= 1, "{s:?}");
    assert!(
        r.outcome
            .verdict
            .warn
            .iter()
            .any(|w| w.contains("suppresses in its own scan") && w.contains("vendor/**")),
        "{:?}",
        r.outcome.verdict.warn
    );
    // An environment that refuses them denies.
    let t = std::fs::read_to_string(&w.trust).unwrap();
    std::fs::write(
        &w.trust,
        t.replace(
            "trust = \"external\"",
            "trust = \"external\"\nsource-suppressions = \"deny\"",
        ),
    )
    .unwrap();
    let r = gate(&gate_args(&w, true)).unwrap();
    assert!(!r.outcome.verdict.allow);
    assert!(
        r.outcome
            .verdict
            .deny
            .iter()
            .any(|d| d.contains("refuses source suppressions")),
        "{:?}",
        r.outcome.verdict.deny
    );
}
