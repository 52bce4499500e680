//! Output for people at a terminal: each finding with its code line, then a summary.

use std::io::{self, IsTerminal, Write};
use tollgate_model::{Diagnostic, DiagnosticLevel, Finding, Report, Severity};

/// True when stdout is a terminal and `NO_COLOR` is not set (https://no-color.org).
pub fn stdout_wants_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && io::stdout().is_terminal()
}

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn sev(&self, s: Severity) -> String {
        let code = match s {
            Severity::Critical => "1;35",
            Severity::High => "1;31",
            Severity::Medium => "1;33",
            Severity::Low => "1;36",
            Severity::Info => "2",
        };
        self.wrap(code, &s.as_str().to_uppercase())
    }
}

fn finding(p: &Paint, f: &Finding, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "{} {} {}",
        p.sev(f.severity),
        p.wrap("1", f.rule.as_str()),
        f.message
    )?;
    writeln!(out, "  {} {}", p.wrap("34", "-->"), f.location)?;
    if let Some(sym) = &f.location.symbolic {
        writeln!(out, "      {}", p.wrap("2", sym))?;
    }
    if let Some(o) = &f.origin {
        let short = &o.commit[..o.commit.len().min(12)];
        let line = match (&o.author, &o.date, &o.summary) {
            // Not a commit (staged changes): what it is instead.
            (None, None, Some(what)) => what.clone(),
            (author, date, _) => {
                let mut l = format!("commit {short}");
                if let Some(a) = author {
                    l.push_str(&format!(" by {a}"));
                }
                if let Some(d) = date {
                    l.push_str(&format!(" {d}"));
                }
                l
            }
        };
        writeln!(out, "      {line}")?;
    }
    if let Some(snippet) = &f.evidence.snippet {
        let num = f.location.line.to_string();
        let pad = " ".repeat(num.len());
        writeln!(out, "  {pad} {}", p.wrap("34", "|"))?;
        for (i, line) in snippet.lines().enumerate() {
            let n = if i == 0 {
                num.clone()
            } else {
                (f.location.line as usize + i).to_string()
            };
            writeln!(
                out,
                "  {} {} {}",
                p.wrap("34", &format!("{n:>w$}", w = num.len())),
                p.wrap("34", "|"),
                line
            )?;
        }
        writeln!(out, "  {pad} {}", p.wrap("34", "|"))?;
    }
    if let Some(r) = &f.remediation {
        writeln!(out, "  {} {r}", p.wrap("32", "= fix:"))?;
    }
    if let Some(s) = &f.suppression {
        let owner = s
            .owner
            .as_deref()
            .map(|o| format!(", owner {o}"))
            .unwrap_or_default();
        let exp = s
            .expires
            .as_deref()
            .map(|e| format!(", until {e}"))
            .unwrap_or_default();
        writeln!(
            out,
            "  {} {:?}: {}{owner}{exp}",
            p.wrap("2", "= suppressed"),
            s.kind,
            s.reason
        )?;
    }
    writeln!(
        out,
        "  {} {}",
        p.wrap("2", "= fingerprint"),
        p.wrap("2", f.fingerprint.as_str())
    )?;
    writeln!(out)
}

pub fn render(
    report: &Report,
    opts: &crate::format::RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let p = Paint { on: opts.color };
    for f in &report.findings {
        finding(&p, f, out)?;
    }
    if opts.show_suppressed {
        for f in &report.suppressed {
            finding(&p, f, out)?;
        }
    }
    diagnostics(&report.diagnostics, out, opts.color)?;
    if !report.diagnostics.is_empty() {
        writeln!(out)?;
    }
    summary(report, out, opts.color)
}

/// One line per diagnostic (`error[source]: path:line:col: message`), for commands that print
/// diagnostics without a report (`tollgate sbom`, `tollgate db`).
pub fn diagnostics(diags: &[Diagnostic], out: &mut dyn Write, color: bool) -> io::Result<()> {
    let p = Paint { on: color };
    for d in diags {
        let tag = match d.level {
            DiagnosticLevel::Error => p.wrap("1;31", "error"),
            DiagnosticLevel::Warning => p.wrap("1;33", "warning"),
            DiagnosticLevel::Note => p.wrap("2", "note"),
        };
        let at = match (&d.path, d.line, d.column) {
            (Some(path), Some(l), Some(c)) => format!("{path}:{l}:{c}: "),
            (Some(path), Some(l), None) => format!("{path}:{l}: "),
            (Some(path), None, _) => format!("{path}: "),
            _ => String::new(),
        };
        writeln!(out, "{tag}[{}]: {at}{}", d.source, d.message)?;
    }
    Ok(())
}

/// True when stderr is a terminal and `NO_COLOR` is not set.
pub fn stderr_wants_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && io::stderr().is_terminal()
}

/// One-paragraph summary: counts by severity, suppressed, files, skipped.
pub fn summary(report: &Report, out: &mut dyn Write, color: bool) -> io::Result<()> {
    let p = Paint { on: color };
    let counts = report.counts();
    let parts: Vec<String> = Severity::ALL
        .iter()
        .filter_map(|s| {
            counts
                .get(s)
                .map(|n| format!("{n} {}", p.sev(*s).to_lowercase()))
        })
        .collect();
    let n = report.findings.len();
    let head = if n == 0 {
        p.wrap("1;32", "no findings")
    } else {
        format!("{} finding{}", n, if n == 1 { "" } else { "s" })
    };
    let mut line = head;
    if !parts.is_empty() {
        line.push_str(&format!(" ({})", parts.join(", ")));
    }
    if !report.suppressed.is_empty() {
        line.push_str(&format!(", {} suppressed", report.suppressed.len()));
    }
    let skipped: u64 = report.skipped.values().sum();
    // Sources outside the inventory (git history, stdin, a CI log) count what their scanner
    // read.
    let read = report.scanners.iter().map(|s| s.files).max().unwrap_or(0);
    let n = report.inputs.len().max(read);
    let mut files = format!("{n} {} scanned", if n == 1 { "file" } else { "files" });
    if skipped > 0 {
        let why: Vec<String> = report
            .skipped
            .iter()
            .map(|(k, v)| format!("{v} {k}"))
            .collect();
        files.push_str(&format!(", {skipped} skipped ({})", why.join(", ")));
    }
    let scanners: Vec<&str> = report.scanners.iter().map(|s| s.name.as_str()).collect();
    writeln!(
        out,
        "{line} · {files} · scanners: {}",
        if scanners.is_empty() {
            "none".into()
        } else {
            scanners.join(", ")
        }
    )
}

#[cfg(test)]
mod tests {
    use crate::format::RenderOptions;

    #[test]
    fn snapshot_without_color() {
        let mut buf = Vec::new();
        super::render(
            &crate::testdata::report(),
            &RenderOptions {
                color: false,
                show_suppressed: true,
            },
            &mut buf,
        )
        .unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert!(!text.contains('\x1b'));
        insta::assert_snapshot!("human", text);
    }

    #[test]
    fn color_only_when_asked() {
        let mut buf = Vec::new();
        super::render(
            &crate::testdata::report(),
            &RenderOptions {
                color: true,
                show_suppressed: false,
            },
            &mut buf,
        )
        .unwrap();
        assert!(String::from_utf8(buf).unwrap().contains("\x1b[1;31mHIGH"));
    }

    /// A commit shows its author and date when known; staged changes show what they are.
    #[test]
    fn origin_lines() {
        let render = |origin: tollgate_model::Origin| {
            let mut r = crate::testdata::report();
            r.findings.truncate(1);
            r.findings[0].origin = Some(origin);
            let mut buf = Vec::new();
            super::render(&r, &RenderOptions::default(), &mut buf).unwrap();
            String::from_utf8(buf).unwrap()
        };
        let commit = render(tollgate_model::Origin {
            commit: "0123456789abcdef0123".into(),
            author: Some("Ann".into()),
            email: None,
            date: Some("2026-01-02".into()),
            summary: Some("add config".into()),
        });
        assert!(
            commit.contains("commit 0123456789ab by Ann 2026-01-02\n"),
            "{commit}"
        );
        let staged = render(tollgate_model::Origin {
            commit: "staged".into(),
            author: None,
            email: None,
            date: None,
            summary: Some("staged changes (index)".into()),
        });
        assert!(
            staged.contains("      staged changes (index)\n"),
            "{staged}"
        );
        assert!(!staged.contains("by ?"), "{staged}");
    }
}
