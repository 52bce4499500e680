//! SLSA provenance v1 (https://slsa.dev/spec/v1.0/provenance) generated from the CI
//! environment: GitHub Actions or GitLab CI variables, or a clearly labelled local build.

use super::rfc3339;
use serde_json::{Value, json};
use std::path::Path;
use time::OffsetDateTime;

/// GitHub's own build type for Actions workflows (what GitHub artifact attestations use).
pub const GITHUB_BUILD_TYPE: &str = "https://actions.github.io/buildtypes/workflow/v1";
/// tollgate's build type for GitLab CI jobs (parameters documented in docs/attest.md).
pub const GITLAB_BUILD_TYPE: &str = "https://tollgate.dev/buildtypes/gitlab-ci/v1";
/// A build outside CI: nothing about it is vouched for by a hosted builder.
pub const LOCAL_BUILD_TYPE: &str = "https://tollgate.dev/buildtypes/local/v1";
/// Builder id of local builds.
pub const LOCAL_BUILDER_ID: &str = "https://tollgate.dev/builders/local";

/// Which CI produced the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ci {
    GitHubActions,
    GitLabCi,
    Local,
}

/// Reads environment variables (a closure so tests need not touch the process environment).
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

pub fn detect(env: Env) -> Ci {
    if env("GITHUB_ACTIONS").as_deref() == Some("true") {
        Ci::GitHubActions
    } else if env("GITLAB_CI").as_deref() == Some("true") {
        Ci::GitLabCi
    } else {
        Ci::Local
    }
}

/// The given files (names directly under `root`, typically the lockfiles the inventory
/// classified) as SLSA resource descriptors with their SHA-256. Which files are lockfiles is the
/// inventory's decision, not this crate's; unreadable files are left out.
pub fn lockfile_dependencies<'a>(
    root: &Path,
    names: impl IntoIterator<Item = &'a str>,
) -> Vec<Value> {
    let mut out = Vec::new();
    for name in names {
        if let Ok(d) = crate::hash::sha256_file(&root.join(name)) {
            out.push(
                json!({"uri": format!("file:{name}"), "name": name, "digest": {"sha256": d.hex()}}),
            );
        }
    }
    out
}

/// Builds the provenance predicate. `extra_dependencies` are appended to the resolved
/// dependencies (lockfile descriptors, packages from the SBOM…).
pub fn generate(
    env: Env,
    started: OffsetDateTime,
    finished: OffsetDateTime,
    extra_dependencies: Vec<Value>,
) -> Value {
    let g = |k: &str| env(k).unwrap_or_default();
    let (build_type, external, internal, builder, invocation, mut deps) = match detect(env) {
        Ci::GitHubActions => {
            let server = env("GITHUB_SERVER_URL").unwrap_or_else(|| "https://github.com".into());
            let repo = g("GITHUB_REPOSITORY");
            let workflow_ref = g("GITHUB_WORKFLOW_REF");
            // GITHUB_WORKFLOW_REF = owner/repo/.github/workflows/f.yml@refs/heads/main
            let path = workflow_ref
                .strip_prefix(&format!("{repo}/"))
                .and_then(|r| r.split('@').next())
                .unwrap_or("")
                .to_string();
            let runner = g("RUNNER_ENVIRONMENT");
            (
                GITHUB_BUILD_TYPE,
                json!({"workflow": {"ref": g("GITHUB_REF"), "repository": format!("{server}/{repo}"), "path": path}}),
                json!({"github": {
                    "event_name": g("GITHUB_EVENT_NAME"),
                    "repository_id": g("GITHUB_REPOSITORY_ID"),
                    "repository_owner_id": g("GITHUB_REPOSITORY_OWNER_ID"),
                    "runner_environment": runner,
                }}),
                if runner == "self-hosted" {
                    format!("{server}/actions/runner/self-hosted")
                } else {
                    format!("{server}/actions/runner/github-hosted")
                },
                format!(
                    "{server}/{repo}/actions/runs/{}/attempts/{}",
                    g("GITHUB_RUN_ID"),
                    env("GITHUB_RUN_ATTEMPT").unwrap_or_else(|| "1".into())
                ),
                vec![json!({
                    "uri": format!("git+{server}/{repo}@{}", g("GITHUB_REF")),
                    "digest": {"gitCommit": g("GITHUB_SHA")},
                })],
            )
        }
        Ci::GitLabCi => {
            let server = g("CI_SERVER_URL");
            let project = g("CI_PROJECT_PATH");
            let git_ref = match env("CI_COMMIT_TAG") {
                Some(t) => format!("refs/tags/{t}"),
                None => format!("refs/heads/{}", g("CI_COMMIT_REF_NAME")),
            };
            (
                GITLAB_BUILD_TYPE,
                json!({"source": {"repository": format!("{server}/{project}"), "ref": git_ref},
                       "config": {"path": env("CI_CONFIG_PATH").unwrap_or_else(|| ".gitlab-ci.yml".into())},
                       "job": g("CI_JOB_NAME"),
                       "pipelineSource": g("CI_PIPELINE_SOURCE")}),
                json!({"gitlab": {"project_id": g("CI_PROJECT_ID"), "runner_id": g("CI_RUNNER_ID"),
                                  "runner_description": g("CI_RUNNER_DESCRIPTION")}}),
                format!("{server}/{project}/-/runners/{}", g("CI_RUNNER_ID")),
                env("CI_JOB_URL")
                    .unwrap_or_else(|| format!("{server}/{project}/-/jobs/{}", g("CI_JOB_ID"))),
                vec![json!({
                    "uri": format!("git+{server}/{project}@{git_ref}"),
                    "digest": {"gitCommit": g("CI_COMMIT_SHA")},
                })],
            )
        }
        Ci::Local => (
            LOCAL_BUILD_TYPE,
            json!({"note": "built outside CI: no hosted builder vouches for this build"}),
            json!({}),
            LOCAL_BUILDER_ID.to_string(),
            String::new(),
            Vec::new(),
        ),
    };
    deps.extend(extra_dependencies);
    let mut metadata = json!({"startedOn": rfc3339(started), "finishedOn": rfc3339(finished)});
    if !invocation.is_empty() {
        metadata["invocationId"] = json!(invocation);
    }
    json!({
        "buildDefinition": {
            "buildType": build_type,
            "externalParameters": external,
            "internalParameters": internal,
            "resolvedDependencies": deps,
        },
        "runDetails": {
            "builder": {"id": builder, "version": {"tollgate": env!("CARGO_PKG_VERSION")}},
            "metadata": metadata,
        }
    })
}

/// What verification requirements look at in a provenance predicate, whoever wrote it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub builder_id: Option<String>,
    /// Source repository URL (`https://github.com/o/r`).
    pub repository: Option<String>,
    /// Git ref (`refs/heads/main`, `refs/tags/v1`).
    pub git_ref: Option<String>,
    pub commit: Option<String>,
    pub finished_on: Option<OffsetDateTime>,
}

impl Facts {
    pub fn from_predicate(p: &Value) -> Facts {
        let s = |ptr: &str| p.pointer(ptr).and_then(Value::as_str).map(str::to_string);
        let mut f = Facts {
            builder_id: s("/runDetails/builder/id"),
            finished_on: s("/runDetails/metadata/finishedOn")
                .or_else(|| s("/runDetails/metadata/startedOn"))
                .and_then(|t| super::parse_rfc3339(&t)),
            ..Facts::default()
        };
        let ext = "/buildDefinition/externalParameters";
        f.repository = s(&format!("{ext}/workflow/repository"))
            .or_else(|| s(&format!("{ext}/source/repository")));
        f.git_ref = s(&format!("{ext}/workflow/ref")).or_else(|| s(&format!("{ext}/source/ref")));
        // First git resolved dependency: `git+URL@REF` with a gitCommit digest.
        if let Some(deps) = p
            .pointer("/buildDefinition/resolvedDependencies")
            .and_then(Value::as_array)
        {
            for d in deps {
                let Some(uri) = d.get("uri").and_then(Value::as_str) else {
                    continue;
                };
                let Some(rest) = uri.strip_prefix("git+") else {
                    continue;
                };
                let (repo, r) = match rest.rsplit_once('@') {
                    Some((a, b)) => (a.to_string(), Some(b.to_string())),
                    None => (rest.to_string(), None),
                };
                f.repository.get_or_insert(repo);
                if let Some(r) = r {
                    f.git_ref.get_or_insert(r);
                }
                f.commit = d
                    .pointer("/digest/gitCommit")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                break;
            }
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn github_actions() {
        let m = env_of(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_SERVER_URL", "https://github.com"),
            ("GITHUB_REPOSITORY", "acme/app"),
            ("GITHUB_REF", "refs/tags/v1.2.0"),
            ("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567"),
            (
                "GITHUB_WORKFLOW_REF",
                "acme/app/.github/workflows/release.yml@refs/tags/v1.2.0",
            ),
            ("GITHUB_RUN_ID", "42"),
            ("GITHUB_RUN_ATTEMPT", "2"),
            ("GITHUB_EVENT_NAME", "push"),
            ("RUNNER_ENVIRONMENT", "github-hosted"),
        ]);
        let env = |k: &str| m.get(k).cloned();
        let t = time::macros::datetime!(2026-01-01 00:00 UTC);
        let p = generate(&env, t, t, vec![]);
        assert_eq!(p["buildDefinition"]["buildType"], GITHUB_BUILD_TYPE);
        assert_eq!(
            p["buildDefinition"]["externalParameters"]["workflow"]["path"],
            ".github/workflows/release.yml"
        );
        assert_eq!(
            p["runDetails"]["metadata"]["invocationId"],
            "https://github.com/acme/app/actions/runs/42/attempts/2"
        );
        let f = Facts::from_predicate(&p);
        assert_eq!(
            f.builder_id.as_deref(),
            Some("https://github.com/actions/runner/github-hosted")
        );
        assert_eq!(f.repository.as_deref(), Some("https://github.com/acme/app"));
        assert_eq!(f.git_ref.as_deref(), Some("refs/tags/v1.2.0"));
        assert_eq!(
            f.commit.as_deref(),
            Some("0123456789abcdef0123456789abcdef01234567")
        );
        assert_eq!(f.finished_on, Some(t));
    }

    #[test]
    fn gitlab_ci_and_local() {
        let m = env_of(&[
            ("GITLAB_CI", "true"),
            ("CI_SERVER_URL", "https://gitlab.example.com"),
            ("CI_PROJECT_PATH", "grp/app"),
            ("CI_COMMIT_REF_NAME", "main"),
            ("CI_COMMIT_SHA", "abc"),
            ("CI_RUNNER_ID", "7"),
            ("CI_JOB_URL", "https://gitlab.example.com/grp/app/-/jobs/9"),
        ]);
        let env = |k: &str| m.get(k).cloned();
        let t = time::macros::datetime!(2026-01-01 00:00 UTC);
        let p = generate(
            &env,
            t,
            t,
            vec![json!({"uri":"file:Cargo.lock","digest":{"sha256":"00"}})],
        );
        let f = Facts::from_predicate(&p);
        assert_eq!(
            f.builder_id.as_deref(),
            Some("https://gitlab.example.com/grp/app/-/runners/7")
        );
        assert_eq!(
            f.repository.as_deref(),
            Some("https://gitlab.example.com/grp/app")
        );
        assert_eq!(f.git_ref.as_deref(), Some("refs/heads/main"));
        assert_eq!(
            p["buildDefinition"]["resolvedDependencies"]
                .as_array()
                .unwrap()
                .len(),
            2
        );

        let none = |_: &str| None;
        let p = generate(&none, t, t, vec![]);
        assert_eq!(
            Facts::from_predicate(&p).builder_id.as_deref(),
            Some(LOCAL_BUILDER_ID)
        );
    }
}
