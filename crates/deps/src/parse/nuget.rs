//! NuGet packages.lock.json.

use super::{Lines, ParseError};
use crate::component::{Component, Ecosystem, Hash, Parsed, Scope};
use serde_json::Value;
use std::collections::HashMap;

pub fn parse(text: &str) -> Result<Parsed, ParseError> {
    use base64::Engine;
    let doc: Value = serde_json::from_str(text).map_err(|e| ParseError::json(&e))?;
    let v = doc.get("version").and_then(Value::as_u64).unwrap_or(0);
    if !(1..=2).contains(&v) {
        return Err(ParseError::new(
            1,
            1,
            format!("unknown packages.lock.json version {v}"),
        ));
    }
    let lines = Lines::new(text);
    let mut out = Parsed::default();
    let Some(fws) = doc.get("dependencies").and_then(Value::as_object) else {
        return Ok(out);
    };
    for deps in fws.values().filter_map(Value::as_object) {
        let versions: HashMap<String, String> = deps
            .iter()
            .filter_map(|(n, p)| {
                Some((
                    n.to_ascii_lowercase(),
                    p.get("resolved")?.as_str()?.to_string(),
                ))
            })
            .collect();
        for (name, p) in deps {
            let Some(version) = p.get("resolved").and_then(Value::as_str) else {
                continue;
            };
            let ty = p.get("type").and_then(Value::as_str).unwrap_or("");
            let mut c = Component::new(Ecosystem::NuGet, name, version)
                .at_line(lines.find(&[&format!("\"{name}\": {{")]));
            c.direct = ty.eq_ignore_ascii_case("direct");
            c.is_root = ty.eq_ignore_ascii_case("project");
            c.scope = Scope::Runtime;
            c.source = Some("https://api.nuget.org/v3/index.json".into());
            if let Some(h) = p.get("contentHash").and_then(Value::as_str)
                && let Ok(b) = base64::engine::general_purpose::STANDARD.decode(h)
            {
                c.hashes.push(Hash::new("SHA-512", hex::encode(b)));
            }
            if let Some(d) = p.get("dependencies").and_then(Value::as_object) {
                for dn in d.keys() {
                    if let Some(dv) = versions.get(&dn.to_ascii_lowercase()) {
                        c.dependencies
                            .push(crate::purl::for_package(Ecosystem::NuGet, dn, dv));
                    }
                }
            }
            out.components.push(c);
        }
    }
    Ok(out)
}
