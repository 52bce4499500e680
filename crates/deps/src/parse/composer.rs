//! composer.lock (with composer.json beside it for direct dependencies).

use super::{Lines, ParseError, Siblings};
use crate::component::{Component, Ecosystem, Hash, Parsed, Scope};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

pub fn parse(text: &str, siblings: &dyn Siblings) -> Result<Parsed, ParseError> {
    let doc: Value = serde_json::from_str(text).map_err(|e| ParseError::json(&e))?;
    let lines = Lines::new(text);
    let mut direct: HashSet<String> = HashSet::new();
    if let Some(cj) = siblings
        .read("composer.json")
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
    {
        for k in ["require", "require-dev"] {
            if let Some(m) = cj.get(k).and_then(Value::as_object) {
                direct.extend(m.keys().map(|n| n.to_ascii_lowercase()));
            }
        }
    }
    let mut all: Vec<(&Value, Scope)> = Vec::new();
    for (k, scope) in [("packages", Scope::Runtime), ("packages-dev", Scope::Dev)] {
        if let Some(a) = doc.get(k).and_then(Value::as_array) {
            all.extend(a.iter().map(|p| (p, scope)));
        }
    }
    let versions: HashMap<String, String> = all
        .iter()
        .filter_map(|(p, _)| {
            Some((
                p.get("name")?.as_str()?.to_ascii_lowercase(),
                p.get("version")?.as_str()?.to_string(),
            ))
        })
        .collect();
    let mut out = Parsed::default();
    for (p, scope) in all {
        let (Some(name), Some(version)) = (
            p.get("name").and_then(Value::as_str),
            p.get("version").and_then(Value::as_str),
        ) else {
            continue;
        };
        let line = lines.find(&[&format!("\"name\": \"{name}\"")]);
        let mut c = Component::new(Ecosystem::Packagist, name, version).at_line(line);
        c.scope = scope;
        c.direct = direct.contains(&name.to_ascii_lowercase());
        c.source = p
            .pointer("/dist/url")
            .or_else(|| p.pointer("/source/url"))
            .and_then(Value::as_str)
            .map(str::to_string);
        if let Some(sha1) = p.pointer("/dist/shasum").and_then(Value::as_str)
            && !sha1.is_empty()
        {
            c.hashes.push(Hash::new("SHA-1", sha1));
        }
        if let Some(l) = p.get("license").and_then(Value::as_array) {
            c.licenses = l
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect();
        }
        if let Some(req) = p.get("require").and_then(Value::as_object) {
            for d in req.keys() {
                if let Some(v) = versions.get(&d.to_ascii_lowercase()) {
                    c.dependencies
                        .push(crate::purl::for_package(Ecosystem::Packagist, d, v));
                }
            }
        }
        out.components.push(c);
    }
    Ok(out)
}
