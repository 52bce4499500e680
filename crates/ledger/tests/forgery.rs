//! Issue 22, items 3 and 4: the log key never signs a forged history, and `log verify` is
//! bounded and never writes to what it verifies.

use tollgate_ledger::merkle::{Frontier, leaf_hash};
use tollgate_ledger::store::StoreError;
use tollgate_ledger::{Event, Log, LogError, PrepareEvent};

fn event(i: usize) -> Event {
    Event::from_json(&format!(
        r#"{{"type":"deployment","actor":"ci-{i}","subject":"sha256:{:064x}","environment":"prod","time":"2026-03-01T10:00:00Z","payload":{{"run":{i}}}}}"#,
        i
    ))
    .unwrap()
}

fn log_with(dir: &std::path::Path, n: usize) -> Log {
    let mut log = Log::init(&dir.join("release.log"), Some("log.example/test"))
        .unwrap()
        .log;
    let events: Vec<Event> = (0..n).map(event).collect();
    for chunk in events.chunks(10) {
        log.append(chunk).unwrap();
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

/// Changes "ci-13" to "ci-14" in entry 13 and rewrites every stored subtree hash to match the
/// edited entries: the stored tree is self-consistent, only the signed checkpoints disagree.
fn forge_entry_13(log: &Log) {
    let mut data = log.entry(13).unwrap();
    let pos = data.windows(5).position(|w| w == b"ci-13").unwrap();
    data[pos + 4] = b'4';
    let c = log.store().connection();
    c.execute("UPDATE entries SET data = ?1 WHERE idx = 13", [&data])
        .unwrap();
    let mut f = Frontier::default();
    let mut nodes = Vec::new();
    for i in 0..log.size().unwrap() {
        f.push(leaf_hash(&log.entry(i).unwrap()), |l, i, h| {
            nodes.push((l, i, *h))
        });
    }
    for (l, i, h) in nodes {
        c.execute(
            "INSERT OR REPLACE INTO nodes (level, idx, hash) VALUES (?1, ?2, ?3)",
            rusqlite::params![l, i as i64, &h[..]],
        )
        .unwrap();
    }
}

fn checkpoint_rows(log: &Log) -> i64 {
    log.store()
        .connection()
        .query_row("SELECT COUNT(*) FROM checkpoints", [], |r| r.get(0))
        .unwrap()
}

fn assert_refused(log: &mut Log, want: &str) {
    let size = log.size().unwrap();
    let rows = checkpoint_rows(log);
    match log.append(&[event(99)]) {
        Err(LogError::Tampered { reason, .. }) => assert!(reason.contains(want), "{reason}"),
        other => panic!("append was not refused: {other:?}"),
    }
    assert_eq!(log.size().unwrap(), size, "nothing appended");
    assert_eq!(checkpoint_rows(log), rows, "nothing signed");
}

/// The issue's reproduction: edit entry 13, rebuild the nodes to match, delete every
/// checkpoint. Before the fix `append` signed a checkpoint over the forged tree and `verify`
/// then said "ok".
#[test]
fn forged_tree_without_checkpoints_is_refused_and_fails_verify() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = log_with(dir.path(), 30);
    forge_entry_13(&log);
    log.store()
        .connection()
        .execute("DELETE FROM checkpoints", [])
        .unwrap();
    assert_refused(&mut log, "no signed checkpoint");
    let p = problems(&log);
    assert!(
        p.iter().any(|m| m.contains("no valid signed checkpoint")),
        "{p:?}"
    );
}

/// The same forgery with the signed checkpoints kept: the stored root is not the signed one.
#[test]
fn forged_tree_under_a_signed_checkpoint_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = log_with(dir.path(), 30);
    forge_entry_13(&log);
    assert_refused(&mut log, "does not match the root the log key signed");
    let p = problems(&log);
    assert!(p.iter().any(|m| m.contains("entries 10..=19")), "{p:?}");
}

/// Only the cached subtree hashes zeroed: before the fix `append` signed a wrong root.
#[test]
fn zeroed_node_hashes_are_refused_and_fail_verify() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = log_with(dir.path(), 30);
    log.store()
        .connection()
        .execute("UPDATE nodes SET hash = zeroblob(32)", [])
        .unwrap();
    assert_refused(&mut log, "does not match the root the log key signed");
    // verify recomputes from the entries: the tree is intact, the recorded leaf hashes are not.
    let p = problems(&log);
    assert!(
        p.iter()
            .any(|m| m.contains("differs from the leaf hash recorded")),
        "{p:?}"
    );
}

/// Entries appended outside tollgate (no checkpoint covers them) are not signed over.
#[test]
fn entries_past_the_signed_checkpoint_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = log_with(dir.path(), 20);
    let c = log.store().connection();
    c.execute("DELETE FROM checkpoints WHERE size = 20", [])
        .unwrap();
    assert_refused(&mut log, "covers 10 entries but 20 are stored");
    // An untouched log still appends.
    let dir = tempfile::tempdir().unwrap();
    let mut log = log_with(dir.path(), 20);
    assert_eq!(log.append(&[event(20)]).unwrap(), vec![20]);
    assert!(problems(&log).is_empty());
}

/// Before the fix `log verify` spun forever on an entry row with index -1 (`-1 as u64` made
/// the gap loop run 2^64 times); a huge index did the same.
#[test]
fn negative_and_huge_indexes_end_with_problems() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_with(dir.path(), 12);
    let c = log.store().connection();
    c.execute("INSERT INTO entries (idx, data) VALUES (-1, x'7b7d')", [])
        .unwrap();
    let p = problems(&log);
    assert!(
        p.iter()
            .any(|m| m.contains("index -1") && m.contains("never negative")),
        "{p:?}"
    );
    c.execute(
        "INSERT INTO entries (idx, data) VALUES (?1, x'7b7d')",
        [1i64 << 62],
    )
    .unwrap();
    let p = problems(&log);
    assert!(p.iter().any(|m| m.contains("are missing")), "{p:?}");
}

/// Before the fix `log verify` on an empty file turned it into an SQLite database.
#[test]
fn verify_never_writes_to_a_file_that_is_not_a_log() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_with(dir.path(), 1);
    for (name, content) in [
        ("empty.log", &b""[..]),
        (
            "text.log",
            &b"not a database, just some text that is long enough\n"[..],
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        let Err(e) = Log::open_with_verifier(&path, log.verifier().clone()) else {
            panic!("{name} opened as a log");
        };
        assert!(
            matches!(e, LogError::Store(StoreError::NotADatabase { .. })),
            "{e}"
        );
        assert!(e.to_string().contains("left untouched"), "{e}");
        assert_eq!(std::fs::read(&path).unwrap(), content, "{name} changed");
        for side in ["-wal", "-shm", "-journal"] {
            let p = dir.path().join(format!("{name}{side}"));
            assert!(!p.exists(), "{} created", p.display());
        }
    }
}
