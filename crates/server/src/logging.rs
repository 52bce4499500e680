//! The server's log: one JSON object per line on stderr (time, level, message fields). Callers
//! never pass a token or secret: denied requests name the route, the identity when known and
//! the reason.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Writes `{"time":…,"level":…, fields…}` to stderr.
pub fn line(level: &str, fields: &[(&str, &str)]) {
    let mut m = serde_json::Map::new();
    let now = OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_default();
    m.insert("time".into(), now.into());
    m.insert("level".into(), level.into());
    for (k, v) in fields {
        m.insert((*k).into(), (*v).into());
    }
    eprintln!("{}", serde_json::Value::Object(m));
}
