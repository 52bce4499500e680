//! Deliveries into CI/CD events. Payloads are untrusted: each field used is read with its
//! expected type, unknown fields are ignored, a missing required field is an error naming it.
//!
//! Forge identifiers (commit SHAs, run ids) are not SHA-256 digests, so an event's `subject`
//! is the SHA-256 of a canonical name of what it is about — `github:OWNER/REPO@COMMIT` — and
//! the identifiers themselves are in the payload (`repository`, `commit`, `ref`, `url`, …).

use serde_json::{Value, json};
use tollgate_model::{Event, EventType, sha256};

/// A verified delivery as the server stores it.
#[derive(Debug, Clone)]
pub struct Delivery<'a> {
    /// `github`, `gitlab` or `standard`.
    pub forge: &'a str,
    /// The source's name in the server's configuration.
    pub source: &'a str,
    pub id: &'a str,
    /// The event name from the headers (`push`, `Pipeline Hook`) or, for Standard Webhooks,
    /// the payload's `type`.
    pub event: Option<&'a str>,
    pub body: &'a [u8],
}

/// What a delivery became.
#[derive(Debug, Clone, PartialEq)]
pub struct Translation {
    /// The kind as named by the sender (`workflow_run`, `Pipeline Hook`, `deployment.created`…).
    pub kind: String,
    /// The events to log: none for an event type tollgate does not use (stored and counted).
    pub events: Vec<Event>,
    pub known: bool,
}

/// Why a payload could not be read (the delivery is stored, marked failed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    #[error("payload is not JSON: {0}")]
    Json(String),
    #[error("payload field {0} is missing or has the wrong type")]
    Field(&'static str),
}

fn text<'v>(v: &'v Value, pointer: &'static str) -> Result<&'v str, PayloadError> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .ok_or(PayloadError::Field(pointer))
}

fn opt(v: &Value, pointer: &str) -> Value {
    v.pointer(pointer).cloned().unwrap_or(Value::Null)
}

fn event(kind: EventType, actor: &str, about: &str, env: Option<&str>, payload: Value) -> Event {
    Event {
        kind,
        actor: if actor.trim().is_empty() {
            "unknown".into()
        } else {
            actor.to_string()
        },
        subject: sha256(about.as_bytes()),
        environment: env.map(str::to_string),
        time: None,
        payload: Some(payload),
    }
}

/// Turns a verified delivery into events.
pub fn translate(d: &Delivery<'_>) -> Result<Translation, PayloadError> {
    let v: Value = serde_json::from_slice(d.body).map_err(|e| PayloadError::Json(e.to_string()))?;
    match d.forge {
        "github" => github(d, &v),
        "gitlab" => gitlab(d, &v),
        _ => standard(d, &v),
    }
}

fn base(d: &Delivery<'_>, kind: &str, repo: &str) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert("forge".into(), json!(d.forge));
    m.insert("source".into(), json!(d.source));
    m.insert("delivery".into(), json!(d.id));
    m.insert("kind".into(), json!(kind));
    m.insert("repository".into(), json!(repo));
    m
}

fn github(d: &Delivery<'_>, v: &Value) -> Result<Translation, PayloadError> {
    let kind = d.event.unwrap_or("").to_string();
    let action = v.get("action").and_then(Value::as_str).unwrap_or("");
    let unknown = || Translation {
        kind: kind.clone(),
        events: Vec::new(),
        known: false,
    };
    if kind.is_empty() || kind == "ping" {
        return Ok(unknown());
    }
    let repo = text(v, "/repository/full_name")?;
    let sender = v
        .pointer("/sender/login")
        .and_then(Value::as_str)
        .unwrap_or("");
    let mut p = base(d, &kind, repo);
    p.insert("action".into(), json!(action));
    let about = |commit: &str| format!("github:{repo}@{commit}");
    let events = match kind.as_str() {
        "push" => {
            let after = text(v, "/after")?;
            p.insert("commit".into(), json!(after));
            p.insert("ref".into(), opt(v, "/ref"));
            p.insert("before".into(), opt(v, "/before"));
            p.insert("forced".into(), opt(v, "/forced"));
            p.insert(
                "commits".into(),
                json!(
                    v.get("commits")
                        .and_then(Value::as_array)
                        .map_or(0, Vec::len)
                ),
            );
            p.insert("committed_at".into(), opt(v, "/head_commit/timestamp"));
            vec![event(
                EventType::Push,
                sender,
                &about(after),
                None,
                Value::Object(p),
            )]
        }
        "pull_request" => {
            let head = text(v, "/pull_request/head/sha")?;
            p.insert("commit".into(), json!(head));
            p.insert("number".into(), opt(v, "/number"));
            p.insert("merged".into(), opt(v, "/pull_request/merged"));
            p.insert("author".into(), opt(v, "/pull_request/user/login"));
            p.insert("url".into(), opt(v, "/pull_request/html_url"));
            vec![event(
                EventType::ChangeRequest,
                sender,
                &about(head),
                None,
                Value::Object(p),
            )]
        }
        "workflow_run" => {
            let head = text(v, "/workflow_run/head_sha")?;
            p.insert("commit".into(), json!(head));
            p.insert("workflow".into(), opt(v, "/workflow_run/name"));
            p.insert("run_id".into(), opt(v, "/workflow_run/id"));
            p.insert("conclusion".into(), opt(v, "/workflow_run/conclusion"));
            p.insert("url".into(), opt(v, "/workflow_run/html_url"));
            p.insert("started_at".into(), opt(v, "/workflow_run/run_started_at"));
            p.insert("updated_at".into(), opt(v, "/workflow_run/updated_at"));
            let k = match action {
                "requested" | "in_progress" => EventType::BuildStart,
                "completed" => EventType::BuildFinish,
                _ => return Ok(unknown()),
            };
            vec![event(k, sender, &about(head), None, Value::Object(p))]
        }
        "workflow_job" => {
            let head = text(v, "/workflow_job/head_sha")?;
            p.insert("commit".into(), json!(head));
            p.insert("job".into(), opt(v, "/workflow_job/name"));
            p.insert("conclusion".into(), opt(v, "/workflow_job/conclusion"));
            p.insert("runner_labels".into(), opt(v, "/workflow_job/labels"));
            vec![event(
                EventType::Job,
                sender,
                &about(head),
                None,
                Value::Object(p),
            )]
        }
        "deployment" => {
            let sha = text(v, "/deployment/sha")?;
            let env = text(v, "/deployment/environment")?;
            p.insert("commit".into(), json!(sha));
            p.insert("deployment_id".into(), opt(v, "/deployment/id"));
            p.insert("created_at".into(), opt(v, "/deployment/created_at"));
            vec![event(
                EventType::Deployment,
                sender,
                &about(sha),
                Some(env),
                Value::Object(p),
            )]
        }
        "deployment_status" => {
            let sha = text(v, "/deployment/sha")?;
            let env = text(v, "/deployment/environment")?;
            p.insert("commit".into(), json!(sha));
            p.insert("deployment_id".into(), opt(v, "/deployment/id"));
            p.insert("state".into(), json!(text(v, "/deployment_status/state")?));
            p.insert("created_at".into(), opt(v, "/deployment_status/created_at"));
            vec![event(
                EventType::DeploymentStatus,
                sender,
                &about(sha),
                Some(env),
                Value::Object(p),
            )]
        }
        "release" => {
            let tag = text(v, "/release/tag_name")?;
            p.insert("tag".into(), json!(tag));
            p.insert("target".into(), opt(v, "/release/target_commitish"));
            p.insert("url".into(), opt(v, "/release/html_url"));
            vec![event(
                EventType::Release,
                sender,
                &about(tag),
                None,
                Value::Object(p),
            )]
        }
        "registry_package" | "package" => {
            let name = text(v, "/registry_package/name").or_else(|_| text(v, "/package/name"))?;
            p.insert("package".into(), json!(name));
            p.insert(
                "version".into(),
                opt(v, "/registry_package/package_version/version"),
            );
            p.insert("ecosystem".into(), opt(v, "/registry_package/package_type"));
            vec![event(
                EventType::PackagePublish,
                sender,
                &about(name),
                None,
                Value::Object(p),
            )]
        }
        _ => return Ok(unknown()),
    };
    Ok(Translation {
        kind,
        events,
        known: true,
    })
}

fn gitlab(d: &Delivery<'_>, v: &Value) -> Result<Translation, PayloadError> {
    let kind = v
        .get("object_kind")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| d.event.map(str::to_string))
        .unwrap_or_default();
    let unknown = || Translation {
        kind: kind.clone(),
        events: Vec::new(),
        known: false,
    };
    let repo = v
        .pointer("/project/path_with_namespace")
        .and_then(Value::as_str)
        .unwrap_or("");
    let user = v
        .pointer("/user/username")
        .or_else(|| v.get("user_username"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let mut p = base(d, &kind, repo);
    let about = |commit: &str| format!("gitlab:{repo}@{commit}");
    let events = match kind.as_str() {
        "push" | "tag_push" => {
            let after = text(v, "/after")?;
            p.insert("commit".into(), json!(after));
            p.insert("ref".into(), opt(v, "/ref"));
            p.insert("before".into(), opt(v, "/before"));
            p.insert("commits".into(), opt(v, "/total_commits_count"));
            vec![event(
                EventType::Push,
                user,
                &about(after),
                None,
                Value::Object(p),
            )]
        }
        "merge_request" => {
            let head = text(v, "/object_attributes/last_commit/id")?;
            p.insert("commit".into(), json!(head));
            p.insert("action".into(), opt(v, "/object_attributes/action"));
            p.insert("number".into(), opt(v, "/object_attributes/iid"));
            p.insert("url".into(), opt(v, "/object_attributes/url"));
            vec![event(
                EventType::ChangeRequest,
                user,
                &about(head),
                None,
                Value::Object(p),
            )]
        }
        "pipeline" => {
            let sha = text(v, "/object_attributes/sha")?;
            let status = text(v, "/object_attributes/status")?;
            p.insert("commit".into(), json!(sha));
            p.insert("status".into(), json!(status));
            p.insert("pipeline_id".into(), opt(v, "/object_attributes/id"));
            p.insert("ref".into(), opt(v, "/object_attributes/ref"));
            p.insert("started_at".into(), opt(v, "/object_attributes/created_at"));
            p.insert(
                "finished_at".into(),
                opt(v, "/object_attributes/finished_at"),
            );
            let k = match status {
                "pending" | "running" | "created" => EventType::BuildStart,
                "success" | "failed" | "canceled" | "skipped" => EventType::BuildFinish,
                _ => return Ok(unknown()),
            };
            vec![event(k, user, &about(sha), None, Value::Object(p))]
        }
        "build" => {
            let sha = text(v, "/sha")?;
            p.insert("commit".into(), json!(sha));
            p.insert("job".into(), opt(v, "/build_name"));
            p.insert("status".into(), opt(v, "/build_status"));
            vec![event(
                EventType::Job,
                user,
                &about(sha),
                None,
                Value::Object(p),
            )]
        }
        "deployment" => {
            let sha = text(v, "/short_sha").or_else(|_| text(v, "/commit_sha"))?;
            let env = text(v, "/environment")?;
            let status = text(v, "/status")?;
            p.insert("commit".into(), json!(sha));
            p.insert("state".into(), json!(status));
            p.insert("deployment_id".into(), opt(v, "/deployment_id"));
            p.insert("created_at".into(), opt(v, "/status_changed_at"));
            vec![event(
                EventType::DeploymentStatus,
                user,
                &about(sha),
                Some(env),
                Value::Object(p),
            )]
        }
        "release" => {
            let tag = text(v, "/tag")?;
            p.insert("tag".into(), json!(tag));
            p.insert("action".into(), opt(v, "/action"));
            vec![event(
                EventType::Release,
                user,
                &about(tag),
                None,
                Value::Object(p),
            )]
        }
        _ => return Ok(unknown()),
    };
    Ok(Translation {
        kind,
        events,
        known: true,
    })
}

/// Standard Webhooks deliveries carry `{"type": …, "timestamp": …, "data": {…}}`; tollgate
/// understands the event types below (a sender that follows them is a first-class CI source).
fn standard(d: &Delivery<'_>, v: &Value) -> Result<Translation, PayloadError> {
    let kind = text(v, "/type")?.to_string();
    let data = v.get("data").cloned().unwrap_or(Value::Null);
    let repo = data.get("repository").and_then(Value::as_str).unwrap_or("");
    let actor = data.get("actor").and_then(Value::as_str).unwrap_or("");
    let env = data.get("environment").and_then(Value::as_str);
    let k = match kind.as_str() {
        "push" => EventType::Push,
        "change_request" => EventType::ChangeRequest,
        "build.started" => EventType::BuildStart,
        "build.finished" => EventType::BuildFinish,
        "job" => EventType::Job,
        "deployment.created" => EventType::Deployment,
        "deployment.status" => EventType::DeploymentStatus,
        "release.published" => EventType::Release,
        "package.published" => EventType::PackagePublish,
        _ => {
            return Ok(Translation {
                kind,
                events: Vec::new(),
                known: false,
            });
        }
    };
    let subject = data
        .get("commit")
        .or_else(|| data.get("artifact"))
        .and_then(Value::as_str)
        .ok_or(PayloadError::Field("/data/commit"))?;
    let mut p = base(d, &kind, repo);
    p.insert("data".into(), data.clone());
    let about = format!("{}:{repo}@{subject}", d.forge);
    Ok(Translation {
        kind,
        events: vec![event(k, actor, &about, env, Value::Object(p))],
        known: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gh(event: &str, body: &str) -> Result<Translation, PayloadError> {
        translate(&Delivery {
            forge: "github",
            source: "gh",
            id: "d1",
            event: Some(event),
            body: body.as_bytes(),
        })
    }

    #[test]
    fn github_events_become_typed_events() {
        let t = gh("push", r#"{"ref":"refs/heads/main","after":"abc123","repository":{"full_name":"acme/app"},"sender":{"login":"bob"},"commits":[{},{}],"extra":{"ignored":true}}"#).unwrap();
        assert!(t.known);
        let e = &t.events[0];
        assert_eq!(e.kind, EventType::Push);
        assert_eq!(e.actor, "bob");
        assert_eq!(e.subject, sha256(b"github:acme/app@abc123"));
        assert_eq!(e.field("commits"), Some(&json!(2)));
        let t = gh("deployment_status", r#"{"deployment":{"sha":"abc","environment":"prod","id":7},"deployment_status":{"state":"failure"},"repository":{"full_name":"acme/app"},"sender":{"login":"ci"}}"#).unwrap();
        assert_eq!(t.events[0].kind, EventType::DeploymentStatus);
        assert_eq!(t.events[0].environment.as_deref(), Some("prod"));
        assert_eq!(t.events[0].field("state"), Some(&json!("failure")));
        let t = gh("workflow_run", r#"{"action":"completed","workflow_run":{"head_sha":"abc","conclusion":"success"},"repository":{"full_name":"acme/app"}}"#).unwrap();
        assert_eq!(t.events[0].kind, EventType::BuildFinish);
        assert_eq!(t.events[0].actor, "unknown");
    }

    #[test]
    fn unknown_and_malformed_payloads() {
        let t = gh("star", r#"{"repository":{"full_name":"acme/app"}}"#).unwrap();
        assert!(!t.known && t.events.is_empty());
        assert_eq!(t.kind, "star");
        assert_eq!(
            gh("push", r#"{"repository":{"full_name":"acme/app"}}"#),
            Err(PayloadError::Field("/after"))
        );
        assert!(matches!(gh("push", "not json"), Err(PayloadError::Json(_))));
        assert_eq!(
            gh(
                "push",
                r#"{"after":1,"repository":{"full_name":"acme/app"}}"#
            ),
            Err(PayloadError::Field("/after"))
        );
    }

    #[test]
    fn gitlab_and_standard_payloads() {
        let t = translate(&Delivery {
            forge: "gitlab",
            source: "gl",
            id: "u1",
            event: Some("Pipeline Hook"),
            body: br#"{"object_kind":"pipeline","object_attributes":{"sha":"abc","status":"failed","id":9},"project":{"path_with_namespace":"acme/app"},"user":{"username":"carol"}}"#,
        })
        .unwrap();
        assert_eq!(t.events[0].kind, EventType::BuildFinish);
        assert_eq!(t.events[0].actor, "carol");
        let t = translate(&Delivery {
            forge: "standard",
            source: "sw",
            id: "msg_1",
            event: None,
            body: br#"{"type":"deployment.status","timestamp":"2026-12-05T10:00:00Z","data":{"repository":"acme/app","commit":"abc","environment":"prod","state":"success","actor":"ci"}}"#,
        })
        .unwrap();
        assert_eq!(t.events[0].kind, EventType::DeploymentStatus);
        assert_eq!(t.events[0].environment.as_deref(), Some("prod"));
    }
}
