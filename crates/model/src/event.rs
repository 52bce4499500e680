//! Release events: the one vocabulary the log, the gate, the KPIs and the binary share.
//!
//! An [`Event`] is what a part of tollgate records (a scan, a signature, an approval, a gate
//! decision…). The transparency log (`ledger`) stores it in canonical form; the gate reads
//! break-glass windows and the KPIs read rates back from it. Its wire form is one JSON object:
//! `{"type": "gate-decision", "actor": …, "subject": "sha256:…", "environment": …, "time": …,
//! "payload": {…}}`.

use crate::Digest;
use serde::{Deserialize, Serialize};

/// Kinds of release events (checklist SP-13, SP-15, SP-25).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventType {
    BuildStart,
    BuildFinish,
    Scan,
    Signature,
    Attestation,
    Approval,
    Exception,
    BreakGlass,
    /// `gate-decision` (older event files wrote `gate`, still read).
    #[serde(alias = "gate")]
    GateDecision,
    Deployment,
    CredentialIssuance,
    /// The verdict of a rollout analysis (`tollgate analyze --record`).
    RolloutAnalysis,
    /// Commits pushed to a repository (webhook intake).
    Push,
    /// A pull or merge request opened, updated, merged or closed (webhook intake).
    ChangeRequest,
    /// One CI job started or finished (webhook intake).
    Job,
    /// A deployment's status changed: success, failure, in progress (webhook intake).
    DeploymentStatus,
    /// A release was published on the forge (webhook intake).
    Release,
    /// A package or image was published to a registry (webhook intake).
    PackagePublish,
}

impl EventType {
    /// Every kind, in declaration order.
    pub const ALL: &'static [EventType] = &[
        EventType::BuildStart,
        EventType::BuildFinish,
        EventType::Scan,
        EventType::Signature,
        EventType::Attestation,
        EventType::Approval,
        EventType::Exception,
        EventType::BreakGlass,
        EventType::GateDecision,
        EventType::Deployment,
        EventType::CredentialIssuance,
        EventType::RolloutAnalysis,
        EventType::Push,
        EventType::ChangeRequest,
        EventType::Job,
        EventType::DeploymentStatus,
        EventType::Release,
        EventType::PackagePublish,
    ];

    /// The wire name (`gate-decision`, `break-glass`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::BuildStart => "build-start",
            EventType::BuildFinish => "build-finish",
            EventType::Scan => "scan",
            EventType::Signature => "signature",
            EventType::Attestation => "attestation",
            EventType::Approval => "approval",
            EventType::Exception => "exception",
            EventType::BreakGlass => "break-glass",
            EventType::GateDecision => "gate-decision",
            EventType::Deployment => "deployment",
            EventType::CredentialIssuance => "credential-issuance",
            EventType::RolloutAnalysis => "rollout-analysis",
            EventType::Push => "push",
            EventType::ChangeRequest => "change-request",
            EventType::Job => "job",
            EventType::DeploymentStatus => "deployment-status",
            EventType::Release => "release",
            EventType::PackagePublish => "package-publish",
        }
    }
}

impl std::fmt::Display for EventType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for EventType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EventType::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == s || (s == "gate" && *k == EventType::GateDecision))
            .ok_or_else(|| {
                format!(
                    "unknown event type {s:?} (known: {})",
                    EventType::ALL
                        .iter()
                        .map(|k| k.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
    }
}

/// One release event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    #[serde(rename = "type")]
    pub kind: EventType,
    /// Who or what caused it (`key:<id>`, an approver's identity, a CI actor).
    pub actor: String,
    /// `sha256:<hex>` of the artifact, commit or document the event is about.
    pub subject: Digest,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// RFC 3339 UTC. When an event is read back from the transparency log this is the time the
    /// log recorded; a caller that leaves it out gets the log's own clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<serde_json::Value>,
}

impl Event {
    /// An event of `kind` by `actor` about `subject`, with no environment, time or payload.
    pub fn new(kind: EventType, actor: impl Into<String>, subject: Digest) -> Event {
        Event {
            kind,
            actor: actor.into(),
            subject,
            environment: None,
            time: None,
            payload: None,
        }
    }

    /// A payload field (`None` when there is no payload or no such field).
    pub fn field(&self, name: &str) -> Option<&serde_json::Value> {
        self.payload.as_ref().and_then(|p| p.get(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip() {
        for k in EventType::ALL {
            let json = serde_json::to_string(k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.as_str()));
            assert_eq!(serde_json::from_str::<EventType>(&json).unwrap(), *k);
            assert_eq!(k.as_str().parse::<EventType>().unwrap(), *k);
        }
        // The older name of a gate decision is still read.
        assert_eq!(
            serde_json::from_str::<EventType>("\"gate\"").unwrap(),
            EventType::GateDecision
        );
        assert!("deploy".parse::<EventType>().is_err());
    }

    #[test]
    fn event_json_shape() {
        let mut e = Event::new(EventType::GateDecision, "ci", crate::sha256(b"x"));
        e.payload = Some(serde_json::json!({"allow": true}));
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["type"], "gate-decision");
        assert!(v["subject"].as_str().unwrap().starts_with("sha256:"));
        assert_eq!(e.field("allow"), Some(&serde_json::json!(true)));
        assert!(
            serde_json::from_str::<Event>(r#"{"type":"scan","actor":"a","subject":"sha256:00"}"#)
                .is_err()
        );
    }
}
