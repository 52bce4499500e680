use crate::{exit, registry};
use tollgate_config::Config;

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// Rule id (`secrets/github-pat`). Without one, lists every rule.
    pub rule: Option<String>,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: ExplainArgs) -> anyhow::Result<u8> {
    let config = Config::default();
    let scanners = registry::scanners(&config)?;
    let mut rules: Vec<_> = scanners.iter().flat_map(|s| s.rules()).collect();
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    match a.rule {
        None => {
            if a.json {
                println!("{}", serde_json::to_string_pretty(&rules)?);
            } else {
                for r in &rules {
                    println!("{:40} {:8} {}", r.id, r.default_severity, r.name);
                }
            }
            Ok(exit::PASS)
        }
        Some(id) => match rules.iter().find(|r| r.id.as_str() == id) {
            Some(r) if a.json => {
                println!("{}", serde_json::to_string_pretty(r)?);
                Ok(exit::PASS)
            }
            Some(r) => {
                println!("{} — {}\n", r.id, r.name);
                println!(
                    "severity: {}   confidence: {}",
                    r.default_severity, r.default_confidence
                );
                if !r.tags.is_empty() {
                    println!("tags: {}", r.tags.join(", "));
                }
                println!("\n{}\n", r.summary);
                println!("{}", r.docs.trim_end());
                if let Some(u) = &r.help_uri {
                    println!("\nMore: {u}");
                }
                Ok(exit::PASS)
            }
            None => {
                let close: Vec<_> = rules
                    .iter()
                    .filter(|r| r.id.as_str().contains(id.as_str()))
                    .map(|r| r.id.to_string())
                    .take(10)
                    .collect();
                eprintln!("error: no rule named {id:?}");
                if !close.is_empty() {
                    eprintln!("did you mean: {}", close.join(", "));
                }
                Ok(exit::USAGE)
            }
        },
    }
}
