//! Gate evaluations per second with the built-in policy, input assembled (one core).
//!
//! `cargo bench -p tollgate-policy --bench gate` — prints evaluations/s for a typical
//! production evidence document (3 verified attestations, 2 approvals, 50 findings of which 10
//! are excepted, 5 exceptions). A plain harness: no extra benchmark framework to build.
//! Reports both routes of the built-in policy: regorus's bytecode VM (what `tollgate gate`
//! uses) and the interpreter (`TOLLGATE_POLICY_ENGINE=interpreter`, and every user policy).

use serde_json::json;
use std::time::Instant;
use tollgate_policy::{EngineKind, Evidence, Policy};

fn evidence() -> Evidence {
    let signer = |pt: &str, statement: serde_json::Value| {
        json!({"file": "x.json", "verified": true, "trust": "signer", "identity": "ci",
               "key_id": "k", "predicate_type": pt, "statement": statement,
               "checks": ["signature", "subject"]})
    };
    let findings: Vec<_> = (0..50)
        .map(|i| {
            let mut f = json!({"rule": "deps/vulnerable-dependency",
                "severity": if i % 5 == 0 { "high" } else { "medium" },
                "confidence": "high", "message": "m", "path": format!("src/{i}.rs"),
                "fingerprint": format!("{i:032x}"), "source": "tollgate"});
            if i % 5 == 0 {
                f["exception"] = json!({"owner": "o", "reason": "r", "expires": "2099-01-01"});
            }
            f
        })
        .collect();
    serde_json::from_value(json!({
        "schema": "tollgate.evidence/v1",
        "artifact": {"name": "app.tar", "digest": format!("sha256:{}", "a".repeat(64))},
        "environment": {"name": "prod", "approvals": 2, "block_on": "high",
            "require": ["scans", "findings", "signature", "provenance", "sbom", "approvals"],
            "required_scans": ["secrets", "ci", "deps"],
            "builders": ["https://ci.example/b"], "sources": ["git+https://git.example/"]},
        "time": "2026-11-22T12:00:00Z",
        "change": {"author": "dave"},
        "policy_digest": format!("sha256:{}", "b".repeat(64)),
        "scans": ["secrets", "ci", "deps"],
        "findings": findings,
        "attestations": [
            signer("https://tollgate.dev/attestation/signature/v1", json!({})),
            signer("https://slsa.dev/provenance/v1", json!({"predicate": {
                "runDetails": {"builder": {"id": "https://ci.example/b"}},
                "buildDefinition": {"resolvedDependencies": [{"uri": "git+https://git.example/app"}]}}})),
            signer("https://cyclonedx.org/bom", json!({})),
        ],
        "approvals": [
            {"file": "a.json", "identity": "alice", "counted": true},
            {"file": "b.json", "identity": "bob", "counted": true},
        ],
        "approvals_counted": 2,
        "exceptions": (0..5).map(|i| json!({"rule": format!("deps/r{i}"), "reason": "r", "owner": "o",
            "expires": "2099-01-01", "expired": false, "age_days": i})).collect::<Vec<_>>(),
        "warnings": [],
        "errors": [],
    }))
    .expect("valid evidence")
}

fn main() {
    let started = Instant::now();
    let policy = Policy::builtin();
    let compile = started.elapsed();
    assert_eq!(
        policy.engine(),
        EngineKind::Rvm,
        "TOLLGATE_POLICY_ENGINE is set?"
    );
    let started = Instant::now();
    let interp = Policy::builtin()
        .with_interpreter()
        .expect("the built-in policy compiles");
    let compile_interp = started.elapsed();
    let ev = evidence();
    if let Ok(p) = std::env::var("GATE_BENCH_DUMP") {
        std::fs::write(p, serde_json::to_vec(&ev).expect("json")).expect("write");
    }
    let first = Instant::now();
    let d = policy.evaluate(&ev).expect("evaluates");
    let first = first.elapsed();
    let first_interp = Instant::now();
    let d2 = interp.evaluate(&ev).expect("evaluates");
    let first_interp = first_interp.elapsed();
    assert!(d.allow, "{:?}", d.deny);
    assert_eq!(d, d2);
    println!(
        "policy compile (cold), RVM route (interpreter engine + bytecode): {:>7.2} ms",
        compile.as_secs_f64() * 1e3
    );
    println!(
        "policy compile, interpreter route:                                {:>7.2} ms",
        compile_interp.as_secs_f64() * 1e3
    );
    println!(
        "first evaluation (cold), RVM / interpreter: {:.2} / {:.2} ms",
        first.as_secs_f64() * 1e3,
        first_interp.as_secs_f64() * 1e3
    );
    // What `tollgate gate` does: the input value is built straight from the evidence. The two
    // routes are measured interleaved, so both see the same machine load.
    for round in 1..=2 {
        measure(&format!("[{round}] RVM: evidence -> value -> eval"), || {
            policy.evaluate(&ev).expect("evaluates")
        });
        measure(
            &format!("[{round}] interpreter: evidence -> value -> eval"),
            || interp.evaluate(&ev).expect("evaluates"),
        );
    }
    // A/B: the older route, printing the evidence as JSON text and parsing it back.
    measure("RVM: evidence -> JSON text -> eval", || {
        let json = serde_json::to_string(&ev).expect("json");
        policy.evaluate_json(&json).expect("evaluates")
    });
}

/// Five rounds of 2,000 evaluations; prints the median rate per CPU-second (every thread of
/// the process: caller and evaluator) and per wall-clock second, with min and max.
fn measure<T>(label: &str, mut f: impl FnMut() -> T) {
    let mut rates = Vec::new();
    let mut cpu_rates = Vec::new();
    for _ in 0..5 {
        let n = 2_000;
        let t = Instant::now();
        let c = cpu();
        for _ in 0..n {
            std::hint::black_box(f());
        }
        rates.push(n as f64 / t.elapsed().as_secs_f64());
        if let (Some(a), Some(b)) = (c, cpu()) {
            cpu_rates.push(n as f64 / (b - a));
        }
    }
    rates.sort_by(f64::total_cmp);
    cpu_rates.sort_by(f64::total_cmp);
    println!("{label}:");
    if cpu_rates.len() == 5 {
        // On a shared machine wall time undercounts: CPU seconds give the rate per core.
        println!(
            "  gate evaluations per CPU-second: {:>7.0} median of 5 rounds (min {:.0}, max {:.0})",
            cpu_rates[2], cpu_rates[0], cpu_rates[4]
        );
    }
    println!(
        "  gate evaluations/s (wall):       {:>7.0} median of 5 rounds (min {:.0}, max {:.0})",
        rates[2], rates[0], rates[4]
    );
}

/// CPU seconds used so far by every thread of this process (Linux: /proc/self/task/*/schedstat).
fn cpu() -> Option<f64> {
    let mut ns = 0u64;
    for t in std::fs::read_dir("/proc/self/task").ok()? {
        let s = std::fs::read_to_string(t.ok()?.path().join("schedstat")).ok()?;
        ns += s.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(ns as f64 / 1e9)
}
