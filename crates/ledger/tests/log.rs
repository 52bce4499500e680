//! The log end to end: init, batched appends, proofs, receipts, checkpoints, tiles, and
//! tamper detection (edit, delete, swap, truncate), each reported with where it happened.

use tollgate_ledger::log::{Log, key_path, pub_path};
use tollgate_ledger::merkle::{leaf_hash, verify_consistency, verify_inclusion};
use tollgate_ledger::note::{Signer, WitnessPolicy};
use tollgate_ledger::store::StoreError;
use tollgate_ledger::{Event, LogError, PrepareEvent, Receipt, SignedCheckpoint, tiles};

fn event(i: usize) -> Event {
    Event::from_json(&format!(
        r#"{{"type":"deployment","actor":"ci-{i}","subject":"sha256:{:064x}","environment":"prod","time":"2026-03-01T10:00:00Z","payload":{{"run":{i}}}}}"#,
        i
    ))
    .unwrap()
}

/// A log with `n` entries appended in batches of 10.
fn log_with(dir: &std::path::Path, n: usize) -> Log {
    let init = Log::init(&dir.join("release.log"), Some("log.example/test")).unwrap();
    let mut log = init.log;
    let events: Vec<Event> = (0..n).map(event).collect();
    let mut next = 0u64;
    for chunk in events.chunks(10) {
        let idx = log.append(chunk).unwrap();
        assert_eq!(idx, (next..next + chunk.len() as u64).collect::<Vec<_>>());
        next += chunk.len() as u64;
    }
    log
}

fn problems(log: &Log) -> Vec<String> {
    log.verify(&[])
        .unwrap()
        .problems
        .into_iter()
        .map(|p| p.message)
        .collect()
}

#[test]
fn init_writes_key_files_and_an_empty_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("release.log");
    let init = Log::init(&db, None).unwrap();
    assert!(init.warning.unwrap().contains("unencrypted"));
    assert!(key_path(&db).is_file() && pub_path(&db).is_file());
    let cp = init.log.checkpoint().unwrap();
    assert_eq!(cp.checkpoint.size, 0);
    assert!(cp.checkpoint.origin.starts_with("tollgate.local/log-"));
    assert!(Log::init(&db, None).is_err(), "init never overwrites");
    let reopened = Log::open(&db).unwrap();
    assert!(reopened.verify(&[]).unwrap().ok());
}

#[test]
fn appends_prove_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = log_with(dir.path(), 45);
    let cp = log.checkpoint().unwrap().checkpoint;
    assert_eq!(cp.size, 45);
    for i in [0u64, 1, 17, 44] {
        let proof = log.inclusion_proof(i, 45).unwrap();
        verify_inclusion(i, 45, &leaf_hash(&log.entry(i).unwrap()), &proof, &cp.root).unwrap();
        let receipt = log.receipt(i).unwrap();
        let text = receipt.encode();
        let parsed = Receipt::parse(&text).unwrap();
        assert_eq!(parsed, receipt);
        parsed.verify(log.verifier(), None, None).unwrap();
        // A receipt for another entry's bytes does not verify.
        let other = log.entry((i + 1) % 45).unwrap();
        assert!(parsed.verify(log.verifier(), None, Some(&other)).is_err());
    }
    let old_root = log.root_at(20).unwrap();
    let proof = log.consistency_proof(20, 45).unwrap();
    verify_consistency(20, 45, &old_root, &cp.root, &proof).unwrap();
    // Saved checkpoint, then more appends: still consistent.
    let saved = log.checkpoint().unwrap().note.encode();
    log.append(&[event(99)]).unwrap();
    let report = log.verify(&[("saved.cp".into(), saved)]).unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!(report.size, 46);
    assert_eq!(report.checkpoints, 7 + 1);
    // Payloads are stored beside the entries.
    let entry = tollgate_ledger::Entry::from_canonical(&log.entry(3).unwrap()).unwrap();
    let payload = log
        .payload(&entry.payload_digest.unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(payload, br#"{"run":3}"#);
}

#[test]
fn receipts_with_witness_quorum() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_with(dir.path(), 5);
    let w = Signer::from_key_pair(
        "witness.example",
        aws_lc_rs::signature::Ed25519KeyPair::generate().unwrap(),
    )
    .unwrap();
    let mut receipt = log.receipt(2).unwrap();
    let policy = WitnessPolicy {
        witnesses: vec![w.cosignature_verifier()],
        quorum: 1,
    };
    assert!(receipt.verify(log.verifier(), Some(&policy), None).is_err());
    let body = log.checkpoint().unwrap().note.text;
    receipt
        .checkpoint
        .push_str(&w.cosign_line(&body, 1_750_000_000));
    let reparsed = Receipt::parse(&receipt.encode()).unwrap();
    reparsed
        .verify(log.verifier(), Some(&policy), None)
        .unwrap();
}

#[test]
fn wrong_key_and_corrupt_checkpoints_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_with(dir.path(), 3);
    let other = Log::init(&dir.path().join("other.log"), Some("log.example/test")).unwrap();
    let raw = log.checkpoint().unwrap().note.encode();
    let err = SignedCheckpoint::verify(&raw, other.log.verifier()).unwrap_err();
    assert!(err.to_string().contains("no valid signature"), "{err}");
    let cut = &raw[..raw.len() - 10];
    assert!(SignedCheckpoint::verify(cut, log.verifier()).is_err());
    assert!(Receipt::parse("c2sp.org/tlog-proof@v1\nindex x\n\n").is_err());
    // Appending with another log's key is refused.
    std::fs::copy(
        key_path(&dir.path().join("other.log")),
        dir.path().join("third.key"),
    )
    .unwrap();
    let db = dir.path().join("release.log");
    std::fs::remove_file(key_path(&db)).unwrap();
    std::fs::copy(dir.path().join("third.key"), key_path(&db)).unwrap();
    let mut reopened = Log::open(&db).unwrap();
    assert!(matches!(
        reopened.append(&[event(1)]),
        Err(LogError::WrongKey { .. })
    ));
}

#[test]
fn newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_with(dir.path(), 1);
    log.store()
        .connection()
        .execute("UPDATE schema_version SET version = 99", [])
        .unwrap();
    let err = Log::open(&dir.path().join("release.log")).unwrap_err();
    assert!(matches!(
        err,
        LogError::Store(StoreError::NewerSchema { found: 99, .. })
    ));
    assert!(err.to_string().contains("schema version 99"), "{err}");
}

#[test]
fn edited_entry_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_with(dir.path(), 30);
    assert!(problems(&log).is_empty());
    // Change one byte of entry 13 (the actor "ci-13" becomes "ci-14").
    let mut data = log.entry(13).unwrap();
    let pos = data.windows(5).position(|w| w == b"ci-13").unwrap();
    data[pos + 4] = b'4';
    log.store()
        .connection()
        .execute("UPDATE entries SET data = ?1 WHERE idx = 13", [&data])
        .unwrap();
    let p = problems(&log);
    assert!(
        p.iter().any(|m| m.starts_with("entry 13: content differs")),
        "{p:?}"
    );
    assert!(p.iter().any(|m| m.contains("entries 10..=19")), "{p:?}");
}

#[test]
fn edit_with_forged_tree_nodes_is_still_found_by_the_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_with(dir.path(), 30);
    let mut data = log.entry(25).unwrap();
    let pos = data.windows(5).position(|w| w == b"ci-25").unwrap();
    data[pos + 4] = b'9';
    let c = log.store().connection();
    c.execute("UPDATE entries SET data = ?1 WHERE idx = 25", [&data])
        .unwrap();
    c.execute(
        "UPDATE nodes SET hash = ?1 WHERE level = 0 AND idx = 25",
        [&leaf_hash(&data)[..]],
    )
    .unwrap();
    let p = problems(&log);
    assert!(
        p.iter()
            .any(|m| m.contains("signed checkpoint at size 30") && m.contains("entries 20..=29")),
        "{p:?}"
    );
}

#[test]
fn deleted_row_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_with(dir.path(), 30);
    log.store()
        .connection()
        .execute("DELETE FROM entries WHERE idx = 7", [])
        .unwrap();
    let p = problems(&log);
    assert!(
        p.iter().any(|m| m == "entry 7 is missing (row deleted)"),
        "{p:?}"
    );
    // The rest of the log still checks out against its checkpoints: only one problem.
    assert_eq!(p.len(), 1, "{p:?}");
}

#[test]
fn swapped_rows_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_with(dir.path(), 30);
    let a = log.entry(4).unwrap();
    let b = log.entry(5).unwrap();
    let c = log.store().connection();
    c.execute("UPDATE entries SET data = ?1 WHERE idx = 4", [&b])
        .unwrap();
    c.execute("UPDATE entries SET data = ?1 WHERE idx = 5", [&a])
        .unwrap();
    let p = problems(&log);
    assert!(
        p.iter().any(|m| m.starts_with("entry 4: content differs")),
        "{p:?}"
    );
    assert!(
        p.iter().any(|m| m.starts_with("entry 5: content differs")),
        "{p:?}"
    );
    assert!(p.iter().any(|m| m.contains("entries 0..=9")), "{p:?}");
}

#[test]
fn truncated_tail_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_with(dir.path(), 30);
    log.store()
        .connection()
        .execute("DELETE FROM entries WHERE idx >= 26", [])
        .unwrap();
    let p = problems(&log);
    assert!(
        p.iter()
            .any(|m| m.contains("log truncated") && m.contains("entries 26..=29 are gone")),
        "{p:?}"
    );
}

#[test]
fn truncation_that_also_drops_checkpoints_is_found_by_a_saved_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_with(dir.path(), 30);
    let saved = log.checkpoint().unwrap().note.encode();
    let c = log.store().connection();
    c.execute("DELETE FROM entries WHERE idx >= 20", [])
        .unwrap();
    c.execute("DELETE FROM nodes WHERE (idx + 1) << level > 20", [])
        .unwrap();
    c.execute("DELETE FROM checkpoints WHERE size > 20", [])
        .unwrap();
    assert!(
        problems(&log).is_empty(),
        "the rollback alone looks consistent"
    );
    let report = log.verify(&[("ci-saved".into(), saved)]).unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.message.contains("saved checkpoint ci-saved") && p.index == Some(20)),
        "{:?}",
        report.problems
    );
}

#[test]
fn tiles_export_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_with(dir.path(), 300);
    let saved = log.checkpoint().unwrap().note.encode();
    let out = dir.path().join("tiles");
    let n = tiles::export(&log, &out, true).unwrap();
    assert!(n >= 5, "{n}");
    for f in [
        "checkpoint",
        "tile/0/000",
        "tile/0/001.p/44",
        "tile/1/000.p/1",
        "tile/entries/000",
        "tile/entries/001.p/44",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let report = tiles::verify(&out, log.verifier(), &[("s".into(), saved)]).unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!(report.size, 300);
    // Level-0 tile hashes are the entries' leaf hashes.
    let t0 = std::fs::read(out.join("tile/0/000")).unwrap();
    assert_eq!(&t0[32..64], &leaf_hash(&log.entry(1).unwrap()));
    // Flip one byte of an entry in a bundle: found, with its index.
    let bundle = out.join("tile/entries/001.p/44");
    let mut b = std::fs::read(&bundle).unwrap();
    let pos = b.windows(6).position(|w| w == b"ci-260").unwrap();
    b[pos + 5] = b'1';
    std::fs::write(&bundle, b).unwrap();
    let report = tiles::verify(&out, log.verifier(), &[]).unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.index == Some(260) && p.message.contains("entry 260")),
        "{:?}",
        report.problems
    );
}

#[test]
fn concurrent_appenders_serialize() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("release.log");
    drop(log_with(dir.path(), 0));
    let handles: Vec<_> = (0..3)
        .map(|t| {
            let db = db.clone();
            std::thread::spawn(move || {
                let mut log = Log::open(&db).unwrap();
                let mut got = Vec::new();
                for b in 0..5 {
                    let batch: Vec<Event> = (0..7).map(|i| event(t * 100 + b * 10 + i)).collect();
                    got.extend(log.append(&batch).unwrap());
                }
                got
            })
        })
        .collect();
    let mut all: Vec<u64> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    all.sort_unstable();
    assert_eq!(
        all,
        (0..105).collect::<Vec<u64>>(),
        "every index handed out once"
    );
    let log = Log::open(&db).unwrap();
    let report = log.verify(&[]).unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!(report.size, 105);
}

#[test]
fn changed_or_missing_payload_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_with(dir.path(), 12);
    let entry = tollgate_ledger::Entry::from_canonical(&log.entry(4).unwrap()).unwrap();
    let d = entry.payload_digest.unwrap();
    let c = log.store().connection();
    c.execute(
        "UPDATE payloads SET data = ?1 WHERE digest = ?2",
        rusqlite_params(br#"{"run":40}"#, &d.0),
    )
    .unwrap();
    let p = problems(&log);
    assert_eq!(
        p,
        vec![format!(
            "entry 4: stored payload does not match its digest {d}"
        )]
    );
    c.execute("DELETE FROM payloads WHERE digest = ?1", [&d.0[..]])
        .unwrap();
    assert_eq!(
        problems(&log),
        vec![format!("entry 4: payload {d} is missing")]
    );
}

fn rusqlite_params<'a>(data: &'a [u8], digest: &'a [u8; 32]) -> [&'a [u8]; 2] {
    [data, &digest[..]]
}

#[test]
fn forged_checkpoint_rows_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_with(dir.path(), 20);
    let raw = log.checkpoint().unwrap().note.encode();
    // Root changed, signature kept: the signature no longer verifies.
    let cp = log.checkpoint().unwrap().checkpoint;
    let forged_root = tollgate_ledger::base64(&[0u8; 32]);
    let edited = raw.replace(&tollgate_ledger::base64(&cp.root), &forged_root);
    // A well-formed checkpoint signed by someone else's key under the same origin.
    let other = Signer::from_key_pair(
        "log.example/test",
        aws_lc_rs::signature::Ed25519KeyPair::generate().unwrap(),
    )
    .unwrap();
    let foreign = other.sign(&cp.body()).unwrap();
    let c = log.store().connection();
    c.execute(
        "UPDATE checkpoints SET note = ?1 WHERE size = 20",
        [&edited],
    )
    .unwrap();
    c.execute(
        "UPDATE checkpoints SET note = ?1 WHERE size = 10",
        [&foreign],
    )
    .unwrap();
    let p = problems(&log);
    assert!(
        p.iter()
            .any(|m| m.starts_with("stored checkpoint at size 20: no valid signature")),
        "{p:?}"
    );
    assert!(
        p.iter()
            .any(|m| m.starts_with("stored checkpoint at size 10: no valid signature")),
        "{p:?}"
    );
}
