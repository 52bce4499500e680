//! `tollgate scan ci`: the CI/CD configuration audit, with `--fix`.

use super::common::{CommonArgs, execute};
use anyhow::Context;

#[derive(Debug, clap::Args)]
pub struct CiArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Apply safe offline fixes (least-privilege `permissions:`, `persist-credentials: false`)
    /// to workflow files that parsed, then report what remains.
    #[arg(long)]
    pub fix: bool,
}

pub fn run(a: CiArgs) -> anyhow::Result<u8> {
    if a.fix {
        let roots = if a.common.paths.is_empty() {
            vec![std::path::PathBuf::from(".")]
        } else {
            a.common.paths.clone()
        };
        for root in &roots {
            let changed = tollgate_ci::fix::fix_tree(root)
                .with_context(|| format!("cannot fix {}", root.display()))?;
            if !a.common.quiet {
                for (path, n) in &changed {
                    eprintln!(
                        "fixed {} ({n} edit{})",
                        path.display(),
                        if *n == 1 { "" } else { "s" }
                    );
                }
            }
        }
    }
    execute(&a.common, |cfg| {
        Ok(vec![
            Box::new(tollgate_ci::CiScanner::from_config(cfg)?) as _
        ])
    })
}
