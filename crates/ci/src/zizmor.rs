//! zizmor's configuration file, read so that a project that already triaged its workflows with
//! zizmor is not flagged again for what it decided: `rules.<audit>.disable: true`,
//! `rules.<audit>.ignore: [file.yml, file.yml:LINE, file.yml:LINE:COL]` and the
//! `unpinned-uses` policies (`rules.unpinned-uses.config.policies: {PATTERN: ref-pin}`).
//! zizmor looks for `zizmor.yml` at the repository root and in `.github/` (`.yaml` too); so do
//! we, under each scanned root. Audit names are zizmor's; the scanner maps them to rule ids.

use crate::yaml::{self, Node};
use std::collections::BTreeSet;
use std::path::Path;
use tollgate_model::Diagnostic;

/// Where zizmor's config may sit, relative to the repository root, in the order tried.
pub const PLACES: &[&str] = &[
    ".github/zizmor.yml",
    ".github/zizmor.yaml",
    "zizmor.yml",
    "zizmor.yaml",
];

/// One `ignore:` entry: findings of `audit` in files named `file` (the workflow's file name,
/// not its path), on `line` and at `col` when given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignore {
    pub audit: String,
    pub file: String,
    pub line: Option<u32>,
    pub col: Option<u32>,
}

/// What a zizmor config decides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ZizmorConfig {
    /// The config file as shown in messages (`.github/zizmor.yml`).
    pub file: String,
    /// zizmor audit names with `disable: true`.
    pub disabled: BTreeSet<String>,
    pub ignores: Vec<Ignore>,
    /// `unpinned-uses` patterns whose policy is `ref-pin` or `any`; `None` when the config sets
    /// no policies (then the scanner's own default applies).
    pub ref_pin: Option<Vec<String>>,
}

impl ZizmorConfig {
    /// Reads the first config of [`PLACES`] under `root`. `Ok(None)`: there is none.
    pub fn find(root: &Path) -> Result<Option<ZizmorConfig>, Diagnostic> {
        for place in PLACES {
            let path = root.join(place);
            if !path.is_file() {
                continue;
            }
            let shown = path.display().to_string();
            let src = std::fs::read_to_string(&path).map_err(|e| {
                Diagnostic::warning("ci", format!("cannot read zizmor config: {e}"))
                    .at(&shown, None, None)
            })?;
            return ZizmorConfig::parse(&shown, &src).map(Some);
        }
        Ok(None)
    }

    /// Parses a config's text; `file` names it in messages. A config that does not parse, or
    /// whose `rules` is not a mapping, is a warning naming file:line:col.
    pub fn parse(file: &str, src: &str) -> Result<ZizmorConfig, Diagnostic> {
        let bad = |n: &Node, what: &str| {
            Diagnostic::warning("ci", format!("zizmor config ignored: {what}")).at(
                file,
                Some(n.line),
                Some(n.col),
            )
        };
        let root = yaml::parse(src).map_err(|e| {
            Diagnostic::warning("ci", format!("zizmor config ignored: {}", e.message)).at(
                file,
                Some(e.line),
                Some(e.col),
            )
        })?;
        let mut cfg = ZizmorConfig {
            file: file.to_string(),
            ..ZizmorConfig::default()
        };
        let Some(rules) = root.get("rules") else {
            return Ok(cfg);
        };
        if !rules.is_map() && !rules.is_null() {
            return Err(bad(rules, "`rules` is not a mapping"));
        }
        for (name, rule) in rules.entries() {
            let audit = name.text().to_string();
            if rule.get("disable").and_then(|d| d.as_bool()) == Some(true) {
                cfg.disabled.insert(audit.clone());
            }
            for entry in rule.get("ignore").map(|i| i.items()).unwrap_or_default() {
                let mut parts = entry.text().split(':');
                let file = parts.next().unwrap_or("").trim().to_string();
                let line = parts.next().and_then(|l| l.trim().parse().ok());
                let col = parts.next().and_then(|c| c.trim().parse().ok());
                if !file.is_empty() {
                    cfg.ignores.push(Ignore {
                        audit: audit.clone(),
                        file,
                        line,
                        col,
                    });
                }
            }
            if audit == "unpinned-uses"
                && let Some(policies) = rule.get("config").and_then(|c| c.get("policies"))
            {
                cfg.ref_pin = Some(
                    policies
                        .entries()
                        .iter()
                        .filter(|(_, p)| matches!(p.text().trim(), "ref-pin" | "any"))
                        .map(|(k, _)| k.text().to_ascii_lowercase())
                        .collect(),
                );
            }
        }
        Ok(cfg)
    }

    /// Whether one of `names` (a finding's rule under its zizmor and tollgate names) is
    /// disabled.
    pub fn disables(&self, names: &[&str]) -> bool {
        names.iter().any(|n| self.disabled.contains(*n))
    }

    /// Whether an `ignore:` entry of one of `names` covers a finding in the file named
    /// `file_name` at `line`:`col`.
    pub fn ignores(&self, names: &[&str], file_name: &str, line: u32, col: u32) -> bool {
        self.ignores.iter().any(|i| {
            names.contains(&i.audit.as_str())
                && i.file == file_name
                && i.line.is_none_or(|l| l == line)
                && i.col.is_none_or(|c| c == col)
        })
    }

    /// One line for the report: what the config turned off.
    pub fn summary(&self) -> String {
        let disabled: Vec<&str> = self.disabled.iter().map(String::as_str).collect();
        format!(
            "read {}: {} audit(s) disabled{}{}, {} ignore(s){}; the findings they cover are listed as suppressed",
            self.file,
            disabled.len(),
            if disabled.is_empty() { "" } else { " (" },
            if disabled.is_empty() {
                String::new()
            } else {
                disabled.join(", ") + ")"
            },
            self.ignores.len(),
            if self.ref_pin.is_some() {
                ", unpinned-uses policies"
            } else {
                ""
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_disable_ignore_and_policies() {
        let src = "rules:\n  template-injection:\n    ignore:\n      - hackme.yml\n      - ci.yml:12\n      - ci.yml:14:9\n  artipacked:\n    disable: true\n  unpinned-uses:\n    config:\n      policies:\n        \"actions/*\": ref-pin\n        \"docker/*\": any\n        \"*\": hash-pin\n";
        let c = ZizmorConfig::parse("zizmor.yml", src).unwrap();
        assert!(c.disables(&["artipacked"]));
        assert!(!c.disables(&["template-injection"]));
        assert!(c.ignores(&["template-injection"], "hackme.yml", 3, 1));
        assert!(c.ignores(&["template-injection"], "ci.yml", 12, 5));
        assert!(!c.ignores(&["template-injection"], "ci.yml", 13, 5));
        assert!(c.ignores(&["template-injection"], "ci.yml", 14, 9));
        assert!(!c.ignores(&["template-injection"], "ci.yml", 14, 8));
        assert!(!c.ignores(&["artipacked"], "hackme.yml", 3, 1));
        assert_eq!(
            c.ref_pin,
            Some(vec!["actions/*".to_string(), "docker/*".to_string()])
        );
    }

    #[test]
    fn bad_configs_are_warnings_with_a_position() {
        let d = ZizmorConfig::parse("z.yml", "rules: [\n").unwrap_err();
        assert_eq!(d.path.as_deref(), Some("z.yml"));
        assert!(d.line.is_some());
        let d = ZizmorConfig::parse("z.yml", "rules:\n  - x\n").unwrap_err();
        assert_eq!(d.line, Some(2));
        assert_eq!(
            ZizmorConfig::parse("z.yml", "# nothing\n").unwrap(),
            ZizmorConfig {
                file: "z.yml".into(),
                ..Default::default()
            }
        );
    }
}
