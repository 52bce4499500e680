//! What every handler shares: the log (one sequencer: a mutex around it, so appends are
//! serialized and each is durable before its response), the server database and the options.
//! Storage work runs on the blocking pool with the lock held.

use crate::config::Options;
use crate::db::{self, Db, LOG_DB};
use crate::error::{ApiError, ServerError};
use std::sync::Arc;
use tokio::sync::Mutex;
use tollgate_ledger::Log;
use tollgate_release::log::LedgerSink;

#[derive(Clone)]
pub struct AppState {
    /// The log as the gate's event sink (the gate records and reads break-glass through it).
    pub log: Arc<Mutex<LedgerSink>>,
    pub db: Arc<Mutex<Db>>,
    pub opts: Arc<Options>,
    /// The credential exchange, when `[credential]` is configured.
    pub credential: Option<Arc<crate::credential::CredentialState>>,
    /// Webhook sources by name.
    pub webhooks: Arc<crate::webhook_source::Sources>,
}

impl AppState {
    /// Opens the data folder, creating it, the server database and the log (with a new log
    /// key) on first start.
    pub fn open(opts: Options) -> Result<AppState, ServerError> {
        let db = db::open_data(&opts.data)?;
        let log_path = opts.data.join(LOG_DB);
        let log = if log_path.exists() {
            Log::open(&log_path)?
        } else {
            let init = Log::init(&log_path, opts.origin.as_deref())?;
            if let Some(w) = init.warning {
                crate::logging::line("warn", &[("message", &w)]);
            }
            init.log
        };
        let credential = match &opts.credential {
            Some((table, base)) => Some(Arc::new(crate::credential::open(
                table,
                base,
                &opts.data,
                &format!("http://{}", opts.listen),
            )?)),
            None => None,
        };
        let mut webhooks = crate::webhook_source::Sources::new();
        for t in &opts.webhooks {
            let s = crate::webhook_source::WebhookSource::from_table(t)?;
            if webhooks.insert(t.name.clone(), s).is_some() {
                return Err(ServerError::Usage(format!(
                    "webhook {:?} configured twice",
                    t.name
                )));
            }
        }
        Ok(AppState {
            log: Arc::new(Mutex::new(LedgerSink { log })),
            db: Arc::new(Mutex::new(db)),
            opts: Arc::new(opts),
            credential,
            webhooks: Arc::new(webhooks),
        })
    }

    /// Runs `f` with the log locked, on the blocking pool.
    pub async fn with_log<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut LedgerSink) -> Result<T, ApiError> + Send + 'static,
    {
        let mut guard = self.log.clone().lock_owned().await;
        tokio::task::spawn_blocking(move || f(&mut guard))
            .await
            .map_err(ApiError::internal)?
    }

    /// Runs `f` with the server database locked, on the blocking pool.
    pub async fn with_db<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Db) -> Result<T, ApiError> + Send + 'static,
    {
        let mut guard = self.db.clone().lock_owned().await;
        tokio::task::spawn_blocking(move || f(&mut guard))
            .await
            .map_err(ApiError::internal)?
    }
}
