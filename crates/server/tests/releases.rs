//! Release records and the server's gate over a real socket: an evidence folder uploaded,
//! stored content-addressed, linked to the artifact its manifest names; the gate evaluated
//! with the trust the server holds and its decision recorded in the server's log, returned
//! in the release chain with a receipt that verifies.

mod common;

use base64::Engine;
use common::TestServer;
use tollgate_ledger::Receipt;
use tollgate_server::access::Role;

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

#[test]
fn upload_gate_and_read_the_chain() {
    let s = TestServer::start_with(|dir| {
        let t = dir.join("trust.toml");
        // dev needs nothing but trust from outside the released tree; prod the full checklist.
        std::fs::write(
            &t,
            "[environments.dev]\nrequire = []\ntrust = \"external\"\n",
        )
        .unwrap();
        Some(t)
    });
    let ci = s.token(Role::Releaser, "ci-bot");
    let reader = s.token(Role::Reader, "r");
    let artifact = tollgate_model::sha256(b"the artifact");
    let manifest = serde_json::json!({
        "schema": "tollgate.release/v1",
        "artifacts": [{"name": "app.tar.gz", "digest": artifact.to_string()}],
        "files": [],
    });
    let sbom = br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[]}"#;
    let body = serde_json::json!({"files": {
        "manifest.json": b64(manifest.to_string().as_bytes()),
        "sbom.cdx.json": b64(sbom),
    }});
    let r = s.post_json("/v1/releases", Some(&ci), &body);
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["artifacts"][0], artifact.to_string());
    // Uploading again stores nothing twice.
    assert_eq!(s.post_json("/v1/releases", Some(&ci), &body).status, 201);

    // The stored SBOM, by its digest.
    let sbom_digest = tollgate_model::sha256(sbom).to_string();
    let r = s.get(&format!("/v1/blobs/{sbom_digest}"), Some(&reader));
    assert_eq!(r.body, sbom);

    // The gate: ALLOW for dev (trust is the server's, external), DENY for prod (nothing signed).
    let ask = |env: &str| {
        s.post_json(
            "/v1/gate",
            Some(&ci),
            &serde_json::json!({"artifact": artifact.to_string(), "environment": env,
                                "change": {"author": "dev-1"}}),
        )
    };
    let r = ask("dev");
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["allow"], true, "{v}");
    assert_eq!(v["trust"]["external"], true, "{v}");
    assert!(
        v["trust"]["source"]
            .as_str()
            .unwrap()
            .contains("trust.toml"),
        "{v}"
    );
    let dev_index = v["log"][0]["index"].as_u64().unwrap();
    let r = ask("prod");
    let v = r.json();
    assert_eq!(v["allow"], false, "{v}");
    assert!(!v["deny"].as_array().unwrap().is_empty(), "{v}");

    // The chain: both files, both decisions (actor: the token's identity), receipts verify.
    let verifier = tollgate_ledger::log::read_verifier(&s.data.join("log.db.pub")).unwrap();
    let r = s.get(&format!("/v1/releases/{artifact}"), Some(&reader));
    assert_eq!(r.status, 200, "{}", r.text());
    let chain = r.json();
    let names: Vec<&str> = chain["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["manifest.json", "sbom.cdx.json"]);
    let log = chain["log"].as_array().unwrap();
    assert_eq!(log.len(), 2, "{chain}");
    assert_eq!(log[0]["index"], dev_index);
    for (entry, (env, allow)) in log.iter().zip([("dev", true), ("prod", false)]) {
        assert_eq!(entry["entry"]["type"], "gate-decision");
        assert_eq!(entry["entry"]["actor"], "ci-bot");
        assert_eq!(entry["entry"]["environment"], env);
        assert_eq!(entry["payload"]["allow"], allow);
        let receipt = Receipt::parse(entry["receipt"].as_str().unwrap()).unwrap();
        receipt.verify(&verifier, None, None).unwrap();
    }
}
