//! The router (built from the access table), binding and graceful shutdown.

use crate::access::{ENDPOINTS, Endpoint};
use crate::config::Options;
use crate::error::{ApiError, ServerError};
use crate::state::AppState;
use crate::{auth, credential_api, gate_api, log_api, ops, releases, webhook_api};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{MethodRouter, get, post};
use std::future::Future;
use std::net::SocketAddr;

fn handler(e: &Endpoint) -> MethodRouter<AppState> {
    let r: MethodRouter<AppState> = match (e.method, e.path) {
        ("GET", "/healthz") => get(ops::healthz),
        ("GET", "/readyz") => get(ops::readyz),
        ("GET", "/openapi.json") => get(ops::openapi),
        ("GET", "/v1/whoami") => get(ops::whoami),
        ("GET", "/v1/audit") => get(ops::audit),
        ("POST", "/v1/log/entries") => post(log_api::post_entries),
        ("GET", "/v1/log/entries/{index}") => get(log_api::get_entry),
        ("GET", "/v1/log/checkpoint") | ("GET", "/checkpoint") => get(log_api::get_checkpoint),
        ("GET", "/v1/log/proof/inclusion") => get(log_api::get_inclusion),
        ("GET", "/v1/log/proof/consistency") => get(log_api::get_consistency),
        ("GET", "/tile/{*path}") => get(log_api::get_tile),
        ("POST", "/v1/releases") => post(releases::post_release),
        ("GET", "/v1/releases/{digest}") => get(releases::get_release),
        ("GET", "/v1/blobs/{digest}") => get(releases::get_blob),
        ("POST", "/v1/gate") => post(gate_api::post_gate),
        ("POST", "/v1/token") => post(credential_api::post_token),
        ("GET", "/.well-known/jwks.json") => get(credential_api::get_jwks),
        ("GET", "/.well-known/openid-configuration") => get(credential_api::get_discovery),
        ("POST", "/v1/webhooks/{source}") => post(webhook_api::post_delivery),
        (m, p) => unreachable!("access table entry {m} {p} has no handler"),
    };
    r.layer(DefaultBodyLimit::max(e.body_limit))
}

/// The whole API over `state`.
pub fn router(state: AppState) -> Router {
    let mut routes: Vec<(&str, MethodRouter<AppState>)> = Vec::new();
    for e in ENDPOINTS {
        let h = handler(e);
        match routes.iter().position(|(p, _)| *p == e.path) {
            Some(i) => {
                let (p, old) = routes.remove(i);
                routes.push((p, old.merge(h)));
            }
            None => routes.push((e.path, h)),
        }
    }
    let mut app = Router::new();
    for (path, r) in routes {
        app = app.route(path, r);
    }
    app.route_layer(axum::middleware::from_fn_with_state(
        state.clone(),
        auth::check,
    ))
    .fallback(|| async { ApiError::not_found("no such endpoint") })
    .method_not_allowed_fallback(|| async {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method not allowed on this endpoint",
        )
    })
    .with_state(state)
}

/// A bound server, not yet serving.
pub struct Server {
    listener: tokio::net::TcpListener,
    state: AppState,
}

impl Server {
    /// Checks the transport rule, opens (or creates) the data folder and binds.
    pub async fn bind(opts: Options) -> Result<Server, ServerError> {
        opts.check_transport()?;
        if let Some(t) = &opts.trust_file {
            // A broken trust file stops the start, not the first gate.
            let c = tollgate_config::Config::load(t, tollgate_release::registry::SECTIONS)?;
            tollgate_policy::Settings::from_config(&c)?;
        }
        let listen = opts.listen;
        let state = AppState::open(opts)?;
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|source| ServerError::Io {
                path: listen.to_string(),
                source,
            })?;
        Ok(Server { listener, state })
    }

    pub fn local_addr(&self) -> Result<SocketAddr, ServerError> {
        self.listener
            .local_addr()
            .map_err(|source| ServerError::Io {
                path: "listener".into(),
                source,
            })
    }

    /// Serves until `shutdown` completes, then stops accepting and lets in-flight requests
    /// finish.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServerError> {
        let addr = self.local_addr()?;
        axum::serve(self.listener, router(self.state))
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(|source| ServerError::Io {
                path: addr.to_string(),
                source,
            })
    }
}

/// Completes on ctrl-c or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// Runs the server on its own runtime until ctrl-c or SIGTERM; `ready` is called with the bound
/// address once it accepts connections.
pub fn serve_blocking(opts: Options, ready: impl FnOnce(SocketAddr)) -> Result<(), ServerError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|source| ServerError::Io {
            path: "tokio runtime".into(),
            source,
        })?;
    rt.block_on(async move {
        let server = Server::bind(opts).await?;
        let addr = server.local_addr()?;
        crate::logging::line(
            "info",
            &[("message", "listening"), ("address", &addr.to_string())],
        );
        ready(addr);
        server.run(shutdown_signal()).await?;
        crate::logging::line("info", &[("message", "stopped")]);
        Ok(())
    })
}
