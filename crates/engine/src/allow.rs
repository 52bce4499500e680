/// An inline allow comment found for a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineAllow {
    /// 1-based line of the comment.
    pub line: u32,
    /// The reason written after the rule id; `None` when missing (then it does not apply).
    pub reason: Option<String>,
}

/// Looks for `tollgate: allow RULE reason` on `line` (1-based) or the line above it, in any
/// comment syntax (the marker is searched as text). `RULE` must be the finding's rule id.
pub fn find_inline_allow(text: &[u8], line: u32, rule: &str) -> Option<InlineAllow> {
    let line = line as usize;
    let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
    for l in [line, line.saturating_sub(1)] {
        if l == 0 || l > lines.len() {
            continue;
        }
        let s = String::from_utf8_lossy(lines[l - 1]);
        let mut rest = &s[..];
        while let Some(pos) = rest.find("tollgate: allow ") {
            let after = &rest[pos + "tollgate: allow ".len()..];
            let mut words = after.split_whitespace();
            if words.next() == Some(rule) {
                let reason: String = after
                    .trim_start()
                    .strip_prefix(rule)
                    .unwrap_or("")
                    .trim()
                    .trim_end_matches(['*', '/', '-', '>', '#'])
                    .trim()
                    .to_string();
                return Some(InlineAllow {
                    line: l as u32,
                    reason: (!reason.is_empty()).then_some(reason),
                });
            }
            rest = after;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_line_and_line_above() {
        let text = b"a\n# tollgate: allow secrets/x test fixture\nkey = 1\nk2 = 2 // tollgate: allow secrets/y fake */\n";
        let a = find_inline_allow(text, 3, "secrets/x").unwrap();
        assert_eq!(a.line, 2);
        assert_eq!(a.reason.as_deref(), Some("test fixture"));
        let b = find_inline_allow(text, 4, "secrets/y").unwrap();
        assert_eq!(b.reason.as_deref(), Some("fake"));
        assert!(find_inline_allow(text, 4, "secrets/x").is_none());
        assert!(find_inline_allow(text, 1, "secrets/x").is_none());
    }

    #[test]
    fn reason_is_required() {
        let a = find_inline_allow(b"x = 1 # tollgate: allow ci/r\n", 1, "ci/r").unwrap();
        assert_eq!(a.reason, None);
    }
}
