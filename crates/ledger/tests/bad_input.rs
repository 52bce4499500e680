//! Corrupt checkpoints, notes, receipts and entries give errors, never panics: every
//! truncation and many single-byte changes of valid inputs (a deterministic companion of
//! the fuzz target in `fuzz/`).

use tollgate_ledger::note::{Checkpoint, Note, SignedCheckpoint};
use tollgate_ledger::{Entry, Event, Log, PrepareEvent, Receipt};

fn mutations(valid: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for cut in 0..valid.len() {
        out.push(valid[..cut].to_vec());
    }
    for pos in 0..valid.len() {
        for b in [0u8, b'\n', b' ', b'+', 0xE2, 0xFF, valid[pos] ^ 1] {
            if b != valid[pos] {
                let mut m = valid.to_vec();
                m[pos] = b;
                out.push(m);
            }
        }
    }
    out
}

#[test]
fn parsers_reject_mutations_without_panicking() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = Log::init(&dir.path().join("b.log"), Some("log.example/bad"))
        .unwrap()
        .log;
    let events: Vec<Event> = (0..5)
        .map(|i| {
            Event::from_json(&format!(
                r#"{{"type":"approval","actor":"a{i}","subject":"sha256:{i:064x}","payload":[{i}]}}"#
            ))
            .unwrap()
        })
        .collect();
    log.append(&events).unwrap();
    let receipt = log.receipt(3).unwrap().encode();
    let checkpoint = log.checkpoint().unwrap().note.encode();
    let entry = log.entry(2).unwrap();
    let v = log.verifier().clone();

    let mut accepted = 0;
    for m in mutations(receipt.as_bytes()) {
        let Ok(text) = std::str::from_utf8(&m) else {
            continue;
        };
        if let Ok(r) = Receipt::parse(text)
            && r.verify(&v, None, None).is_ok()
        {
            accepted += 1;
        }
    }
    assert_eq!(accepted, 0, "a mutated receipt verified");
    let mut accepted = 0;
    for m in mutations(checkpoint.as_bytes()) {
        let Ok(text) = std::str::from_utf8(&m) else {
            continue;
        };
        if let Ok(n) = Note::parse(text) {
            let _ = Checkpoint::parse_body(&n.text);
        }
        accepted += usize::from(SignedCheckpoint::verify(text, &v).is_ok());
    }
    assert_eq!(accepted, 0, "a mutated checkpoint verified");
    // A changed value inside a string can still be a valid entry (its leaf hash differs);
    // anything that is not canonical JSON of the entry schema is an error.
    let all = mutations(&entry);
    let rejected = all
        .iter()
        .filter(|m| Entry::from_canonical(m).is_err())
        .count();
    assert!(rejected > all.len() * 3 / 4, "{rejected} of {}", all.len());
    let mut spaced = entry.clone();
    spaced.insert(1, b' ');
    assert!(
        Entry::from_canonical(&spaced).is_err(),
        "whitespace is not canonical"
    );
}
