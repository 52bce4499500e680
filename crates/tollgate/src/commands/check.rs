//! `tollgate check`: every registered scanner (`tollgate_release::registry`).

use super::common::{CommonArgs, execute};

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub common: CommonArgs,
}

pub fn run(a: CheckArgs) -> anyhow::Result<u8> {
    execute(&a.common, |cfg| {
        Ok(tollgate_release::registry::scanners(cfg)?)
    })
}
