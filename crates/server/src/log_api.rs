//! The log as a service: append (serialized, durable before the response, a receipt per
//! entry), entries, the signed checkpoint, inclusion and consistency proofs, and C2SP
//! tlog-tiles at their standard paths (`/checkpoint`, `/tile/<L>/<N>[.p/<W>]`,
//! `/tile/entries/<N>[.p/<W>]`) computed from the stored subtree hashes.

use crate::access::Role;
use crate::body::{JsonBody, QueryOf};
use crate::error::ApiError;
use crate::state::AppState;
use crate::tokens::Caller;
use axum::Extension;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use tollgate_ledger::merkle::NodeSource;
use tollgate_ledger::tiles::TILE_WIDTH;
use tollgate_ledger::{Leaf, Log, base64};
use tollgate_model::{Event, EventType};

/// Most events one request may append.
pub const MAX_EVENTS: usize = 1000;

/// Event types a releaser may append (an approver appends approvals in its own name; gate
/// decisions, exceptions and break-glass come from the gate or an admin).
const RELEASER_TYPES: &[EventType] = &[
    EventType::BuildStart,
    EventType::BuildFinish,
    EventType::Scan,
    EventType::Signature,
    EventType::Attestation,
    EventType::Deployment,
];

/// Whether `caller` may append `e`: the reason when not.
pub fn may_append(caller: &Caller, e: &Event) -> Result<(), String> {
    match caller.role {
        Role::Admin => Ok(()),
        Role::Releaser if RELEASER_TYPES.contains(&e.kind) => Ok(()),
        Role::Approver if e.kind == EventType::Approval && e.actor == caller.identity => Ok(()),
        Role::Approver if e.kind == EventType::Approval => Err(format!(
            "an approver appends approvals in its own name: actor {:?} is not {:?}",
            e.actor, caller.identity
        )),
        role => Err(format!("role {role} may not append {} events", e.kind)),
    }
}

/// Appends `events` as one batch and links each to its subject; returns (index, receipt).
pub async fn append_events(
    state: &AppState,
    events: Vec<Event>,
) -> Result<(Vec<(u64, String)>, String), ApiError> {
    let subjects: Vec<(String, String)> = events
        .iter()
        .map(|e| (e.subject.to_string(), e.kind.to_string()))
        .collect();
    let (out, checkpoint) = state
        .with_log(move |sink| {
            let idx = sink.log.append(&events)?;
            let mut out = Vec::with_capacity(idx.len());
            for i in idx {
                out.push((i, sink.log.receipt(i)?.encode()));
            }
            Ok((out, sink.log.checkpoint()?.note.encode()))
        })
        .await?;
    let links: Vec<(String, u64, String)> = subjects
        .into_iter()
        .zip(&out)
        .map(|((s, k), (i, _))| (s, *i, k))
        .collect();
    state
        .with_db(move |db| db.add_links(&links).map_err(ApiError::from))
        .await?;
    Ok((out, checkpoint))
}

/// `POST /v1/log/entries`: one event or an array of events.
pub async fn post_entries(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Response, ApiError> {
    let items = match body {
        Value::Array(a) => a,
        v @ Value::Object(_) => vec![v],
        _ => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "request body: expected an event object or an array of events",
            ));
        }
    };
    if items.is_empty() || items.len() > MAX_EVENTS {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "request body: {} events; send 1 to {MAX_EVENTS}",
                items.len()
            ),
        ));
    }
    let mut events = Vec::with_capacity(items.len());
    for (n, v) in items.into_iter().enumerate() {
        let e: Event = serde_json::from_value(v).map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("event {}: {e}", n + 1),
            )
        })?;
        may_append(&caller, &e)
            .map_err(|m| ApiError::forbidden(format!("event {}: {m}", n + 1)))?;
        events.push(e);
    }
    let (out, checkpoint) = append_events(&state, events).await?;
    let entries: Vec<Value> = out
        .into_iter()
        .map(|(i, r)| json!({"index": i, "receipt": r}))
        .collect();
    Ok((
        StatusCode::CREATED,
        Json(json!({"entries": entries, "checkpoint": checkpoint})),
    )
        .into_response())
}

fn parse_index(s: &str) -> Result<u64, ApiError> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::bad_request(format!(
            "entry index {s:?} must be a decimal number"
        )));
    }
    s.parse()
        .map_err(|_| ApiError::bad_request(format!("entry index {s:?} is too large")))
}

/// An entry as JSON: the logged entry, its payload when it has one, and a receipt.
pub fn entry_json(log: &Log, index: u64) -> Result<Value, ApiError> {
    let bytes = log.entry(index)?;
    let (entry, payload) = match Leaf::from_canonical(&bytes) {
        Ok(Leaf::Event(e)) => {
            let payload = match &e.payload_digest {
                Some(d) => log
                    .payload(d)?
                    .and_then(|b| serde_json::from_slice::<Value>(&b).ok()),
                None => None,
            };
            (serde_json::to_value(&e).unwrap_or(Value::Null), payload)
        }
        _ => (serde_json::from_slice(&bytes).unwrap_or(Value::Null), None),
    };
    Ok(json!({
        "index": index,
        "entry": entry,
        "payload": payload,
        "receipt": log.receipt(index)?.encode(),
    }))
}

/// `GET /v1/log/entries/{index}`.
pub async fn get_entry(
    State(state): State<AppState>,
    Path(index): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let index = parse_index(&index)?;
    state
        .with_log(move |sink| entry_json(&sink.log, index))
        .await
        .map(Json)
}

fn note(text: String) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response()
}

/// `GET /v1/log/checkpoint` and `GET /checkpoint`: the latest signed checkpoint (a C2SP note).
pub async fn get_checkpoint(State(state): State<AppState>) -> Result<Response, ApiError> {
    let text = state
        .with_log(|sink| Ok(sink.log.checkpoint()?.note.encode()))
        .await?;
    Ok(note(text))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InclusionQuery {
    pub index: u64,
    pub size: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyQuery {
    pub from: u64,
    pub to: Option<u64>,
}

fn hashes(h: &[[u8; 32]]) -> Vec<String> {
    h.iter().map(|h| base64(h)).collect()
}

/// The signed size, and the tree size asked for (default: the signed size), checked.
fn tree_size(log: &Log, asked: Option<u64>) -> Result<u64, ApiError> {
    let signed = log.checkpoint()?.checkpoint.size;
    let size = asked.unwrap_or(signed);
    if size > signed {
        return Err(ApiError::bad_request(format!(
            "size {size} is beyond the latest signed checkpoint ({signed})"
        )));
    }
    Ok(size)
}

/// `GET /v1/log/proof/inclusion?index=&size=`.
pub async fn get_inclusion(
    State(state): State<AppState>,
    QueryOf(q): QueryOf<InclusionQuery>,
) -> Result<Json<Value>, ApiError> {
    state
        .with_log(move |sink| {
            let log = &sink.log;
            let size = tree_size(log, q.size)?;
            if q.index >= size {
                return Err(ApiError::bad_request(format!(
                    "index {} is not below size {size}",
                    q.index
                )));
            }
            let proof = log.inclusion_proof(q.index, size)?;
            Ok(Json(json!({
                "index": q.index,
                "size": size,
                "root": base64(&log.root_at(size)?),
                "leaf_hash": base64(&tollgate_ledger::merkle::leaf_hash(&log.entry(q.index)?)),
                "hashes": hashes(&proof),
            })))
        })
        .await
}

/// `GET /v1/log/proof/consistency?from=&to=`.
pub async fn get_consistency(
    State(state): State<AppState>,
    QueryOf(q): QueryOf<ConsistencyQuery>,
) -> Result<Json<Value>, ApiError> {
    state
        .with_log(move |sink| {
            let log = &sink.log;
            let to = tree_size(log, q.to)?;
            if q.from > to {
                return Err(ApiError::bad_request(format!(
                    "from {} is larger than to {to}",
                    q.from
                )));
            }
            let proof = log.consistency_proof(q.from, to)?;
            Ok(Json(json!({
                "from": q.from,
                "to": to,
                "from_root": base64(&log.root_at(q.from)?),
                "to_root": base64(&log.root_at(to)?),
                "hashes": hashes(&proof),
            })))
        })
        .await
}

/// A parsed tile path: level (None for entry bundles), N, width.
#[derive(Debug, PartialEq, Eq)]
pub struct TileRef {
    pub level: Option<u8>,
    pub n: u64,
    pub width: u64,
}

/// Parses `<L>/<N>[.p/<W>]` or `entries/<N>[.p/<W>]` (what follows `/tile/`).
pub fn parse_tile(path: &str) -> Option<TileRef> {
    let mut segs: Vec<&str> = path.split('/').collect();
    let level = match *segs.first()? {
        "entries" => None,
        l if !l.is_empty() && l.len() <= 2 && l.bytes().all(|b| b.is_ascii_digit()) => {
            let l: u8 = l.parse().ok()?;
            if l >= 8 {
                return None;
            }
            Some(l)
        }
        _ => return None,
    };
    segs.remove(0);
    let mut width = TILE_WIDTH;
    if segs.len() >= 2 && segs[segs.len() - 2].ends_with(".p") {
        let w = segs.pop()?;
        if w.is_empty() || !w.bytes().all(|b| b.is_ascii_digit()) || w.starts_with('0') {
            return None;
        }
        width = w.parse().ok()?;
        if width == 0 || width >= TILE_WIDTH {
            return None;
        }
        let last = segs.pop()?;
        segs.push(last.strip_suffix(".p")?);
    }
    if segs.is_empty() || segs.len() > 7 {
        return None;
    }
    let last = segs.len() - 1;
    let mut n: u64 = 0;
    for (i, s) in segs.iter().enumerate() {
        let digits = if i < last { s.strip_prefix('x')? } else { s };
        if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        n = n.checked_mul(1000)?.checked_add(digits.parse().ok()?)?;
    }
    // The canonical spelling only (no leading x000 groups).
    if tollgate_ledger::tiles::tile_index_path(n) != segs.join("/") {
        return None;
    }
    Some(TileRef { level, n, width })
}

/// `GET /tile/{*path}`: a hash tile or an entry bundle of the latest signed tree.
pub async fn get_tile(
    State(state): State<AppState>,
    Path(path): Path<String>,
) -> Result<Response, ApiError> {
    let t = parse_tile(&path)
        .ok_or_else(|| ApiError::not_found(format!("/tile/{path} is not a tile path")))?;
    let data = state
        .with_log(move |sink| {
            let log = &sink.log;
            let size = log.checkpoint()?.checkpoint.size;
            let missing = || ApiError::not_found("no such tile in the latest signed tree");
            let first = t.n.checked_mul(TILE_WIDTH).ok_or_else(missing)?;
            let end = first.checked_add(t.width).ok_or_else(missing)?;
            let mut data = Vec::new();
            match t.level {
                None => {
                    if end > size {
                        return Err(missing());
                    }
                    for i in first..end {
                        let e = log.entry(i)?;
                        let len = u16::try_from(e.len()).map_err(|_| {
                            ApiError::new(
                                StatusCode::CONFLICT,
                                format!("entry {i} is longer than 65535 bytes: no tile bundle"),
                            )
                        })?;
                        data.extend_from_slice(&len.to_be_bytes());
                        data.extend_from_slice(&e);
                    }
                }
                Some(l) => {
                    let level = l * 8;
                    if end > size >> level {
                        return Err(missing());
                    }
                    for i in first..end {
                        let h = log.store().node(level, i).map_err(ApiError::internal)?;
                        data.extend_from_slice(&h);
                    }
                }
            }
            Ok(data)
        })
        .await?;
    Ok(([(header::CONTENT_TYPE, "application/octet-stream")], data).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_paths() {
        let t = |level, n, width| Some(TileRef { level, n, width });
        assert_eq!(parse_tile("0/000"), t(Some(0), 0, 256));
        assert_eq!(parse_tile("1/x001/234.p/7"), t(Some(1), 1234, 7));
        assert_eq!(parse_tile("entries/005.p/255"), t(None, 5, 255));
        for bad in [
            "",
            "0",
            "0/",
            "0/1",
            "0/0000",
            "x/000",
            "8/000",
            "0/000.p/0",
            "0/000.p/256",
            "0/000.p/07",
            "0/x000/001",
            "0/001/002",
            "../000",
            "0/000.p",
            "entries/abc",
            "0/x1000/000",
        ] {
            assert_eq!(parse_tile(bad), None, "{bad}");
        }
    }
}
