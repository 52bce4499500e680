//! The seams to the rest of tollgate. The gate needs signatures verified, statements signed
//! and events recorded; the attest and ledger crates do that, and the binary passes them in
//! through these traits so this crate depends on neither.

use serde::{Deserialize, Serialize};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use tollgate_model::Digest;

/// Which trust table (`[[signers]]` or `[[approvers]]`) the verifying key came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrustRole {
    Signer,
    Approver,
}

impl TrustRole {
    pub fn as_str(self) -> &'static str {
        match self {
            TrustRole::Signer => "signer",
            TrustRole::Approver => "approver",
        }
    }
}

/// A bundle whose signature verified with the key listed for `identity` and whose subject
/// includes the artifact digest.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedBundle {
    pub identity: String,
    pub key_id: String,
    pub trust: TrustRole,
    /// in-toto predicate type; `None` for a plain artifact signature (message signature).
    pub predicate_type: Option<String>,
    /// The verified in-toto Statement.
    pub statement: Option<serde_json::Value>,
    /// Checks that passed (`signature`, `subject`, `tlog`, `certificate`…).
    pub checks: Vec<String>,
}

/// Verifies one Sigstore bundle (or DSSE envelope) against the trust tables for `artifact`.
/// `Err` carries the reason it does not verify (unknown key, bad signature, other subject…).
pub trait BundleVerifier {
    fn verify(&self, bundle: &[u8], artifact: &Digest) -> Result<VerifiedBundle, String>;
}

/// Signs an in-toto Statement (an approval, or the gate's verification summary) and returns the
/// Sigstore bundle bytes.
pub trait ApprovalSigner {
    fn sign(&self, statement: &serde_json::Value) -> Result<Vec<u8>, String>;
}

/// A verifier for builds where no signature backend is wired in: every bundle is refused,
/// so the gate can never allow on a signature it did not check.
pub struct NoVerifier;

impl BundleVerifier for NoVerifier {
    fn verify(&self, _bundle: &[u8], _artifact: &Digest) -> Result<VerifiedBundle, String> {
        Err("no signature verifier is available in this build".into())
    }
}

pub use tollgate_model::{Event, EventType};

/// Where gate decisions, approvals and break-glass events are recorded (the transparency log
/// in a full build). `events` lists what was recorded, oldest first: break-glass windows and
/// KPIs are computed from it.
pub trait EventSink {
    fn append(&mut self, event: &Event) -> Result<(), String>;
    fn events(&self) -> Result<Vec<Event>, String>;
    /// Whether a record, once appended, cannot be edited or dropped without detection (the
    /// transparency log). Break-glass windows are read only from such a sink: an editable
    /// file would let anyone reopen one by deleting a line.
    fn tamper_evident(&self) -> bool {
        false
    }
}

/// An append-only JSON-lines file: the event store when no transparency log is configured.
#[derive(Debug, Clone)]
pub struct JsonlEventLog {
    pub path: PathBuf,
}

impl JsonlEventLog {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        JsonlEventLog { path: path.into() }
    }
}

impl EventSink for JsonlEventLog {
    fn append(&mut self, event: &Event) -> Result<(), String> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let mut line = serde_json::to_vec(event).map_err(|e| e.to_string())?;
        line.push(b'\n');
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(|e| format!("{}: {e}", self.path.display()))?;
        f.write_all(&line)
            .and_then(|()| f.sync_data())
            .map_err(|e| format!("{}: {e}", self.path.display()))
    }

    fn events(&self) -> Result<Vec<Event>, String> {
        read_jsonl(&self.path)
    }
}

/// Reads a JSON-lines event file (a missing file is an empty log; a bad line is an error
/// naming file:line).
pub fn read_jsonl(path: &Path) -> Result<Vec<Event>, String> {
    let f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let mut out = Vec::new();
    for (i, line) in std::io::BufReader::new(f).lines().enumerate() {
        let line = line.map_err(|e| format!("{}: {e}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let ev: Event = serde_json::from_str(&line)
            .map_err(|e| format!("{}:{}:{}: {e}", path.display(), i + 1, e.column()))?;
        out.push(ev);
    }
    Ok(out)
}

/// An in-memory log standing in for the transparency log (tests, and `policy eval`).
#[derive(Debug, Default, Clone)]
pub struct MemoryLog(pub Vec<Event>);

impl EventSink for MemoryLog {
    fn append(&mut self, event: &Event) -> Result<(), String> {
        self.0.push(event.clone());
        Ok(())
    }
    fn events(&self) -> Result<Vec<Event>, String> {
        Ok(self.0.clone())
    }
    fn tamper_evident(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonl_round_trip_and_bad_line() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = JsonlEventLog::new(dir.path().join("sub/events.jsonl"));
        assert!(log.events().unwrap().is_empty());
        let ev = Event {
            kind: EventType::GateDecision,
            actor: "alice".into(),
            subject: tollgate_model::sha256(b"a"),
            environment: Some("prod".into()),
            time: Some("2026-11-22T00:00:00Z".into()),
            payload: Some(serde_json::json!({"allow": true})),
        };
        log.append(&ev).unwrap();
        log.append(&ev).unwrap();
        assert_eq!(log.events().unwrap(), vec![ev.clone(), ev]);
        let text = std::fs::read_to_string(&log.path).unwrap();
        assert!(text.starts_with("{\"type\":\"gate-decision\""), "{text}");
        std::fs::write(&log.path, format!("{text}not json\n")).unwrap();
        let e = log.events().unwrap_err();
        assert!(e.contains("events.jsonl:3:"), "{e}");
    }
}
