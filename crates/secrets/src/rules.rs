//! Rules as data: the TOML rule format, the built-in rule files and user rule files.
//!
//! One file per provider family lives under `crates/secrets/rules/` and is embedded with
//! `include_str!`. Each `[[rules]]` entry is one [`RuleDef`]. Regexes are compiled lazily, the
//! first time a keyword of the rule is seen in an input, so start-up costs only the TOML parse
//! and the keyword automaton.

use regex::bytes::{Regex, RegexBuilder};
use serde::Deserialize;
use std::path::Path;
use std::sync::OnceLock;
use tollgate_model::{Confidence, RuleId, RuleMeta, Severity};

/// The built-in rule files: (family, TOML text).
pub const BUILTIN: &[(&str, &str)] = &[
    ("cloud", include_str!("../rules/cloud.toml")),
    (
        "source-hosting",
        include_str!("../rules/source-hosting.toml"),
    ),
    ("ci-registries", include_str!("../rules/ci-registries.toml")),
    ("saas", include_str!("../rules/saas.toml")),
    ("ai", include_str!("../rules/ai.toml")),
    ("payments", include_str!("../rules/payments.toml")),
    ("observability", include_str!("../rules/observability.toml")),
    ("keys", include_str!("../rules/keys.toml")),
    ("urls", include_str!("../rules/urls.toml")),
    ("generic", include_str!("../rules/generic.toml")),
];

#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("{origin}: {message}")]
    Parse { origin: String, message: String },
    #[error("{origin}: rule {id}: {message}")]
    Invalid {
        origin: String,
        id: String,
        message: String,
    },
    #[error("{path}: cannot read rule file: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// Checksum validators a rule can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Checksum {
    /// GitHub tokens: the last 6 characters are base62(CRC32(the 30 random characters)),
    /// left-padded with `0`.
    GithubCrc32,
    /// NATS nkeys: base32 of prefix bytes, the 32-byte key and a little-endian
    /// CRC-16/XMODEM of both.
    NatsNkeyCrc16,
}

/// Decoders a candidate must pass (a failed decode drops the candidate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decode {
    /// Base64 of printable `user:password` (HTTP Basic credentials).
    BasicAuth,
}

/// A rule file: `[[rules]]` entries.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rules: Vec<RuleDef>,
}

/// One rule as written in a rule file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuleDef {
    /// Kebab-case name; the rule id is `secrets/<id>`.
    pub id: String,
    /// Human title ("GitHub personal access token (classic)").
    pub name: String,
    /// Who issues the credential ("GitHub"); named in finding messages.
    pub provider: String,
    /// Literal strings (matched case-insensitively) one of which must occur for the rule's
    /// regex to run. Every rule should have some: a rule without keywords runs its regexes
    /// over every whole input.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Regex (Rust `regex` syntax over bytes, ASCII mode: `\b`, `\w`, `\d` and `(?i)` are
    /// ASCII). The secret is the capture group named `secret`, else group 1, else the whole
    /// match.
    #[serde(default)]
    pub pattern: Option<String>,
    /// More alternative patterns.
    #[serde(default)]
    pub patterns: Vec<String>,
    #[serde(default = "default_severity")]
    pub severity: Severity,
    #[serde(default = "default_confidence")]
    pub confidence: Confidence,
    /// Minimum Shannon entropy (bits per byte) of the secret.
    #[serde(default)]
    pub min_entropy: Option<f64>,
    /// Minimum number of character classes (lower, upper, digit, other) in the secret.
    #[serde(default)]
    pub min_classes: Option<u8>,
    /// A checksum the secret must carry. Valid raises confidence to high; invalid lowers it
    /// to low (the token is still reported: test data and redacted examples break checksums).
    #[serde(default)]
    pub checksum: Option<Checksum>,
    /// A decoding the secret must survive to count.
    #[serde(default)]
    pub decode: Option<Decode>,
    /// Words (case-insensitive) one of which must appear on the secret's line.
    #[serde(default)]
    pub context: Vec<String>,
    /// Generic rule: apply the placeholder, code-reference and test-value filters, and give
    /// way to any specific rule matching the same value.
    #[serde(default)]
    pub generic: bool,
    /// Search this many bytes after a keyword instead of the keyword's line (multi-line keys).
    #[serde(default)]
    pub window: Option<usize>,
    #[serde(default)]
    pub references: Vec<String>,
    /// Lines the rule must report (a test runs them all).
    #[serde(default)]
    pub examples: Vec<String>,
    /// Lines the rule must not report.
    #[serde(default)]
    pub negative_examples: Vec<String>,
    /// Reserved for live validation (an HTTP check per provider); not used yet.
    #[serde(default)]
    pub validator: Option<toml::Value>,
    /// Extra Markdown documentation.
    #[serde(default)]
    pub docs: Option<String>,
    /// How to fix; a generic rotate-and-remove text is used when absent.
    #[serde(default)]
    pub remediation: Option<String>,
}

fn default_severity() -> Severity {
    Severity::High
}
fn default_confidence() -> Confidence {
    Confidence::Medium
}

/// A loaded rule: its definition, id, where it came from and its lazily compiled regexes.
#[derive(Debug)]
pub struct Rule {
    pub def: RuleDef,
    pub id: RuleId,
    /// `builtin:<family>` or the user file's path.
    pub origin: String,
    compiled: OnceLock<Result<Vec<Regex>, String>>,
    /// Lower-cased context words.
    pub context_lc: Vec<String>,
}

impl Rule {
    fn new(def: RuleDef, origin: &str) -> Result<Rule, RuleError> {
        let invalid = |message: String| RuleError::Invalid {
            origin: origin.to_string(),
            id: def.id.clone(),
            message,
        };
        let id = RuleId::new(format!("secrets/{}", def.id)).map_err(|e| invalid(e.to_string()))?;
        if def.pattern.is_none() && def.patterns.is_empty() {
            return Err(invalid("needs `pattern` or `patterns`".into()));
        }
        if def.keywords.iter().any(|k| k.trim().is_empty()) {
            return Err(invalid("empty keyword".into()));
        }
        let context_lc = def.context.iter().map(|c| c.to_ascii_lowercase()).collect();
        Ok(Rule {
            id,
            origin: origin.to_string(),
            compiled: OnceLock::new(),
            context_lc,
            def,
        })
    }

    /// The rule's regexes, compiled on first use.
    pub fn regexes(&self) -> Result<&[Regex], &str> {
        self.compiled
            .get_or_init(|| {
                self.def
                    .pattern
                    .iter()
                    .chain(self.def.patterns.iter())
                    .map(|p| {
                        // ASCII mode: `\b`, `\w` and `(?i)` over bytes. Unicode word
                        // boundaries make the lazy DFA give up on every window (they need
                        // look-behind over UTF-8), which sent each keyword window to the
                        // backtracker: a fifth of a scan's CPU. Token alphabets are ASCII.
                        RegexBuilder::new(p)
                            .unicode(false)
                            .size_limit(8 << 20)
                            .build()
                            .map_err(|e| e.to_string())
                    })
                    .collect()
            })
            .as_deref()
            .map_err(String::as_str)
    }

    pub fn meta(&self) -> RuleMeta {
        let d = &self.def;
        let mut docs = String::new();
        docs.push_str(&format!(
            "Finds a {} ({}) in source files, archives, CI logs and git history.\n\n",
            d.name, d.provider
        ));
        if let Some(extra) = &d.docs {
            docs.push_str(extra.trim());
            docs.push_str("\n\n");
        }
        let kws: Vec<String> = d.keywords.iter().map(|k| format!("`{k}`")).collect();
        docs.push_str(&format!("**Keywords (prefilter):** {}\n\n", kws.join(", ")));
        for p in d.pattern.iter().chain(d.patterns.iter()) {
            docs.push_str(&format!("**Pattern:** `{p}`\n\n"));
        }
        let mut checks = Vec::new();
        if let Some(e) = d.min_entropy {
            checks.push(format!("entropy ≥ {e} bits/char"));
        }
        if let Some(c) = d.min_classes {
            checks.push(format!("at least {c} character classes"));
        }
        match d.checksum {
            Some(Checksum::GithubCrc32) => checks.push(
                "CRC32 checksum (valid: high confidence; invalid: still reported, low confidence)"
                    .into(),
            ),
            Some(Checksum::NatsNkeyCrc16) => checks.push(
                "CRC-16 checksum (valid: high confidence; invalid: still reported, low confidence)"
                    .into(),
            ),
            None => {}
        }
        if let Some(Decode::BasicAuth) = d.decode {
            checks.push("decodes (base64) to `user:password`".into());
        }
        if !d.context.is_empty() {
            checks.push(format!("one of {:?} on the same line", d.context));
        }
        if d.generic {
            checks.push("placeholder, variable-reference and test-value filters".into());
        }
        if !checks.is_empty() {
            docs.push_str(&format!("**Checks:** {}.\n\n", checks.join("; ")));
        }
        docs.push_str("**How to fix:** ");
        docs.push_str(
            d.remediation
                .as_deref()
                .unwrap_or(DEFAULT_REMEDIATION)
                .trim(),
        );
        docs.push('\n');
        if !d.references.is_empty() {
            docs.push_str("\n**References:**\n");
            for r in &d.references {
                docs.push_str(&format!("- {r}\n"));
            }
        }
        let mut tags = vec![
            "SP-07".to_string(),
            "CWE-798".to_string(),
            format!("provider:{}", d.provider),
        ];
        if d.generic {
            tags.push("generic".into());
        }
        RuleMeta {
            id: self.id.clone(),
            name: d.name.clone(),
            default_severity: d.severity,
            default_confidence: d.confidence,
            summary: format!("A {} ({}) committed in plain text.", d.name, d.provider),
            docs,
            help_uri: d.references.first().cloned(),
            tags,
        }
    }
}

pub const DEFAULT_REMEDIATION: &str = "Revoke or rotate the credential at its provider now (it \
must be treated as leaked), remove it from the file and from history, and load it at run time \
from a secrets manager or the CI's secret store.";

/// Parses one rule file's text.
pub fn parse_rule_file(text: &str, origin: &str) -> Result<Vec<Rule>, RuleError> {
    let f: RuleFile = toml::from_str(text).map_err(|e| {
        let (line, col) = e
            .span()
            .map(|s| tollgate_config::line_col(text, s.start))
            .unwrap_or((1, 1));
        RuleError::Parse {
            origin: format!("{origin}:{line}:{col}"),
            message: e.message().trim().to_string(),
        }
    })?;
    f.rules.into_iter().map(|d| Rule::new(d, origin)).collect()
}

/// Every built-in rule.
pub fn builtin_rules() -> Result<Vec<Rule>, RuleError> {
    let mut out = Vec::new();
    for (family, text) in BUILTIN {
        out.extend(parse_rule_file(text, &format!("builtin:{family}"))?);
    }
    Ok(out)
}

/// Loads a user rule file.
pub fn load_rule_file(path: &Path, shown: &str) -> Result<Vec<Rule>, RuleError> {
    let text = std::fs::read_to_string(path).map_err(|source| RuleError::Io {
        path: shown.to_string(),
        source,
    })?;
    parse_rule_file(&text, shown)
}
