//! GitHub Actions workflow commands: `::error file=…,line=…::message` annotations.

use std::io::{self, Write};
use tollgate_model::{Report, Severity};

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_prop(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for f in &report.findings {
        let cmd = match f.severity {
            Severity::Critical | Severity::High => "error",
            Severity::Medium => "warning",
            Severity::Low | Severity::Info => "notice",
        };
        let l = &f.location;
        writeln!(
            out,
            "::{cmd} file={},line={},endLine={},col={},title={}::{}",
            escape_prop(&l.display_path()),
            l.line,
            l.end_line.max(l.line),
            l.column,
            escape_prop(&format!("{} ({})", f.rule, f.severity)),
            escape_data(&f.message),
        )?;
    }
    for d in &report.diagnostics {
        let cmd = match d.level {
            tollgate_model::DiagnosticLevel::Error => "error",
            tollgate_model::DiagnosticLevel::Warning => "warning",
            tollgate_model::DiagnosticLevel::Note => "notice",
        };
        let mut props = Vec::new();
        if let Some(p) = &d.path {
            props.push(format!("file={}", escape_prop(p)));
        }
        if let Some(l) = d.line {
            props.push(format!("line={l}"));
        }
        props.push(format!(
            "title={}",
            escape_prop(&format!("tollgate {}", d.source))
        ));
        writeln!(
            out,
            "::{cmd} {}::{}",
            props.join(","),
            escape_data(&d.message)
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn snapshot() {
        let mut buf = Vec::new();
        super::render(&crate::testdata::report(), &mut buf).unwrap();
        insta::assert_snapshot!("github", String::from_utf8(buf).unwrap());
    }

    #[test]
    fn escapes() {
        assert_eq!(super::escape_prop("a,b:c%\n"), "a%2Cb%3Ac%25%0A");
    }
}
