//! Short-lived deploy credentials over HTTP (issue 18): `POST /v1/token` is an RFC 8693 token
//! exchange authenticated by the CI job's own OIDC token (no API token), decided by
//! `tollgate-credential` over the latest gate decision in the server's log; the minted
//! credential's keys are published at `/.well-known/jwks.json` with an OpenID discovery
//! document. Every outcome is a `credential-issuance` event in the log.

use crate::credential::CredentialState;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tollgate_credential::exchange::{FormError, response};
use tollgate_credential::{ExchangeForm, GateRecord, JwtIssuer};
use tollgate_model::EventType;
use tollgate_policy::EventSink;

/// An RFC 6749 error body (`error`, `error_description`) with the server's `status`.
fn oauth_error(status: StatusCode, code: &str, description: &str) -> Response {
    let body = json!({"error": code, "error_description": description, "status": status.as_u16()});
    let mut r = (status, Json(body)).into_response();
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    r
}

fn configured(state: &AppState) -> Result<&std::sync::Arc<CredentialState>, ApiError> {
    state.credential.as_ref().ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "this server issues no credentials: configure [credential] in server.toml",
        )
    })
}

/// `POST /v1/token`.
pub async fn post_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let cred = match configured(&state) {
        Ok(c) => c.clone(),
        Err(e) => return e.into_response(),
    };
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .eq_ignore_ascii_case("application/x-www-form-urlencoded")
    {
        return oauth_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "invalid_request",
            "expected Content-Type: application/x-www-form-urlencoded",
        );
    }
    let form = match ExchangeForm::parse(&body) {
        Ok(f) => f,
        Err(e @ (FormError::GrantType | FormError::Invalid(_))) => {
            return oauth_error(StatusCode::BAD_REQUEST, e.code(), &e.to_string());
        }
    };
    let trust = state.opts.trust_file.clone();
    let outcome = state
        .with_log(move |sink| {
            let events = sink.indexed_events().map_err(ApiError::internal)?;
            let current = match &trust {
                Some(t) => tollgate_config::Config::load(t, tollgate_release::registry::SECTIONS)
                    .ok()
                    .and_then(|c| tollgate_release::gate::policy_digest(&c).ok()),
                None => None,
            };
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            let out = tollgate_credential::exchange(
                &form,
                &cred.verifier,
                &cred.policies,
                &|a, env| GateRecord::latest(events.iter().map(|(i, e)| (*i, e)), a, env),
                &|_| current.clone(),
                &cred.minter,
                now,
            );
            debug_assert_eq!(out.event.kind, EventType::CredentialIssuance);
            sink.append(&out.event).map_err(ApiError::internal)?;
            Ok(out.result)
        })
        .await;
    match outcome {
        Err(e) => e.into_response(),
        Ok(Ok(issued)) => {
            let mut r = Json(response(&issued)).into_response();
            r.headers_mut().insert(
                header::CACHE_CONTROL,
                header::HeaderValue::from_static("no-store"),
            );
            r
        }
        Ok(Err(refusal)) => {
            let status = StatusCode::from_u16(refusal.status()).unwrap_or(StatusCode::FORBIDDEN);
            let code = if status == StatusCode::UNAUTHORIZED {
                "invalid_grant"
            } else {
                "access_denied"
            };
            crate::logging::line(
                "warn",
                &[
                    ("message", "credential refused"),
                    ("reason", &refusal.to_string()),
                ],
            );
            oauth_error(status, code, &refusal.to_string())
        }
    }
}

/// `GET /.well-known/jwks.json`.
pub async fn get_jwks(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let c = configured(&state)?;
    Ok(Json(JwtIssuer::jwks(&[&c.minter])))
}

/// `GET /.well-known/openid-configuration`.
pub async fn get_discovery(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let c = configured(&state)?;
    let endpoint = format!("{}/v1/token", c.minter.url);
    Ok(Json(c.minter.discovery(&endpoint)))
}
