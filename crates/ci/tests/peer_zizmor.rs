//! Interop with the peer tool: zizmor's findings on the demo repository must all be found by
//! tollgate (through the rule mapping of `audits::zizmor_mapping`) at the same line.
//! zizmor is installed by `scripts/peers/ci.sh`; missing → FAIL when `CI` is set, else skip.

use std::collections::BTreeSet;
use std::process::Command;
use tollgate_ci::CiScanner;
use tollgate_config::Config;
use tollgate_engine::{ScanContext, Scanner, Silent};
use tollgate_inventory::{Inventory, Options, Root};

#[test]
fn zizmor_findings_on_the_demo_repo_are_a_subset_of_ours() {
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/demo-repo");
    let Ok(out) = Command::new("zizmor")
        .args([
            "--offline",
            "--no-config",
            "--no-progress",
            "--format",
            "json-v1",
            demo,
        ])
        .output()
    else {
        if std::env::var_os("CI").is_some() {
            panic!("zizmor is not installed: run scripts/peers/ci.sh");
        }
        eprintln!("skip: zizmor not installed (scripts/peers/ci.sh)");
        return;
    };
    let theirs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "zizmor output: {e}: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let mapping = tollgate_ci::audits::zizmor_mapping();
    let mut expected = BTreeSet::new();
    for f in theirs.as_array().unwrap() {
        let ident = f["ident"].as_str().unwrap();
        let Some((_, rule)) = mapping.iter().find(|(z, _)| *z == ident) else {
            continue;
        };
        for loc in f["locations"].as_array().unwrap() {
            if loc["symbolic"]["kind"] != "Primary" {
                continue;
            }
            let path = loc["symbolic"]["key"]["Local"]["verbatim_path"]
                .as_str()
                .unwrap();
            let file = path.rsplit("demo-repo/").next().unwrap().to_string();
            let line = loc["concrete"]["location"]["start_point"]["row"]
                .as_u64()
                .unwrap()
                + 1;
            expected.insert((rule.to_string(), file, line as u32));
        }
    }
    assert!(
        !expected.is_empty(),
        "zizmor found nothing mapped on the demo repo"
    );
    let inv = Inventory::collect(&[Root::new(Some(demo))], &Options::default()).unwrap();
    let config = Config::default();
    let ours = CiScanner::default().scan(&ScanContext {
        inventory: &inv,
        config: &config,
        progress: &Silent,
    });
    let got: BTreeSet<(String, String, u32)> = ours
        .findings
        .iter()
        .map(|f| {
            let file = f
                .location
                .path
                .rsplit("demo-repo/")
                .next()
                .unwrap()
                .to_string();
            (f.rule.to_string(), file, f.location.line)
        })
        .collect();
    let missing: Vec<_> = expected.difference(&got).collect();
    assert!(
        missing.is_empty(),
        "zizmor findings tollgate misses: {missing:?}"
    );
}
