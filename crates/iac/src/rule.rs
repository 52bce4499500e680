//! A rule's definition ([`Info`]) and the finding builder every check uses ([`Src`]).

use tollgate_model::{Confidence, Evidence, Finding, Location, RuleId, RuleMeta, Severity, Span};

/// One rule: id, defaults and documentation (what, why, NOT OK / OK examples, fix).
pub struct Info {
    /// `iac/<name>`.
    pub id: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub confidence: Confidence,
    pub summary: &'static str,
    /// Markdown: why it matters, the references (Pod Security Standards, CIS), a NOT OK and
    /// an OK example.
    pub docs: &'static str,
    pub fix: &'static str,
    /// Checklist controls (`SP-21`), CWE ids, PSS profile.
    pub tags: &'static [&'static str],
}

impl Info {
    pub fn meta(&self) -> RuleMeta {
        RuleMeta {
            id: RuleId::from_static(self.id),
            name: self.name.to_string(),
            default_severity: self.severity,
            default_confidence: self.confidence,
            summary: self.summary.to_string(),
            docs: format!(
                "# {}\n\n{}\n\n{}\n\n## Fix\n\n{}\n",
                self.name,
                self.summary,
                self.docs.trim(),
                self.fix
            ),
            help_uri: None,
            tags: self.tags.iter().map(|t| t.to_string()).collect(),
        }
    }
}

/// The file being checked: builds findings located in it.
pub struct Src<'a> {
    pub display: &'a str,
    pub rel: &'a str,
    pub text: &'a str,
}

impl Src<'_> {
    /// A finding over the bytes `[start, end)` with symbolic route `route`. The fingerprint
    /// key is the route and the covered text (never the line number).
    pub fn finding(
        &self,
        info: &Info,
        start: usize,
        end: usize,
        route: &str,
        message: String,
    ) -> Finding {
        self.build(info, info.severity, start, end, route, message, None)
    }

    /// As [`Self::finding`] with a severity other than the rule's default.
    pub fn finding_sev(
        &self,
        info: &Info,
        severity: Severity,
        start: usize,
        end: usize,
        route: &str,
        message: String,
    ) -> Finding {
        self.build(info, severity, start, end, route, message, None)
    }

    /// A finding whose evidence contains `secret`: it is masked in the snippet and stored only
    /// redacted; the fingerprint key holds its hash-free route, never the value.
    pub fn secret_finding(
        &self,
        info: &Info,
        start: usize,
        end: usize,
        route: &str,
        message: String,
        secret: &str,
    ) -> Finding {
        self.build(
            info,
            info.severity,
            start,
            end,
            route,
            message,
            Some(secret),
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn build(
        &self,
        info: &Info,
        severity: Severity,
        start: usize,
        end: usize,
        route: &str,
        message: String,
        secret: Option<&str>,
    ) -> Finding {
        let end = floor(self.text, end.max(start).min(self.text.len()));
        let start = floor(self.text, start.min(end));
        let loc = Location::from_span(self.display, self.text.as_bytes(), Span { start, end })
            .with_symbolic(route);
        let line = self.line_text(start);
        let (key, evidence) = match secret {
            Some(s) => (
                format!("{route}\u{0}{}", tollgate_model::sha256(s.as_bytes())),
                Evidence::secret(&line, s),
            ),
            None => (
                format!("{route}\u{0}{}", &self.text[start..end]),
                Evidence::snippet(line),
            ),
        };
        Finding::new(
            RuleId::from_static(info.id),
            severity,
            info.confidence,
            message,
            loc,
            self.rel,
            key.as_bytes(),
        )
        .with_evidence(evidence)
        .with_remediation(info.fix)
    }

    /// The source line holding byte `offset`, trimmed and cut at 240 characters.
    pub fn line_text(&self, offset: usize) -> String {
        let offset = floor(self.text, offset.min(self.text.len()));
        let s = self.text[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0);
        let e = self.text[offset..]
            .find('\n')
            .map(|i| offset + i)
            .unwrap_or(self.text.len());
        let line = self.text[s..e].trim();
        if line.chars().count() > 240 {
            line.chars().take(240).collect::<String>() + "…"
        } else {
            line.to_string()
        }
    }
}

/// The largest char boundary of `s` at or below `i`.
pub fn floor(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The 1-based line and column (in bytes) of byte `offset` of `text`.
pub fn line_col(text: &[u8], offset: usize) -> (u32, u32) {
    let l = Location::from_span(
        "",
        text,
        Span {
            start: offset,
            end: offset,
        },
    );
    (l.line, l.column)
}
