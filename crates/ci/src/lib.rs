//! The `ci` scanner: audits GitHub Actions workflows, composite actions, Dependabot configs and
//! GitLab CI files (with their local includes).
//!
//! Every file is parsed into a positioned YAML tree ([`yaml`]); each audit (one module per
//! audit under [`audits`], behind the [`Audit`] trait) reads that tree and reports findings
//! whose `Location.symbolic` is the YAML route (`jobs.build.steps[2].run`). A file that does
//! not parse is a diagnostic naming file:line:col; the other files are still audited.

pub mod audits;
pub mod doc;
pub mod expr;
pub mod fix;
pub mod model;
pub mod shell;
pub mod yaml;
pub mod zizmor;

pub use doc::{Audit, CiSettings, Doc, DocKind, Info};

use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use tollgate_config::{Config, ConfigError};
use tollgate_engine::{ScanContext, ScanOutput, Scanner};
use tollgate_inventory::{FileEntry, FileKind};
use tollgate_model::{Diagnostic, Finding, RuleMeta};
use yaml::Node;
use zizmor::ZizmorConfig;

/// The scanner.
pub struct CiScanner {
    settings: CiSettings,
    audits: Vec<Box<dyn Audit>>,
}

impl Default for CiScanner {
    fn default() -> Self {
        CiScanner::new(CiSettings::default())
    }
}

impl CiScanner {
    pub fn new(settings: CiSettings) -> Self {
        let audits = audits::all()
            .into_iter()
            .filter(|a| !settings.disable.iter().any(|d| d == a.info().id))
            .collect();
        CiScanner { settings, audits }
    }

    /// Builds the scanner from the `[ci]` table.
    pub fn from_config(config: &Config) -> Result<Self, ConfigError> {
        Ok(CiScanner::new(config.section::<CiSettings>(SECTION)?))
    }

    /// Audits one document's text. Parse errors become one diagnostic.
    pub fn audit_text(
        &self,
        kind: DocKind,
        display: &str,
        rel: &str,
        src: &str,
    ) -> Result<Vec<Finding>, Diagnostic> {
        let root = parse_doc(display, src)?;
        let doc = Doc::new(kind, display, rel, src, &root, &self.settings);
        let mut out = Vec::new();
        for a in &self.audits {
            if a.kinds().contains(&kind) {
                a.check(&doc, &mut out);
            }
        }
        Ok(out)
    }
}

/// Findings, suppressed findings, a diagnostic, and local includes of one file.
type FileResult = (Vec<Finding>, Vec<Finding>, Option<Diagnostic>, Vec<String>);

/// The config table the scanner reads.
pub const SECTION: &str = "ci";

/// Parses `src` into a tree; the error is a diagnostic with file:line:col.
pub fn parse_doc(display: &str, src: &str) -> Result<Node, Diagnostic> {
    yaml::parse(src).map_err(|e| {
        Diagnostic::error("ci", format!("cannot parse CI file: {}", e.message)).at(
            display,
            Some(e.line),
            Some(e.col),
        )
    })
}

fn read_text(f: &FileEntry) -> Result<String, Diagnostic> {
    let bytes = f.read().map_err(|e| {
        Diagnostic::error("ci", format!("cannot read: {e}")).at(&f.display, None, None)
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let (line, col) = yaml::line_col(
            &String::from_utf8_lossy(e.as_bytes()),
            e.utf8_error().valid_up_to(),
        );
        Diagnostic::error("ci", "cannot parse CI file: not UTF-8").at(
            &f.display,
            Some(line),
            Some(col),
        )
    })
}

impl Scanner for CiScanner {
    fn name(&self) -> &'static str {
        "ci"
    }

    fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }

    fn rules(&self) -> Vec<RuleMeta> {
        self.audits.iter().map(|a| a.info().meta()).collect()
    }

    fn scan(&self, ctx: &ScanContext<'_>) -> ScanOutput {
        let files: Vec<(&FileEntry, DocKind)> = ctx
            .inventory
            .files
            .iter()
            .filter(|f| f.kind == FileKind::CiConfig || f.kind == FileKind::Text)
            .filter_map(|f| DocKind::of(&f.rel).map(|k| (f, k)))
            .collect();
        let mut out = ScanOutput {
            files_scanned: files.len(),
            ..ScanOutput::default()
        };
        let mut roots: HashMap<PathBuf, RootSettings> = HashMap::new();
        for (f, _) in &files {
            if let std::collections::hash_map::Entry::Vacant(e) = roots.entry(root_of(f)) {
                let r = self.root_settings(e.key(), &mut out.diagnostics);
                e.insert(r);
            }
        }
        let plain = RootSettings {
            settings: self.settings.clone(),
            zizmor: None,
        };
        let settings_of = |f: &FileEntry| roots.get(&root_of(f)).unwrap_or(&plain);
        ctx.progress.start("ci", files.len() as u64);
        let results: Vec<FileResult> = files
            .par_iter()
            .map(|(f, kind)| {
                let r = self.one(f, *kind, settings_of(f));
                ctx.progress.advance(1);
                r
            })
            .collect();
        let mut done: HashSet<&str> = files.iter().map(|(f, _)| f.display.as_str()).collect();
        let mut includes = BTreeSet::new();
        for (f, s, d, inc) in results {
            out.findings.extend(f);
            out.suppressed.extend(s);
            out.diagnostics.extend(d);
            includes.extend(inc);
        }
        // GitLab local includes that the inventory did not class as CI files.
        let mut queue: Vec<String> = includes.into_iter().collect();
        while let Some(rel) = queue.pop() {
            for f in ctx.inventory.files.iter().filter(|f| f.rel == rel) {
                if !done.insert(f.display.as_str()) {
                    continue;
                }
                out.files_scanned += 1;
                let (fs, s, d, inc) = self.one(f, DocKind::GitLab, settings_of(f));
                out.findings.extend(fs);
                out.suppressed.extend(s);
                out.diagnostics.extend(d);
                queue.extend(inc);
            }
        }
        ctx.progress.finish();
        out
    }
}

/// The settings that hold under one scanned root: `[ci]`, with the `unpinned-uses` policy of
/// the root's zizmor config when `[ci] ref-pin-allowed` is unset, and that config.
struct RootSettings {
    settings: CiSettings,
    zizmor: Option<ZizmorConfig>,
}

/// The root a file was found under: its path without the components of its `rel`.
fn root_of(f: &FileEntry) -> PathBuf {
    let mut p = f.path.clone();
    for _ in f.rel.split('/') {
        p.pop();
    }
    p
}

impl CiScanner {
    fn root_settings(&self, root: &Path, diagnostics: &mut Vec<Diagnostic>) -> RootSettings {
        let mut settings = self.settings.clone();
        let zizmor = if self.settings.zizmor_config {
            match ZizmorConfig::find(root) {
                Ok(z) => z,
                Err(d) => {
                    diagnostics.push(d);
                    None
                }
            }
        } else {
            None
        };
        if let Some(z) = &zizmor {
            diagnostics.push(Diagnostic::note("ci", z.summary()).at(&z.file, None, None));
            if settings.ref_pin_allowed.is_none() {
                settings.ref_pin_allowed.clone_from(&z.ref_pin);
            }
        }
        RootSettings { settings, zizmor }
    }

    /// Moves findings that the root's zizmor config disables or ignores to the suppressed
    /// list (GitHub files only: zizmor does not read GitLab CI).
    fn zizmor_decisions(
        &self,
        z: &ZizmorConfig,
        f: &FileEntry,
        kind: DocKind,
        findings: Vec<Finding>,
        suppressed: &mut Vec<Finding>,
    ) -> Vec<Finding> {
        if kind == DocKind::GitLab {
            return findings;
        }
        let mut kept = Vec::new();
        for mut x in findings {
            let names = self.peer_names(x.rule.as_str());
            let reason = if z.disables(&names) {
                Some(format!("audit disabled in {}", z.file))
            } else if z.ignores(&names, f.file_name(), x.location.line, x.location.column) {
                Some(format!("ignored in {}", z.file))
            } else {
                None
            };
            match reason {
                Some(reason) => {
                    x.suppression = Some(tollgate_model::Suppression {
                        kind: tollgate_model::SuppressionKind::Inline,
                        reason,
                        owner: None,
                        expires: None,
                    });
                    suppressed.push(x);
                }
                None => kept.push(x),
            }
        }
        kept
    }

    /// A rule's names as a peer tool's config spells them: the id without `ci/` and the
    /// zizmor audit it corresponds to.
    fn peer_names(&self, rule: &str) -> Vec<&'static str> {
        self.audits
            .iter()
            .map(|a| a.info())
            .find(|i| i.id == rule)
            .map(|i| {
                let mut v = vec![i.id.trim_start_matches("ci/")];
                v.extend(i.zizmor);
                v
            })
            .unwrap_or_default()
    }

    fn one(&self, f: &FileEntry, kind: DocKind, root: &RootSettings) -> FileResult {
        let src = match read_text(f) {
            Ok(s) => s,
            Err(d) => return (Vec::new(), Vec::new(), Some(d), Vec::new()),
        };
        let tree = match parse_doc(&f.display, &src) {
            Ok(r) => r,
            Err(d) => return (Vec::new(), Vec::new(), Some(d), Vec::new()),
        };
        let includes = if kind == DocKind::GitLab {
            model::gitlab_local_includes(&tree)
        } else {
            Vec::new()
        };
        let doc = Doc::new(kind, &f.display, &f.rel, &src, &tree, &root.settings);
        let mut out = Vec::new();
        for a in &self.audits {
            if a.kinds().contains(&kind) {
                a.check(&doc, &mut out);
            }
        }
        let (mut kept, mut suppressed) = self.peer_ignores_in(&src, Some(&tree), out);
        if let Some(z) = &root.zizmor {
            kept = self.zizmor_decisions(z, f, kind, kept, &mut suppressed);
        }
        (kept, suppressed, None, includes)
    }

    /// Moves findings covered by a zizmor-style `# zizmor: ignore[audit]` comment (on a line of
    /// the finding's span, or of the step it is in) to the suppressed list, so teams migrating
    /// keep their annotations.
    pub fn peer_ignores(&self, src: &str, findings: Vec<Finding>) -> (Vec<Finding>, Vec<Finding>) {
        let root = parse_doc("", src).ok();
        self.peer_ignores_in(src, root.as_ref(), findings)
    }

    /// As [`Self::peer_ignores`]; with the document's tree, a finding inside a step is also
    /// covered by a comment on any earlier line of that step (zizmor's findings span the whole
    /// step, so annotations often sit on its `- name:` line).
    pub fn peer_ignores_in(
        &self,
        src: &str,
        root: Option<&Node>,
        findings: Vec<Finding>,
    ) -> (Vec<Finding>, Vec<Finding>) {
        if !src.contains("zizmor: ignore[") {
            return (findings, Vec::new());
        }
        let lines: Vec<&str> = src.lines().collect();
        let mut kept = Vec::new();
        let mut suppressed = Vec::new();
        for mut f in findings {
            let names = self.peer_names(f.rule.as_str());
            let step_line = root
                .zip(f.location.symbolic.as_deref())
                .and_then(|(r, route)| step_of(r, route))
                .map(|n| n.line)
                .unwrap_or(f.location.line);
            let (a, b) = (
                step_line.min(f.location.line) as usize,
                f.location.end_line.max(f.location.line) as usize,
            );
            let hit = lines
                .iter()
                .take(b)
                .skip(a.saturating_sub(1))
                .filter_map(|l| l.split_once("zizmor: ignore[").map(|(_, r)| r))
                .any(|r| {
                    let list = r.split(']').next().unwrap_or("");
                    list.split(',').any(|n| names.contains(&n.trim()))
                });
            if hit {
                f.suppression = Some(tollgate_model::Suppression {
                    kind: tollgate_model::SuppressionKind::Inline,
                    reason: "zizmor: ignore comment".into(),
                    owner: None,
                    expires: None,
                });
                suppressed.push(f);
            } else {
                kept.push(f);
            }
        }
        (kept, suppressed)
    }
}

/// The step node a route (`jobs.x.steps[2].run`, `runs.steps[0].with.script`) points into.
fn step_of<'a>(root: &'a Node, route: &str) -> Option<&'a Node> {
    let cut = route
        .rfind(".steps[")
        .or_else(|| route.starts_with("steps[").then_some(0))?;
    let close = route[cut..].find(']')? + cut;
    let mut node = root;
    for seg in route[..=close].split('.') {
        let (key, idx) = match seg.split_once('[') {
            Some((k, i)) => (k, i.trim_end_matches(']').parse::<usize>().ok()),
            None => (seg, None),
        };
        if !key.is_empty() {
            node = node.get(key)?;
        }
        if let Some(i) = idx {
            node = node.items().get(i)?;
        }
    }
    Some(node)
}

/// Test helper for the audits' unit tests: the sorted lines of `rule`'s findings on the
/// workflow text `src`.
#[cfg(test)]
pub(crate) fn finding_lines(rule: &str, src: &str) -> Vec<u32> {
    let mut v: Vec<u32> = CiScanner::default()
        .audit_text(DocKind::Workflow, "w.yml", "w.yml", src)
        .unwrap()
        .into_iter()
        .filter(|f| f.rule.as_str() == rule)
        .map(|f| f.location.line)
        .collect();
    v.sort();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zizmor_ignore_on_the_step_line_covers_its_findings() {
        let s = CiScanner::default();
        let src = "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - name: x # zizmor: ignore[template-injection]\n        run: echo ${{ github.event.issue.title }}\n      - run: echo ${{ github.event.issue.title }}\n";
        let root = yaml::parse(src).unwrap();
        let found = s
            .audit_text(DocKind::Workflow, "w.yml", "w.yml", src)
            .unwrap();
        let all: Vec<Finding> = found
            .into_iter()
            .filter(|f| f.rule.as_str() == "ci/template-injection")
            .collect();
        let (kept, suppressed) = s.peer_ignores_in(src, Some(&root), all);
        assert_eq!(suppressed.len(), 1);
        assert_eq!(suppressed[0].location.line, 8);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].location.line, 9);
    }

    #[test]
    fn kinds_from_paths() {
        assert_eq!(
            DocKind::of(".github/workflows/ci.yml"),
            Some(DocKind::Workflow)
        );
        assert_eq!(DocKind::of("a/action.yaml"), Some(DocKind::Action));
        assert_eq!(
            DocKind::of(".github/dependabot.yml"),
            Some(DocKind::Dependabot)
        );
        assert_eq!(DocKind::of(".gitlab-ci.yml"), Some(DocKind::GitLab));
        assert_eq!(DocKind::of("src/x.yml"), None);
        assert_eq!(DocKind::of(".github/workflows/README.md"), None);
    }

    #[test]
    fn every_rule_is_documented_and_unique() {
        let s = CiScanner::default();
        let rules = s.rules();
        assert!(rules.len() >= 40, "{}", rules.len());
        let mut ids = HashSet::new();
        for r in &rules {
            assert!(ids.insert(r.id.clone()), "duplicate {}", r.id);
            assert!(r.docs.contains("## Fix"), "{}", r.id);
            assert!(r.docs.contains("NOT OK"), "{} lacks an example", r.id);
        }
    }

    #[test]
    fn bad_yaml_is_a_diagnostic_with_position() {
        let s = CiScanner::default();
        let d = s
            .audit_text(DocKind::Workflow, "w.yml", "w.yml", "on: push\njobs: [\n")
            .unwrap_err();
        assert_eq!(d.path.as_deref(), Some("w.yml"));
        assert!(d.line.is_some());
    }
}
