//! One module per command. Each returns the process exit code.

pub mod attest;
pub mod check;
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
        Command::Key(k) => attest::run_key(k)?,
        Command::Sign(a) => attest::run_sign(a)?,
        Command::Attest(a) => attest::run_attest(a)?,
        Command::Verify(a) => attest::run_verify(a)?,
        Command::Release(a) => attest::run_release(a)?,
    };
    Ok(ExitCode::from(code))
}
