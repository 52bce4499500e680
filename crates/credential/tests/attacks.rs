//! The exchange end to end with a CI issuer made in the test: the happy path, and the attack
//! corpus of issue 18 — each refused, with a `credential-issuance` event that holds no token.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use base64::Engine as _;
use jsonwebtoken::jwk::JwkSet;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use tollgate_credential::exchange::response;
use tollgate_credential::{
    ExchangeForm, GateRecord, Issuer, JwtIssuer, Refusal, TrustPolicy, Verifier, exchange,
};
use tollgate_model::{Digest, Event, EventType, sha256};

const B64URL: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;
const ISS: &str = "https://token.actions.example";
const NOW: i64 = 1_800_000_000;

struct Ci {
    pkcs8: Vec<u8>,
    public: Vec<u8>,
}

impl Ci {
    fn new() -> Ci {
        let doc =
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
                .unwrap();
        let pair =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, doc.as_ref()).unwrap();
        Ci {
            pkcs8: doc.as_ref().to_vec(),
            public: pair.public_key().as_ref().to_vec(),
        }
    }

    fn jwks(&self) -> JwkSet {
        serde_json::from_value(json!({"keys": [{
            "kty": "EC", "crv": "P-256", "kid": "ci-1", "use": "sig",
            "x": B64URL.encode(&self.public[1..33]), "y": B64URL.encode(&self.public[33..65]),
        }]}))
        .unwrap()
    }

    fn token(&self, claims: &Value) -> String {
        let mut h = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
        h.kid = Some("ci-1".into());
        jsonwebtoken::encode(
            &h,
            claims,
            &jsonwebtoken::EncodingKey::from_ec_der(&self.pkcs8),
        )
        .unwrap()
    }
}

fn claims() -> Value {
    json!({
        "iss": ISS, "aud": "tollgate", "sub": "repo:acme/app:environment:prod",
        "iat": NOW - 10, "nbf": NOW - 10, "exp": NOW + 290, "jti": format!("j-{}", rand_id()),
        "repository": "acme/app", "repository_id": "123456", "ref": "refs/heads/main",
        "environment": "prod", "run_id": "777",
    })
}

fn rand_id() -> String {
    let mut b = [0u8; 8];
    aws_lc_rs::rand::fill(&mut b).unwrap();
    hex::encode(b)
}

fn artifact() -> Digest {
    sha256(b"app.tar")
}

fn policy() -> TrustPolicy {
    TrustPolicy {
        environment: "prod".into(),
        issuer: ISS.into(),
        claims: BTreeMap::from([
            ("repository_id".into(), "123456".into()),
            ("ref".into(), "refs/heads/main".into()),
            ("environment".into(), "prod".into()),
        ]),
        audience: "deploy.example".into(),
        scopes: vec!["deploy".into()],
        lifetime: 300,
        max_decision_age: 600,
        same_run: false,
    }
}

fn gate_event(allow: bool, time: &str, policy: &str) -> Event {
    Event {
        kind: EventType::GateDecision,
        actor: "ci".into(),
        subject: artifact(),
        environment: Some("prod".into()),
        time: Some(time.into()),
        payload: Some(json!({"allow": allow, "policy_digest": policy, "run": "777"})),
    }
}

struct World {
    ci: Ci,
    verifier: Verifier,
    minter: JwtIssuer,
    log: Vec<Event>,
}

fn world() -> World {
    let ci = Ci::new();
    let verifier = Verifier::new(vec![Issuer {
        url: ISS.into(),
        audiences: vec!["tollgate".into()],
        jwks: ci.jwks(),
        leeway_secs: 30,
        max_lifetime_secs: 600,
    }]);
    // NOW - 60 s, in RFC 3339.
    let t = time::OffsetDateTime::from_unix_timestamp(NOW - 60)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    World {
        ci,
        verifier,
        minter: JwtIssuer::generate("https://tollgate.example").unwrap(),
        log: vec![gate_event(true, &t, "sha256:policy-1")],
    }
}

fn form(token: String) -> ExchangeForm {
    ExchangeForm {
        subject_token: token,
        artifact: artifact(),
        environment: "prod".into(),
    }
}

fn run(w: &World, f: &ExchangeForm, policies: &[TrustPolicy]) -> tollgate_credential::Outcome {
    exchange(
        f,
        &w.verifier,
        policies,
        &|a, e| GateRecord::latest(w.log.iter().enumerate().map(|(i, e)| (i as u64, e)), a, e),
        &|_| Some("sha256:policy-1".into()),
        &w.minter,
        NOW,
    )
}

#[test]
fn an_allowed_release_gets_a_short_lived_credential() {
    let w = world();
    let token = w.ci.token(&claims());
    let out = run(&w, &form(token.clone()), &[policy()]);
    let issued = out.result.expect("granted");
    assert_eq!(issued.expires_in, 300);
    // The minted token verifies against the published JWKS, with the binding claims.
    let jwks: JwkSet = serde_json::from_value(JwtIssuer::jwks(&[&w.minter])).unwrap();
    let back = Verifier::new(vec![Issuer {
        url: "https://tollgate.example".into(),
        audiences: vec!["deploy.example".into()],
        jwks,
        leeway_secs: 0,
        max_lifetime_secs: 900,
    }])
    .verify(&issued.token, NOW + 1)
    .unwrap();
    assert_eq!(back["artifact_digest"], artifact().to_string());
    assert_eq!(back["environment"], "prod");
    assert_eq!(back["gate_log_index"], 0);
    assert_eq!(back["policy_digest"], "sha256:policy-1");
    // The event holds hashes, never a token.
    let e = serde_json::to_string(&out.event).unwrap();
    assert_eq!(out.event.kind, EventType::CredentialIssuance);
    assert!(!e.contains(&issued.token) && !e.contains(&token), "{e}");
    assert!(e.contains(&issued.token_sha256.to_string()));
    // The RFC 8693 response.
    let r = response(&issued);
    assert_eq!(
        r["issued_token_type"],
        "urn:ietf:params:oauth:token-type:jwt"
    );
    assert!(!format!("{issued:?}").contains(&issued.token));
}

fn refused(w: &World, token: String, expect: &str) {
    let out = run(w, &form(token.clone()), &[policy()]);
    let err = out.result.expect_err(expect).to_string();
    assert!(err.contains(expect), "expected {expect:?}, got {err:?}");
    let e = serde_json::to_string(&out.event).unwrap();
    assert_eq!(out.event.field("granted"), Some(&json!(false)), "{e}");
    assert!(!e.contains(&token), "the event holds the token: {e}");
}

fn with(f: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Value {
    let mut c = claims();
    f(c.as_object_mut().unwrap());
    c
}

#[test]
fn the_attack_corpus_is_refused() {
    let w = world();
    let ok = w.ci.token(&claims());
    let parts: Vec<&str> = ok.split('.').collect();
    // alg none, unsigned.
    let none = format!(
        "{}.{}.",
        B64URL.encode(br#"{"alg":"none","kid":"ci-1","typ":"JWT"}"#),
        parts[1]
    );
    refused(&w, none, "the subject token was refused");
    // HS256 signed with the issuer's public key bytes.
    let head = B64URL.encode(br#"{"alg":"HS256","kid":"ci-1","typ":"JWT"}"#);
    let input = format!("{head}.{}", parts[1]);
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &w.ci.public);
    let mac = aws_lc_rs::hmac::sign(&key, input.as_bytes());
    refused(
        &w,
        format!("{input}.{}", B64URL.encode(mac.as_ref())),
        "does not match the key",
    );
    // Unknown kid.
    let mut h = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    h.kid = Some("ci-9".into());
    let t = jsonwebtoken::encode(
        &h,
        &claims(),
        &jsonwebtoken::EncodingKey::from_ec_der(&w.ci.pkcs8),
    )
    .unwrap();
    refused(&w, t, "not in the issuer's JWKS");
    // Another key claiming the same kid.
    let other = Ci::new();
    refused(&w, other.token(&claims()), "does not verify");
    // Claims.
    refused(
        &w,
        w.ci.token(&with(|c| {
            c.insert("iss".into(), json!("https://evil.example"));
        })),
        "not trusted",
    );
    refused(
        &w,
        w.ci.token(&with(|c| {
            c.insert("aud".into(), json!("someone-else"));
        })),
        "does not verify",
    );
    refused(
        &w,
        w.ci.token(&with(|c| {
            c.insert("exp".into(), json!(NOW - 100));
            c.insert("iat".into(), json!(NOW - 400));
            c.insert("nbf".into(), json!(NOW - 400));
        })),
        "Expired",
    );
    refused(
        &w,
        w.ci.token(&with(|c| {
            c.insert("nbf".into(), json!(NOW + 200));
        })),
        "Immature",
    );
    refused(
        &w,
        w.ci.token(&with(|c| {
            c.insert("iat".into(), json!(NOW + 200));
        })),
        "issued in the future",
    );
    refused(
        &w,
        w.ci.token(&with(|c| {
            c.remove("sub");
        })),
        "does not verify",
    );
    refused(
        &w,
        w.ci.token(&with(|c| {
            c.remove("iat");
        })),
        "claim iat",
    );
    refused(
        &w,
        w.ci.token(&with(|c| {
            c.insert("exp".into(), json!((NOW + 100).to_string()));
        })),
        "",
    );
    refused(
        &w,
        w.ci.token(&with(|c| {
            c.insert("exp".into(), json!(NOW + 3600));
        })),
        "more than",
    );
    // Replay of a jti.
    let t = w.ci.token(&claims());
    assert!(run(&w, &form(t.clone()), &[policy()]).result.is_ok());
    refused(&w, t, "already used");
    // Valid tokens from another repository, branch or environment.
    refused(
        &w,
        w.ci.token(&with(|c| {
            c.insert("repository_id".into(), json!("999"));
        })),
        "does not match",
    );
    refused(
        &w,
        w.ci.token(&with(|c| {
            c.insert("ref".into(), json!("refs/heads/feature"));
        })),
        "does not match",
    );
    refused(
        &w,
        w.ci.token(&with(|c| {
            c.insert("environment".into(), json!("staging"));
        })),
        "does not match",
    );
}

#[test]
fn the_credential_is_bound_to_the_latest_gate_decision() {
    let mut w = world();
    let fresh = |w: &World| w.ci.token(&claims());
    let rfc = |t: i64| {
        time::OffsetDateTime::from_unix_timestamp(t)
            .unwrap()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    // The latest decision is a DENY (an ALLOW before it does not count).
    w.log
        .push(gate_event(false, &rfc(NOW - 30), "sha256:policy-1"));
    let t = fresh(&w);
    refused(&w, t, "is DENY");
    // An ALLOW older than the limit.
    w.log
        .push(gate_event(true, &rfc(NOW - 4000), "sha256:policy-1"));
    let t = fresh(&w);
    refused(&w, t, "more than 600 s");
    // An ALLOW under an older policy.
    w.log
        .push(gate_event(true, &rfc(NOW - 10), "sha256:policy-0"));
    let t = fresh(&w);
    refused(&w, t, "not the current");
    // No decision at all for another artifact.
    let mut f = form(fresh(&w));
    f.artifact = sha256(b"other");
    let out = run(&w, &f, &[policy()]);
    assert!(matches!(out.result, Err(Refusal::NoDecision { .. })));
    // Same run required: the ALLOW's run must be the token's.
    w.log
        .push(gate_event(true, &rfc(NOW - 10), "sha256:policy-1"));
    let mut p = policy();
    p.same_run = true;
    let t = w.ci.token(&with(|c| {
        c.insert("run_id".into(), json!("778"));
    }));
    let out = run(&w, &form(t), std::slice::from_ref(&p));
    assert!(
        matches!(out.result, Err(Refusal::OtherRun { .. })),
        "{:?}",
        out.result
    );
    let t = fresh(&w);
    assert!(run(&w, &form(t), &[p]).result.is_ok());
}

#[test]
fn the_form_is_parsed_strictly() {
    let t = "eyJ.a.b";
    let ok = format!(
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token={t}&subject_token_type=urn:ietf:params:oauth:token-type:id_token&artifact=sha256%3A{}&environment=prod",
        artifact().hex()
    );
    let f = ExchangeForm::parse(ok.as_bytes()).unwrap();
    assert_eq!(f.environment, "prod");
    assert!(!format!("{f:?}").contains(t));
    for (bad, code) in [
        (
            ok.replace("token-exchange", "client_credentials"),
            "unsupported_grant_type",
        ),
        (ok.replace("&environment=prod", ""), "invalid_request"),
        (ok.replace("sha256%3A", "md5%3A"), "invalid_request"),
        (format!("{ok}&environment=staging"), "invalid_request"),
        (ok.replace("id_token", "access_token"), "invalid_request"),
    ] {
        assert_eq!(
            ExchangeForm::parse(bad.as_bytes()).unwrap_err().code(),
            code,
            "{bad}"
        );
    }
}
