use regorus::{Engine, Value};
use std::time::Instant;
fn main() {
    let mut e = Engine::new();
    e.add_policy("d.rego".into(), tollgate_policy::rego::DEFAULT_POLICY.into()).unwrap();
    let json = std::fs::read_to_string(std::env::args().nth(1).unwrap()).unwrap();
    let input = Value::from_json_str(&json).unwrap();
    e.set_input(input.clone());
    e.eval_rule("data.tollgate.gate.deny".into()).unwrap();
    let n = 200;
    let t = Instant::now();
    for _ in 0..n { let v = Value::from_json_str(&json).unwrap(); std::hint::black_box(v); }
    println!("parse input {:?}", t.elapsed() / n);
    let t = Instant::now();
    for _ in 0..n { let v: Value = serde_json::from_str(&json).unwrap(); std::hint::black_box(v); }
    println!("serde_json::from_str::<Value> {:?}", t.elapsed() / n);
    let sj: serde_json::Value = serde_json::from_str(&json).unwrap();
    let t = Instant::now();
    for _ in 0..n { let v: serde_json::Value = serde_json::from_str(&json).unwrap(); std::hint::black_box(v); }
    println!("serde_json::Value parse {:?}", t.elapsed() / n);
    let t = Instant::now();
    for _ in 0..n { let v = Value::from(sj.clone()); std::hint::black_box(v); }
    println!("Value::from(serde_json::Value) {:?}", t.elapsed() / n);
    let mut small = sj.clone();
    small["findings"] = serde_json::json!([]);
    let small_v = Value::from(small);
    e.set_input(small_v);
    let t = Instant::now();
    for _ in 0..n { let r = e.eval_query("[data.tollgate.gate.deny, data.tollgate.gate.warn, data.tollgate.gate.allow]".into(), false).unwrap(); std::hint::black_box(r); }
    println!("eval_query all 3, no findings {:?}", t.elapsed() / n);
    e.set_input(input.clone());
    let t = Instant::now();
    for _ in 0..n { let r = e.eval_query("data.tollgate.gate".into(), false).unwrap(); std::hint::black_box(r); }
    println!("eval_query package {:?}", t.elapsed() / n);
    let t = Instant::now();
    for _ in 0..n { let c = e.clone(); std::hint::black_box(c); }
    println!("clone engine {:?}", t.elapsed() / n);
    for rule in ["deny", "warn", "allow"] {
        let t = Instant::now();
        for _ in 0..n { let r = e.eval_rule(format!("data.tollgate.gate.{rule}")).unwrap(); std::hint::black_box(r); }
        println!("eval {rule} same engine {:?}", t.elapsed() / n);
    }
    let t = Instant::now();
    for _ in 0..n { let mut c = e.clone(); c.set_input(input.clone()); let r = c.eval_rule("data.tollgate.gate.deny".into()).unwrap(); std::hint::black_box(r); }
    println!("clone+eval deny {:?}", t.elapsed() / n);
    let t = Instant::now();
    for _ in 0..n { let r = e.eval_query("[data.tollgate.gate.deny, data.tollgate.gate.warn, data.tollgate.gate.allow]".into(), false).unwrap(); std::hint::black_box(r); }
    println!("eval_query all 3 {:?}", t.elapsed() / n);
    let t = cpu();
    for _ in 0..n { let r = e.eval_query("data.tollgate.gate".into(), false).unwrap(); std::hint::black_box(r); }
    println!("eval_query package cpu {:?}", (cpu() - t) / n);
    let t = cpu();
    for _ in 0..n { let r = e.eval_query("[data.tollgate.gate.deny, data.tollgate.gate.warn, data.tollgate.gate.allow]".into(), false).unwrap(); std::hint::black_box(r); }
    println!("eval_query 3 cpu {:?}", (cpu() - t) / n);
    let t = cpu();
    for _ in 0..n { let v = Value::from_json_str(&json).unwrap(); std::hint::black_box(v); }
    println!("parse input cpu {:?}", (cpu() - t) / n);
}

fn cpu() -> std::time::Duration {
    let mut ns = 0u64;
    for t in std::fs::read_dir("/proc/self/task").unwrap() {
        let p = t.unwrap().path().join("schedstat");
        if let Ok(s) = std::fs::read_to_string(p) {
            ns += s.split_whitespace().next().and_then(|x| x.parse::<u64>().ok()).unwrap_or(0);
        }
    }
    std::time::Duration::from_nanos(ns)
}
