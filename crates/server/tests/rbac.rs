//! The RBAC matrix: every endpoint × every role (and no token, an expired, a revoked and an
//! unknown token) over a real socket. Admitted calls never get 401/403; others get exactly the
//! table's answer, as a JSON error; each denial is recorded without the token.

mod common;

use common::TestServer;
use tollgate_server::access::{Access, ENDPOINTS, Endpoint, Role};

/// Public endpoints whose callers prove themselves otherwise.
const SELF_AUTHENTICATED: &[&str] = &[
    "/v1/token",
    "/.well-known/jwks.json",
    "/.well-known/openid-configuration",
    "/v1/webhooks/{source}",
];

fn concrete(e: &Endpoint, subject: &str) -> String {
    match e.path {
        "/v1/log/entries/{index}" => "/v1/log/entries/0".into(),
        "/v1/log/proof/inclusion" => "/v1/log/proof/inclusion?index=0".into(),
        "/v1/log/proof/consistency" => "/v1/log/proof/consistency?from=1".into(),
        "/tile/{*path}" => "/tile/0/000.p/1".into(),
        "/v1/releases/{digest}" | "/v1/blobs/{digest}" => e.path.replace("{digest}", subject),
        p => p.into(),
    }
}

fn body(e: &Endpoint, role: Role, identity: &str, subject: &str) -> serde_json::Value {
    match e.path {
        "/v1/log/entries" => {
            let kind = if role == Role::Approver {
                "approval"
            } else {
                "scan"
            };
            serde_json::json!({"type": kind, "actor": identity, "subject": subject})
        }
        "/v1/releases" => {
            serde_json::json!({"artifact": subject, "files": {"notes.txt": "aGVsbG8="}})
        }
        "/v1/gate" => serde_json::json!({"artifact": subject, "environment": "dev"}),
        _ => serde_json::Value::Null,
    }
}

#[test]
fn every_endpoint_by_every_role() {
    let s = TestServer::start_with(|dir| {
        let t = dir.join("trust.toml");
        std::fs::write(&t, "[environments.dev]\nrequire = []\n").unwrap();
        Some(t)
    });
    let subject = tollgate_model::sha256(b"artifact").to_string();
    // Something in the log and a release record, so reads have something to find.
    let admin = s.token(Role::Admin, "root");
    let r = s.post_json(
        "/v1/log/entries",
        Some(&admin),
        &serde_json::json!({"type": "scan", "actor": "ci", "subject": subject}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let r = s.post_json(
        "/v1/releases",
        Some(&admin),
        &serde_json::json!({"artifact": subject, "files": {"a.txt": "aGVsbG8="}}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let blob = tollgate_model::sha256(b"hello").to_string();

    let tokens: Vec<(Role, String, String)> = Role::ALL
        .iter()
        .map(|r| {
            let id = format!("{r}-user");
            (*r, id.clone(), s.token(*r, &id))
        })
        .collect();
    let expired = tollgate_server::tokens::create_in(
        &mut tollgate_server::db::open_data(&s.data).unwrap(),
        Role::Admin,
        "old",
        -1,
    )
    .unwrap()
    .token;
    let revoked = tollgate_server::tokens::create(&s.data, Role::Admin, "gone", "1d").unwrap();
    assert!(tollgate_server::tokens::revoke(&s.data, &revoked.row.id).unwrap());

    let mut cells = 0;
    for e in ENDPOINTS {
        // Authenticated by the request itself (a CI OIDC token, a webhook signature), not by
        // an API token: tests/intake.rs covers them; here they never answer 401 Bearer or 5xx.
        if SELF_AUTHENTICATED.contains(&e.path) {
            let r = s.post_json(
                &e.path.replace("{source}", "nope"),
                None,
                &serde_json::json!({}),
            );
            let r = if e.method == "GET" {
                s.get(e.path, None)
            } else {
                r
            };
            assert!(
                (400..500).contains(&r.status),
                "{} {}: {}",
                e.method,
                e.path,
                r.status
            );
            assert_ne!(r.header("www-authenticate"), Some("Bearer"));
            cells += 4 + Role::ALL.len();
            continue;
        }
        let target = |role: Role| {
            let subj = if e.path == "/v1/blobs/{digest}" {
                &blob
            } else {
                &subject
            };
            concrete(e, subj).replace("{role}", role.as_str())
        };
        let send = |token: Option<&str>, role: Role, identity: &str| {
            let path = target(role);
            if e.method == "POST" {
                s.post_json(&path, token, &body(e, role, identity, &subject))
            } else {
                s.get(&path, token)
            }
        };
        // No token, and tokens that are no longer (or never were) valid.
        for bad in [
            None,
            Some(expired.as_str()),
            Some(revoked.token.as_str()),
            Some("tg_forged"),
        ] {
            let r = send(bad, Role::Admin, "x");
            match e.access {
                Access::Public => assert_eq!(r.status, 200, "{} {}", e.method, e.path),
                Access::Roles(_) => {
                    r.assert_error(401);
                    assert_eq!(r.header("www-authenticate"), Some("Bearer"));
                }
            }
            cells += 1;
        }
        for (role, identity, token) in &tokens {
            let r = send(Some(token), *role, identity);
            if e.access.admits(*role) {
                assert!(
                    r.status < 400,
                    "{} {} as {role}: {} {}",
                    e.method,
                    e.path,
                    r.status,
                    r.text()
                );
            } else {
                let msg = r.assert_error(403);
                assert!(msg.contains(role.as_str()), "{msg}");
            }
            cells += 1;
        }
    }
    assert_eq!(cells, ENDPOINTS.len() * (4 + Role::ALL.len()));

    // The auditor reads the denials; the record names identities, never tokens.
    let auditor = &tokens.iter().find(|t| t.0 == Role::Auditor).unwrap().2;
    let r = s.get("/v1/audit?limit=1000", Some(auditor));
    assert_eq!(r.status, 200);
    let denied = r.json()["denied"].as_array().unwrap().clone();
    let forbidden = denied.iter().filter(|d| d["status"] == 403).count();
    let expected_403: usize = ENDPOINTS
        .iter()
        .map(|e| Role::ALL.iter().filter(|r| !e.access.admits(**r)).count())
        .sum();
    assert_eq!(forbidden, expected_403);
    assert!(denied.iter().any(|d| d["reason"] == "token expired"));
    assert!(denied.iter().any(|d| d["reason"] == "token revoked"));
    let all = r.text();
    let db = std::fs::read(s.data.join("server.db")).unwrap();
    for (_, _, t) in &tokens {
        assert!(!all.contains(t.as_str()));
        let secret = &t.as_bytes()[3..];
        assert!(!db.windows(secret.len()).any(|w| w == secret));
    }
}

#[test]
fn approvers_append_approvals_in_their_own_name_only() {
    let s = TestServer::start();
    let subject = tollgate_model::sha256(b"a").to_string();
    let alice = s.token(Role::Approver, "alice");
    let ok = serde_json::json!({"type": "approval", "actor": "alice", "subject": subject});
    assert_eq!(
        s.post_json("/v1/log/entries", Some(&alice), &ok).status,
        201
    );
    let other = serde_json::json!({"type": "approval", "actor": "bob", "subject": subject});
    let msg = s
        .post_json("/v1/log/entries", Some(&alice), &other)
        .assert_error(403);
    assert!(msg.contains("own name"), "{msg}");
    // A releaser cannot forge gate decisions or open break-glass windows.
    let ci = s.token(Role::Releaser, "ci");
    for kind in ["gate-decision", "break-glass", "approval", "exception"] {
        let e = serde_json::json!({"type": kind, "actor": "ci", "subject": subject});
        s.post_json("/v1/log/entries", Some(&ci), &e)
            .assert_error(403);
    }
    // Nothing refused was appended: one entry.
    let r = s.get("/v1/log/checkpoint", Some(&ci));
    assert!(r.text().lines().nth(1) == Some("1"), "{}", r.text());
}

/// The access table checked against an independent, hand-written matrix (the matrix test above
/// checks that the server enforces the table; this one that the table says what docs/server.md
/// says).
#[test]
fn access_table_is_the_documented_one() {
    let all = "reader auditor releaser approver admin";
    let expected: &[(&str, &str, &str)] = &[
        ("GET", "/healthz", "public"),
        ("GET", "/readyz", "public"),
        ("GET", "/openapi.json", "public"),
        ("GET", "/v1/whoami", all),
        ("POST", "/v1/log/entries", "releaser approver admin"),
        ("GET", "/v1/log/entries/{index}", all),
        ("GET", "/v1/log/checkpoint", all),
        ("GET", "/v1/log/proof/inclusion", all),
        ("GET", "/v1/log/proof/consistency", all),
        ("GET", "/checkpoint", all),
        ("GET", "/tile/{*path}", all),
        ("POST", "/v1/releases", "releaser admin"),
        ("GET", "/v1/releases/{digest}", all),
        ("GET", "/v1/blobs/{digest}", all),
        ("POST", "/v1/gate", "releaser admin"),
        ("GET", "/v1/audit", "auditor admin"),
    ];
    for (method, path, roles) in expected {
        let e = tollgate_server::access::endpoint(method, path)
            .unwrap_or_else(|| panic!("{method} {path} missing"));
        let got = match e.access {
            Access::Public => "public".to_string(),
            Access::Roles(r) => r.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(" "),
        };
        assert_eq!(&got, roles, "{method} {path}");
    }
}
