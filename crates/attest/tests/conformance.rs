//! sigstore-conformance `bundle-verify` cases (testdata/vectors), each run with the artifact
//! path and with its `sha256:` digest: 70 × 2 = 140 runs. `_fail` cases must be rejected;
//! the others must verify. The count must stay at or above the target.

use std::path::{Path, PathBuf};
use tollgate_attest::keyless::CertificatePolicy;
use tollgate_attest::{ArtifactRef, PublicKey, Requirements, Trust, verify_bundle};

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../testdata/vectors/sigstore-conformance/bundle-verify"
);
const DEFAULT_IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const DEFAULT_ISSUER: &str = "https://token.actions.githubusercontent.com";
/// Issue 6 target.
const TARGET: usize = 134;

fn read_opt(p: &Path) -> Option<String> {
    std::fs::read_to_string(p)
        .ok()
        .map(|s| s.trim().to_string())
}

/// Runs one case; Ok(true) = verified.
fn run(case: &Path, by_digest: bool) -> bool {
    let Ok(bundle) = std::fs::read(case.join("bundle.sigstore.json")) else {
        return false;
    };
    let artifact_path = if case.join("artifact").exists() {
        case.join("artifact")
    } else {
        case.parent().unwrap().join("a.txt")
    };
    let artifact = if by_digest {
        let d = tollgate_attest::hash::sha256_file(&artifact_path).unwrap();
        ArtifactRef::Digest(d)
    } else {
        ArtifactRef::Path(artifact_path)
    };
    let root = read_opt(&case.join("trusted_root.json"));
    let trust = match std::fs::read_to_string(case.join("key.pub")) {
        Ok(pem) => match PublicKey::from_pem(&pem) {
            Ok(k) => Trust {
                trusted_root_json: root,
                ..Trust::key(k)
            },
            Err(_) => return false,
        },
        Err(_) => Trust::certificate(
            CertificatePolicy {
                identity: read_opt(&case.join("identity"))
                    .unwrap_or_else(|| DEFAULT_IDENTITY.into()),
                issuer: read_opt(&case.join("issuer")).unwrap_or_else(|| DEFAULT_ISSUER.into()),
            },
            root,
        ),
    };
    verify_bundle(&bundle, &artifact, &trust, &Requirements::default()).is_ok()
}

#[test]
fn bundle_verify_conformance() {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(DIR)
        .expect("testdata/vectors/sigstore-conformance present")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert_eq!(cases.len(), 70, "expected the 70 upstream cases");
    let mut passed = 0;
    let mut wrong = Vec::new();
    let mut accepted_fail = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let expect_ok = !name.ends_with("_fail");
        for by_digest in [false, true] {
            let got = run(case, by_digest);
            if got == expect_ok {
                passed += 1;
            } else {
                let how = if by_digest { "digest" } else { "path" };
                wrong.push(format!(
                    "{name} ({how}): expected {}",
                    if expect_ok { "verify" } else { "reject" }
                ));
                if !expect_ok {
                    accepted_fail.push(name.clone());
                }
            }
        }
    }
    println!("sigstore-conformance bundle-verify: {passed}/140 as expected");
    for w in &wrong {
        println!("  mismatch: {w}");
    }
    assert!(
        accepted_fail.is_empty(),
        "_fail cases accepted: {accepted_fail:?}"
    );
    assert!(passed >= TARGET, "{passed}/140 < {TARGET}");
}
