//! Where the gate takes its signers, approvers, environments, exceptions and policy from.
//!
//! In order: `--trust FILE`, the `TOLLGATE_TRUST` environment variable, `[trust] file` in the
//! source tree's tollgate.toml, and last the source tree's tollgate.toml itself. A trust file
//! has the shape of tollgate.toml (`[[signers]]`, `[[approvers]]`, `[[exceptions]]`, `[gate]`,
//! `[environments.NAME]`, `[log]`); when one is used, none of those tables is read from the
//! source tree. Trust is *external* when its file lies outside the git work tree (or, with no
//! git, the folder) being released, so the change under review cannot rewrite it in the same
//! change. `[environments.NAME] trust = "external"` makes the gate deny otherwise.

use crate::error::{ReleaseError, Result};
use crate::registry;
use std::path::{Path, PathBuf};
use tollgate_config::Config;
use tollgate_policy::TrustInput;

/// The `[trust]` table of tollgate.toml.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TrustSection {
    file: Option<String>,
}

/// How the trust file was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrustOrigin {
    /// `--trust FILE`.
    Flag(PathBuf),
    /// `TOLLGATE_TRUST`.
    Env(PathBuf),
    /// `[trust] file` of the source tree's tollgate.toml.
    ConfigKey(PathBuf),
    /// The source tree's tollgate.toml.
    SourceTree(PathBuf),
    /// No file at all: no signers, no approvers, the built-in policy.
    Defaults,
}

/// The trust configuration of one gate, approve or verify run.
#[derive(Debug)]
pub struct Trust {
    /// Signers, approvers, exceptions, `[gate]`, `[environments]`, `[log]`.
    pub config: Config,
    pub origin: TrustOrigin,
    /// Outside the released source tree.
    pub external: bool,
    /// What the reader should know (tables of the source tree that were ignored).
    pub notes: Vec<String>,
}

impl Trust {
    /// Resolves trust for a run whose released source tree is `source_root` and whose
    /// tollgate.toml (if any) is `source`.
    pub fn resolve(
        flag: Option<&Path>,
        env: Option<&Path>,
        source: &Config,
        source_root: &Path,
    ) -> Result<Trust> {
        let key: TrustSection = source.section("trust")?;
        let (origin, file) = if let Some(f) = flag {
            (TrustOrigin::Flag(f.to_path_buf()), Some(f.to_path_buf()))
        } else if let Some(f) = env.filter(|p| !p.as_os_str().is_empty()) {
            (TrustOrigin::Env(f.to_path_buf()), Some(f.to_path_buf()))
        } else if let Some(f) = key.file {
            let p = source.base_dir().join(f);
            (TrustOrigin::ConfigKey(p.clone()), Some(p))
        } else {
            match &source.path {
                Some(p) => (TrustOrigin::SourceTree(p.clone()), None),
                None => (TrustOrigin::Defaults, None),
            }
        };
        let Some(file) = file else {
            return Ok(Trust {
                config: clone_config(source)?,
                origin,
                external: false,
                notes: Vec::new(),
            });
        };
        let config = Config::load(&file, registry::SECTIONS).map_err(|e| match e {
            tollgate_config::ConfigError::Io { source, .. } => ReleaseError::Trust {
                path: file.clone(),
                message: source.to_string(),
            },
            other => ReleaseError::Config(other),
        })?;
        // Every table the gate will read is checked now, so a bad trust file fails before
        // anything is decided, with file:line:column.
        tollgate_policy::Settings::from_config(&config)?;
        let _: TrustSection = config.section("trust")?;
        let external = !inside(&file, source_root);
        let mut notes = Vec::new();
        let ignored: Vec<&str> = [
            ("[[signers]]", !source.signers.is_empty()),
            ("[[approvers]]", !source.approvers.is_empty()),
            ("[[exceptions]]", !source.exceptions.is_empty()),
            ("[gate]", has_table(source, "gate")),
            ("[environments]", has_table(source, "environments")),
        ]
        .into_iter()
        .filter_map(|(n, present)| present.then_some(n))
        .collect();
        if !ignored.is_empty() {
            notes.push(format!(
                "the source tree's {} ignored: trust comes from {}",
                ignored.join(", "),
                file.display()
            ));
        }
        Ok(Trust {
            config,
            origin,
            external,
            notes,
        })
    }

    /// One line for humans: `--trust /etc/tollgate/trust.toml (external)`.
    pub fn describe(&self) -> String {
        match &self.origin {
            TrustOrigin::Flag(p) => format!("--trust {}", p.display()),
            TrustOrigin::Env(p) => format!("TOLLGATE_TRUST={}", p.display()),
            TrustOrigin::ConfigKey(p) => format!("[trust] file = {}", p.display()),
            TrustOrigin::SourceTree(p) => format!("the released source tree's {}", p.display()),
            TrustOrigin::Defaults => "built-in defaults (no signers, no approvers)".into(),
        }
    }

    /// What the evidence document records.
    pub fn input(&self) -> TrustInput {
        TrustInput {
            source: self.describe(),
            external: self.external,
        }
    }
}

fn has_table(c: &Config, name: &str) -> bool {
    c.raw
        .parse::<toml::Table>()
        .is_ok_and(|t| t.contains_key(name))
}

/// A second copy of `c` (Config is not Clone: it is re-read from its text).
fn clone_config(c: &Config) -> Result<Config> {
    Ok(match &c.path {
        Some(p) => Config::from_str_at(&c.raw, p, registry::SECTIONS)?,
        None => Config::default(),
    })
}

/// The git work tree holding `dir` (the folder with `.git`), or `dir` itself.
pub fn work_tree_root(dir: &Path) -> PathBuf {
    let abs = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let mut cur = Some(abs.as_path());
    while let Some(d) = cur {
        if d.join(".git").exists() {
            return d.to_path_buf();
        }
        cur = d.parent();
    }
    abs
}

/// Whether `file` lies inside the released tree at `root` (after resolving symlinks).
fn inside(file: &Path, root: &Path) -> bool {
    let root = work_tree_root(root);
    let f = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
    f.starts_with(&root)
}

/// Where trust and configuration come from, shared by `gate`, `approve` and `verify`.
#[derive(Debug, Clone, Default)]
pub struct TrustArgs {
    /// `--trust FILE`.
    pub trust: Option<PathBuf>,
    /// `TOLLGATE_TRUST`.
    pub trust_env: Option<PathBuf>,
    /// `--config FILE` (default: ./tollgate.toml when present): the source tree's config.
    pub config: Option<PathBuf>,
    /// The released source tree (default: the current folder).
    pub source: Option<PathBuf>,
}

impl TrustArgs {
    /// Resolves trust for this run.
    pub fn resolve(&self) -> Result<Trust> {
        let source_config = crate::scan::load_config_file(self.config.as_deref())?;
        let root = self
            .source
            .clone()
            .or_else(|| {
                source_config
                    .path
                    .as_ref()
                    .map(|_| source_config.base_dir())
            })
            .unwrap_or_else(|| PathBuf::from("."));
        Trust::resolve(
            self.trust.as_deref(),
            self.trust_env.as_deref(),
            &source_config,
            &root,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(dir: &Path, text: &str) -> Config {
        let p = dir.join("tollgate.toml");
        std::fs::write(&p, text).unwrap();
        Config::load(&p, registry::SECTIONS).unwrap()
    }

    #[test]
    fn order_and_external() {
        let repo = tempfile::tempdir().unwrap();
        std::fs::create_dir(repo.path().join(".git")).unwrap();
        let outside = tempfile::tempdir().unwrap();
        let trust_file = outside.path().join("trust.toml");
        std::fs::write(&trust_file, "[environments.prod]\napprovals = 2\n").unwrap();
        let source = cfg(
            repo.path(),
            "[[approvers]]\nidentity = \"mallory\"\nkey = \"m.pub\"\n",
        );
        // Nothing given: the source tree, not external.
        let t = Trust::resolve(None, None, &source, repo.path()).unwrap();
        assert!(!t.external);
        assert!(matches!(t.origin, TrustOrigin::SourceTree(_)));
        assert_eq!(t.config.approvers.len(), 1);
        // The environment variable: external, and the tree's approvers are ignored.
        let t = Trust::resolve(None, Some(&trust_file), &source, repo.path()).unwrap();
        assert!(t.external, "{}", t.describe());
        assert!(t.config.approvers.is_empty());
        assert!(t.notes[0].contains("[[approvers]]"), "{:?}", t.notes);
        // A trust file inside the released tree is not external, wherever it is named.
        let inner = repo.path().join("sub/trust.toml");
        std::fs::create_dir_all(inner.parent().unwrap()).unwrap();
        std::fs::write(&inner, "").unwrap();
        let t = Trust::resolve(Some(&inner), None, &source, &repo.path().join("sub")).unwrap();
        assert!(!t.external);
        // A missing file is an error naming it.
        let e = Trust::resolve(
            Some(&outside.path().join("nope.toml")),
            None,
            &source,
            repo.path(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("nope.toml"), "{e}");
        // A malformed one names file:line:column.
        std::fs::write(&trust_file, "[environments.prod]\napprovels = 2\n").unwrap();
        let e = Trust::resolve(Some(&trust_file), None, &source, repo.path())
            .unwrap_err()
            .to_string();
        assert!(e.contains("trust.toml:2:1"), "{e}");
    }
}
