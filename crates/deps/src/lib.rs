//! `tollgate-deps`: dependencies of a repository from its lockfiles and manifests, SBOMs in
//! CycloneDX 1.6 and SPDX 2.3, and offline vulnerability matching against OSV data.
//!
//! The [`DepsScanner`] implements [`tollgate_engine::Scanner`]: it reads every lockfile,
//! manifest and third-party SBOM of the inventory, matches each package against the local OSV
//! index ([`osv::Db`]; the bundled snapshot when none exists yet), applies VEX statements and
//! the `[deps]` source policy, and reports findings.

pub mod component;
pub mod ecosystem;
pub mod osv;
pub mod parse;
pub mod purl;
pub mod sbom;
pub mod version;
pub mod vex;

pub use component::{Component, Ecosystem, Hash, Parsed, Scope};

use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use tollgate_config::{Config, ConfigError};
use tollgate_engine::{ScanContext, ScanOutput, Scanner};
use tollgate_inventory::{FileEntry, Inventory};
use tollgate_model::{
    Confidence, Diagnostic, Evidence, Finding, Location, RuleId, RuleMeta, Severity, Suppression,
    SuppressionKind,
};

/// The `[deps]` table of tollgate.toml.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DepsConfig {
    /// The OSV index (default: the user's cache folder, `tollgate/osv.db`).
    #[serde(default)]
    pub db: Option<PathBuf>,
    /// Allowed package sources per ecosystem (`crates.io = ["registry+https://github.com/rust-lang/crates.io-index"]`,
    /// `npm = ["https://registry.npmjs.org/"]`): a package of that ecosystem from anywhere
    /// else is a finding. Ecosystems not listed are not checked.
    #[serde(default)]
    pub allowed_sources: BTreeMap<String, Vec<String>>,
    /// Banned packages: purls without version (`pkg:npm/event-stream`) or with one.
    #[serde(default)]
    pub banned: Vec<String>,
    /// OpenVEX or CycloneDX VEX documents (relative to the config file).
    #[serde(default)]
    pub vex: Vec<PathBuf>,
    /// Also report informational advisories (unmaintained, unsound).
    #[serde(default)]
    pub informational: bool,
}

/// The user's default index location: `$XDG_CACHE_HOME/tollgate/osv.db`, else
/// `~/.cache/tollgate/osv.db`.
pub fn default_db_path() -> PathBuf {
    if let Some(x) = std::env::var_os("XDG_CACHE_HOME").filter(|x| !x.is_empty()) {
        return PathBuf::from(x).join("tollgate/osv.db");
    }
    if let Some(h) = std::env::var_os("HOME").filter(|x| !x.is_empty()) {
        return PathBuf::from(h).join(".cache/tollgate/osv.db");
    }
    PathBuf::from(".tollgate-osv.db")
}

/// Start of the diagnostic emitted when dependency inputs exist but none could be read (the
/// `scan deps` command then exits 2).
pub const NOTHING_READ: &str = "no lockfile, manifest or SBOM could be read";

pub const RULE_VULN: &str = "deps/vulnerable-dependency";
pub const RULE_SOURCE: &str = "deps/unapproved-source";
pub const RULE_BANNED: &str = "deps/banned-package";
pub const RULE_INFO: &str = "deps/informational-advisory";

/// The rules, documented where they are defined.
pub fn rules() -> Vec<RuleMeta> {
    vec![
        RuleMeta {
            id: RuleId::from_static(RULE_VULN),
            name: "Vulnerable dependency".into(),
            default_severity: Severity::High,
            default_confidence: Confidence::High,
            summary: "A locked package version is affected by a published vulnerability (OSV).".into(),
            docs: "A package version recorded in a lockfile, manifest or SBOM falls inside the \
affected ranges of an OSV advisory (RustSec, PyPA, Go vulndb, GHSA…), compared with the \
ecosystem's own version semantics (PEP 440, SemVer, Go, RubyGems, Maven, NuGet, Composer).\n\n\
GitHub Actions that workflows and composite actions `uses:` are dependencies too (OSV ecosystem \
`GitHub Actions`, GHSA data): an action pinned to a full release tag (`v4.1.2`) is matched; one \
pinned to a commit SHA, a moving tag (`v4`) or a branch names no single release and is listed \
in the SBOM with a note but never matched.\n\n\
The severity comes from the advisory's CVSS v3/v4 vector (score ≥ 9 critical, ≥ 7 high, ≥ 4 \
medium, else low); without one, from the database's own rating, else high. The finding lists \
every id of the vulnerability (aliases merged), the fixed versions, the smallest upgrade that \
fixes it and the path from a direct dependency.\n\n\
**Fix**: upgrade to the version in `smallest_fix` (or a later one). If the vulnerable code is \
not reachable, record that in a VEX document (`not_affected` with a justification) listed in \
`[deps] vex`, or add an `[[exceptions]]` entry with an owner and an expiry.\n\n\
Data: `tollgate db update` downloads the OSV export; `tollgate db import DIR|ZIP` loads records; \
without an index, a small bundled snapshot is used."
                .into(),
            help_uri: Some("https://osv.dev".into()),
            tags: vec!["SP-06".into(), "SP-17".into(), "CWE-1395".into()],
        },
        RuleMeta {
            id: RuleId::from_static(RULE_SOURCE),
            name: "Dependency from an unapproved source".into(),
            default_severity: Severity::High,
            default_confidence: Confidence::High,
            summary: "A package comes from a registry, git URL or path not allowed for its ecosystem.".into(),
            docs: "`[deps] allowed-sources` lists, per ecosystem (OSV names: `crates.io`, `npm`, \
`PyPI`, `Go`, `RubyGems`, `Packagist`, `NuGet`, `Maven`, `GitHub Actions`), the source prefixes \
builds may pull from (a GitHub action's source is `https://github.com/OWNER/REPO`). A locked package whose source (registry URL, `git+…` URL, `path:…`) starts with none of \
them is reported: a build that fetches from an unknown place can be fed anything.\n\n\
```toml\n[deps.allowed-sources]\nnpm = [\"https://registry.npmjs.org/\"]\n\"crates.io\" = [\"registry+https://github.com/rust-lang/crates.io-index\"]\n```\n\n\
**Fix**: depend on the package from the approved registry, or add the source to the list after \
review."
                .into(),
            help_uri: None,
            tags: vec!["SP-10".into(), "SP-17".into()],
        },
        RuleMeta {
            id: RuleId::from_static(RULE_BANNED),
            name: "Banned package".into(),
            default_severity: Severity::High,
            default_confidence: Confidence::High,
            summary: "A package listed in `[deps] banned` is a dependency.".into(),
            docs: "`[deps] banned` lists purls (`pkg:npm/event-stream`, or with a version \
`pkg:pypi/ctx@0.2.6`) the project must not depend on, directly or not.\n\n**Fix**: remove the \
dependency or replace the package that pulls it in."
                .into(),
            help_uri: None,
            tags: vec!["SP-17".into()],
        },
        RuleMeta {
            id: RuleId::from_static(RULE_INFO),
            name: "Informational advisory".into(),
            default_severity: Severity::Low,
            default_confidence: Confidence::High,
            summary: "A package has an informational advisory (unmaintained, unsound, notice).".into(),
            docs: "RustSec publishes informational advisories (an unmaintained crate, unsound \
API) that are not vulnerabilities; cargo-audit reports them as warnings. Reported only when \
`[deps] informational = true`.\n\n**Fix**: plan a move to a maintained alternative."
                .into(),
            help_uri: None,
            tags: vec!["SP-17".into()],
        },
    ]
}

/// The components of one input file.
#[derive(Debug, Clone)]
pub struct FileComponents {
    /// Where the file is on disk.
    pub path: PathBuf,
    pub display: String,
    pub rel: String,
    /// `Cargo.lock`, `CycloneDX`, …
    pub format: String,
    pub components: Vec<Component>,
}

/// What [`collect`] found: components per file, and the problems.
#[derive(Debug, Default)]
pub struct Collected {
    pub files: Vec<FileComponents>,
    pub diagnostics: Vec<Diagnostic>,
    /// Files that looked like inputs (whether or not they could be read).
    pub seen: usize,
}

fn is_sbom_name(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    l.ends_with(".cdx.json")
        || l.ends_with(".spdx.json")
        || l == "bom.json"
        || l == "sbom.json"
        || l.ends_with(".sbom.json")
}

/// Reads every lockfile, manifest and SBOM of `inventory`. A bad file becomes a diagnostic.
pub fn collect(inventory: &Inventory) -> Collected {
    let mut out = Collected::default();
    let go_mod_dirs: HashSet<String> = inventory
        .files
        .iter()
        .filter(|f| f.file_name() == "go.mod")
        .map(|f| parent_of(&f.rel))
        .collect();
    for f in &inventory.files {
        let name = f.file_name();
        if let Some(format) = parse::Format::detect_path(&f.rel) {
            if format == parse::Format::GoSum && go_mod_dirs.contains(&parent_of(&f.rel)) {
                continue; // go.mod beside it is the better source; go.sum gives it hashes
            }
            out.seen += 1;
            collect_one(f, format, &mut out);
        } else if is_sbom_name(name) {
            out.seen += 1;
            match std::fs::read(&f.path) {
                Ok(bytes) => {
                    match sbom::read(&bytes) {
                        Ok((fmt, components)) => out.files.push(FileComponents {
                            path: f.path.clone(),
                            display: f.display.clone(),
                            rel: f.rel.clone(),
                            format: fmt.to_string(),
                            components,
                        }),
                        Err(e) => out.diagnostics.push(
                            Diagnostic::error("deps", format!("cannot read SBOM: {}", e.message))
                                .at(f.display.clone(), Some(e.line), Some(e.column)),
                        ),
                    }
                }
                Err(e) => {
                    out.diagnostics
                        .push(Diagnostic::error("deps", format!("cannot read: {e}")).at(
                            f.display.clone(),
                            None,
                            None,
                        ))
                }
            }
        }
    }
    out
}

/// Whether a file of this name is read on its own (so its packages are reported there).
fn is_input_name(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    parse::Format::detect(name).is_some() || is_sbom_name(name)
}

fn parent_of(rel: &str) -> String {
    rel.rsplit_once('/')
        .map(|(d, _)| d.to_string())
        .unwrap_or_default()
}

fn collect_one(f: &FileEntry, format: parse::Format, out: &mut Collected) {
    let text = match std::fs::read(&f.path) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) => {
            out.diagnostics
                .push(Diagnostic::error("deps", format!("cannot read: {e}")).at(
                    f.display.clone(),
                    None,
                    None,
                ));
            return;
        }
    };
    let dir = f.path.parent().unwrap_or(Path::new("."));
    let siblings = parse::FsSiblings(dir);
    match parse::parse(format, f.file_name(), &text, &siblings) {
        Ok(p) => {
            for (line, msg) in &p.warnings {
                out.diagnostics
                    .push(Diagnostic::warning("deps", msg.clone()).at(
                        f.display.clone(),
                        Some(*line),
                        None,
                    ));
            }
            out.files.push(FileComponents {
                path: f.path.clone(),
                display: f.display.clone(),
                rel: f.rel.clone(),
                format: format.name().to_string(),
                components: p.components,
            });
        }
        Err(e) => out.diagnostics.push(
            Diagnostic::error(
                "deps",
                format!("cannot parse {}: {}", format.name(), e.message),
            )
            .at(
                f.display.clone(),
                (e.line > 0).then_some(e.line),
                (e.column > 0).then_some(e.column),
            ),
        ),
    }
}

/// The shortest path of purls from a direct dependency (or a root) to `target`.
pub fn dependency_path(components: &[Component], target: &str) -> Vec<String> {
    let by_purl: HashMap<&str, &Component> =
        components.iter().map(|c| (c.purl.as_str(), c)).collect();
    let starts: Vec<&Component> = components.iter().filter(|c| c.direct).collect();
    let mut prev: HashMap<&str, &str> = HashMap::new();
    let mut queue: VecDeque<&str> = VecDeque::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for s in &starts {
        if s.purl == target {
            return vec![target.to_string()];
        }
        seen.insert(&s.purl);
        queue.push_back(&s.purl);
    }
    while let Some(p) = queue.pop_front() {
        let Some(c) = by_purl.get(p) else { continue };
        for d in &c.dependencies {
            if seen.insert(d.as_str()) {
                prev.insert(d.as_str(), p);
                if d == target {
                    let mut path = vec![d.to_string()];
                    let mut cur = d.as_str();
                    while let Some(&b) = prev.get(cur) {
                        path.push(b.to_string());
                        cur = b;
                    }
                    path.reverse();
                    return path;
                }
                queue.push_back(d.as_str());
            }
        }
    }
    vec![target.to_string()]
}

/// At most `max` characters, cut at a word boundary, with an ellipsis when cut.
fn short(s: &str, max: usize) -> String {
    let s = s.lines().next().unwrap_or("").trim();
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map(|(a, _)| a).unwrap_or(&cut);
    format!("{cut}…")
}

fn severity_of(m: &osv::Match) -> Severity {
    if let Some((score, _)) = &m.cvss {
        return if *score >= 9.0 {
            Severity::Critical
        } else if *score >= 7.0 {
            Severity::High
        } else if *score >= 4.0 {
            Severity::Medium
        } else if *score > 0.0 {
            Severity::Low
        } else {
            Severity::Info
        };
    }
    m.text_severity
        .as_deref()
        .and_then(|s| s.parse().ok())
        .unwrap_or(Severity::High)
}

/// The deps scanner.
pub struct DepsScanner {
    pub config: DepsConfig,
    /// Where the OSV index is (`--db`, else `[deps] db`, else [`default_db_path`]).
    pub db_path: PathBuf,
    /// Folder that relative paths of the config resolve against.
    pub base_dir: PathBuf,
    /// When set, the components of the last scan are kept for [`DepsScanner::take_components`]
    /// (one pass for `scan deps --sbom`: the tree is walked and parsed once).
    keep: Option<std::sync::Mutex<Vec<Component>>>,
}

impl DepsScanner {
    /// Builds the scanner from `[deps]`. `db_override` is the `--db` flag.
    pub fn from_config(config: &Config, db_override: Option<PathBuf>) -> Result<Self, ConfigError> {
        let section: DepsConfig = config.section("deps")?;
        let base_dir = config.base_dir();
        let db_path = db_override
            .or_else(|| section.db.as_ref().map(|p| base_dir.join(p)))
            .unwrap_or_else(default_db_path);
        for eco in section.allowed_sources.keys() {
            if Ecosystem::from_osv(eco).is_none() {
                return Err(config.error_at(
                    eco,
                    format!(
                        "unknown ecosystem {eco:?} in [deps.allowed-sources] (use: {})",
                        Ecosystem::ALL.map(|e| e.osv_name()).join(", ")
                    ),
                ));
            }
        }
        Ok(DepsScanner {
            config: section,
            db_path,
            base_dir,
            keep: None,
        })
    }

    /// Keep the components every scan reads, for [`DepsScanner::take_components`].
    pub fn keeping_components(mut self) -> Self {
        self.keep = Some(std::sync::Mutex::new(Vec::new()));
        self
    }

    /// The components the last scan read (every file, in inventory order), when
    /// [`DepsScanner::keeping_components`] was asked for; empty otherwise.
    pub fn take_components(&self) -> Vec<Component> {
        self.keep
            .as_ref()
            .map(|k| std::mem::take(&mut *k.lock().unwrap_or_else(|e| e.into_inner())))
            .unwrap_or_default()
    }

    /// Opens the index, or the bundled snapshot when there is none (with a note).
    pub fn open_db(&self, diags: &mut Vec<Diagnostic>) -> osv::Db {
        match osv::Db::open_existing(&self.db_path) {
            Ok(Some(db)) => return db,
            Ok(None) => diags.push(Diagnostic::note(
                "deps",
                format!(
                    "no advisory index at {}: using the small bundled OSV snapshot; run `tollgate db update` for full data",
                    self.db_path.display()
                ),
            )),
            Err(e) => diags.push(Diagnostic::warning(
                "deps",
                format!("{e}; using the bundled OSV snapshot"),
            )),
        }
        osv::Db::snapshot()
    }
}

impl Scanner for DepsScanner {
    fn name(&self) -> &'static str {
        "deps"
    }

    fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }

    fn rules(&self) -> Vec<RuleMeta> {
        rules()
    }

    fn scan(&self, ctx: &ScanContext<'_>) -> ScanOutput {
        let mut out = ScanOutput::default();
        let collected = collect(ctx.inventory);
        out.diagnostics.extend(collected.diagnostics);
        out.files_scanned = collected.seen;
        if collected.seen > 0 && collected.files.is_empty() {
            out.diagnostics.push(Diagnostic::error(
                "deps",
                format!("{NOTHING_READ} ({} found, all unreadable)", collected.seen),
            ));
        }
        let total: usize = collected.files.iter().map(|f| f.components.len()).sum();
        ctx.progress.start("deps", total as u64);
        let mut vex = vex::VexSet::default();
        for p in &self.config.vex {
            let path = self.base_dir.join(p);
            if let Err(e) = vex.load(&path) {
                out.diagnostics.push(
                    Diagnostic::error("deps", format!("cannot read VEX document: {e}")).at(
                        path.display().to_string(),
                        None,
                        None,
                    ),
                );
            }
        }
        let db = if collected.files.iter().any(|f| !f.components.is_empty()) {
            Some(self.open_db(&mut out.diagnostics))
        } else {
            None
        };
        let mut cache: HashMap<String, Vec<osv::Match>> = HashMap::new();
        for file in &collected.files {
            let text = std::fs::read_to_string(&file.path).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            for c in &file.components {
                ctx.progress.advance(1);
                let shown = match &c.origin {
                    // An included requirements file that is itself an input is reported there.
                    Some(o) if is_input_name(o) => continue,
                    Some(o) => match file.display.rsplit_once('/') {
                        Some((dir, _)) => format!("{dir}/{o}"),
                        None => o.clone(),
                    },
                    None => file.display.clone(),
                };
                let loc = Location::line(shown, c.line).with_symbolic(c.purl.clone());
                self.policy(file, c, &loc, &mut out);
                let Some(db) = &db else { continue };
                if c.is_root || c.version.is_empty() {
                    continue;
                }
                let matches = match cache.get(&c.purl) {
                    Some(m) => m.clone(),
                    None => match osv::match_component(db, c) {
                        Ok(m) => {
                            cache.insert(c.purl.clone(), m.clone());
                            m
                        }
                        Err(e) => {
                            out.diagnostics
                                .push(Diagnostic::error("deps", e.to_string()));
                            continue;
                        }
                    },
                };
                for m in matches {
                    let info = m.informational.is_some();
                    if info && !self.config.informational {
                        continue;
                    }
                    let mut f = self.finding(file, c, &loc, &m);
                    // the package's own lockfile line as evidence (included files: name only)
                    if c.origin.is_none()
                        && let Some(l) = lines.get(c.line as usize - 1)
                        && !l.trim().is_empty()
                    {
                        f.evidence =
                            Evidence::snippet(l.trim_end().chars().take(200).collect::<String>());
                    }
                    match vex.not_affected(&m.ids, &c.purl) {
                        Some(reason) => {
                            let mut f = f;
                            f.suppression = Some(Suppression {
                                kind: SuppressionKind::Vex,
                                reason,
                                owner: None,
                                expires: None,
                            });
                            out.suppressed.push(f);
                        }
                        None => out.findings.push(f),
                    }
                }
            }
        }
        ctx.progress.finish();
        if let Some(k) = &self.keep {
            let mut kept = k.lock().unwrap_or_else(|e| e.into_inner());
            kept.extend(collected.files.into_iter().flat_map(|f| f.components));
        }
        out
    }
}

impl DepsScanner {
    fn finding(
        &self,
        file: &FileComponents,
        c: &Component,
        loc: &Location,
        m: &osv::Match,
    ) -> Finding {
        let primary = m.ids[0].clone();
        let (rule, severity) = match &m.informational {
            Some(_) => (RULE_INFO, Severity::Low),
            None => (RULE_VULN, severity_of(m)),
        };
        let path = dependency_path(&file.components, &c.purl);
        let mut msg = format!("{} {} is affected by {}", c.name, c.version, primary);
        let others: Vec<&String> = m.ids.iter().skip(1).collect();
        if !others.is_empty() {
            msg.push_str(&format!(
                " ({})",
                others
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if !m.summary.is_empty() {
            msg.push_str(": ");
            msg.push_str(&short(&m.summary, 140));
        }
        let remediation = match &m.smallest_fix {
            Some(v) => format!("Upgrade {} to {v} or later.", c.name),
            None => format!(
                "No fixed version of {} is published; remove or replace it, or record a VEX statement.",
                c.name
            ),
        };
        let mut f = Finding::new(
            RuleId::from_static(rule),
            severity,
            Confidence::High,
            msg,
            loc.clone(),
            &file.rel,
            format!("{}\n{}", c.purl, primary).as_bytes(),
        )
        .with_evidence(Evidence::snippet(format!("{} {}", c.name, c.version)))
        .with_remediation(remediation)
        .with_property("purl", serde_json::json!(c.purl))
        .with_property("ecosystem", serde_json::json!(c.ecosystem.osv_name()))
        .with_property("advisories", serde_json::json!(m.ids))
        .with_property("fixed_versions", serde_json::json!(m.fixed))
        .with_property("smallest_fix", serde_json::json!(m.smallest_fix))
        .with_property("dependency_path", serde_json::json!(path))
        .with_property("direct", serde_json::json!(c.direct))
        .with_property("scope", serde_json::json!(c.scope));
        if let Some((score, vector)) = &m.cvss {
            f = f
                .with_property("cvss_score", serde_json::json!(score))
                .with_property("cvss_vector", serde_json::json!(vector));
        }
        if let Some(u) = &m.url {
            f = f.with_property("url", serde_json::json!(u));
        }
        if let Some(i) = &m.informational {
            f = f.with_property("informational", serde_json::json!(i));
        }
        f
    }

    fn policy(&self, file: &FileComponents, c: &Component, loc: &Location, out: &mut ScanOutput) {
        if c.is_root {
            return;
        }
        for b in &self.config.banned {
            let hit = match purl::Purl::parse(b) {
                Ok(p) => {
                    let base = purl::Purl {
                        version: None,
                        qualifiers: Default::default(),
                        subpath: None,
                        ..p.clone()
                    }
                    .to_canonical();
                    let cp = c.purl.split('@').next().unwrap_or(&c.purl);
                    // npm scopes encode '@' as %40, so splitting at '@' keeps the name whole
                    cp == base && p.version.as_ref().is_none_or(|v| *v == c.version)
                }
                Err(_) => false,
            };
            if hit {
                out.findings.push(
                    Finding::new(
                        RuleId::from_static(RULE_BANNED),
                        Severity::High,
                        Confidence::High,
                        format!("{} {} is banned by [deps] banned ({b})", c.name, c.version),
                        loc.clone(),
                        &file.rel,
                        format!("{}\nbanned", c.purl).as_bytes(),
                    )
                    .with_property("purl", serde_json::json!(c.purl))
                    .with_property(
                        "dependency_path",
                        serde_json::json!(dependency_path(&file.components, &c.purl)),
                    )
                    .with_remediation(format!("Remove {} from the dependency tree.", c.name)),
                );
            }
        }
        let Some(allowed) = self.config.allowed_sources.get(c.ecosystem.osv_name()) else {
            return;
        };
        let Some(src) = &c.source else { return };
        if !allowed.iter().any(|a| src.starts_with(a.as_str())) {
            out.findings.push(
                Finding::new(
                    RuleId::from_static(RULE_SOURCE),
                    Severity::High,
                    Confidence::High,
                    format!(
                        "{} {} comes from {src}, not an allowed {} source",
                        c.name,
                        c.version,
                        c.ecosystem.osv_name()
                    ),
                    loc.clone(),
                    &file.rel,
                    format!("{}\n{src}", c.purl).as_bytes(),
                )
                .with_property("purl", serde_json::json!(c.purl))
                .with_property("source", serde_json::json!(src))
                .with_property("allowed", serde_json::json!(allowed))
                .with_remediation("Take the package from an approved registry, or approve the source in [deps.allowed-sources]."),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortest_path_from_a_direct_dependency() {
        let mut a = Component::new(Ecosystem::Npm, "a", "1.0.0");
        a.direct = true;
        let mut b = Component::new(Ecosystem::Npm, "b", "1.0.0");
        let c = Component::new(Ecosystem::Npm, "c", "1.0.0");
        a.dependencies = vec![b.purl.clone()];
        b.dependencies = vec![c.purl.clone()];
        let all = vec![a, b, c];
        assert_eq!(
            dependency_path(&all, "pkg:npm/c@1.0.0"),
            vec!["pkg:npm/a@1.0.0", "pkg:npm/b@1.0.0", "pkg:npm/c@1.0.0"]
        );
        assert_eq!(
            dependency_path(&all, "pkg:npm/a@1.0.0"),
            vec!["pkg:npm/a@1.0.0"]
        );
    }

    #[test]
    fn severity_from_cvss() {
        let m = |score: Option<f64>, text: Option<&str>| osv::Match {
            ids: vec!["X".into()],
            summary: String::new(),
            cvss: score.map(|s| (s, String::new())),
            text_severity: text.map(str::to_string),
            fixed: vec![],
            smallest_fix: None,
            informational: None,
            url: None,
        };
        assert_eq!(severity_of(&m(Some(9.8), None)), Severity::Critical);
        assert_eq!(severity_of(&m(Some(7.5), None)), Severity::High);
        assert_eq!(severity_of(&m(Some(5.3), None)), Severity::Medium);
        assert_eq!(severity_of(&m(Some(2.0), None)), Severity::Low);
        assert_eq!(severity_of(&m(None, Some("MODERATE"))), Severity::Medium);
        assert_eq!(severity_of(&m(None, None)), Severity::High);
    }
}
