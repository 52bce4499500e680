//! The `iac` scanner: Dockerfiles/Containerfiles, Kubernetes manifests and Terraform.
//!
//! Each family has its own reader and rules: [`docker`] (a hand-written parser with heredocs,
//! continuations, directives, `ARG` expansion and stages), [`k8s`] (a positioned multi-document
//! YAML tree, workloads' pod specs checked against the Pod Security Standards) and
//! [`terraform`] (HCL with spans via `hcl-edit`). Findings carry file:line:column and a
//! symbolic route (`stage[build].RUN[2]`, `Deployment/web:spec.template.spec.containers[0]`,
//! `aws_s3_bucket.logs.acl`). A file that cannot be read or parsed is a diagnostic naming
//! file:line:column; the other files are still checked.

pub mod docker;
pub mod k8s;
pub mod names;
pub mod rule;
pub mod terraform;

use rayon::prelude::*;
use serde::Deserialize;
use std::collections::BTreeMap;
use tollgate_config::{Config, ConfigError};
use tollgate_engine::{ScanContext, ScanOutput, Scanner};
use tollgate_inventory::{FileEntry, FileKind};
use tollgate_model::{Diagnostic, Finding, RuleMeta};

pub use rule::{Info, Src};

/// The config table the scanner reads.
pub const SECTION: &str = "iac";

/// The `[iac]` table of `tollgate.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct IacSettings {
    /// Rule ids not to run (`iac/dockerfile-sudo`).
    #[serde(default)]
    pub disable: Vec<String>,
}

/// What kind of IaC file a text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Dockerfile,
    Kubernetes,
    Terraform,
}

impl Kind {
    /// The kind of an inventory file, if the scanner reads it.
    pub fn of(f: &FileEntry) -> Option<Kind> {
        match f.kind {
            FileKind::Dockerfile => Some(Kind::Dockerfile),
            FileKind::Kubernetes => Some(Kind::Kubernetes),
            FileKind::Terraform => Some(Kind::Terraform),
            _ => None,
        }
    }
}

/// Every rule of the scanner, in a stable order.
pub fn infos() -> Vec<&'static Info> {
    let mut v = docker::rules::infos();
    v.extend(k8s::rules::infos());
    v.extend(terraform::rules::infos());
    v
}

/// The scanner.
#[derive(Default)]
pub struct IacScanner {
    settings: IacSettings,
}

impl IacScanner {
    pub fn new(settings: IacSettings) -> Self {
        IacScanner { settings }
    }

    /// Builds the scanner from the `[iac]` table.
    pub fn from_config(config: &Config) -> Result<Self, ConfigError> {
        Ok(IacScanner::new(config.section::<IacSettings>(SECTION)?))
    }

    /// Checks one file's text. A file that does not parse is one diagnostic; a Kubernetes
    /// file may also yield notes (documents skipped) beside its findings.
    pub fn check_text(
        &self,
        kind: Kind,
        display: &str,
        rel: &str,
        text: &str,
    ) -> Result<(Vec<Finding>, Vec<Diagnostic>), Diagnostic> {
        let src = Src { display, rel, text };
        let mut out = Vec::new();
        let mut notes = Vec::new();
        match kind {
            Kind::Dockerfile => {
                let df =
                    docker::parse::parse(text).map_err(|e| {
                        Diagnostic::error("iac", format!("cannot parse Dockerfile: {}", e.message))
                            .at(display, Some(e.line), Some(e.col))
                    })?;
                docker::rules::check(&df, &src, &mut out);
            }
            Kind::Kubernetes => {
                let docs = tollgate_yaml::parse_all(text).map_err(|e| {
                    Diagnostic::error(
                        "iac",
                        format!("cannot parse Kubernetes manifest: {}", e.message),
                    )
                    .at(display, Some(e.line), Some(e.col))
                })?;
                k8s::check(&docs, &src, &mut out, &mut notes);
            }
            Kind::Terraform => {
                let blocks = parse_tf(display, text)?;
                let m = terraform::Module::new(vec![terraform::File { src, blocks }]);
                terraform::rules::check(&m, &mut out);
            }
        }
        out.retain(|f| !self.settings.disable.iter().any(|d| d == f.rule.as_str()));
        Ok((out, notes))
    }

    fn one(&self, f: &FileEntry, kind: Kind) -> (Vec<Finding>, Vec<Diagnostic>) {
        let text = match read_text(f) {
            Ok(t) => t,
            Err(d) => return (Vec::new(), vec![d]),
        };
        match self.check_text(kind, &f.display, &f.rel, &text) {
            Ok(r) => r,
            Err(d) => (Vec::new(), vec![d]),
        }
    }

    /// Checks the `.tf` files of one folder together (one Terraform module).
    fn module(&self, files: &[&FileEntry]) -> (Vec<Finding>, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let texts: Vec<(&FileEntry, String)> = files
            .iter()
            .filter_map(|f| match read_text(f) {
                Ok(t) => Some((*f, t)),
                Err(d) => {
                    diags.push(d);
                    None
                }
            })
            .collect();
        let mut parsed = Vec::new();
        for (f, text) in &texts {
            match parse_tf(&f.display, text) {
                Ok(blocks) => parsed.push(terraform::File {
                    src: Src {
                        display: &f.display,
                        rel: &f.rel,
                        text,
                    },
                    blocks,
                }),
                Err(d) => diags.push(d),
            }
        }
        let m = terraform::Module::new(parsed);
        let mut out = Vec::new();
        terraform::rules::check(&m, &mut out);
        out.retain(|f| !self.settings.disable.iter().any(|d| d == f.rule.as_str()));
        (out, diags)
    }
}

fn read_text(f: &FileEntry) -> Result<String, Diagnostic> {
    let bytes = f.read().map_err(|e| {
        Diagnostic::error("iac", format!("cannot read: {e}")).at(&f.display, None, None)
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let (line, col) = rule::line_col(e.as_bytes(), e.utf8_error().valid_up_to());
        Diagnostic::error("iac", "cannot parse: not UTF-8").at(&f.display, Some(line), Some(col))
    })
}

fn parse_tf(display: &str, text: &str) -> Result<Vec<terraform::Block>, Diagnostic> {
    terraform::parse(text).map_err(|e| {
        Diagnostic::error("iac", format!("cannot parse Terraform: {}", e.message)).at(
            display,
            Some(e.line),
            Some(e.col),
        )
    })
}

impl Scanner for IacScanner {
    fn name(&self) -> &'static str {
        "iac"
    }

    fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }

    fn rules(&self) -> Vec<RuleMeta> {
        infos()
            .into_iter()
            .filter(|i| !self.settings.disable.iter().any(|d| d == i.id))
            .map(|i| i.meta())
            .collect()
    }

    fn scan(&self, ctx: &ScanContext<'_>) -> ScanOutput {
        let files: Vec<(&FileEntry, Kind)> = ctx
            .inventory
            .files
            .iter()
            .filter_map(|f| Kind::of(f).map(|k| (f, k)))
            .collect();
        // Terraform files are checked per module (folder); the others one by one.
        let mut modules: BTreeMap<(usize, &str), Vec<&FileEntry>> = BTreeMap::new();
        let mut singles = Vec::new();
        for (f, k) in &files {
            if *k == Kind::Terraform {
                let dir = f.display.rfind('/').map(|i| &f.display[..i]).unwrap_or("");
                let root = ctx
                    .inventory
                    .roots
                    .iter()
                    .position(|r| f.path.starts_with(&r.path))
                    .unwrap_or(0);
                modules.entry((root, dir)).or_default().push(f);
            } else {
                singles.push((*f, *k));
            }
        }
        let modules: Vec<Vec<&FileEntry>> = modules.into_values().collect();
        ctx.progress.start("iac", files.len() as u64);
        let mut results: Vec<(Vec<Finding>, Vec<Diagnostic>)> = singles
            .par_iter()
            .map(|(f, k)| {
                let r = self.one(f, *k);
                ctx.progress.advance(1);
                r
            })
            .collect();
        results.par_extend(modules.par_iter().map(|m| {
            let r = self.module(m);
            ctx.progress.advance(m.len() as u64);
            r
        }));
        ctx.progress.finish();
        let mut out = ScanOutput {
            files_scanned: files.len(),
            ..ScanOutput::default()
        };
        for (f, d) in results {
            out.findings.extend(f);
            out.diagnostics.extend(d);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_rule_is_documented_and_unique() {
        let mut ids = HashSet::new();
        for r in IacScanner::default().rules() {
            assert!(ids.insert(r.id.clone()), "duplicate {}", r.id);
            assert!(r.id.as_str().starts_with("iac/"), "{}", r.id);
            assert!(r.docs.contains("## Fix"), "{}", r.id);
            assert!(r.docs.contains("NOT OK"), "{} lacks an example", r.id);
            assert!(r.tags.iter().any(|t| t == "SP-21"), "{} lacks SP-21", r.id);
        }
    }

    #[test]
    fn disabled_rules_are_not_reported() {
        let root = "iac/dockerfile-root-user";
        let run = |s: &IacScanner| {
            s.check_text(
                Kind::Dockerfile,
                "Dockerfile",
                "Dockerfile",
                "FROM scratch\n",
            )
            .unwrap()
            .0
            .iter()
            .filter(|f| f.rule.as_str() == root)
            .count()
        };
        assert_eq!(run(&IacScanner::default()), 1);
        let s = IacScanner::new(IacSettings {
            disable: vec![root.into()],
        });
        assert_eq!(run(&s), 0);
        assert!(!s.rules().iter().any(|r| r.id.as_str() == root));
    }

    #[test]
    fn bad_files_are_diagnostics_with_positions() {
        let s = IacScanner::default();
        let d = s
            .check_text(
                Kind::Dockerfile,
                "Dockerfile",
                "Dockerfile",
                "FROM a\nBOGUS x\n",
            )
            .unwrap_err();
        assert_eq!(
            (d.path.as_deref(), d.line, d.column),
            (Some("Dockerfile"), Some(2), Some(1))
        );
    }
}

#[cfg(test)]
mod bad_input {
    use super::*;

    fn check(kind: Kind, text: &str) -> Result<(Vec<Finding>, Vec<Diagnostic>), Diagnostic> {
        IacScanner::default().check_text(kind, "f", "f", text)
    }

    #[test]
    fn yaml_bomb_is_a_diagnostic() {
        let mut bomb =
            String::from("apiVersion: v1\nkind: Pod\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            bomb.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let d = check(Kind::Kubernetes, &bomb).unwrap_err();
        assert!(d.message.contains("YAML bomb"), "{}", d.message);
        assert!(d.line.is_some());
    }

    #[test]
    fn malformed_inputs_never_panic() {
        let samples = [
            "apiVersion: v1\nkind: Pod\nspec: [\n",
            "apiVersion: v1\nkind: Pod\nspec:\n  containers: 7\n",
            "apiVersion: v1\nkind: Deployment\nspec:\n  template: {spec: {containers: [1, [2], {securityContext: 3}]}}\n",
            "- just\n- a list\n",
            "resource \"a\" {\n",
            "resource \"aws_security_group\" \"x\" {\n  ingress {\n    from_port = \"a\"\n    cidr_blocks = 5\n  }\n}\n",
            "provider \"aws\" {\n  access_key = 12\n}\n",
            "variable \"a\" {\n  default = var.a\n}\nresource \"aws_subnet\" \"s\" {\n  map_public_ip_on_launch = var.a\n}\n",
            "FROM\nUSER\nADD\nCOPY\nENV\nARG\nRUN\n",
            "FROM a AS\nFROM ${\nARG X=${Y:-\nRUN <<\n",
        ];
        for (i, s) in samples.iter().enumerate() {
            for kind in [Kind::Kubernetes, Kind::Terraform, Kind::Dockerfile] {
                let _ = check(kind, s);
                // Every prefix, cut at char boundaries.
                for cut in (0..s.len()).filter(|c| s.is_char_boundary(*c)) {
                    let _ = check(kind, &s[..cut]);
                }
            }
            let _ = i;
        }
    }

    #[test]
    fn a_variable_cycle_does_not_hang() {
        let src = "variable \"a\" {\n  default = var.b\n}\nvariable \"b\" {\n  default = var.a\n}\nresource \"aws_subnet\" \"s\" {\n  map_public_ip_on_launch = var.a\n}\n";
        let (f, _) = check(Kind::Terraform, src).unwrap();
        assert!(f.iter().all(|x| x.rule.as_str() != "iac/tf-public-subnet"));
    }
}
