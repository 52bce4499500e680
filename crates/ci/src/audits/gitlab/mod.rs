//! GitLab CI audits, one module each. What a job inherits through `extends:` and `default:`
//! is read through [`job`], which the audits share; merge keys are already applied by the YAML
//! layer.

use crate::doc::Audit;

pub mod artifacts_secrets;
pub mod curl_pipe_shell;
pub mod debug_trace;
pub mod deploy_without_environment;
pub mod fork_mr_secrets;
pub mod hardcoded_secret;
pub mod include_unpinned;
pub mod job;
pub mod privileged_dind;
pub mod production_not_manual;
pub mod script_injection;
pub mod static_cloud_credentials;
pub mod unpinned_image;
pub mod unpinned_service;
pub mod unpinned_tool_install;

pub fn all() -> Vec<Box<dyn Audit>> {
    vec![
        Box::new(artifacts_secrets::ArtifactsSecrets),
        Box::new(curl_pipe_shell::GitlabCurlPipeShell),
        Box::new(debug_trace::DebugTrace),
        Box::new(deploy_without_environment::GitlabDeployWithoutEnvironment),
        Box::new(fork_mr_secrets::ForkMrSecrets),
        Box::new(hardcoded_secret::HardcodedSecret),
        Box::new(include_unpinned::IncludeUnpinned),
        Box::new(privileged_dind::PrivilegedDind),
        Box::new(production_not_manual::ProductionNotManual),
        Box::new(script_injection::ScriptInjection),
        Box::new(static_cloud_credentials::GitlabStaticCloudCredentials),
        Box::new(unpinned_image::UnpinnedImage),
        Box::new(unpinned_service::UnpinnedService),
        Box::new(unpinned_tool_install::UnpinnedToolInstall),
    ]
}
