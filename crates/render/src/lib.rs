//! Renderers for a [`Report`]. Each format is the ecosystem's own or documented:
//! - `human`: for terminals (colour only on a TTY, `NO_COLOR` honoured);
//! - `json`: `tollgate.report/v1`, a wire format separate from the internal structs
//!   (docs/report-v1.md), readable back with [`json::parse`];
//! - `sarif`: SARIF 2.1.0 for code-scanning tools;
//! - `github`: GitHub Actions workflow commands (annotations).

pub mod format;
pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

pub use format::{Format, RenderOptions, UnknownFormat};

use std::io::{self, Write};
use tollgate_model::Report;

pub fn render(
    report: &Report,
    format: Format,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Human => human::render(report, opts, out),
        Format::Json => json::render(report, out),
        Format::Sarif => sarif::render(report, out),
        Format::Github => github::render(report, out),
    }
}

#[cfg(test)]
pub(crate) mod testdata {
    use std::collections::BTreeMap;
    use tollgate_model::*;

    /// A small fixed report used by the renderer snapshot tests.
    pub fn report() -> Report {
        let secret = Finding::new(
            RuleId::from_static("secrets/github-pat"),
            Severity::High,
            Confidence::High,
            "GitHub personal access token",
            Location::from_span(
                "repo/src/config.py",
                b"import os\ntoken = \"ghp_0123456789abcdefghijABCDEFGHIJ012345\"\n",
                Span { start: 19, end: 59 },
            ),
            "src/config.py",
            b"ghp_0123456789abcdefghijABCDEFGHIJ012345",
        )
        .with_evidence(Evidence::secret(
            "token = \"ghp_0123456789abcdefghijABCDEFGHIJ012345\"",
            "ghp_0123456789abcdefghijABCDEFGHIJ012345",
        ))
        .with_remediation("Revoke the token and load it from the CI secret store.");
        let ci = Finding::new(
            RuleId::from_static("ci/unpinned-uses"),
            Severity::Medium,
            Confidence::High,
            "action `actions/checkout@v4` is not pinned to a commit",
            Location::line("repo/.github/workflows/ci.yml", 9)
                .with_symbolic("jobs.build.steps[0].uses"),
            ".github/workflows/ci.yml",
            b"jobs.build.steps[0].uses",
        )
        .with_evidence(Evidence::snippet("      - uses: actions/checkout@v4"));
        let mut suppressed = ci.clone();
        suppressed.location = Location::line("repo/.github/workflows/release.yml", 4);
        suppressed.fingerprint = Fingerprint::from_string("00112233445566778899aabbccddeeff");
        suppressed.suppression = Some(Suppression {
            kind: SuppressionKind::Exception,
            reason: "vendored workflow".into(),
            owner: Some("platform".into()),
            expires: Some("2027-01-31".into()),
        });
        let rules = vec![
            RuleMeta {
                id: RuleId::from_static("secrets/github-pat"),
                name: "GitHub personal access token".into(),
                default_severity: Severity::High,
                default_confidence: Confidence::High,
                summary: "Finds classic GitHub personal access tokens.".into(),
                docs: "A `ghp_` token grants its owner's access.\n\n## Fix\nRevoke it.".into(),
                help_uri: None,
                tags: vec!["SP-07".into(), "CWE-798".into()],
            },
            RuleMeta {
                id: RuleId::from_static("ci/unpinned-uses"),
                name: "Unpinned action".into(),
                default_severity: Severity::Medium,
                default_confidence: Confidence::High,
                summary: "Actions referenced by a mutable tag.".into(),
                docs: "Pin to a full commit SHA.".into(),
                help_uri: Some("https://example.invalid/rules/ci/unpinned-uses".into()),
                tags: vec!["SP-10".into()],
            },
        ];
        let mut skipped = BTreeMap::new();
        skipped.insert("binary".to_string(), 2);
        let mut r = Report {
            tool: ToolInfo {
                name: "tollgate".into(),
                version: "0.1.0".into(),
            },
            started: "2026-11-22T00:00:00Z".into(),
            finished: "2026-11-22T00:00:01Z".into(),
            roots: vec!["repo".into()],
            ruleset_digest: sha256(b"rules"),
            config_digest: None,
            inputs: vec![InputFile {
                path: "repo/src/config.py".into(),
                sha256: sha256(b"x"),
                size: 60,
                kind: "text".into(),
            }],
            scanners: vec![ScannerRun {
                name: "secrets".into(),
                version: "0.1.0".into(),
                rules: 1,
                files: 1,
                findings: 1,
                duration_ms: 3,
            }],
            rules,
            findings: vec![secret, ci],
            suppressed: vec![suppressed],
            diagnostics: vec![
                Diagnostic::warning("ci", "could not parse YAML: mapping values are not allowed")
                    .at("repo/.github/workflows/broken.yml", Some(3), Some(7)),
            ],
            skipped,
        };
        r.normalize();
        r
    }
}
