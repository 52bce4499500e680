//! Documented exit codes (docs/exit-codes.md).

/// Everything passed: no counting findings at or above the threshold, gate allowed, verified.
pub const PASS: u8 = 0;
/// Findings at or above the threshold, gate denied, verification failed.
pub const FAIL: u8 = 1;
/// Usage error, bad configuration, or a tool error where nothing could be done.
pub const USAGE: u8 = 2;

/// Standard output for command results. A write to a closed pipe (`tollgate … | head`) fails
/// with an error that `main` recognizes ([`is_closed_stdout`]) and ends the run quietly with
/// [`USAGE`]: the reader may not have seen the whole result. Other broken pipes (a network
/// peer, a child process) stay ordinary errors with their message. Write serialized text to
/// it, not through `serde_json::to_writer`: serde_json's error does not expose the marker.
pub fn stdout() -> Stdout {
    Stdout(std::io::stdout().lock())
}

pub struct Stdout(std::io::StdoutLock<'static>);

/// The marker inside the `io::Error` of a write to a closed standard output.
#[derive(Debug)]
struct StdoutClosed;

impl std::fmt::Display for StdoutClosed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("standard output was closed")
    }
}

impl std::error::Error for StdoutClosed {}

fn tag(e: std::io::Error) -> std::io::Error {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::io::Error::new(std::io::ErrorKind::BrokenPipe, StdoutClosed)
    } else {
        e
    }
}

impl std::io::Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf).map_err(tag)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush().map_err(tag)
    }
}

/// Whether `e` comes from writing to a closed standard output through [`stdout`].
pub fn is_closed_stdout(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .is_some_and(|inner| inner.is::<StdoutClosed>())
    })
}

/// `println!` on [`stdout`] that returns a write error with `?` instead of panicking, so a
/// closed stdout reaches `main` like every other error, after the command's destructors ran.
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        writeln!($crate::exit::stdout(), $($t)*)?
    }};
}

/// `print!` on [`stdout`] (see [`outln`]).
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        write!($crate::exit::stdout(), $($t)*)?
    }};
}
