//! The trusted root we emit is read by the Sigstore project's own message types
//! (`sigstore-protobuf-specs`, installed by scripts/peers/ledger.sh) with every field kept.

use std::process::Command;
use tollgate_ledger::note::{ALG_ED25519, Verifier};
use tollgate_ledger::trusted_root::trusted_root;

const CHECK: &str = r#"
import json, sys
from sigstore_protobuf_specs.dev.sigstore.trustroot.v1 import TrustedRoot
ours = json.load(open(sys.argv[1]))
parsed = TrustedRoot().from_json(json.dumps(ours)).to_dict()
# The parser drops unknown fields silently, so compare: everything we wrote must survive.
expected = {k: v for k, v in ours.items() if v != []}
if parsed != expected:
    print("lost or changed:", json.dumps(expected), "->", json.dumps(parsed))
    sys.exit(1)
tlog = parsed["tlogs"][0]
assert tlog["publicKey"]["keyDetails"] == "PKIX_ED25519"
print("ok")
"#;

fn peer_available() -> bool {
    Command::new("python3")
        .args(["-c", "import sigstore_protobuf_specs"])
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn sigstore_reads_our_trusted_root() {
    if !peer_available() {
        assert!(
            std::env::var_os("CI").is_none(),
            "sigstore-protobuf-specs missing: run scripts/peers/ledger.sh"
        );
        eprintln!("skipped: sigstore-protobuf-specs not installed (scripts/peers/ledger.sh)");
        return;
    }
    let v = Verifier::new("log.example/peer", ALG_ED25519, [9; 32]).unwrap();
    let doc = trusted_root(&v, "https://log.example/peer", "2026-01-01T00:00:00Z");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trusted_root.json");
    std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    let out = Command::new("python3")
        .args(["-c", CHECK])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
