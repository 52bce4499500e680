//! Scans a folder with the secrets scanner alone and prints the findings as tollgate.report/v1
//! shaped JSON (findings only). Handy for rule tuning without the full binary:
//! `cargo run -p tollgate-secrets --example scan_dir -- DIR > findings.json`
use tollgate_config::Config;
use tollgate_engine::{ScanContext, Scanner, Silent};
use tollgate_inventory::{Inventory, Options, Root};

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let inv = Inventory::collect(
        &[Root::new(Some(&dir))],
        &Options {
            no_ignore: true,
            ..Options::default()
        },
    )
    .expect("inventory");
    let cfg = Config::default();
    let s = tollgate_secrets::SecretsScanner::builtin().expect("rules");
    let out = s.scan(&ScanContext {
        inventory: &inv,
        config: &cfg,
        progress: &Silent,
    });
    let v = serde_json::json!({ "findings": out.findings });
    println!("{v}");
}
