//! Webhook intake (issue 17): `POST /v1/webhooks/{source}`, authenticated by the sender's
//! signature over the raw body (`tollgate-webhook`), never by an API token. In order: the source
//! must be configured (404), within its rate (429 with `Retry-After`), and verified (401,
//! recorded as a denied request without its body); a delivery id seen before is acknowledged
//! and not processed again; the raw delivery is committed to the server database before
//! anything else, then turned into events appended to the log, and only then acknowledged.

use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tollgate_policy::EventSink;
use tollgate_webhook::{Delivery, translate, verify};

/// `POST /v1/webhooks/{source}`.
pub async fn post_delivery(
    State(state): State<AppState>,
    UrlPath(name): UrlPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(src) = state.webhooks.get(&name) else {
        return ApiError::not_found(format!("no webhook source {name:?}")).into_response();
    };
    if let Err(wait) = src.admit() {
        let mut r = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!("webhook source {name} is over its rate"),
        )
        .into_response();
        if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return r;
    }
    let lookup = |h: &str| {
        headers
            .get(h)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let now = time::OffsetDateTime::now_utc();
    let verified = match verify(&src.source, &lookup, &body, now) {
        Ok(v) => v,
        Err(rejection) => {
            let reason = format!("webhook {name}: {rejection}");
            crate::logging::line(
                "warn",
                &[("message", "delivery rejected"), ("reason", &reason)],
            );
            let d = crate::db::Denied {
                time: now
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default(),
                method: "POST".into(),
                path: format!("/v1/webhooks/{name}"),
                status: 401,
                identity: None,
                reason: reason.clone(),
            };
            let _ = state
                .with_db(move |db| db.add_denied(&d).map_err(ApiError::from))
                .await;
            return ApiError::new(StatusCode::UNAUTHORIZED, reason).into_response();
        }
    };
    // Without a delivery id, the body's digest identifies it (a redelivery is the same bytes).
    let id = if verified.id.is_empty() {
        tollgate_model::sha256(&body).to_string()
    } else {
        verified.id.clone()
    };
    let event_name = verified.event.clone();
    let forge = src.forge;
    let raw = body.to_vec();
    let (source_name, id2) = (name.clone(), id.clone());
    let stored = state
        .with_db(move |db| {
            db.add_delivery(&source_name, &id2, event_name.as_deref(), &raw)
                .map_err(ApiError::from)
        })
        .await;
    match stored {
        Err(e) => return e.into_response(),
        Ok(false) => {
            return (StatusCode::OK, Json(json!({"id": id, "duplicate": true}))).into_response();
        }
        Ok(true) => {}
    }
    let event_name = verified.event.clone();
    let (source_name, id3) = (name.clone(), id.clone());
    let bytes = body.to_vec();
    let processed = state
        .with_log(move |sink| {
            let t = translate(&Delivery {
                forge,
                source: &source_name,
                id: &id3,
                event: event_name.as_deref(),
                body: &bytes,
            });
            match t {
                Err(e) => Ok((format!("failed: {e}"), String::new(), false, Vec::new())),
                Ok(t) => {
                    let before = sink.log.size()?;
                    for e in &t.events {
                        sink.append(e).map_err(ApiError::internal)?;
                    }
                    let after = sink.log.size()?;
                    let status = if t.known { "processed" } else { "unknown-type" };
                    Ok((
                        status.to_string(),
                        t.kind,
                        t.known,
                        (before..after).collect(),
                    ))
                }
            }
        })
        .await;
    let (status, kind, known, indexes) = match processed {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let (source_name, id4, st) = (name.clone(), id.clone(), status.clone());
    if let Err(e) = state
        .with_db(move |db| {
            db.set_delivery_status(&source_name, &id4, &st)
                .map_err(ApiError::from)
        })
        .await
    {
        return e.into_response();
    }
    (
        StatusCode::ACCEPTED,
        Json(json!({"id": id, "kind": kind, "known": known, "status": status, "log": indexes})),
    )
        .into_response()
}
