//! gradle.lockfile (Gradle dependency locking).

use super::ParseError;
use crate::component::{Component, Ecosystem, Parsed, Scope};

pub fn parse(text: &str) -> Result<Parsed, ParseError> {
    let mut out = Parsed::default();
    for (i, raw) in text.lines().enumerate() {
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') || l.starts_with("empty=") {
            continue;
        }
        let (coord, confs) = l.split_once('=').unwrap_or((l, ""));
        let parts: Vec<&str> = coord.split(':').collect();
        let [g, a, v] = parts[..] else {
            return Err(ParseError::new(
                i as u32 + 1,
                1,
                format!("expected group:artifact:version=configurations, found {l:?}"),
            ));
        };
        let mut c = Component::new(Ecosystem::Maven, &format!("{g}:{a}"), v).at_line(i as u32 + 1);
        let confs: Vec<&str> = confs.split(',').filter(|c| !c.is_empty()).collect();
        c.scope = if !confs.is_empty()
            && confs
                .iter()
                .all(|c| c.to_ascii_lowercase().contains("test"))
        {
            Scope::Dev
        } else {
            Scope::Runtime
        };
        c.source = Some("https://repo.maven.apache.org/maven2".into());
        out.components.push(c);
    }
    Ok(out)
}
