//! Just enough shell reading for `RUN` scripts: split into simple commands and pipelines
//! (quote-aware), and name a command's program.

/// A simple command: its byte range in the script and whether it is piped into the next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cmd {
    pub start: usize,
    pub end: usize,
    /// A single `|` follows this command.
    pub piped: bool,
}

/// Splits a script at unquoted `;`, `&&`, `||`, `|`, `&` and newlines (a backslash-newline
/// continues the command). Comments (`#` at a word start) run to the end of the line.
pub fn commands(s: &str) -> Vec<Cmd> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut quote = 0u8;
    let mut i = 0;
    // Each command is trimmed to its words, so positions point at the program.
    let push = |out: &mut Vec<Cmd>, a: usize, e: usize, piped: bool| {
        let t = &s[a..e];
        if !t.trim().is_empty() {
            out.push(Cmd {
                start: a + (t.len() - t.trim_start().len()),
                end: a + t.trim_end().len(),
                piped,
            });
        }
    };
    while i < b.len() {
        let c = b[i];
        if quote != 0 {
            if c == quote {
                quote = 0;
            } else if c == b'\\' && quote == b'"' {
                i += 1;
            }
            i += 1;
            continue;
        }
        match c {
            b'\'' | b'"' => quote = c,
            b'\\' => i += 1,
            b'#' if i == 0 || b[i - 1].is_ascii_whitespace() => {
                push(&mut out, start, i, false);
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                start = i;
                continue;
            }
            b'|' if b.get(i + 1) == Some(&b'|') => {
                push(&mut out, start, i, false);
                i += 2;
                start = i;
                continue;
            }
            b'|' => {
                push(&mut out, start, i, true);
                start = i + 1;
            }
            b'&' if b.get(i + 1) == Some(&b'&') => {
                push(&mut out, start, i, false);
                i += 2;
                start = i;
                continue;
            }
            b';' | b'\n' | b'&' => {
                push(&mut out, start, i, false);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    push(&mut out, start.min(s.len()), s.len(), false);
    out
}

/// The program a command runs: its first word after variable assignments and wrappers
/// (`sudo`, `env`, `exec`, `command`, `time`, `nohup`), without a path (`/usr/bin/curl` →
/// `curl`). Also whether `sudo` was among the wrappers.
pub fn program(cmd: &str) -> (String, bool) {
    let mut sudo = false;
    let mut words = cmd.split_whitespace().peekable();
    while let Some(w) = words.next() {
        let w = w.trim_matches(['(', ')', '{', '}']);
        if w.is_empty() || w == "!" {
            continue;
        }
        if w.contains('=') && !w.starts_with('-') && !w.starts_with('=') {
            continue;
        }
        let base = w.rsplit('/').next().unwrap_or(w);
        match base {
            "sudo" | "env" | "exec" | "command" | "time" | "nohup" | "doas" => {
                sudo |= base == "sudo" || base == "doas";
                while words.peek().is_some_and(|n| n.starts_with('-')) {
                    words.next();
                }
                continue;
            }
            _ => return (base.to_string(), sudo),
        }
    }
    (String::new(), sudo)
}

/// Programs that execute what they read.
pub fn is_interpreter(p: &str) -> bool {
    matches!(
        p,
        "sh" | "bash" | "zsh" | "dash" | "ksh" | "ash" | "fish" | "perl" | "ruby" | "node" | "php"
    ) || p.starts_with("python")
}

/// Programs that download.
pub fn is_downloader(p: &str) -> bool {
    matches!(p, "curl" | "wget" | "fetch")
}

/// Byte ranges of the script where a download is piped into, or substituted into, an
/// interpreter: `curl … | sh`, `wget -O- … | sudo bash -`, `sh -c "$(curl …)"`,
/// `bash <(curl …)`.
pub fn download_into_shell(s: &str) -> Vec<(usize, usize)> {
    let cmds = commands(s);
    let mut out = Vec::new();
    let mut i = 0;
    while i < cmds.len() {
        // A pipeline: cmds[i..=j] where each but the last is piped.
        let mut j = i;
        while cmds[j].piped && j + 1 < cmds.len() {
            j += 1;
        }
        let pipe = &cmds[i..=j];
        let mut seen_download = false;
        let mut hit = false;
        for c in pipe {
            let text = &s[c.start..c.end];
            let (p, _) = program(text);
            if seen_download && is_interpreter(&p) {
                hit = true;
            }
            if is_downloader(&p) {
                seen_download = true;
            }
            if is_interpreter(&p)
                && ["$(curl", "$(wget", "<(curl", "<(wget", "`curl", "`wget"]
                    .iter()
                    .any(|m| text.contains(m))
            {
                hit = true;
            }
        }
        if hit {
            out.push((pipe[0].start, pipe[pipe.len() - 1].end));
        }
        i = j + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(s: &str) -> Vec<&str> {
        download_into_shell(s)
            .into_iter()
            .map(|(a, b)| s[a..b].trim())
            .collect()
    }

    #[test]
    fn pipes_into_shells() {
        assert_eq!(
            hits("curl -fsSL https://x/i.sh | sh"),
            ["curl -fsSL https://x/i.sh | sh"]
        );
        assert_eq!(
            hits("apt-get update && wget -qO- https://x | sudo -E bash - && echo ok"),
            ["wget -qO- https://x | sudo -E bash -"]
        );
        assert_eq!(
            hits("sh -c \"$(curl -fsSL https://x)\""),
            ["sh -c \"$(curl -fsSL https://x)\""]
        );
        assert_eq!(hits("curl https://x | tee f | python3 -").len(), 1);
        assert!(hits("curl -o f https://x && sha256sum -c s && sh f").is_empty());
        assert!(hits("curl https://x | tar xz").is_empty());
        assert!(hits("echo 'curl x | sh'").is_empty());
        assert!(hits("# curl x | sh\necho").is_empty());
        assert!(hits("curl x || sh fallback.sh").is_empty());
    }

    #[test]
    fn programs() {
        assert_eq!(
            program("DEBIAN_FRONTEND=noninteractive apt-get install x").0,
            "apt-get"
        );
        assert_eq!(program("sudo -E /usr/bin/curl x"), ("curl".into(), true));
        assert_eq!(program("  ").0, "");
    }
}
