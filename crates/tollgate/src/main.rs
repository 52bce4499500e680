//! The `tollgate` binary: command-line wiring only. Every capability lives in a library crate.
//!
//! Exit codes: 0 pass, 1 findings or gate failed, 2 usage or tool error.

#[macro_use]
mod exit;
mod cli;
mod commands;
mod progress;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => exit::USAGE.into(),
            };
        }
    };
    match cli.command.run() {
        Ok(code) => ExitCode::from(code),
        Err(e) if exit::is_closed_stdout(&e) => exit::USAGE.into(),
        Err(e) => {
            eprintln!("error: {e:#}");
            exit::USAGE.into()
        }
    }
}
