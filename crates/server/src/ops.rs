//! Operations: liveness, readiness, the OpenAPI document, who a token is, denied requests.

use crate::body::QueryOf;
use crate::error::ApiError;
use crate::state::AppState;
use crate::tokens::Caller;
use axum::Extension;
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

/// The API description (OpenAPI 3.1), maintained by hand beside the access table; a test checks
/// that both list the same endpoints.
pub const OPENAPI: &str = include_str!("openapi.json");

/// `GET /healthz`: the process answers.
pub async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// `GET /readyz`: the server database and the log answer.
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    state
        .with_db(|db| {
            db.ready().map_err(|e| {
                ApiError::new(
                    axum::http::StatusCode::SERVICE_UNAVAILABLE,
                    format!("server database: {e}"),
                )
            })
        })
        .await?;
    let size = state
        .with_log(|sink| Ok(sink.log.checkpoint()?.checkpoint.size))
        .await?;
    Ok(Json(json!({"status": "ready", "log_size": size})))
}

/// `GET /openapi.json`.
pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

/// `GET /v1/whoami`: the identity and role of the calling token.
pub async fn whoami(Extension(caller): Extension<Caller>) -> Json<Value> {
    Json(json!({"identity": caller.identity, "role": caller.role}))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    pub limit: Option<u32>,
}

/// `GET /v1/audit?limit=N`: the latest denied requests (newest first, at most 1000).
pub async fn audit(
    State(state): State<AppState>,
    QueryOf(q): QueryOf<AuditQuery>,
) -> Result<Json<Value>, ApiError> {
    let limit = q.limit.unwrap_or(100).min(1000);
    let denied = state.with_db(move |db| Ok(db.denied(limit)?)).await?;
    Ok(Json(json!({"denied": denied})))
}
