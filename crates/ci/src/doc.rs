//! What an audit sees and is: the `[ci]` settings, the kind of a CI document, the parsed
//! [`Doc`] with its finding constructors, an audit's [`Info`] (id, defaults, docs) and the
//! [`Audit`] trait. Below the audits and the scanner (`lib.rs`), which both use it.

use crate::yaml::Node;
use serde::Deserialize;
use tollgate_model::{Confidence, Evidence, Finding, Location, RuleId, RuleMeta, Severity, Span};

/// The `[ci]` table of `tollgate.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CiSettings {
    /// Rule ids not to run (`ci/superfluous-actions`).
    #[serde(default)]
    pub disable: Vec<String>,
    /// `uses:` patterns (`actions/*`, `docker/login-action`) that may be pinned to a tag or
    /// branch instead of a commit SHA. Unset: [`FIRST_PARTY_REF_PIN`] (or the `unpinned-uses`
    /// policies of the project's zizmor config); `[]`: every action must be SHA-pinned.
    #[serde(default)]
    pub ref_pin_allowed: Option<Vec<String>>,
    /// Whether zizmor's config file (`.github/zizmor.yml`, `zizmor.yml`) is read for disabled
    /// audits, ignores and the `unpinned-uses` policy. Default: true.
    #[serde(default = "yes")]
    pub zizmor_config: bool,
}

fn yes() -> bool {
    true
}

impl Default for CiSettings {
    fn default() -> Self {
        CiSettings {
            disable: Vec::new(),
            ref_pin_allowed: None,
            zizmor_config: true,
        }
    }
}

/// The actions GitHub itself owns, which may be pinned to a tag unless `[ci] ref-pin-allowed`
/// says otherwise (zizmor's long-standing first-party policy).
pub const FIRST_PARTY_REF_PIN: &[&str] = &["actions/*", "github/*", "dependabot/*"];

impl CiSettings {
    /// The `uses:` patterns that may be ref-pinned: `ref-pin-allowed` when set, else the
    /// first-party default.
    pub fn ref_pin_patterns(&self) -> Vec<&str> {
        match &self.ref_pin_allowed {
            Some(v) => v.iter().map(String::as_str).collect(),
            None => FIRST_PARTY_REF_PIN.to_vec(),
        }
    }
}

/// What kind of CI file a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocKind {
    Workflow,
    Action,
    Dependabot,
    GitLab,
}

impl DocKind {
    /// Decides from the path relative to the root; `None` for files we do not audit.
    pub fn of(rel: &str) -> Option<DocKind> {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        let lower = name.to_ascii_lowercase();
        let yaml = lower.ends_with(".yml") || lower.ends_with(".yaml");
        if !yaml {
            return None;
        }
        if rel.contains(".github/workflows/") {
            Some(DocKind::Workflow)
        } else if lower == "action.yml" || lower == "action.yaml" {
            Some(DocKind::Action)
        } else if lower == "dependabot.yml" || lower == "dependabot.yaml" {
            Some(DocKind::Dependabot)
        } else if lower == ".gitlab-ci.yml"
            || lower == ".gitlab-ci.yaml"
            || rel.starts_with(".gitlab/")
            || rel.contains("/.gitlab/")
        {
            Some(DocKind::GitLab)
        } else {
            None
        }
    }
}

/// One parsed CI document, as the audits see it.
pub struct Doc<'a> {
    pub kind: DocKind,
    pub display: &'a str,
    pub rel: &'a str,
    pub src: &'a str,
    pub root: &'a Node,
    pub settings: &'a CiSettings,
    /// Every `${{ … }}` of the document, located and parsed once for all audits
    /// ([`Doc::expressions`]).
    exprs: std::cell::OnceCell<Vec<crate::expr::Parsed<'a>>>,
}

impl<'a> Doc<'a> {
    pub fn new(
        kind: DocKind,
        display: &'a str,
        rel: &'a str,
        src: &'a str,
        root: &'a Node,
        settings: &'a CiSettings,
    ) -> Self {
        Doc {
            kind,
            display,
            rel,
            src,
            root,
            settings,
            exprs: Default::default(),
        }
    }

    /// Every `${{ … }}` in every scalar of the document with its parse, computed on first use
    /// and shared by the audits that read expressions.
    pub fn expressions(&self) -> &[crate::expr::Parsed<'a>] {
        self.exprs
            .get_or_init(|| crate::expr::parsed_expressions(self.root, self.src))
    }

    /// A finding at `node` (its whole span), for `info`, with route `route`.
    pub fn finding(&self, info: &Info, node: &Node, route: &str, message: String) -> Finding {
        self.finding_at(info, node.start, node.end, route, message)
    }

    /// A finding at the byte range `[start, end)`.
    pub fn finding_at(
        &self,
        info: &Info,
        start: usize,
        end: usize,
        route: &str,
        message: String,
    ) -> Finding {
        let end = end.max(start).min(self.src.len());
        let start = start.min(end);
        let loc = Location::from_span(self.display, self.src.as_bytes(), Span { start, end })
            .with_symbolic(route);
        let text = self.src.get(start..end).unwrap_or("");
        let key = format!("{route}\u{0}{text}");
        let line = self.line_text(start);
        Finding::new(
            RuleId::from_static(info.id),
            info.severity,
            info.confidence,
            message,
            loc,
            self.rel,
            key.as_bytes(),
        )
        .with_evidence(Evidence::snippet(line))
        .with_remediation(info.fix)
    }

    /// The source line containing byte `offset`, trimmed.
    pub fn line_text(&self, offset: usize) -> String {
        let offset = offset.min(self.src.len());
        let s = self.src[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0);
        let e = self.src[offset..]
            .find('\n')
            .map(|i| offset + i)
            .unwrap_or(self.src.len());
        let line = self.src[s..e].trim();
        if line.chars().count() > 240 {
            line.chars().take(240).collect::<String>() + "…"
        } else {
            line.to_string()
        }
    }
}

/// An audit's definition: id, defaults and its documentation (what, why, example, fix).
pub struct Info {
    /// `ci/<audit-name>`.
    pub id: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub confidence: Confidence,
    pub summary: &'static str,
    /// Markdown: why it matters, a NOT OK and an OK example.
    pub docs: &'static str,
    /// One or two sentences on how to fix it.
    pub fix: &'static str,
    /// Checklist controls and CWE ids.
    pub tags: &'static [&'static str],
    /// The zizmor audit this one corresponds to, if any (for the parity mapping).
    pub zizmor: Option<&'static str>,
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

/// One audit: reads one document and pushes findings.
pub trait Audit: Send + Sync {
    fn info(&self) -> &'static Info;
    /// The kinds of documents it reads.
    fn kinds(&self) -> &'static [DocKind];
    fn check(&self, doc: &Doc<'_>, out: &mut Vec<Finding>);
}
