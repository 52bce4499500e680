//! Benchmark of the log (run by `bench/ledger/run.sh`; numbers in bench/ledger/README.md):
//! durable batched appends per second, inclusion and consistency proof generation at N
//! entries, and full verification of N entries.
//!
//! `cargo run --release -p tollgate-ledger --example ledger_bench -- [N] [BATCH] [DIR]`

use std::time::{Duration, Instant};
use tollgate_ledger::{Event, Log, PrepareEvent};

fn event(i: u64) -> Event {
    Event::from_json(&format!(
        r#"{{"type":"build-finish","actor":"runner-{}","subject":"sha256:{i:064x}","environment":"ci","time":"2026-03-01T10:00:00Z","payload":{{"job":{i},"ok":true}}}}"#,
        i % 97
    ))
    .expect("valid event")
}

/// CPU seconds (user + system, all threads) this process has used: Linux `/proc/self/stat`.
/// Wall time on a shared machine says more about the neighbours than about us.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // Fields 14 and 15 of stat (utime, stime) are 12 and 13 after the command name; the
    // kernel's USER_HZ is 100 on every Linux this runs on.
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: u64 = args
        .get(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let batch: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let tmp = tempfile::tempdir_in(args.get(3).map_or(".", String::as_str)).expect("temp dir");
    let db = tmp.path().join("bench.log");
    let mut log = Log::init(&db, Some("bench.example/log")).expect("init").log;

    let mut appending = Duration::ZERO;
    let cpu0 = cpu_seconds();
    let mut next = 0u64;
    while next < n {
        let end = (next + batch).min(n);
        let events: Vec<Event> = (next..end).map(event).collect();
        let t = Instant::now();
        let idx = log.append(&events).expect("append");
        appending += t.elapsed();
        assert_eq!(idx.first(), Some(&next));
        next = end;
    }
    let appends_per_s = n as f64 / appending.as_secs_f64();
    let append_cpu = cpu_seconds() - cpu0;

    // Inclusion proofs at size n, spread over the log.
    let probes = 2_000u64;
    let t = Instant::now();
    let mut total = 0usize;
    for k in 0..probes {
        let i = (k * 7_919_993) % n;
        total += log.inclusion_proof(i, n).expect("proof").len();
    }
    let proof_us = t.elapsed().as_secs_f64() * 1e6 / probes as f64;
    assert!(total > 0);
    let t = Instant::now();
    for k in 1..=200u64 {
        log.consistency_proof(k * (n / 201), n)
            .expect("consistency");
    }
    let consistency_us = t.elapsed().as_secs_f64() * 1e6 / 200.0;
    let t = Instant::now();
    for k in 0..100u64 {
        let receipt = log.receipt(k * (n / 100)).expect("receipt").encode();
        assert!(receipt.starts_with("c2sp.org/tlog-proof@v1"));
    }
    let receipt_us = t.elapsed().as_secs_f64() * 1e6 / 100.0;

    let t = Instant::now();
    let cpu0 = cpu_seconds();
    let report = log.verify(&[]).expect("verify");
    let verify_s = t.elapsed().as_secs_f64();
    let verify_cpu = cpu_seconds() - cpu0;
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!(report.size, n);

    let out = tmp.path().join("tiles");
    let t = Instant::now();
    let files = tollgate_ledger::tiles::export(&log, &out, false).expect("export");
    let export_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let cpu0 = cpu_seconds();
    let tr = tollgate_ledger::tiles::verify(&out, log.verifier(), &[]).expect("tiles verify");
    let tiles_verify_s = t.elapsed().as_secs_f64();
    let tiles_cpu = cpu_seconds() - cpu0;
    assert!(tr.ok());

    let db_mb = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("| measure | value |");
    println!("|---|---|");
    println!(
        "| load average at the end (2 cores) | {} |",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!("| entries | {n} (batches of {batch}) |");
    println!(
        "| durable appends/s (synchronous=FULL, one checkpoint per batch) | {appends_per_s:.0} (CPU {append_cpu:.1} s in all) |"
    );
    println!("| inclusion proof at {n} entries (mean of {probes}) | {proof_us:.1} µs |");
    println!("| consistency proof to {n} entries (mean of 200) | {consistency_us:.1} µs |");
    println!("| receipt (tlog-proof, mean of 100) incl. checkpoint check | {receipt_us:.0} µs |");
    println!(
        "| full verification of {n} entries (DB) | {verify_s:.2} s wall, {verify_cpu:.2} s CPU |"
    );
    println!("| tiles export without payloads ({files} files) | {export_s:.2} s |");
    println!("| full verification from tiles | {tiles_verify_s:.2} s wall, {tiles_cpu:.2} s CPU |");
    println!("| database size | {db_mb:.0} MB |");
    if std::env::var_os("LEDGER_BENCH_KEEP").is_some() {
        eprintln!("kept {}", tmp.keep().display());
    }
}
