//! The role check in front of every route: the matched route's entry in
//! [`crate::access::ENDPOINTS`] says who may call it. No or a bad token: 401; a token whose role
//! the endpoint does not admit: 403. Each denial is recorded (method, path, identity when known,
//! reason; never the token) in the server database and the server log.

use crate::access::{Access, endpoint};
use crate::db::Denied;
use crate::error::ApiError;
use crate::state::AppState;
use crate::tokens;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

async fn deny(
    state: &AppState,
    status: StatusCode,
    method: String,
    path: String,
    identity: Option<String>,
    reason: String,
) -> Response {
    let d = Denied {
        time: OffsetDateTime::now_utc()
            .format(&Rfc3339)
            .unwrap_or_default(),
        method,
        path,
        status: status.as_u16(),
        identity,
        reason,
    };
    crate::logging::line(
        "warn",
        &[
            ("message", "request denied"),
            ("method", &d.method),
            ("path", &d.path),
            ("status", &d.status.to_string()),
            ("identity", d.identity.as_deref().unwrap_or("")),
            ("reason", &d.reason),
        ],
    );
    let message = d.reason.clone();
    let recorded = state
        .with_db(move |db| db.add_denied(&d).map_err(ApiError::from))
        .await;
    if let Err(e) = recorded {
        return e.into_response();
    }
    let mut resp = ApiError::new(status, message).into_response();
    if status == StatusCode::UNAUTHORIZED {
        resp.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    resp
}

/// The middleware.
pub async fn check(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let method = match req.method().as_str() {
        "HEAD" => "GET".to_string(),
        m => m.to_string(),
    };
    let path = req.uri().path().to_string();
    let ep = req
        .extensions()
        .get::<MatchedPath>()
        .and_then(|m| endpoint(&method, m.as_str()));
    let Some(ep) = ep else {
        // Only routes of the access table are served; this is a defect, not the caller's.
        return ApiError::internal(format!("{method} {path}: no entry in the access table"))
            .into_response();
    };
    if ep.access == Access::Public {
        return next.run(req).await;
    }
    let Some(token) = bearer(req.headers()) else {
        return deny(
            &state,
            StatusCode::UNAUTHORIZED,
            method,
            path,
            None,
            "missing bearer token (Authorization: Bearer tg_…)".into(),
        )
        .await;
    };
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let checked = state
        .with_db(move |db| Ok(tokens::check(db, &token, now)))
        .await;
    let caller = match checked {
        Err(e) => return e.into_response(),
        Ok(Err(reason)) => {
            return deny(
                &state,
                StatusCode::UNAUTHORIZED,
                method,
                path,
                None,
                reason.to_string(),
            )
            .await;
        }
        Ok(Ok(c)) => c,
    };
    if !ep.access.admits(caller.role) {
        let reason = format!("role {} may not call {method} {}", caller.role, ep.path);
        return deny(
            &state,
            StatusCode::FORBIDDEN,
            method,
            path,
            Some(caller.identity),
            reason,
        )
        .await;
    }
    req.extensions_mut().insert(caller);
    next.run(req).await
}
