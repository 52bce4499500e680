//! The served OpenAPI 3.1 document lists exactly the endpoints of the access table (the
//! router is built from that table), with the security each needs.

mod common;

use common::TestServer;
use tollgate_server::access::{Access, ENDPOINTS};

#[test]
fn document_matches_the_routes() {
    let s = TestServer::start();
    let r = s.get("/openapi.json", None);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let doc = r.json();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    let mut documented: Vec<(String, String)> = paths
        .iter()
        .flat_map(|(p, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.to_uppercase(), p.clone()))
        })
        .collect();
    let mut routed: Vec<(String, String)> = ENDPOINTS
        .iter()
        .map(|e| (e.method.to_string(), e.path.replace("{*", "{")))
        .collect();
    documented.sort();
    routed.sort();
    assert_eq!(documented, routed);
    for e in ENDPOINTS {
        let op = &paths[&e.path.replace("{*", "{")][e.method.to_lowercase()];
        let public = op["security"].as_array().is_some_and(|s| s.is_empty());
        assert_eq!(
            public,
            e.access == Access::Public,
            "{} {}",
            e.method,
            e.path
        );
        if e.access != Access::Public {
            assert!(op["responses"]["401"].is_object(), "{}", e.path);
            assert!(op["responses"]["403"].is_object(), "{}", e.path);
        }
    }
    // Health answers without a token.
    assert_eq!(s.get("/healthz", None).json()["status"], "ok");
    assert_eq!(s.get("/readyz", None).json()["status"], "ready");
}
