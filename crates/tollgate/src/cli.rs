//! Command-line definition (clap derive). Each command's arguments live beside its module.

use crate::commands;
use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "tollgate",
    version,
    about = "Secure every step of a software release: scan, describe, prove, decide, record.",
    long_about = None,
    after_help = "Exit codes: 0 pass, 1 findings or gate failed, 2 usage or tool error.\n\
                  Docs: docs/ in the repository; `tollgate explain RULE` for any rule."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run every scanner on a repository, apply exceptions, report, and exit 0/1/2.
    Check(commands::check::CheckArgs),
    /// Run one scanner (same options and outputs as `check`).
    #[command(subcommand)]
    Scan(commands::scan::ScanCommand),
    /// Print a rule's documentation (`tollgate explain secrets/github-pat`), or list rules.
    Explain(commands::explain::ExplainArgs),
    /// Write a commented default tollgate.toml.
    Init(commands::init::InitArgs),
    /// The transparency log: init, append, show, prove, verify, checkpoint, export, trusted-root.
    Log(commands::log::LogArgs),
    /// Record the current findings as exceptions in the baseline file (adopt, then block only new ones).
    Baseline(commands::baseline::BaselineArgs),
    /// Score the repository against the secure release pipeline checklist (SP-01…SP-26).
    Posture(commands::posture::PostureArgs),
    /// Decide whether an artifact may go to an environment (exit 0 allow, 1 deny).
    Gate(commands::policy::GateArgs),
    /// Sign an approval of an artifact for an environment, bound to the policy digest.
    Approve(commands::policy::ApproveArgs),
    /// Grant or list exceptions ([[exceptions]] in tollgate.toml).
    #[command(subcommand)]
    Exception(commands::policy::ExceptionCommand),
    /// Test or evaluate Rego gate policies.
    #[command(subcommand)]
    Policy(commands::policy::PolicyCommand),
    /// Release KPIs: failed gate rate, unsigned artifacts, break-glass, exceptions, MTTR.
    Kpi(commands::policy::KpiArgs),
    /// Write a CycloneDX 1.6 or SPDX 2.3 SBOM of every lockfile under PATH.
    Sbom(commands::deps::SbomArgs),
    /// Manage the local OSV advisory index (`import`, `update`).
    #[command(subcommand)]
    Db(commands::deps::DbCommand),
    /// Manage signing keys (`tollgate key generate`).
    #[command(subcommand)]
    Key(commands::attest::KeyCommand),
    /// Sign an artifact: write a Sigstore bundle v0.3 with a message signature.
    Sign(commands::attest::SignArgs),
    /// Attest an artifact: an in-toto Statement in a signed DSSE envelope, inside a bundle.
    Attest(commands::attest::AttestArgs),
    /// Verify bundles against an artifact, trusted keys or identities, and requirements.
    Verify(commands::attest::VerifyArgs),
    /// Scan, attest (provenance, scan, tests), sign and collect a release's evidence.
    Release(commands::attest::ReleaseArgs),
    /// Short-lived deploy credentials from `tollgate serve`, bound to the gate decision.
    #[command(subcommand)]
    Credential(commands::credential::CredentialCommand),
    /// Run the control-plane server (log, release records, gate with server-held trust), or
    /// manage its API tokens (`serve token create|list|revoke`).
    Serve(commands::serve::ServeArgs),
    /// Rollout analysis: measure metrics, exit 0 promote, 1 roll back, 3 inconclusive.
    Analyze(commands::analyze::AnalyzeArgs),
}

impl Command {
    /// Runs the command and returns the process exit code.
    pub fn run(self) -> anyhow::Result<u8> {
        use commands::*;
        match self {
            Command::Check(a) => check::run(a),
            Command::Scan(s) => scan::run(s),
            Command::Explain(a) => explain::run(a),
            Command::Init(a) => init::run(a),
            Command::Log(a) => log::run(a),
            Command::Baseline(a) => baseline::run(a),
            Command::Posture(a) => posture::run(a),
            Command::Gate(a) => policy::run_gate(a),
            Command::Approve(a) => policy::run_approve(a),
            Command::Exception(c) => policy::run_exception(c),
            Command::Policy(c) => policy::run_policy(c),
            Command::Kpi(a) => policy::run_kpi(a),
            Command::Sbom(a) => deps::run_sbom(a),
            Command::Db(c) => deps::run_db(c),
            Command::Key(k) => attest::run_key(k),
            Command::Sign(a) => attest::run_sign(a),
            Command::Attest(a) => attest::run_attest(a),
            Command::Verify(a) => attest::run_verify(a),
            Command::Release(a) => attest::run_release(a),
            Command::Credential(c) => credential::run(c),
            Command::Serve(a) => serve::run(a),
            Command::Analyze(a) => analyze::run(a),
        }
    }
}
