//! A command as a metric: its exit status, or the number it prints.

use super::provider::Provider;
use crate::duration;
use crate::expr::Value;
use serde::Deserialize;
use std::io::Read as _;
use std::process::{Command as Cmd, Stdio};
use std::time::{Duration, Instant};

/// `[metrics.provider.command]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CommandConfig {
    /// Program and arguments, run without a shell.
    pub argv: Vec<String>,
    /// `exit-code` (default): the result is the exit status, a number. `stdout`: the result
    /// is what the command prints (a number, else JSON, else the trimmed text); a non-zero
    /// exit is then a measurement error.
    #[serde(default)]
    pub result: CommandResult,
    /// The command is killed after this long (`60s` by default); that is a measurement error.
    #[serde(default)]
    pub timeout: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CommandResult {
    #[default]
    ExitCode,
    Stdout,
}

pub(crate) struct Command {
    argv: Vec<String>,
    result: CommandResult,
    timeout: Duration,
}

impl Command {
    pub fn new(c: &CommandConfig) -> Result<Command, String> {
        if c.argv.is_empty() {
            return Err("argv is empty".into());
        }
        Ok(Command {
            argv: c.argv.clone(),
            result: c.result,
            timeout: duration::parse(c.timeout.as_deref().unwrap_or("60s"))?,
        })
    }
}

impl Provider for Command {
    fn measure(&self) -> Result<Value, String> {
        let mut child = Cmd::new(&self.argv[0])
            .args(&self.argv[1..])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run `{}`: {e}", self.argv[0]))?;
        let mut out = child.stdout.take().expect("stdout is piped");
        let reader = std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = (&mut out).take(1 << 20).read_to_end(&mut buf);
            buf
        });
        let start = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(s)) => break s,
                Ok(None) if start.elapsed() >= self.timeout => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!(
                        "`{}` did not finish within {}",
                        self.argv[0],
                        duration::show(self.timeout)
                    ));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(5)),
                Err(e) => return Err(format!("waiting for `{}`: {e}", self.argv[0])),
            }
        };
        let stdout = reader.join().unwrap_or_default();
        let Some(code) = status.code() else {
            return Err(format!("`{}` was killed by a signal", self.argv[0]));
        };
        match self.result {
            CommandResult::ExitCode => Ok(Value::Num(f64::from(code))),
            CommandResult::Stdout => {
                if code != 0 {
                    return Err(format!("`{}` exited with {code}", self.argv[0]));
                }
                let text = String::from_utf8_lossy(&stdout);
                let t = text.trim();
                Ok(if let Ok(x) = t.parse::<f64>() {
                    Value::Num(x)
                } else if let Ok(j) = serde_json::from_str::<serde_json::Value>(t) {
                    Value::from_json(&j)
                } else {
                    Value::Str(t.to_string())
                })
            }
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn cmd(argv: &[&str], result: CommandResult, timeout: &str) -> Command {
        Command::new(&CommandConfig {
            argv: argv.iter().map(|s| s.to_string()).collect(),
            result,
            timeout: Some(timeout.into()),
        })
        .unwrap()
    }

    #[test]
    fn exit_code_and_stdout() {
        let c = cmd(&["sh", "-c", "exit 3"], CommandResult::ExitCode, "5s");
        assert_eq!(c.measure().unwrap(), Value::Num(3.0));
        let c = cmd(&["sh", "-c", "echo ' 0.25 '"], CommandResult::Stdout, "5s");
        assert_eq!(c.measure().unwrap(), Value::Num(0.25));
        let c = cmd(&["sh", "-c", "echo '[1, 2]'"], CommandResult::Stdout, "5s");
        assert_eq!(
            c.measure().unwrap(),
            Value::List(vec![Value::Num(1.0), Value::Num(2.0)])
        );
        let c = cmd(&["sh", "-c", "echo x; exit 1"], CommandResult::Stdout, "5s");
        assert!(c.measure().unwrap_err().contains("exited with 1"));
    }

    #[test]
    fn timeout_kills() {
        let c = cmd(&["sleep", "5"], CommandResult::ExitCode, "100ms");
        let t = Instant::now();
        assert!(c.measure().unwrap_err().contains("did not finish"));
        assert!(t.elapsed() < Duration::from_secs(4));
    }

    #[test]
    fn missing_program_is_a_measurement_error() {
        let c = cmd(&["/nonexistent/tollgate-x"], CommandResult::ExitCode, "1s");
        assert!(c.measure().unwrap_err().contains("cannot run"));
    }
}
