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
            eprintln!("error: {}", error_chain(&e));
            exit::USAGE.into()
        }
    }
}

/// The error and its causes joined by ": ", like `{e:#}`, but a cause whose text the message
/// before it already ends with is left out: many library errors put their `#[source]` in their
/// own message too, and the OS reason must be printed once.
fn error_chain(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.is_empty() {
            out = text;
        } else if !out.ends_with(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_cause_already_in_the_message_is_printed_once() {
        let io = std::io::Error::from(std::io::ErrorKind::NotFound);
        let inner = anyhow::Error::new(io).context("x: cannot read: entity not found");
        assert_eq!(
            super::error_chain(&inner),
            "x: cannot read: entity not found"
        );
        let outer = anyhow::anyhow!("disk").context("cannot write y");
        assert_eq!(super::error_chain(&outer), "cannot write y: disk");
    }
}
