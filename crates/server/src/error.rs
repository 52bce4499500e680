//! Errors: [`ServerError`] stops the server from starting (exit 2 in the binary); [`ApiError`]
//! is one failed request, rendered as `{"error": "...", "status": N}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(transparent)]
    Config(#[from] tollgate_config::ConfigError),
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Db {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("transparency log: {0}")]
    Log(#[from] tollgate_ledger::LogError),
    #[error("{0}")]
    Usage(String),
}

/// One failed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, message)
    }
    /// A fault of the server itself (storage): the one case that is a 5xx.
    pub fn internal(message: impl std::fmt::Display) -> ApiError {
        crate::logging::line("error", &[("message", &message.to_string())]);
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal error (see the server log)",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": self.message, "status": self.status.as_u16()});
        (self.status, axum::Json(body)).into_response()
    }
}

impl From<tollgate_ledger::LogError> for ApiError {
    fn from(e: tollgate_ledger::LogError) -> ApiError {
        use tollgate_ledger::LogError as L;
        match e {
            L::NoSuchEntry(_) => ApiError::not_found(e.to_string()),
            L::Proof(_) | L::Empty | L::Event { .. } => ApiError::bad_request(e.to_string()),
            other => ApiError::internal(other),
        }
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> ApiError {
        ApiError::internal(e)
    }
}
