use serde::{Deserialize, Serialize};
use std::fmt;

/// A byte range `[start, end)` in the file's contents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// Where a finding is.
///
/// `path` is the path as the user would type it: the scanned root as given on the command line
/// joined with the file's path below it (scanning `data` reports `data/x/y.py`, like ripgrep).
/// Lines and columns are 1-based; columns count bytes. `symbolic` names the place in the
/// file's own terms when there is one: a YAML route (`jobs.build.steps[2].run`), a purl.
/// `member` is the path inside an archive or image layer when the file is a container.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Location {
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbolic: Option<String>,
}

impl Location {
    /// A location covering one whole line (or the file's first line when the scanner has no
    /// better position, for example a finding about a lockfile as a whole).
    pub fn line(path: impl Into<String>, line: u32) -> Self {
        let line = line.max(1);
        Location {
            path: path.into(),
            member: None,
            line,
            column: 1,
            end_line: line,
            end_column: 1,
            span: None,
            symbolic: None,
        }
    }

    /// A location for the byte range `span` of `contents`, computing lines and columns.
    pub fn from_span(path: impl Into<String>, contents: &[u8], span: Span) -> Self {
        let (line, column) = line_col(contents, span.start);
        let (end_line, end_column) = line_col(contents, span.end.max(span.start));
        Location {
            path: path.into(),
            member: None,
            line,
            column,
            end_line,
            end_column,
            span: Some(span),
            symbolic: None,
        }
    }

    pub fn with_symbolic(mut self, symbolic: impl Into<String>) -> Self {
        self.symbolic = Some(symbolic.into());
        self
    }

    pub fn with_member(mut self, member: impl Into<String>) -> Self {
        self.member = Some(member.into());
        self
    }

    /// `path` or `path!member` for archive members.
    pub fn display_path(&self) -> String {
        match &self.member {
            Some(m) => format!("{}!{}", self.path, m),
            None => self.path.clone(),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.display_path(), self.line, self.column)
    }
}

/// 1-based (line, column) of byte offset `offset` in `contents`. Offsets past the end clamp.
pub fn line_col(contents: &[u8], offset: usize) -> (u32, u32) {
    let offset = offset.min(contents.len());
    let before = &contents[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map(|p| p + 1)
        .unwrap_or(0);
    (line as u32, (offset - line_start + 1) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_to_lines() {
        let text = b"one\ntwo\nthree";
        let loc = Location::from_span("f.txt", text, Span { start: 4, end: 7 });
        assert_eq!(
            (loc.line, loc.column, loc.end_line, loc.end_column),
            (2, 1, 2, 4)
        );
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 100), (3, 6));
        assert_eq!(loc.to_string(), "f.txt:2:1");
        assert_eq!(
            Location::line("a.zip", 1)
                .with_member("x/.env")
                .display_path(),
            "a.zip!x/.env"
        );
    }
}
