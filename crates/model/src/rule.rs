use crate::{Confidence, Severity};
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;
use std::str::FromStr;

/// A stable rule identifier: `<scanner>/<name>`, lowercase ASCII letters, digits, `-`, `_`, `.`.
/// Examples: `secrets/github-pat`, `ci/template-injection`, `deps/vulnerable-dependency`.
/// Rule ids are a public contract (config, exceptions, SARIF): never rename one; retire it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct RuleId(String);

#[derive(Debug, thiserror::Error)]
#[error(
    "invalid rule id {0:?}: expected <scanner>/<name> in lowercase letters, digits, '-', '_' or '.'"
)]
pub struct RuleIdError(pub String);

impl RuleId {
    pub fn new(s: impl Into<String>) -> Result<Self, RuleIdError> {
        let s = s.into();
        let ok = {
            let mut parts = s.splitn(2, '/');
            let scanner = parts.next().unwrap_or("");
            let name = parts.next().unwrap_or("");
            let good = |p: &str| {
                !p.is_empty()
                    && p.bytes().all(|b| {
                        b.is_ascii_lowercase()
                            || b.is_ascii_digit()
                            || matches!(b, b'-' | b'_' | b'.' | b'/')
                    })
                    && p.as_bytes()[0].is_ascii_alphanumeric()
            };
            good(scanner) && !scanner.contains('/') && good(name)
        };
        if ok {
            Ok(RuleId(s))
        } else {
            Err(RuleIdError(s))
        }
    }

    /// For ids written in code; panics on a malformed literal (a programming error).
    pub fn from_static(s: &'static str) -> Self {
        RuleId::new(s).expect("malformed rule id literal")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The scanner part: `secrets` for `secrets/github-pat`.
    pub fn scanner(&self) -> &str {
        self.0.split('/').next().unwrap_or("")
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for RuleId {
    type Err = RuleIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RuleId::new(s)
    }
}

impl<'de> Deserialize<'de> for RuleId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        RuleId::new(s).map_err(serde::de::Error::custom)
    }
}

/// What a rule is, for `tollgate explain`, SARIF `rules[]` and the generated docs.
/// Rules are documented where they are defined; this is the one place docs come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleMeta {
    pub id: RuleId,
    /// Short human title ("GitHub personal access token").
    pub name: String,
    pub default_severity: Severity,
    pub default_confidence: Confidence,
    /// One sentence: what the rule finds.
    pub summary: String,
    /// Full documentation in Markdown: why it matters, examples, how to fix, references.
    pub docs: String,
    /// Optional URL with more help.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help_uri: Option<String>,
    /// Tags: checklist controls (`SP-07`), CWE ids (`CWE-798`), categories.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_id_validation() {
        assert!(RuleId::new("secrets/github-pat").is_ok());
        assert!(RuleId::new("ci/gha.template-injection").is_ok());
        assert!(RuleId::new("deps/vulnerable-dependency").is_ok());
        assert_eq!(RuleId::from_static("ci/x").scanner(), "ci");
        for bad in [
            "",
            "secrets",
            "Secrets/x",
            "secrets/",
            "/x",
            "a b/c",
            "-a/b",
        ] {
            assert!(RuleId::new(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
