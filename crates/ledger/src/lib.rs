//! tollgate's transparency log: a tamper-evident, append-only record of release events.
//!
//! - [`merkle`]: RFC 6962 / RFC 9162 tree hashing, inclusion and consistency proofs.
//! - [`note`]: C2SP signed notes, checkpoints and witness cosignatures (Ed25519, aws-lc-rs).
//! - [`entry`]: typed release events and their RFC 8785 canonical logged form.
//! - [`store`]: the storage trait and its SQLite (WAL) implementation.
//! - [`log`]: [`Log`]: init, open, batched durable appends, proofs, verification.
//! - [`receipt`]: per-event `c2sp.org/tlog-proof@v1` receipts.
//! - [`tiles`]: export and verification of C2SP tlog-tiles.
//! - [`trusted_root`]: a Sigstore trusted-root document listing the log key.
//!
//! Other commands append events with `Log::open(path)?.append(&[event])`.

pub mod entry;
pub mod keys;
pub mod log;
pub mod merkle;
pub mod note;
pub mod receipt;
pub mod store;
pub mod tiles;
pub mod trusted_root;

pub use entry::{Entry, Event, EventType, Leaf, PrepareEvent};
pub use log::{Log, LogError, Problem, VerifyReport};
pub use note::{Checkpoint, SignedCheckpoint, Verifier, WitnessPolicy};
pub use receipt::Receipt;
pub use store::{SqliteStore, Store, StoreError};

/// The `[log]` table of tollgate.toml.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LogSettings {
    /// The log database, relative to the config file.
    pub path: Option<String>,
    /// Witness cosignature verifier keys (`name+hash+key`) checked by `log checkpoint`.
    #[serde(default)]
    pub witnesses: Vec<String>,
    /// How many of `witnesses` must have cosigned.
    #[serde(default)]
    pub quorum: usize,
}

/// Standard base64 (hashes in proofs and checkpoints are written this way).
pub fn base64(bytes: &[u8]) -> String {
    use ::base64::Engine;
    ::base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The log named by `[log] path` in the config, opened, or None when no log is configured.
/// Commands that record their events (sign, attest, gate) call this and append when Some.
pub fn configured(config: &tollgate_config::Config) -> Result<Option<Log>, LogError> {
    let settings: LogSettings = config.section("log")?;
    match settings.path {
        Some(p) => Ok(Some(Log::open(&config.base_dir().join(p))?)),
        None => Ok(None),
    }
}
