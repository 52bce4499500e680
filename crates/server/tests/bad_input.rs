//! Bad input over a real socket: the right 4xx with a JSON error body, never a 5xx.

mod common;

use common::{TestServer, event};
use tollgate_server::access::Role;

#[test]
fn bad_requests_get_json_4xx() {
    let s = TestServer::start_with(|dir| {
        let t = dir.join("trust.toml");
        std::fs::write(&t, "").unwrap();
        Some(t)
    });
    let admin = s.token(Role::Admin, "root");
    let a = Some(admin.as_str());
    let post = |path: &str, ct: Option<&str>, body: &[u8]| {
        let mut r = s
            .req()
            .method("POST")
            .path(path)
            .token(a)
            .body(body.to_vec());
        if let Some(ct) = ct {
            r = r.header("Content-Type", ct);
        }
        r.send()
    };
    let json = Some("application/json");
    for path in ["/v1/log/entries", "/v1/releases", "/v1/gate"] {
        // Wrong or missing content type.
        post(path, Some("text/plain"), b"{}").assert_error(415);
        post(path, None, b"{}").assert_error(415);
        // Malformed JSON.
        post(path, json, b"{\"type\": ").assert_error(400);
        post(path, json, b"").assert_error(400);
        post(path, json, &[0xff, 0xfe]).assert_error(400);
        // Well-formed, wrong shape.
        post(path, json, b"{\"unknown\": 1}").assert_error(422);
        post(path, json, b"42").assert_error(422);
    }
    // The charset parameter is fine.
    let r = post(
        "/v1/log/entries",
        Some("application/json; charset=utf-8"),
        &serde_json::to_vec(&event("scan", "ci", "x")).unwrap(),
    );
    assert_eq!(r.status, 201, "{}", r.text());

    // Events: unknown field, unknown type, bad digest, empty actor, future time, empty batch.
    let mut e = event("scan", "ci", "1");
    e["extra"] = 1.into();
    let m = s.post_json("/v1/log/entries", a, &e).assert_error(422);
    assert!(m.contains("extra"), "{m}");
    let mut e = event("scan", "ci", "1");
    e["type"] = "deploy".into();
    s.post_json("/v1/log/entries", a, &e).assert_error(422);
    let mut e = event("scan", "ci", "1");
    e["subject"] = "sha256:00".into();
    s.post_json("/v1/log/entries", a, &e).assert_error(422);
    let e = event("scan", "", "1");
    s.post_json("/v1/log/entries", a, &e).assert_error(400);
    let mut e = event("scan", "ci", "1");
    e["time"] = "2099-01-01T00:00:00Z".into();
    let m = s.post_json("/v1/log/entries", a, &e).assert_error(400);
    assert!(m.contains("future"), "{m}");
    s.post_json("/v1/log/entries", a, &serde_json::json!([]))
        .assert_error(422);
    let many: Vec<_> = (0..1001)
        .map(|i| event("scan", "ci", &i.to_string()))
        .collect();
    s.post_json("/v1/log/entries", a, &serde_json::Value::Array(many))
        .assert_error(422);

    // Bodies over the endpoint's limit: 413.
    let big = vec![b' '; (1 << 20) + 1];
    post("/v1/log/entries", json, &big).assert_error(413);
    let big = vec![b' '; (64 << 10) + 1];
    post("/v1/gate", json, &big).assert_error(413);

    // Release uploads: path traversal and odd names, bad base64, no artifact.
    let subject = tollgate_model::sha256(b"a").to_string();
    for name in ["../x", "a/b", ".env", "..", "a\\b"] {
        let body = serde_json::json!({"artifact": subject, "files": {name: "aGk="}});
        s.post_json("/v1/releases", a, &body).assert_error(422);
    }
    let body = serde_json::json!({"artifact": subject, "files": {"a.txt": "not base64!"}});
    s.post_json("/v1/releases", a, &body).assert_error(422);
    let body = serde_json::json!({"files": {"a.txt": "aGk="}});
    s.post_json("/v1/releases", a, &body).assert_error(422);
    let body = serde_json::json!({"artifact": "md5:00", "files": {"a.txt": "aGk="}});
    s.post_json("/v1/releases", a, &body).assert_error(400);
    // A manifest.json that is not one.
    let body = serde_json::json!({"files": {"manifest.json": "e30K", "x": "aGk="}});
    s.post_json("/v1/releases", a, &body).assert_error(422);
    let body = serde_json::json!({"files": {"manifest.json": "bm9wZQ=="}});
    s.post_json("/v1/releases", a, &body).assert_error(400);

    // Gate: bad environment, bad artifact.
    let body = serde_json::json!({"artifact": subject, "environment": "../prod"});
    s.post_json("/v1/gate", a, &body).assert_error(422);
    let body = serde_json::json!({"artifact": "x", "environment": "prod"});
    s.post_json("/v1/gate", a, &body).assert_error(400);

    // Paths and queries.
    for p in [
        "/v1/log/entries/abc",
        "/v1/log/entries/-1",
        "/v1/log/entries/99999999999999999999999",
        "/v1/log/proof/inclusion",
        "/v1/log/proof/inclusion?index=x",
        "/v1/log/proof/inclusion?index=0&bogus=1",
        "/v1/log/proof/inclusion?index=5&size=2",
        "/v1/log/proof/inclusion?index=0&size=999",
        "/v1/log/proof/consistency?from=2&to=1",
        "/v1/releases/sha256:xyz",
        "/v1/blobs/nothex",
        "/v1/audit?limit=-1",
    ] {
        let r = s.get(p, a);
        r.assert_error(400);
    }
    s.get("/v1/releases/sha256:", a).assert_error(400);
    s.get(&format!("/v1/releases/{subject}"), a)
        .assert_error(404);
    s.get(&format!("/v1/blobs/{subject}"), a).assert_error(404);
    // Unknown routes and methods.
    s.get("/nope", a).assert_error(404);
    s.get("/v2/log/entries", None).assert_error(404);
    s.req()
        .method("DELETE")
        .path("/v1/log/entries")
        .token(a)
        .send()
        .assert_error(405);
    s.get("/v1/gate", a).assert_error(405);
    // Malformed Authorization headers: 401.
    for h in ["Basic dTpw", "Bearer", "Bearer ", "tg_x"] {
        s.req()
            .path("/v1/whoami")
            .header("Authorization", h)
            .send()
            .assert_error(401);
    }
}

#[test]
fn gate_without_server_trust_is_a_conflict() {
    let s = TestServer::start();
    let ci = s.token(Role::Releaser, "ci");
    let body = serde_json::json!({
        "artifact": tollgate_model::sha256(b"a").to_string(),
        "environment": "prod",
    });
    let m = s.post_json("/v1/gate", Some(&ci), &body).assert_error(409);
    assert!(m.contains("[trust] file"), "{m}");
}
