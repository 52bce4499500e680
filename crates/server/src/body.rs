//! Request bodies and queries: JSON only (`application/json`, else 415), within the route's
//! size limit (413), well-formed (400) and of the expected shape with no unknown fields (422).
//! Every rejection is a JSON error body.

use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

/// A JSON request body.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let ct = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let mime = ct.split(';').next().unwrap_or("").trim();
        if !mime.eq_ignore_ascii_case("application/json") {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("expected Content-Type: application/json, got {ct:?}"),
            ));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::new(e.status(), e.body_text()))?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// Parses JSON: malformed JSON is 400 (checked first, whatever the expected shape), a wrong
/// shape or an unknown field 422.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let v: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::bad_request(format!("request body is not JSON: {e}")))?;
    serde_json::from_value(v).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("request body: {e}"),
        )
    })
}

/// A query string of the expected shape (400 otherwise).
pub struct QueryOf<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryOf<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(q)| QueryOf(q))
            .map_err(|e| ApiError::bad_request(e.body_text()))
    }
}

/// A `sha256:<hex>` path or body value (400 otherwise).
pub fn digest(s: &str) -> Result<tollgate_model::Digest, ApiError> {
    if !s.starts_with("sha256:") {
        return Err(ApiError::bad_request(format!(
            "digest {s:?} must look like sha256:<64 hex digits>"
        )));
    }
    s.parse()
        .map_err(|e: tollgate_model::DigestError| ApiError::bad_request(e.to_string()))
}
