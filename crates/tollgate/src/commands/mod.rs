//! One module per command. Each returns the process exit code.

pub mod check;
pub mod deps;
pub mod explain;
pub mod init;

use crate::cli::{Cli, Command};
use std::process::ExitCode;

pub fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    let code = match cli.command {
        Command::Check(a) => check::run_check(a)?,
        Command::Scan(s) => check::run_scan(s)?,
        Command::Explain(a) => explain::run(a)?,
        Command::Init(a) => init::run(a)?,
        Command::Sbom(a) => deps::run_sbom(a)?,
        Command::Db(c) => deps::run_db(c)?,
    };
    Ok(ExitCode::from(code))
}
