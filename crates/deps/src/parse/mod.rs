//! Lockfile and manifest parsers. Each takes the file's text (and, where the format needs it, a
//! reader for sibling files such as `package.json` or `-r` includes) and returns components.

pub mod actions;
mod cargo;
mod composer;
mod gem;
mod golang;
mod gradle;
mod maven;
mod npm;
mod nuget;
mod pnpm;
mod python;
mod yarn;

use crate::component::{Component, Parsed};
use std::path::Path;

/// A parse failure at a position of the file (1-based; 0 when unknown).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl ParseError {
    pub fn new(line: u32, column: u32, message: impl Into<String>) -> Self {
        ParseError {
            line,
            column,
            message: message.into(),
        }
    }

    /// From the bounded YAML loader (`tollgate-yaml`): its position and message.
    pub(crate) fn yaml(e: tollgate_yaml::YamlError) -> Self {
        ParseError::new(e.line, e.col, e.message)
    }

    /// The first document of `text` through the bounded YAML loader, as JSON.
    pub(crate) fn yaml_json(text: &str) -> Result<serde_json::Value, Self> {
        tollgate_yaml::parse(text)
            .map(|n| tollgate_yaml::to_json(&n))
            .map_err(ParseError::yaml)
    }

    pub(crate) fn json(e: &serde_json::Error) -> Self {
        ParseError::new(e.line() as u32, e.column() as u32, e.to_string())
    }

    pub(crate) fn toml(text: &str, e: &toml::de::Error) -> Self {
        let (line, col) = e
            .span()
            .map(|s| {
                let l = crate::component::line_of(text, s.start);
                let ls = text[..s.start.min(text.len())]
                    .rfind('\n')
                    .map(|p| p + 1)
                    .unwrap_or(0);
                (l, (s.start - ls) as u32 + 1)
            })
            .unwrap_or((0, 0));
        ParseError::new(line, col, e.message().to_string())
    }
}

/// Reads a file next to the one being parsed (`package.json` beside `yarn.lock`, `-r` includes).
pub trait Siblings {
    fn read(&self, rel: &str) -> Option<String>;
}

/// Siblings from the file system, relative to a folder.
pub struct FsSiblings<'a>(pub &'a Path);

impl Siblings for FsSiblings<'_> {
    fn read(&self, rel: &str) -> Option<String> {
        std::fs::read_to_string(self.0.join(rel)).ok()
    }
}

/// No siblings (fuzzing, in-memory parsing).
pub struct NoSiblings;

impl Siblings for NoSiblings {
    fn read(&self, _rel: &str) -> Option<String> {
        None
    }
}

/// The formats we read, by file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    CargoLock,
    PackageLock,
    YarnLock,
    PnpmLock,
    PoetryLock,
    UvLock,
    PipfileLock,
    Requirements,
    GoMod,
    GoSum,
    GemfileLock,
    ComposerLock,
    NugetLock,
    GradleLock,
    Pom,
    /// `.github/workflows/*.yml` (detected by path: [`Format::detect_path`]).
    GithubWorkflow,
    /// `action.yml` / `action.yaml` of a composite, JavaScript or Docker action.
    GithubAction,
}

impl Format {
    pub const ALL: [Format; 17] = [
        Format::CargoLock,
        Format::PackageLock,
        Format::YarnLock,
        Format::PnpmLock,
        Format::PoetryLock,
        Format::UvLock,
        Format::PipfileLock,
        Format::Requirements,
        Format::GoMod,
        Format::GoSum,
        Format::GemfileLock,
        Format::ComposerLock,
        Format::NugetLock,
        Format::GradleLock,
        Format::Pom,
        Format::GithubWorkflow,
        Format::GithubAction,
    ];

    /// The format of the file at `rel` (a path relative to the scanned root, `/`-separated):
    /// [`Format::detect`] of its name, and GitHub workflows by their folder.
    pub fn detect_path(rel: &str) -> Option<Format> {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        let lower = name.to_ascii_lowercase();
        let yaml = lower.ends_with(".yml") || lower.ends_with(".yaml");
        let dir = &rel[..rel.len() - name.len()];
        if yaml && (dir == ".github/workflows/" || dir.ends_with("/.github/workflows/")) {
            return Some(Format::GithubWorkflow);
        }
        Format::detect(name)
    }

    pub fn detect(file_name: &str) -> Option<Format> {
        let lower = file_name.to_ascii_lowercase();
        Some(match file_name {
            "Cargo.lock" => Format::CargoLock,
            "package-lock.json" | "npm-shrinkwrap.json" => Format::PackageLock,
            "yarn.lock" => Format::YarnLock,
            "pnpm-lock.yaml" => Format::PnpmLock,
            "poetry.lock" => Format::PoetryLock,
            "uv.lock" => Format::UvLock,
            "Pipfile.lock" => Format::PipfileLock,
            "go.mod" => Format::GoMod,
            "go.sum" => Format::GoSum,
            "Gemfile.lock" | "gems.locked" => Format::GemfileLock,
            "composer.lock" => Format::ComposerLock,
            "packages.lock.json" => Format::NugetLock,
            "gradle.lockfile" => Format::GradleLock,
            "pom.xml" => Format::Pom,
            "action.yml" | "action.yaml" => Format::GithubAction,
            _ if lower.starts_with("requirements") && lower.ends_with(".txt") => {
                Format::Requirements
            }
            _ if lower.ends_with(".lockfile") && lower.contains("gradle") => Format::GradleLock,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::CargoLock => "Cargo.lock",
            Format::PackageLock => "package-lock.json",
            Format::YarnLock => "yarn.lock",
            Format::PnpmLock => "pnpm-lock.yaml",
            Format::PoetryLock => "poetry.lock",
            Format::UvLock => "uv.lock",
            Format::PipfileLock => "Pipfile.lock",
            Format::Requirements => "requirements.txt",
            Format::GoMod => "go.mod",
            Format::GoSum => "go.sum",
            Format::GemfileLock => "Gemfile.lock",
            Format::ComposerLock => "composer.lock",
            Format::NugetLock => "packages.lock.json",
            Format::GradleLock => "gradle.lockfile",
            Format::Pom => "pom.xml",
            Format::GithubWorkflow => "GitHub workflow",
            Format::GithubAction => "action.yml",
        }
    }
}

/// Parses `text` as `format`. `name` is the file's name (for requirements includes).
pub fn parse(
    format: Format,
    name: &str,
    text: &str,
    siblings: &dyn Siblings,
) -> Result<Parsed, ParseError> {
    let mut parsed = match format {
        Format::CargoLock => cargo::parse(text)?,
        Format::PackageLock => npm::parse(text)?,
        Format::YarnLock => yarn::parse(text, siblings)?,
        Format::PnpmLock => pnpm::parse(text)?,
        Format::PoetryLock => python::poetry(text, siblings)?,
        Format::UvLock => python::uv(text)?,
        Format::PipfileLock => python::pipfile(text)?,
        Format::Requirements => python::requirements(name, text, siblings)?,
        Format::GoMod => golang::go_mod(text, siblings)?,
        Format::GoSum => golang::go_sum(text)?,
        Format::GemfileLock => gem::parse(text)?,
        Format::ComposerLock => composer::parse(text, siblings)?,
        Format::NugetLock => nuget::parse(text)?,
        Format::GradleLock => gradle::parse(text)?,
        Format::Pom => maven::parse(text)?,
        Format::GithubWorkflow => actions::parse(text, actions::ActionsFile::Workflow)?,
        Format::GithubAction => actions::parse(text, actions::ActionsFile::Action)?,
    };
    dedup(&mut parsed.components);
    Ok(parsed)
}

/// Merges duplicate entries of one package (same purl): direct wins, runtime wins over dev.
/// A workspace member and a registry package of the same name and version stay apart.
fn dedup(components: &mut Vec<Component>) {
    use std::collections::HashMap;
    let mut seen: HashMap<(String, bool), usize> = HashMap::new();
    let mut out: Vec<Component> = Vec::with_capacity(components.len());
    for c in components.drain(..) {
        match seen.get(&(c.purl.clone(), c.is_root)) {
            Some(&i) => {
                let o = &mut out[i];
                o.direct |= c.direct;
                if c.scope < o.scope {
                    o.scope = c.scope;
                }
                for d in c.dependencies {
                    if !o.dependencies.contains(&d) {
                        o.dependencies.push(d);
                    }
                }
                for h in c.hashes {
                    if !o.hashes.contains(&h) {
                        o.hashes.push(h);
                    }
                }
            }
            None => {
                seen.insert((c.purl.clone(), c.is_root), out.len());
                out.push(c);
            }
        }
    }
    *components = out;
}

/// Line numbers of `key = "value"`-style entries, for serde-parsed formats: the first line
/// at or after `from` containing `needle`.
pub(crate) struct Lines<'a> {
    lines: Vec<&'a str>,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str) -> Self {
        Lines {
            lines: text.lines().collect(),
        }
    }

    /// First 1-based line containing every needle (1 when none does).
    pub fn find(&self, needles: &[&str]) -> u32 {
        self.find_from(0, needles).unwrap_or(1)
    }

    /// First 1-based line at or after 1-based line `from` containing every needle.
    pub fn find_from(&self, from: u32, needles: &[&str]) -> Option<u32> {
        let start = from.saturating_sub(1) as usize;
        self.lines
            .iter()
            .enumerate()
            .skip(start)
            .find(|(_, l)| needles.iter().all(|n| l.contains(n)))
            .map(|(i, _)| i as u32 + 1)
    }
}

/// For TOML lockfiles with `[[package]]` tables (`name = "x"` then `version = "y"`): the line
/// of each (name, version) pair's `name` key.
pub(crate) fn name_version_lines(text: &str) -> std::collections::HashMap<(String, String), u32> {
    let mut out = std::collections::HashMap::new();
    let mut name: Option<(String, u32)> = None;
    for (i, l) in text.lines().enumerate() {
        let t = l.trim();
        if t.starts_with('[') {
            name = None;
        } else if let Some(v) = t.strip_prefix("name = \"") {
            name = Some((v.trim_end_matches('"').to_string(), i as u32 + 1));
        } else if let Some(v) = t.strip_prefix("version = \"")
            && let Some((n, line)) = name.take()
        {
            out.entry((n, v.trim_end_matches('"').to_string()))
                .or_insert(line);
        }
    }
    out
}

/// What [`parse`] returns.
pub type ParseResult = Result<Parsed, ParseError>;
