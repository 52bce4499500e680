//! Credentials minted by tollgate verified by an independent library: PyJWT (installed by
//! scripts/peers/credential.sh) against the published JWKS, with the audience and issuer a
//! deploy target would check.

use std::collections::BTreeMap;
use std::process::Command;
use tollgate_credential::{CredentialIssuer, Grant, JwtIssuer};

const SCRIPT: &str = r#"
import json, sys, jwt
jwks = json.loads(sys.argv[1]); token = sys.argv[2]
key = jwt.PyJWKSet.from_dict(jwks)[jwt.get_unverified_header(token)["kid"]].key
claims = jwt.decode(token, key, algorithms=["ES256"], audience="deploy.example",
                    issuer="https://tollgate.example", options={"require": ["exp", "iat", "nbf", "jti"]})
print(json.dumps(claims))
"#;

#[test]
fn pyjwt_verifies_minted_credentials() {
    if Command::new("python3")
        .args(["-c", "import jwt, cryptography"])
        .status()
        .map(|s| !s.success())
        .unwrap_or(true)
    {
        eprintln!("note: PyJWT not installed (scripts/peers/credential.sh); skipped");
        return;
    }
    let minter = JwtIssuer::generate("https://tollgate.example").unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let grant = Grant {
        issuer: "https://token.actions.example".into(),
        subject: "repo:acme/app:environment:prod".into(),
        environment: "prod".into(),
        artifact: tollgate_model::sha256(b"app.tar"),
        gate_index: 42,
        policy_digest: "sha256:abc".into(),
        audience: "deploy.example".into(),
        scopes: vec!["deploy".into()],
        lifetime_secs: 300,
        claims: BTreeMap::from([("repository_id".into(), "123456".into())]),
    };
    let issued = minter.issue(&grant, now).unwrap();
    let jwks = JwtIssuer::jwks(&[&minter]).to_string();
    let out = Command::new("python3")
        .args(["-c", SCRIPT, &jwks, &issued.token])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let claims: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(claims["artifact_digest"], grant.artifact.to_string());
    assert_eq!(claims["gate_log_index"], 42);
    // Another key's JWKS does not verify it.
    let other = JwtIssuer::generate("https://tollgate.example").unwrap();
    let mut wrong: serde_json::Value = JwtIssuer::jwks(&[&other]);
    wrong["keys"][0]["kid"] = serde_json::json!(minter.kid());
    let out = Command::new("python3")
        .args(["-c", SCRIPT, &wrong.to_string(), &issued.token])
        .output()
        .unwrap();
    assert!(!out.status.success());
}
