//! The log as a service over a real socket: appends (one and many, concurrent), receipts that
//! verify offline with the log's public key, entries, proofs that verify, and C2SP tiles equal
//! byte for byte to what `tollgate log export` writes for the same log.

mod common;

use base64::Engine;
use common::{TestServer, event};
use tollgate_ledger::merkle::{leaf_hash, verify_consistency, verify_inclusion};
use tollgate_ledger::{Log, Receipt, SignedCheckpoint};
use tollgate_server::access::Role;

fn b64(s: &serde_json::Value) -> [u8; 32] {
    base64::engine::general_purpose::STANDARD
        .decode(s.as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap()
}

fn hashes(v: &serde_json::Value) -> Vec<[u8; 32]> {
    v.as_array().unwrap().iter().map(b64).collect()
}

#[test]
fn append_prove_and_serve_tiles() {
    let s = TestServer::start();
    let ci = s.token(Role::Releaser, "ci");
    let reader = s.token(Role::Reader, "r");
    let verifier =
        tollgate_ledger::log::read_verifier(&s.data.join("log.db.pub")).expect("log key");

    // One event, then a batch of 299: 300 entries, one full tile and a partial one.
    let r = s.post_json("/v1/log/entries", Some(&ci), &event("scan", "ci", "0"));
    assert_eq!(r.status, 201, "{}", r.text());
    let v = r.json();
    assert_eq!(v["entries"][0]["index"], 0);
    let batch: Vec<_> = (1..300)
        .map(|i| event("scan", "ci", &i.to_string()))
        .collect();
    let r = s.post_json(
        "/v1/log/entries",
        Some(&ci),
        &serde_json::Value::Array(batch),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let v = r.json();
    let entries = v["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 299);
    // Every receipt verifies offline against the log key, for the entry it names.
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(e["index"], i as u64 + 1);
        let receipt = Receipt::parse(e["receipt"].as_str().unwrap()).unwrap();
        let cp = receipt.verify(&verifier, None, None).unwrap();
        assert_eq!(cp.checkpoint.size, 300);
    }

    // The checkpoint, at both paths.
    let note = s.get("/v1/log/checkpoint", Some(&reader)).text();
    assert_eq!(s.get("/checkpoint", Some(&reader)).text(), note);
    let cp = SignedCheckpoint::verify(&note, &verifier).unwrap();
    assert_eq!(cp.checkpoint.size, 300);

    // An entry with its payload and receipt.
    let r = s.get("/v1/log/entries/7", Some(&reader));
    assert_eq!(r.status, 200);
    let e = r.json();
    assert_eq!(e["entry"]["type"], "scan");
    assert_eq!(e["payload"]["n"], "7");
    let receipt = Receipt::parse(e["receipt"].as_str().unwrap()).unwrap();
    receipt.verify(&verifier, None, None).unwrap();
    let leaf = receipt.extra.clone().unwrap();
    s.get("/v1/log/entries/300", Some(&reader))
        .assert_error(404);

    // Inclusion and consistency proofs verify against the roots they name.
    let r = s
        .get("/v1/log/proof/inclusion?index=7&size=200", Some(&reader))
        .json();
    verify_inclusion(
        7,
        200,
        &leaf_hash(&leaf),
        &hashes(&r["hashes"]),
        &b64(&r["root"]),
    )
    .unwrap();
    let r = s
        .get("/v1/log/proof/inclusion?index=7", Some(&reader))
        .json();
    assert_eq!(b64(&r["root"]), cp.checkpoint.root);
    let r = s
        .get("/v1/log/proof/consistency?from=100&to=300", Some(&reader))
        .json();
    assert_eq!(b64(&r["to_root"]), cp.checkpoint.root);
    verify_consistency(
        100,
        300,
        &b64(&r["from_root"]),
        &b64(&r["to_root"]),
        &hashes(&r["hashes"]),
    )
    .unwrap();

    // Tiles: every file `log export` writes for this log is served with the same bytes.
    let log = Log::open(&s.data.join("log.db")).unwrap();
    let out = tempfile::tempdir().unwrap();
    tollgate_ledger::tiles::export(&log, out.path(), false).unwrap();
    let mut served = 0;
    let mut stack = vec![out.path().to_path_buf()];
    while let Some(d) = stack.pop() {
        for f in std::fs::read_dir(&d).unwrap() {
            let p = f.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let rel = p
                .strip_prefix(out.path())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let r = s.get(&format!("/{rel}"), Some(&reader));
            assert_eq!(r.status, 200, "/{rel}");
            assert_eq!(r.body, std::fs::read(&p).unwrap(), "/{rel}");
            served += 1;
        }
    }
    assert!(served >= 5, "{served}");
    // Beyond the tree, or not a tile path: 404.
    s.get("/tile/0/001.p/45", Some(&reader)).assert_error(404);
    s.get("/tile/0/002", Some(&reader)).assert_error(404);
    s.get("/tile/1/000", Some(&reader)).assert_error(404);
    s.get("/tile/0/../000", Some(&reader)).assert_error(404);
    s.get("/tile/entries/001", Some(&reader)).assert_error(404);
}

#[test]
fn concurrent_appends_make_one_consistent_tree() {
    let s = TestServer::start();
    let ci = s.token(Role::Releaser, "ci");
    let threads = 8;
    let per = 20;
    let mut seen: Vec<u64> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let s = &s;
                let ci = &ci;
                scope.spawn(move || {
                    let mut idx = Vec::new();
                    for i in 0..per {
                        let r = s.post_json(
                            "/v1/log/entries",
                            Some(ci),
                            &event("build-finish", "ci", &format!("{t}-{i}")),
                        );
                        assert_eq!(r.status, 201, "{}", r.text());
                        idx.push(r.json()["entries"][0]["index"].as_u64().unwrap());
                    }
                    idx
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    seen.sort();
    assert_eq!(seen, (0..(threads * per) as u64).collect::<Vec<_>>());
    let report = Log::open(&s.data.join("log.db"))
        .unwrap()
        .verify(&[])
        .unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!(report.size, (threads * per) as u64);
}
