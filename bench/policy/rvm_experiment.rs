//! Experiment: the built-in policy on regorus's RVM (bytecode VM) against the interpreter.
//! Not built by the workspace. To run it: add `"rvm"` to regorus's features in
//! crates/policy/Cargo.toml, copy this file to crates/policy/benches/rvm.rs with a
//! `[[bench]] name = "rvm" harness = false` entry, dump the benchmark input with
//! `GATE_BENCH_DUMP=/tmp/ev.json cargo bench -p tollgate-policy --bench gate`, then
//! `cargo bench -p tollgate-policy --bench rvm`. Results: bench/policy/README.md.
use regorus::languages::rego::compiler::Compiler;
use regorus::rvm::vm::RegoVM;
use regorus::{Engine, Value};
use std::time::Instant;

const ENTRY: &str = "data.tollgate_internal.entry.decision";
const ENTRY_SRC: &str = "package tollgate_internal.entry\n\ndecision := {\"deny\": [x | x := data.tollgate.gate.deny], \"warn\": [x | x := data.tollgate.gate.warn], \"allow\": [x | x := data.tollgate.gate.allow]}\n";

fn main() {
    let json = std::fs::read_to_string("/tmp/ev.json").unwrap();
    let input = Value::from_json_str(&json).unwrap();
    let mut engine = Engine::new();
    engine.add_policy("default.rego".into(), tollgate_policy::rego::DEFAULT_POLICY.into()).unwrap();
    engine.add_policy("entry.rego".into(), ENTRY_SRC.into()).unwrap();
    let mut interp = engine.clone();
    let t = Instant::now();
    let compiled = engine.compile_with_entrypoint(&ENTRY.into()).unwrap();
    let program = Compiler::compile_from_policy(&compiled, &[ENTRY]).unwrap();
    println!("rvm compile {:?}", t.elapsed());
    let mut vm = RegoVM::new();
    vm.load_program(program);
    vm.set_input(input.clone());
    let a = vm.execute().unwrap();
    interp.set_input(input.clone());
    let b = interp.eval_rule(ENTRY.into()).unwrap();
    println!("same result: {}", a == b);
    if a != b { println!("rvm {a}\ninterp {b}"); }
    // variants: failing evidence too
    let mut bad: serde_json::Value = serde_json::from_str(&json).unwrap();
    bad["scans"] = serde_json::json!([]);
    bad["approvals_counted"] = serde_json::json!(1);
    bad["findings"][1]["severity"] = serde_json::json!("critical");
    bad["exceptions"][0]["expired"] = serde_json::json!(true);
    let badv = Value::from(bad);
    vm.set_input(badv.clone());
    let a = vm.execute().unwrap();
    interp.set_input(badv);
    let b = interp.eval_rule(ENTRY.into()).unwrap();
    println!("same result (deny case): {}", a == b);
    if a != b { println!("rvm {a}\ninterp {b}"); }
    for (label, rvm) in [("rvm", true), ("interpreter", false), ("rvm", true), ("interpreter", false)] {
        let n = 5000;
        let t = Instant::now();
        for _ in 0..n {
            if rvm {
                vm.set_input(input.clone());
                std::hint::black_box(vm.execute().unwrap());
            } else {
                interp.set_input(input.clone());
                std::hint::black_box(interp.eval_rule(ENTRY.into()).unwrap());
            }
        }
        let cpu_note = "";
        println!("{label}: {:.0} evals/s wall (eval only, value prebuilt){cpu_note}", n as f64 / t.elapsed().as_secs_f64());
    }
}
