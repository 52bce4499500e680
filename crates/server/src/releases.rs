//! Release records: a release's evidence folder (the files `tollgate release` writes) uploaded
//! as one JSON object, stored content-addressed (SHA-256 → bytes) and linked to every artifact
//! digest its `manifest.json` names (or the one given); `GET /v1/releases/{digest}` returns the
//! chain: the files, and every log entry about the artifact (gate decisions, approvals, …) with
//! a receipt (inclusion proof against the latest signed checkpoint).

use crate::body::{JsonBody, digest, parse_json};
use crate::error::ApiError;
use crate::log_api::entry_json;
use crate::state::AppState;
use crate::tokens::Caller;
use axum::Extension;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Most files in one release upload.
pub const MAX_FILES: usize = 256;

/// `POST /v1/releases`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Upload {
    /// The artifact, when the files carry no `manifest.json` naming it.
    #[serde(default)]
    pub artifact: Option<String>,
    /// File name → standard base64 of its bytes.
    pub files: BTreeMap<String, String>,
}

/// An evidence file name: one plain name (no folders, no `..`, no hidden files).
pub fn check_name(name: &str) -> Result<(), ApiError> {
    let ok = !name.is_empty()
        && name.len() <= 255
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-+@".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "file name {name:?}: expected a plain file name (letters, digits, . _ - + @; no folders)"
            ),
        ))
    }
}

#[derive(Deserialize)]
struct ManifestArtifacts {
    #[serde(default)]
    artifacts: Vec<ManifestArtifact>,
}
#[derive(Deserialize)]
struct ManifestArtifact {
    digest: String,
}

pub async fn post_release(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    JsonBody(up): JsonBody<Upload>,
) -> Result<Response, ApiError> {
    if up.files.is_empty() || up.files.len() > MAX_FILES {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("files: {} given; send 1 to {MAX_FILES}", up.files.len()),
        ));
    }
    let mut files = Vec::with_capacity(up.files.len());
    for (name, b64) in &up.files {
        check_name(name)?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|e| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!("file {name:?}: not standard base64: {e}"),
                )
            })?;
        let d = tollgate_model::sha256(&bytes).to_string();
        files.push((name.clone(), d, bytes));
    }
    let mut artifacts = Vec::new();
    if let Some(a) = &up.artifact {
        artifacts.push(digest(a)?.to_string());
    }
    if let Some((_, _, m)) = files.iter().find(|(n, _, _)| n == "manifest.json") {
        let m: ManifestArtifacts = parse_json(m)
            .map_err(|e| ApiError::new(e.status, format!("manifest.json: {}", e.message)))?;
        for a in m.artifacts {
            let d = digest(&a.digest)
                .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.message))?
                .to_string();
            if !artifacts.contains(&d) {
                artifacts.push(d);
            }
        }
    }
    if artifacts.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "no artifact: give \"artifact\" or a manifest.json naming the artifacts",
        ));
    }
    let listed: Vec<Value> = files
        .iter()
        .map(|(n, d, b)| json!({"name": n, "digest": d, "size": b.len()}))
        .collect();
    let now = OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_default();
    let arts = artifacts.clone();
    state
        .with_db(move |db| {
            db.add_release(&arts, &files, &caller.identity, &now)
                .map_err(ApiError::from)
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"artifacts": artifacts, "files": listed})),
    )
        .into_response())
}

/// `GET /v1/releases/{digest}`.
pub async fn get_release(
    State(state): State<AppState>,
    Path(d): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let d = digest(&d)?.to_string();
    let key = d.clone();
    let (files, links) = state
        .with_db(move |db| Ok((db.release_files(&key)?, db.links(&key)?)))
        .await?;
    if files.is_empty() && links.is_empty() {
        return Err(ApiError::not_found(format!("no release record for {d}")));
    }
    let (entries, checkpoint) = state
        .with_log(move |sink| {
            let mut out = Vec::with_capacity(links.len());
            for (i, _) in links {
                out.push(entry_json(&sink.log, i)?);
            }
            Ok((out, sink.log.checkpoint()?.note.encode()))
        })
        .await?;
    Ok(Json(json!({
        "artifact": d,
        "files": files,
        "log": entries,
        "checkpoint": checkpoint,
    })))
}

/// `GET /v1/blobs/{digest}`: a stored file's bytes.
pub async fn get_blob(
    State(state): State<AppState>,
    Path(d): Path<String>,
) -> Result<Response, ApiError> {
    let d = digest(&d)?.to_string();
    let key = d.clone();
    let data = state
        .with_db(move |db| Ok(db.blob(&key)?))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no stored file {d}")))?;
    Ok(([(header::CONTENT_TYPE, "application/octet-stream")], data).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for ok in [
            "manifest.json",
            "app.sigstore.json",
            "sbom.cdx.json",
            "a-b_c+d@1",
        ] {
            check_name(ok).unwrap();
        }
        for bad in ["", "../x", "a/b", "a\\b", ".hidden", "..", "a b", "é"] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
