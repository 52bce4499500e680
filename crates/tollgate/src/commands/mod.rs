//! One module per command. Each returns the process exit code.

pub mod analyze;
pub mod attest;
pub mod baseline;
pub mod check;
pub mod ci;
pub mod deps;
pub mod explain;
pub mod init;
pub mod log;
pub mod policy;
pub mod posture;
pub mod secrets;

use crate::cli::{Cli, Command};
use std::process::ExitCode;

pub fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    let code = match cli.command {
        Command::Check(a) => check::run_check(a)?,
        Command::Scan(s) => check::run_scan(s)?,
        Command::Explain(a) => explain::run(a)?,
        Command::Init(a) => init::run(a)?,
        Command::Log(a) => log::run(a)?,
        Command::Baseline(a) => baseline::run(a)?,
        Command::Posture(a) => posture::run(a)?,
        Command::Gate(a) => policy::run_gate(a)?,
        Command::Approve(a) => policy::run_approve(a)?,
        Command::Exception(c) => policy::run_exception(c)?,
        Command::Policy(c) => policy::run_policy(c)?,
        Command::Kpi(a) => policy::run_kpi(a)?,
        Command::Sbom(a) => deps::run_sbom(a)?,
        Command::Db(c) => deps::run_db(c)?,
        Command::Key(k) => attest::run_key(k)?,
        Command::Sign(a) => attest::run_sign(a)?,
        Command::Attest(a) => attest::run_attest(a)?,
        Command::Verify(a) => attest::run_verify(a)?,
        Command::Release(a) => attest::run_release(a)?,
        Command::Analyze(a) => analyze::run(a)?,
    };
    Ok(ExitCode::from(code))
}
