use crate::exit;
use anyhow::{Context, bail};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Folder to write tollgate.toml into.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Overwrite an existing tollgate.toml.
    #[arg(long)]
    pub force: bool,
}

pub fn run(a: InitArgs) -> anyhow::Result<u8> {
    let path = a.dir.join(tollgate_config::FILE_NAME);
    if path.exists() && !a.force {
        bail!(
            "{} already exists (use --force to overwrite)",
            path.display()
        );
    }
    std::fs::write(&path, tollgate_config::DEFAULT_CONFIG)
        .with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(exit::PASS)
}
