//! Documented exit codes (docs/exit-codes.md).

/// Everything passed: no counting findings at or above the threshold, gate allowed, verified.
pub const PASS: u8 = 0;
/// Findings at or above the threshold, gate denied, verification failed.
pub const FAIL: u8 = 1;
/// Usage error, bad configuration, or a tool error where nothing could be done.
pub const USAGE: u8 = 2;

/// Output closed early (`tollgate … | head`): the process ends quietly with [`USAGE`], since
/// the reader may not have seen the whole result, instead of panicking in `println!`.
pub fn write_stdout(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    if let Err(e) = std::io::stdout().lock().write_fmt(args) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write to standard output: {e}");
        }
        std::process::exit(USAGE as i32);
    }
}

/// Whether `e` comes from writing to a closed pipe.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// `println!` through [`write_stdout`].
macro_rules! outln {
    () => {
        $crate::exit::write_stdout(format_args!("\n"))
    };
    ($($t:tt)*) => {
        $crate::exit::write_stdout(format_args!("{}\n", format_args!($($t)*)))
    };
}

/// `print!` through [`write_stdout`].
macro_rules! out {
    ($($t:tt)*) => {
        $crate::exit::write_stdout(format_args!($($t)*))
    };
}
