//! Every inclusion and consistency probe of transparency-dev/merkle's test data gives the
//! expected verdict.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::Value;
use std::path::{Path, PathBuf};
use tollgate_ledger::merkle::{verify_consistency, verify_inclusion};

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/vectors/merkle");

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
}

fn b64(v: &Value) -> Vec<u8> {
    // A value that is not valid base64 can only make the probe fail, as it should.
    v.as_str()
        .and_then(|s| B64.decode(s).ok())
        .unwrap_or_default()
}

fn proof(v: &Value) -> Vec<Vec<u8>> {
    v.as_array()
        .map(|a| a.iter().map(b64).collect())
        .unwrap_or_default()
}

#[test]
fn all_probes_give_the_expected_verdict() {
    let mut all = Vec::new();
    files(Path::new(VECTORS), &mut all);
    all.sort();
    let (mut inclusion, mut consistency, mut wrong) = (0, 0, Vec::new());
    let mut accepted = 0;
    for path in &all {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let want_err = v["wantErr"].as_bool().unwrap();
        let result = if v.get("leafIdx").is_some() {
            inclusion += 1;
            verify_inclusion(
                v["leafIdx"].as_u64().unwrap(),
                v["treeSize"].as_u64().unwrap(),
                &b64(&v["leafHash"]),
                &proof(&v["proof"]),
                &b64(&v["root"]),
            )
        } else {
            consistency += 1;
            verify_consistency(
                v["size1"].as_u64().unwrap(),
                v["size2"].as_u64().unwrap(),
                &b64(&v["root1"]),
                &b64(&v["root2"]),
                &proof(&v["proof"]),
            )
        };
        accepted += usize::from(!want_err);
        if result.is_err() != want_err {
            wrong.push(format!("{}: got {result:?}", path.display()));
        }
    }
    assert_eq!(inclusion + consistency, 196, "all 196 probes found");
    assert!(inclusion > 0 && consistency > 0);
    assert!(
        accepted > 10 && accepted < 190,
        "both verdicts are exercised"
    );
    assert!(
        wrong.is_empty(),
        "{} wrong verdicts:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
