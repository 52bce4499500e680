//! Posture output: human text, JSON (`tollgate.posture/v1`) and one self-contained HTML file
//! (inline CSS, no scripts, no external resources).

use crate::{Posture, Status};
use std::io::{self, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Html,
}

pub fn render(p: &Posture, format: Format, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Human => human(p, out),
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, p)?;
            writeln!(out)
        }
        Format::Html => html(p, out),
    }
}

fn human(p: &Posture, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "Pipeline posture — {}\n", p.checklist)?;
    for c in &p.controls {
        let mark = match c.status {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Unknown => " ?? ",
        };
        writeln!(out, "[{mark}] {} {}", c.id, c.title)?;
        writeln!(out, "       {}", c.rationale)?;
        writeln!(
            out,
            "       SSDF {}{}",
            c.ssdf.join(", "),
            if c.slsa.is_empty() {
                String::new()
            } else {
                format!(" · SLSA {}", c.slsa.join(", "))
            }
        )?;
        for e in c.evidence.iter().take(5) {
            writeln!(out, "       - {e}")?;
        }
        if c.evidence.len() > 5 {
            writeln!(
                out,
                "       - … {} more (see --format json)",
                c.evidence.len() - 5
            )?;
        }
    }
    writeln!(
        out,
        "\n{} pass, {} fail, {} unknown · score {}% of judged controls · SLSA build level supported: {}",
        p.summary.pass, p.summary.fail, p.summary.unknown, p.summary.score, p.slsa_build_level
    )
}

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

const CSS: &str = "body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:70rem;color:#1b1f23;padding:0 1rem}\
h1{font-size:1.5rem}table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.45rem;text-align:left;vertical-align:top}\
.pass{background:#dafbe1;color:#116329}.fail{background:#ffebe9;color:#a40e26}.unknown{background:#f6f8fa;color:#57606a}\
.badge{display:inline-block;border-radius:1rem;padding:0 .6rem;font-weight:600;font-size:.85rem}\
ul{margin:.2rem 0;padding-left:1.1rem}code{font-size:.85rem}.sum span{margin-right:1rem}";

fn html(p: &Posture, out: &mut dyn Write) -> io::Result<()> {
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
<title>tollgate posture</title><style>{CSS}</style></head><body>\n<h1>Pipeline posture</h1>\n<p>{}</p>\n",
        esc(p.checklist)
    )?;
    writeln!(
        out,
        "<p class=\"sum\"><span class=\"badge pass\">{} pass</span><span class=\"badge fail\">{} fail</span>\
<span class=\"badge unknown\">{} unknown</span><span>score {}% of judged controls</span><span>SLSA build level supported: {}</span></p>",
        p.summary.pass, p.summary.fail, p.summary.unknown, p.summary.score, p.slsa_build_level
    )?;
    writeln!(
        out,
        "<table><thead><tr><th>Control</th><th>Status</th><th>Evidence</th><th>NIST SSDF</th><th>SLSA</th></tr></thead><tbody>"
    )?;
    for c in &p.controls {
        let s = c.status.as_str();
        write!(
            out,
            "<tr id=\"{}\"><td><b>{}</b> {}</td><td><span class=\"badge {s}\">{s}</span></td><td>{}",
            c.id,
            c.id,
            esc(c.title),
            esc(&c.rationale)
        )?;
        if !c.evidence.is_empty() {
            write!(out, "<ul>")?;
            for e in &c.evidence {
                write!(out, "<li><code>{}</code></li>", esc(e))?;
            }
            write!(out, "</ul>")?;
        }
        writeln!(
            out,
            "</td><td>{}</td><td>{}</td></tr>",
            esc(&c.ssdf.join(", ")),
            esc(&c.slsa.join(", "))
        )?;
    }
    writeln!(out, "</tbody></table>\n</body></html>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Evidence, assess};

    #[test]
    fn html_is_self_contained_and_escaped() {
        let mut ev = Evidence::default();
        ev.scanners.insert("ci".into());
        ev.inputs.push(("a.yml".into(), "ci-config".into()));
        ev.findings.push(crate::EvFinding {
            rule: "ci/unpinned-uses".into(),
            severity: "high".into(),
            path: "<x>.yml".into(),
            line: 1,
            message: "m".into(),
        });
        let p = assess(&ev);
        let mut buf = Vec::new();
        render(&p, Format::Html, &mut buf).unwrap();
        let s = String::from_utf8(buf).unwrap();
        assert!(s.contains("&lt;x&gt;.yml"));
        assert!(!s.contains("<x>"));
        assert!(!s.contains("<script"));
        assert!(!s.contains("src=\"http"));
        assert!(!s.contains("href=\"http"));
        assert_eq!(s.matches("<tr id=").count(), 26);
        let mut j = Vec::new();
        render(&p, Format::Json, &mut j).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&j).unwrap();
        assert_eq!(v["schema"], "tollgate.posture/v1");
        assert_eq!(v["controls"].as_array().unwrap().len(), 26);
    }

    #[test]
    fn human_snapshot() {
        let mut ev = Evidence::default();
        ev.scanners.insert("ci".into());
        ev.inputs
            .push((".github/workflows/release.yml".into(), "ci-config".into()));
        ev.inputs.push(("Cargo.lock".into(), "lockfile".into()));
        ev.findings.push(crate::EvFinding {
            rule: "ci/static-cloud-credentials".into(),
            severity: "high".into(),
            path: ".github/workflows/release.yml".into(),
            line: 27,
            message: "static AWS access key instead of OIDC federation".into(),
        });
        let mut buf = Vec::new();
        render(&assess(&ev), Format::Human, &mut buf).unwrap();
        insta::assert_snapshot!(String::from_utf8(buf).unwrap());
    }

    /// The issue: SP-07 said "34 finding(s)", showed 5 and "… 16 more"; the JSON stopped at
    /// 20 and "… and 14 more". Now every format counts the same 34 and the JSON lists all.
    #[test]
    fn counts_agree_across_formats_and_json_is_complete() {
        let mut ev = Evidence::default();
        ev.scanners.insert("secrets".into());
        for i in 0..34 {
            ev.findings.push(crate::EvFinding {
                rule: "secrets/github-pat".into(),
                severity: "high".into(),
                path: format!("src/f{i}.py"),
                line: 1,
                message: "token".into(),
            });
        }
        let p = assess(&ev);
        let out = |f: Format| {
            let mut b = Vec::new();
            render(&p, f, &mut b).unwrap();
            String::from_utf8(b).unwrap()
        };
        let v: serde_json::Value = serde_json::from_str(&out(Format::Json)).unwrap();
        let sp07 = v["controls"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "SP-07")
            .unwrap();
        assert_eq!(sp07["rationale"], "34 finding(s) against this control");
        assert_eq!(sp07["evidence"].as_array().unwrap().len(), 34);
        assert!(!out(Format::Json).contains("more"));
        let human = out(Format::Human);
        let block: String = human
            .split("] SP-07 ")
            .nth(1)
            .unwrap()
            .split("\n[")
            .next()
            .unwrap()
            .to_string();
        assert!(block.contains("34 finding(s)"), "{block}");
        assert_eq!(block.matches("\n       - src/").count(), 5, "{block}");
        assert!(block.contains("… 29 more"), "{block}");
        let html = out(Format::Html);
        let row = html
            .split("<tr id=\"SP-07\">")
            .nth(1)
            .unwrap()
            .split("</tr>")
            .next()
            .unwrap();
        assert!(row.contains("34 finding(s)"));
        assert_eq!(row.matches("<li>").count(), 34);
    }

    #[test]
    fn every_control_explains_itself() {
        for c in crate::CONTROLS {
            let text = crate::explain(&c.id.to_lowercase()).unwrap();
            assert!(
                text.starts_with(&format!("{} — {}", c.id, c.title)),
                "{text}"
            );
            assert!(text.contains("Otherwise: "), "{text}");
            for r in c.fail_rules {
                assert!(text.contains(r), "{text}");
            }
        }
        assert!(crate::explain("SP-99").is_none());
    }
}
