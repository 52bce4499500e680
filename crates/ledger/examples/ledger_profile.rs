//! Where full verification of a large log spends its time (for tuning; see bench/ledger).
//! `cargo run --release -p tollgate-ledger --example ledger_profile -- PATH.log`

use std::time::Instant;
use tollgate_ledger::{Log, Store};

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: ledger_profile PATH.log");
    let log = Log::open(std::path::Path::new(&path)).expect("open");
    let t = Instant::now();
    let mut n = 0u64;
    log.store()
        .scan(&mut |row| {
            n += row.data.len() as u64 + u64::from(row.leaf.is_some());
            Ok(())
        })
        .expect("scan");
    println!(
        "scan entries + leaf hashes: {:.2} s ({n})",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    log.store()
        .scan_payloads(&mut |d, p| {
            n += u64::from(d[0]) + p.len() as u64;
            Ok(())
        })
        .expect("payloads");
    println!("scan payloads: {:.2} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let r = log.verify(&[]).expect("verify");
    println!(
        "full verify: {:.2} s, ok {}",
        t.elapsed().as_secs_f64(),
        r.ok()
    );
}
