//! `tollgate scan <scanner>`: one variant per scanner, each with its own extra flags.

use super::{ci, deps, secrets};

#[derive(Debug, clap::Subcommand)]
pub enum ScanCommand {
    /// Secrets in files, archives, stdin (`-`), CI logs (`--ci-log`) and git history (`--git`, `--staged`).
    Secrets(secrets::SecretsArgs),
    /// Audit CI/CD configuration: GitHub Actions workflows, composite actions, Dependabot, GitLab CI.
    Ci(ci::CiArgs),
    /// Dependencies: lockfiles, manifests and SBOMs matched against OSV advisories.
    Deps(deps::DepsArgs),
    /// Infrastructure as code: Dockerfiles/Containerfiles, Kubernetes manifests, Terraform.
    Iac(super::check::CheckArgs),
}

pub fn run(s: ScanCommand) -> anyhow::Result<u8> {
    match s {
        ScanCommand::Secrets(a) => secrets::run(a),
        ScanCommand::Ci(a) => ci::run(a),
        ScanCommand::Deps(a) => deps::run_scan(a),
        ScanCommand::Iac(a) => super::common::execute(&a.common, |cfg| {
            Ok(vec![
                Box::new(tollgate_iac::IacScanner::from_config(cfg)?) as _
            ])
        }),
    }
}
