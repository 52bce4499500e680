//! The control plane behind `tollgate serve`: one process, one TOML file, one data folder.
//!
//! - [`config`]: `server.toml` (unknown keys rejected with file:line:column) and the resolved
//!   [`config::Options`].
//! - [`access`]: roles and the table of every endpoint with the roles it admits and its body
//!   limit (the router is built from it, the middleware checks against it).
//! - [`db`]: the server's own SQLite file: content-addressed blobs, release records, links from
//!   artifacts to log entries, API token hashes, denied requests.
//! - [`tokens`]: API tokens (random, shown once, stored as SHA-256, expiring, one role each).
//! - [`state`], [`body`], [`auth`]: shared state, the JSON body extractor, the role check.
//! - [`log_api`], [`releases`], [`gate_api`], [`ops`]: the handlers; [`credential_api`]:
//!   short-lived deploy credentials bound to the gate (RFC 8693 exchange, JWKS);
//!   [`webhook_api`]: verified, durable, deduplicated webhook intake into the log.
//! - [`app`]: the router, binding (plain HTTP only on loopback unless allowed) and graceful
//!   shutdown.
//!
//! Release and gate logic live in `tollgate-release`; this crate only stores, serves and calls.

pub mod access;
pub mod app;
pub mod auth;
pub mod body;
pub mod config;
pub mod credential;
pub mod credential_api;
pub mod db;
pub mod error;
pub mod gate_api;
pub mod log_api;
pub mod logging;
pub mod ops;
pub mod releases;
pub mod state;
pub mod tokens;
pub mod webhook_api;
pub mod webhook_source;

pub use app::{Server, serve_blocking, shutdown_signal};
pub use config::{Options, ServerConfig};
pub use error::{ApiError, ServerError};
