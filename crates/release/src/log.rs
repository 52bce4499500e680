//! The transparency log as the release path uses it: recording bundles and events, and the
//! policy crate's event sink over it.

use crate::error::Result;
use tollgate_attest::Bundle;
use tollgate_attest::bundle::{Content, Material};
use tollgate_attest::keys::PublicKey;
use tollgate_config::Config;
use tollgate_ledger::{Leaf, Log};
use tollgate_model::{Event, EventType};
use tollgate_policy::EventSink;

/// The log of `config` (`[log] path`), when one is configured.
pub fn configured(config: &Config) -> Result<Option<Log>> {
    Ok(tollgate_ledger::configured(config)?)
}

/// The log file `config` names (`[log] path`, relative to the config file).
pub fn configured_path(config: &Config) -> Result<Option<std::path::PathBuf>> {
    let settings: tollgate_ledger::LogSettings = config.section("log")?;
    Ok(settings.path.map(|p| config.base_dir().join(p)))
}

/// The Sigstore trusted root naming `log`'s key (what bundles' log entries verify against).
pub fn trusted_root_json(log: &Log) -> Result<String> {
    Ok(
        tollgate_ledger::trusted_root::trusted_root(log.verifier(), "", &log.created()?)
            .to_string(),
    )
}

/// Records a new bundle in `log`:
/// 1. the signature's Rekor v1 body (hashedrekord or dsse) is appended and the returned entry,
///    with its inclusion proof, signed checkpoint and signed entry timestamp, goes into the
///    bundle's `verificationMaterial.tlogEntries`;
/// 2. a `signature` or `attestation` event about each artifact digest is appended with the
///    finished bundle's digest, its predicate type and the index of its Sigstore entry as
///    payload (what `kpi` and the gate count).
///
/// Returns the indexes of the new entries.
pub fn publish(log: &mut Log, bundle: &mut Bundle, key: &PublicKey) -> Result<Vec<u64>> {
    tollgate_attest::append_to_log(log, bundle, key)
        .map_err(|e| crate::error::ReleaseError::Attest(e.to_string()))?;
    let sigstore_index = bundle
        .tlog_entries
        .last()
        .and_then(|e| e["logIndex"].as_str())
        .and_then(|i| i.parse::<u64>().ok());
    let actor = match &bundle.material {
        Material::PublicKeyHint(k) => format!("key:{k}"),
        Material::Certificate => "certificate".to_string(),
    };
    let bundle_digest = tollgate_model::sha256(bundle.to_json().as_bytes());
    let mut about = Vec::new();
    match &bundle.content {
        Content::MessageSignature {
            digest: Some(d), ..
        } => about.push((EventType::Signature, *d, None)),
        Content::MessageSignature { digest: None, .. } => {}
        Content::Dsse(env) => {
            if let Ok(st) = tollgate_attest::statement::Statement::from_json(&env.payload) {
                for sub in &st.subject {
                    if let Some(d) = sub
                        .digest
                        .get("sha256")
                        .and_then(|h| format!("sha256:{h}").parse().ok())
                    {
                        about.push((EventType::Attestation, d, Some(st.predicate_type.clone())));
                    }
                }
            }
        }
    }
    let events: Vec<Event> = about
        .into_iter()
        .map(|(kind, subject, ptype)| Event {
            kind,
            actor: actor.clone(),
            subject,
            environment: None,
            time: None,
            payload: Some(serde_json::json!({
                "bundle": bundle_digest.to_string(),
                "predicateType": ptype,
                "sigstoreEntry": sigstore_index,
            })),
        })
        .collect();
    let mut idx: Vec<u64> = sigstore_index.into_iter().collect();
    if !events.is_empty() {
        idx.extend(log.append(&events)?);
    }
    Ok(idx)
}

/// Gate, approval and break-glass events recorded in the transparency log.
pub struct LedgerSink {
    pub log: Log,
}

impl EventSink for LedgerSink {
    fn append(&mut self, e: &Event) -> Result<(), String> {
        // Every event is stamped with the log's own clock, never the caller's: what the log
        // says happened when is what it recorded (a break-glass window starts there).
        let mut e = e.clone();
        e.time = None;
        self.log.append(&[e]).map(|_| ()).map_err(|e| e.to_string())
    }

    fn events(&self) -> Result<Vec<Event>, String> {
        Ok(self.indexed_events()?.into_iter().map(|(_, e)| e).collect())
    }

    fn tamper_evident(&self) -> bool {
        true
    }
}

impl LedgerSink {
    /// Every event of the log with its index, oldest first (Sigstore bodies left out).
    pub fn indexed_events(&self) -> Result<Vec<(u64, Event)>, String> {
        let size = self.log.size().map_err(|e| e.to_string())?;
        let mut out = Vec::with_capacity(size as usize);
        for i in 0..size {
            let bytes = self.log.entry(i).map_err(|e| e.to_string())?;
            // Sigstore log bodies (signatures' Rekor entries) sit beside the events; each has
            // its `signature`/`attestation` event, which is what is counted.
            let entry = match Leaf::from_canonical(&bytes) {
                Ok(Leaf::Event(e)) => e,
                Ok(Leaf::Sigstore { .. }) => continue,
                Err(e) => return Err(format!("entry {i}: {e}")),
            };
            let payload = match &entry.payload_digest {
                Some(d) => self
                    .log
                    .payload(d)
                    .map_err(|e| e.to_string())?
                    .and_then(|b| serde_json::from_slice(&b).ok()),
                None => None,
            };
            out.push((
                i,
                Event {
                    kind: entry.kind,
                    actor: entry.actor,
                    subject: entry.subject,
                    environment: entry.environment,
                    time: Some(entry.time),
                    payload,
                },
            ));
        }
        Ok(out)
    }
}

/// The event sink of `config`: the transparency log when `[log] path` is configured,
/// otherwise `[gate] events` (an editable JSON-lines file: counted for KPIs, never for
/// break-glass).
pub fn event_sink(
    config: &Config,
    settings: &tollgate_policy::Settings,
) -> Result<Option<Box<dyn EventSink>>> {
    if let Some(log) = configured(config)? {
        return Ok(Some(Box::new(LedgerSink { log })));
    }
    Ok(settings.gate.events.as_ref().map(|p| {
        Box::new(tollgate_policy::JsonlEventLog::new(
            config.base_dir().join(p),
        )) as Box<dyn EventSink>
    }))
}

/// Records one event in the transparency log of `config`; an error when none is configured
/// (a record that was asked for is never silently dropped). Returns its index.
pub fn record(config: &Config, event: &Event) -> Result<u64> {
    let Some(mut log) = configured(config)? else {
        return Err(crate::error::ReleaseError::Usage(
            "no transparency log configured: set `[log] path` in the trust file or tollgate.toml"
                .into(),
        ));
    };
    Ok(log.append(std::slice::from_ref(event))?[0])
}
