use serde::{Deserialize, Serialize};

/// What a finding shows as proof, already redacted. A secret is never stored here in full.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// The source line(s) of the finding, with any secret value masked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
    /// The matched value, redacted (for secrets: a few leading characters, then `*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redacted: Option<String>,
}

impl Evidence {
    pub fn snippet(snippet: impl Into<String>) -> Self {
        Evidence {
            snippet: Some(snippet.into()),
            redacted: None,
        }
    }

    /// Evidence for a secret: `line` is the source line, `secret` the value found in it. The
    /// stored snippet has every occurrence of the secret masked.
    pub fn secret(line: &str, secret: &str) -> Self {
        let masked = redact_secret(secret);
        let snippet = if secret.is_empty() {
            line.to_string()
        } else {
            line.replace(secret, &masked)
        };
        Evidence {
            snippet: Some(truncate_chars(&snippet, 240)),
            redacted: Some(masked),
        }
    }
}

/// Redacts a secret: at most 4 leading characters (fewer for short values: never more than a
/// quarter of the value) followed by `*****`. The length is not revealed.
pub fn redact_secret(secret: &str) -> String {
    let n = secret.chars().count();
    let keep = (n / 4).min(4);
    let prefix: String = secret.chars().take(keep).collect();
    format!("{prefix}*****")
}

fn truncate_chars(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max).collect();
        out.push('…');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_shows_the_whole_secret() {
        let secret = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";
        let r = redact_secret(secret);
        assert_eq!(r, "ghp_*****");
        assert!(!r.contains("abcdefgh"));
        assert_eq!(redact_secret("abc"), "*****");
        let e = Evidence::secret(&format!("token = \"{secret}\""), secret);
        assert_eq!(e.snippet.as_deref(), Some("token = \"ghp_*****\""));
        assert!(!e.snippet.unwrap().contains(secret));
    }
}
