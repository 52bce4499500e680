//! The audits, one module per audit. Each module defines its `Info` (id, defaults, docs) and
//! implements `Audit` (`crate::doc`). Fixtures: `tests/fixtures/<audit-name>/{bad,ok}*.<kind>.yml`.

use crate::doc::Audit;

// GitHub Actions: audits zizmor also has (offline).
pub mod archived_uses;
pub mod artipacked;
pub mod bot_conditions;
pub mod cache_poisoning;
pub mod dangerous_triggers;
pub mod dependabot_cooldown;
pub mod dependabot_execution;
pub mod excessive_permissions;
pub mod github_app;
pub mod github_env;
pub mod insecure_commands;
pub mod overprovisioned_secrets;
pub mod secrets_inherit;
pub mod secrets_outside_env;
pub mod self_hosted_runner;
pub mod superfluous_actions;
pub mod template_injection;
pub mod typosquat_uses;
pub mod unpinned_images;
pub mod unpinned_tools;
pub mod unpinned_uses;
pub mod unsound_condition;
pub mod use_trusted_publishing;

// GitHub Actions: zizmor offline audits added later (one file each).
pub mod adhoc_packages;
pub mod hardcoded_container_credentials;
pub mod misfeature;
pub mod obfuscation;
pub mod self_repository;
pub mod unredacted_secrets;
pub mod unsound_contains;
pub mod unsound_ternary;

// GitHub Actions: audits no peer has offline.
pub mod artifact_poisoning;
pub mod build_and_deploy;
pub mod cross_job_taint;
pub mod curl_pipe_shell;
pub mod debug_logging;
pub mod deploy_without_environment;
pub mod id_token_without_environment;
pub mod minimal_permissions;
pub mod static_cloud_credentials;
pub mod untrusted_checkout_exec;

// GitLab CI.
pub mod gitlab;

/// Every audit, in a stable order.
pub fn all() -> Vec<Box<dyn Audit>> {
    let mut v: Vec<Box<dyn Audit>> = vec![
        Box::new(archived_uses::ArchivedUses),
        Box::new(artipacked::Artipacked),
        Box::new(bot_conditions::BotConditions),
        Box::new(cache_poisoning::CachePoisoning),
        Box::new(dangerous_triggers::DangerousTriggers),
        Box::new(dependabot_cooldown::DependabotCooldown),
        Box::new(dependabot_execution::DependabotExecution),
        Box::new(excessive_permissions::ExcessivePermissions),
        Box::new(github_app::GithubApp),
        Box::new(github_env::GithubEnv),
        Box::new(insecure_commands::InsecureCommands),
        Box::new(overprovisioned_secrets::OverprovisionedSecrets),
        Box::new(secrets_inherit::SecretsInherit),
        Box::new(secrets_outside_env::SecretsOutsideEnv),
        Box::new(self_hosted_runner::SelfHostedRunner),
        Box::new(superfluous_actions::SuperfluousActions),
        Box::new(template_injection::TemplateInjection),
        Box::new(typosquat_uses::TyposquatUses),
        Box::new(unpinned_images::UnpinnedImages),
        Box::new(unpinned_tools::UnpinnedTools),
        Box::new(unpinned_uses::UnpinnedUses),
        Box::new(unsound_condition::UnsoundCondition),
        Box::new(use_trusted_publishing::UseTrustedPublishing),
        Box::new(adhoc_packages::AdhocPackages),
        Box::new(hardcoded_container_credentials::HardcodedContainerCredentials),
        Box::new(misfeature::Misfeature),
        Box::new(obfuscation::Obfuscation),
        Box::new(self_repository::SelfRepository),
        Box::new(unredacted_secrets::UnredactedSecrets),
        Box::new(unsound_contains::UnsoundContains),
        Box::new(unsound_ternary::UnsoundTernary),
        Box::new(artifact_poisoning::ArtifactPoisoning),
        Box::new(build_and_deploy::BuildAndDeploy),
        Box::new(cross_job_taint::CrossJobTaint),
        Box::new(curl_pipe_shell::CurlPipeShell),
        Box::new(debug_logging::DebugLogging),
        Box::new(deploy_without_environment::DeployWithoutEnvironment),
        Box::new(id_token_without_environment::IdTokenWithoutEnvironment),
        Box::new(minimal_permissions::MinimalPermissions),
        Box::new(static_cloud_credentials::StaticCloudCredentials),
        Box::new(untrusted_checkout_exec::UntrustedCheckoutExec),
    ];
    v.extend(gitlab::all());
    v
}

/// The mapping of zizmor audit names to our rule ids, for the parity script.
pub fn zizmor_mapping() -> Vec<(&'static str, &'static str)> {
    all()
        .iter()
        .filter_map(|a| a.info().zizmor.map(|z| (z, a.info().id)))
        .collect()
}
