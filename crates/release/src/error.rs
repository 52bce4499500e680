//! Errors of the release path. A finding is never an error; these are the reasons a command
//! could not do its work at all (exit 2), each with its file or setting.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    #[error(transparent)]
    Config(#[from] tollgate_config::ConfigError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Inventory(String),
    #[error("key {spec}: {message}")]
    Key { spec: String, message: String },
    #[error("{path}: {message}")]
    Input { path: PathBuf, message: String },
    #[error("trust file {path}: {message}")]
    Trust { path: PathBuf, message: String },
    #[error("transparency log: {0}")]
    Log(#[from] tollgate_ledger::LogError),
    #[error("attestation: {0}")]
    Attest(String),
    #[error(transparent)]
    Policy(#[from] tollgate_policy::PolicyError),
    #[error(transparent)]
    Gate(#[from] tollgate_policy::GateError),
    #[error("{0}")]
    Usage(String),
}

impl ReleaseError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> ReleaseError {
        ReleaseError::Io {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T, E = ReleaseError> = std::result::Result<T, E>;
