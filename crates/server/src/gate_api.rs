//! `POST /v1/gate`: the gate of `tollgate-release` over the evidence stored for an artifact,
//! with the trust file the server holds (`[trust] file` in server.toml; never the
//! repository's), the decision recorded in the server's log. The caller's token identity is
//! the change's triggerer: it is recorded as the decision's actor and never approves.

use crate::body::{JsonBody, digest};
use crate::error::ApiError;
use crate::state::AppState;
use crate::tokens::Caller;
use axum::Extension;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use tollgate_policy::evidence::Change;
use tollgate_release::ReleaseError;
use tollgate_release::gate::{GateArgs, gate_with_sink};
use tollgate_release::trust::TrustArgs;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateBody {
    /// `sha256:<hex>` of the artifact.
    pub artifact: String,
    pub environment: String,
    #[serde(default)]
    pub change: ChangeBody,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeBody {
    pub author: Option<String>,
    pub committer: Option<String>,
}

fn release_error(e: ReleaseError) -> ApiError {
    match e {
        ReleaseError::Usage(m) => ApiError::bad_request(m),
        ReleaseError::Gate(g) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, g.to_string()),
        other => ApiError::internal(other),
    }
}

fn valid_environment(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

pub async fn post_gate(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    JsonBody(body): JsonBody<GateBody>,
) -> Result<Json<Value>, ApiError> {
    let artifact = digest(&body.artifact)?;
    if !valid_environment(&body.environment) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "environment {:?}: letters, digits, - _ . (at most 64)",
                body.environment
            ),
        ));
    }
    let Some(trust) = state.opts.trust_file.clone() else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "this server holds no trust: set [trust] file in server.toml",
        ));
    };
    let key = artifact.to_string();
    let files = state
        .with_db(move |db| {
            let mut out = Vec::new();
            for f in db.release_files(&key)? {
                if let Some(b) = db.blob(&f.digest)? {
                    out.push((f.name, b));
                }
            }
            Ok(out)
        })
        .await?;
    let environment = body.environment.clone();
    let (result, appended) = state
        .with_log(move |sink| {
            // The evidence as the gate reads it: a folder of files. The source tree is an empty
            // folder with an empty tollgate.toml, so nothing but the server's trust counts.
            let tmp = tempfile::tempdir().map_err(ApiError::internal)?;
            let evidence = tmp.path().join("evidence");
            std::fs::create_dir(&evidence).map_err(ApiError::internal)?;
            for (name, bytes) in &files {
                crate::releases::check_name(name)?;
                std::fs::write(evidence.join(name), bytes).map_err(ApiError::internal)?;
            }
            let config = tmp.path().join("tollgate.toml");
            std::fs::write(&config, "").map_err(ApiError::internal)?;
            let args = GateArgs {
                artifact: artifact.to_string(),
                environment,
                evidence: Some(evidence),
                change: Change {
                    author: body.change.author.filter(|s| !s.trim().is_empty()),
                    committer: body.change.committer.filter(|s| !s.trim().is_empty()),
                    triggerer: Some(caller.identity.clone()),
                },
                policy: None,
                trust: TrustArgs {
                    trust: Some(trust),
                    trust_env: None,
                    config: Some(config),
                    source: Some(tmp.path().to_path_buf()),
                },
                break_glass: None,
                summary_key: None,
            };
            let before = sink.log.size()?;
            let r = gate_with_sink(&args, sink).map_err(release_error)?;
            let after = sink.log.size()?;
            let mut appended = Vec::new();
            for i in before..after {
                appended.push(json!({"index": i, "receipt": sink.log.receipt(i)?.encode()}));
            }
            Ok((r, appended))
        })
        .await?;
    let links: Vec<(String, u64, String)> = appended
        .iter()
        .filter_map(|v| v["index"].as_u64())
        .map(|i| (artifact.to_string(), i, "gate-decision".to_string()))
        .collect();
    state
        .with_db(move |db| db.add_links(&links).map_err(ApiError::from))
        .await?;
    let out = &result.outcome;
    let v = &out.verdict;
    Ok(Json(json!({
        "allow": v.allow,
        "policy_allow": v.policy_allow,
        "artifact": result.artifact.to_string(),
        "environment": result.environment,
        "trust": {"source": result.trust, "external": result.trust_external},
        "deny": v.deny,
        "warn": v.warn,
        "notes": result.notes.iter().chain(&out.evidence.notes).collect::<Vec<_>>(),
        "policy_digest": v.policy_digest,
        "log": appended,
    })))
}
