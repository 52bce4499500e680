//! Webhook intake and the credential exchange over real sockets: verified, durable, deduplicated
//! deliveries become log events; a CI token becomes a short-lived credential only while the
//! latest gate decision for the artifact is ALLOW.

mod common;

use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use base64::Engine as _;
use common::{TestServer, options};
use serde_json::json;
use std::collections::BTreeMap;
use tollgate_credential::{Issuer, TrustPolicy, Verifier};
use tollgate_server::access::Role;
use tollgate_server::config::{CredentialTable, OidcTable, WebhookTable};

const B64URL: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;
const CI_ISS: &str = "https://ci.example";
const SECRET: &str = "webhook secret";

fn gh_signature(body: &[u8]) -> String {
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, SECRET.as_bytes());
    format!(
        "sha256={}",
        hex::encode(aws_lc_rs::hmac::sign(&key, body).as_ref())
    )
}

struct Ci {
    pkcs8: Vec<u8>,
}

impl Ci {
    fn token(&self, repo_id: &str) -> String {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let mut id = [0u8; 8];
        aws_lc_rs::rand::fill(&mut id).unwrap();
        let claims = json!({"iss": CI_ISS, "aud": "tollgate", "sub": "repo:acme/app", "iat": now - 5,
            "exp": now + 300, "jti": hex::encode(id), "repository_id": repo_id, "ref": "refs/heads/main"});
        let mut h = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
        h.kid = Some("ci-1".into());
        jsonwebtoken::encode(
            &h,
            &claims,
            &jsonwebtoken::EncodingKey::from_ec_der(&self.pkcs8),
        )
        .unwrap()
    }
}

fn server(rate: u32) -> (TestServer, Ci) {
    let dir = tempfile::tempdir().unwrap();
    let doc = EcdsaKeyPair::generate_pkcs8(
        &ECDSA_P256_SHA256_FIXED_SIGNING,
        &aws_lc_rs::rand::SystemRandom::new(),
    )
    .unwrap();
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, doc.as_ref()).unwrap();
    let p = pair.public_key().as_ref();
    let jwks = json!({"keys": [{"kty": "EC", "crv": "P-256", "kid": "ci-1",
        "x": B64URL.encode(&p[1..33]), "y": B64URL.encode(&p[33..65])}]});
    std::fs::write(dir.path().join("ci-jwks.json"), jwks.to_string()).unwrap();
    std::fs::write(
        dir.path().join("trust.toml"),
        "[environments.prod]\napprovals = 0\n",
    )
    .unwrap();
    let mut opts = options(
        &dir.path().join("data"),
        Some(dir.path().join("trust.toml")),
    );
    opts.credential = Some((
        CredentialTable {
            issuer_url: Some("https://tollgate.test".into()),
            oidc: vec![OidcTable {
                url: CI_ISS.into(),
                audiences: vec!["tollgate".into()],
                jwks: "ci-jwks.json".into(),
                leeway: 10,
                max_lifetime: 900,
            }],
            policy: vec![TrustPolicy {
                environment: "prod".into(),
                issuer: CI_ISS.into(),
                claims: BTreeMap::from([
                    ("repository_id".into(), "42".into()),
                    ("ref".into(), "refs/heads/main".into()),
                ]),
                audience: "deploy.test".into(),
                scopes: vec![],
                lifetime: 120,
                max_decision_age: 600,
                same_run: false,
            }],
        },
        dir.path().to_path_buf(),
    ));
    opts.webhooks = vec![WebhookTable {
        name: "gh".into(),
        kind: "github".into(),
        secrets: vec!["old secret".into(), SECRET.into()],
        tolerance: 300,
        rate,
    }];
    let s = TestServer::start_opts(dir, opts);
    (
        s,
        Ci {
            pkcs8: doc.as_ref().to_vec(),
        },
    )
}

fn exchange(s: &TestServer, token: &str, artifact: &str) -> common::Resp {
    let body = format!(
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token={token}&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aid_token&artifact={artifact}&environment=prod"
    );
    s.req()
        .method("POST")
        .path("/v1/token")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body.into_bytes())
        .send()
}

#[test]
fn a_credential_exists_only_while_the_gate_allows() {
    let (s, ci) = server(50);
    let admin = s.token(Role::Admin, "gate");
    let artifact = tollgate_model::sha256(b"app.tar").to_string();
    // No decision yet: 403.
    let r = exchange(&s, &ci.token("42"), &artifact);
    assert_eq!(r.status, 403, "{}", r.text());
    assert_eq!(r.json()["error"], "access_denied");
    // The gate allowed it (recorded as the gate records it), under the policy in force.
    let digest = tollgate_policy::Policy::builtin().digest().to_string();
    let ev = json!({"type": "gate-decision", "actor": "ci", "subject": artifact, "environment": "prod",
        "payload": {"allow": true, "policy_digest": digest}});
    assert_eq!(
        s.post_json("/v1/log/entries", Some(&admin), &ev).status,
        201
    );
    let ci_token = ci.token("42");
    let r = exchange(&s, &ci_token, &artifact);
    assert_eq!(r.status, 200, "{}", r.text());
    let body = r.json();
    assert_eq!(
        body["issued_token_type"],
        "urn:ietf:params:oauth:token-type:jwt"
    );
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let minted = body["access_token"].as_str().unwrap().to_string();
    // It verifies against the served JWKS, bound to the artifact and the gate entry.
    let jwks = s.get("/.well-known/jwks.json", None).json();
    let v = Verifier::new(vec![Issuer {
        url: "https://tollgate.test".into(),
        audiences: vec!["deploy.test".into()],
        jwks: serde_json::from_value(jwks).unwrap(),
        leeway_secs: 5,
        max_lifetime_secs: 900,
    }]);
    let claims = v
        .verify(&minted, time::OffsetDateTime::now_utc().unix_timestamp())
        .unwrap();
    assert_eq!(claims["artifact_digest"], artifact);
    assert_eq!(
        s.get("/.well-known/openid-configuration", None).json()["issuer"],
        "https://tollgate.test"
    );
    // Replayed: 401. Another repository: 403. Not a token exchange: 400. Wrong type: 415.
    assert_eq!(exchange(&s, &ci_token, &artifact).status, 401);
    assert_eq!(exchange(&s, &ci.token("43"), &artifact).status, 403);
    let r = s
        .req()
        .method("POST")
        .path("/v1/token")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(b"grant_type=client_credentials".to_vec())
        .send();
    assert_eq!(
        (r.status, r.json()["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
    let r = s
        .req()
        .method("POST")
        .path("/v1/token")
        .header("Content-Type", "application/json")
        .body(b"{}".to_vec())
        .send();
    assert_eq!(r.status, 415);
    // A later DENY closes it.
    let ev = json!({"type": "gate-decision", "actor": "ci", "subject": artifact, "environment": "prod",
        "payload": {"allow": false, "policy_digest": digest}});
    assert_eq!(
        s.post_json("/v1/log/entries", Some(&admin), &ev).status,
        201
    );
    let r = exchange(&s, &ci.token("42"), &artifact);
    assert_eq!(r.status, 403);
    assert!(
        r.json()["error_description"]
            .as_str()
            .unwrap()
            .contains("DENY")
    );
    // Every outcome is in the log; no token is.
    let log = std::fs::read(s.data.join("log.db")).unwrap();
    let text = String::from_utf8_lossy(&log);
    assert!(!text.contains(&minted) && !text.contains(&ci_token));
    let entries = (0..20)
        .map(|i| s.get(&format!("/v1/log/entries/{i}"), Some(&admin)))
        .filter(|r| r.status == 200)
        .filter(|r| r.text().contains("credential-issuance"))
        .count();
    assert_eq!(
        entries, 5,
        "every exchange with a well-formed request is recorded"
    );
}

#[test]
fn webhook_deliveries_are_verified_durable_and_processed_once() {
    let (s, _) = server(50);
    let admin = s.token(Role::Admin, "ops");
    let body = json!({"ref": "refs/heads/main", "after": "abc123", "repository": {"full_name": "acme/app"},
        "sender": {"login": "bob"}, "commits": [{}], "unknown_field": {"x": 1}})
    .to_string();
    let deliver = |body: &str, sig: &str, id: &str| {
        s.req()
            .method("POST")
            .path("/v1/webhooks/gh")
            .header("Content-Type", "application/json")
            .header("X-GitHub-Event", "push")
            .header("X-GitHub-Delivery", id)
            .header("X-Hub-Signature-256", sig)
            .body(body.as_bytes().to_vec())
            .send()
    };
    let r = deliver(&body, &gh_signature(body.as_bytes()), "d-1");
    assert_eq!(r.status, 202, "{}", r.text());
    let v = r.json();
    assert_eq!(v["status"], "processed");
    let idx = v["log"][0].as_u64().unwrap();
    let e = s.get(&format!("/v1/log/entries/{idx}"), Some(&admin));
    assert!(e.text().contains("\"push\""), "{}", e.text());
    // A redelivery is acknowledged and not processed again.
    let r = deliver(&body, &gh_signature(body.as_bytes()), "d-1");
    assert_eq!(
        (r.status, r.json()["duplicate"].as_bool()),
        (200, Some(true))
    );
    // Tampered, or signed with another secret: 401, recorded without the body.
    let tampered = body.replace("abc123", "abc124");
    assert_eq!(
        deliver(&tampered, &gh_signature(body.as_bytes()), "d-2").status,
        401
    );
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, b"guess");
    let forged = format!(
        "sha256={}",
        hex::encode(aws_lc_rs::hmac::sign(&key, body.as_bytes()).as_ref())
    );
    assert_eq!(deliver(&body, &forged, "d-3").status, 401);
    let audit = s.get("/v1/audit", Some(&admin)).text();
    assert!(
        audit.contains("/v1/webhooks/gh") && !audit.contains("abc124"),
        "{audit}"
    );
    // An event type tollgate does not use is stored and counted, not an error.
    let star = json!({"action": "created", "repository": {"full_name": "acme/app"}}).to_string();
    let r = s
        .req()
        .method("POST")
        .path("/v1/webhooks/gh")
        .header("X-GitHub-Event", "star")
        .header("X-GitHub-Delivery", "d-4")
        .header("X-Hub-Signature-256", &gh_signature(star.as_bytes()))
        .body(star.into_bytes())
        .send();
    assert_eq!(
        (r.status, r.json()["status"].as_str()),
        (202, Some("unknown-type"))
    );
    // An unknown source: 404.
    assert_eq!(
        s.req()
            .method("POST")
            .path("/v1/webhooks/nope")
            .body(b"{}".to_vec())
            .send()
            .status,
        404
    );
}

#[test]
fn webhook_sources_are_rate_limited() {
    let (s, _) = server(2);
    let mut statuses = Vec::new();
    let mut retry = None;
    for i in 0..5 {
        let body = format!("{{\"zen\": \"{i}\", \"repository\": {{\"full_name\": \"a/b\"}}}}");
        let r = s
            .req()
            .method("POST")
            .path("/v1/webhooks/gh")
            .header("X-GitHub-Event", "ping")
            .header("X-GitHub-Delivery", &format!("p-{i}"))
            .header("X-Hub-Signature-256", &gh_signature(body.as_bytes()))
            .body(body.into_bytes())
            .send();
        if r.status == 429 {
            retry = r.header("retry-after").map(str::to_string);
        }
        statuses.push(r.status);
    }
    assert!(statuses.contains(&429), "{statuses:?}");
    assert!(retry.is_some_and(|v| v.parse::<u64>().unwrap() >= 1));
}
