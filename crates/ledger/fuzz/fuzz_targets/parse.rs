#![no_main]
//! Every parser that reads untrusted log material must return an error, never panic.

use libfuzzer_sys::fuzz_target;
use tollgate_ledger::note::{Checkpoint, Note, SignedCheckpoint, Verifier};
use tollgate_ledger::{Entry, Leaf, Receipt};

fuzz_target!(|data: &[u8]| {
    let _ = Entry::from_canonical(data);
    let _ = Leaf::from_canonical(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(note) = Note::parse(text) {
        let _ = Checkpoint::parse_body(&note.text);
        let _ = note.encode();
    }
    let _ = Verifier::parse(text);
    let v = Verifier::parse("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
        .expect("valid key");
    let _ = SignedCheckpoint::verify(text, &v);
    if let Ok(r) = Receipt::parse(text) {
        let _ = r.verify(&v, None, None);
        let _ = r.encode();
    }
});
