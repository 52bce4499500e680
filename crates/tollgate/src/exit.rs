//! Documented exit codes (docs/exit-codes.md).

/// Everything passed: no counting findings at or above the threshold, gate allowed, verified.
pub const PASS: u8 = 0;
/// Findings at or above the threshold, gate denied, verification failed.
pub const FAIL: u8 = 1;
/// Usage error, bad configuration, or a tool error where nothing could be done.
pub const USAGE: u8 = 2;

/// Whether `e` comes from writing to a closed pipe (`tollgate … | head`). `main` then ends
/// quietly with [`USAGE`]: the reader may not have seen the whole result.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// `println!` that returns a write error with `?` instead of panicking, so a closed stdout
/// reaches `main` like every other error, after the command's destructors have run.
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($t)*)?
    }};
}

/// `print!` that returns a write error with `?` (see [`outln`]).
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($t)*)?
    }};
}
