//! pnpm-lock.yaml, lockfile versions 5.x, 6.x and 9.x.

use super::{Lines, ParseError};
use crate::component::{Component, Ecosystem, Hash, Parsed, Scope};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// Splits a package key into (name, version) for every lockfile generation:
/// `/name/1.0.0` (v5), `/name@1.0.0(peer@2)` (v6), `name@1.0.0(peer@2)` (v9).
fn split_key(key: &str) -> Option<(String, String)> {
    let k = key.strip_prefix('/').unwrap_or(key);
    let k = k.split('(').next().unwrap_or(k);
    let at = k
        .char_indices()
        .skip(1)
        .find(|&(_, c)| c == '@')
        .map(|(i, _)| i);
    if let Some(at) = at {
        return Some((
            k[..at].to_string(),
            k[at + 1..].split('_').next()?.to_string(),
        ));
    }
    // v5: /@scope/name/1.0.0 or /name/1.0.0
    let (name, version) = k.rsplit_once('/')?;
    Some((name.to_string(), version.split('_').next()?.to_string()))
}

/// A version as an importer writes it: `1.0.0`, `1.0.0(react@18.0.0)`, `link:../x`.
fn clean_version(v: &str) -> &str {
    v.split('(')
        .next()
        .unwrap_or(v)
        .split('_')
        .next()
        .unwrap_or(v)
}

pub fn parse(text: &str) -> Result<Parsed, ParseError> {
    let doc = ParseError::yaml_json(text)?;
    let lv = match doc.get("lockfileVersion") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let major: u32 = lv
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    if !(5..=9).contains(&major) {
        return Err(ParseError::new(
            1,
            1,
            format!("unknown pnpm lockfileVersion {lv:?} (known: 5 to 9)"),
        ));
    }
    let lines = Lines::new(text);
    // Direct dependencies: `importers` (workspaces, v9) or the top-level sections (v5/v6).
    let mut direct: HashMap<String, Scope> = HashMap::new();
    let mut importers: Vec<&Value> = Vec::new();
    if let Some(m) = doc.get("importers").and_then(Value::as_object) {
        importers.extend(m.values());
    } else {
        importers.push(&doc);
    }
    for imp in importers {
        for (sec, scope) in [
            ("dependencies", Scope::Runtime),
            ("optionalDependencies", Scope::Optional),
            ("devDependencies", Scope::Dev),
        ] {
            if let Some(m) = imp.get(sec).and_then(Value::as_object) {
                for (n, v) in m {
                    let ver = match v {
                        Value::String(s) => s.as_str(),
                        other => other.get("version").and_then(Value::as_str).unwrap_or(""),
                    };
                    let ver = clean_version(ver);
                    let key = crate::purl::for_package(Ecosystem::Npm, n, ver);
                    let e = direct.entry(key).or_insert(scope);
                    if scope < *e {
                        *e = scope;
                    }
                }
            }
        }
    }
    let empty = serde_json::Map::new();
    let packages = doc
        .get("packages")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let snapshots = doc.get("snapshots").and_then(Value::as_object);
    let mut out = Parsed::default();
    let mut seen: HashSet<String> = HashSet::new();
    for (key, p) in packages {
        let Some((name, version)) = split_key(key) else {
            continue;
        };
        let mut c = Component::new(Ecosystem::Npm, &name, &version)
            .at_line(lines.find(&[&format!("{key}:")]));
        if !seen.insert(c.purl.clone()) {
            continue;
        }
        let flag = |k: &str| p.get(k).and_then(Value::as_bool).unwrap_or(false);
        c.scope = if flag("dev") {
            Scope::Dev
        } else if flag("optional") {
            Scope::Optional
        } else if p.get("dev").is_some() {
            Scope::Runtime
        } else {
            Scope::Unknown
        };
        if let Some(s) = direct.get(&c.purl) {
            c.direct = true;
            if c.scope == Scope::Unknown {
                c.scope = *s;
            }
        }
        if let Some(res) = p.get("resolution") {
            if let Some(h) = res
                .get("integrity")
                .and_then(Value::as_str)
                .and_then(Hash::from_sri)
            {
                c.hashes.push(h);
            }
            c.source = res
                .get("tarball")
                .or_else(|| res.get("repo"))
                .and_then(Value::as_str)
                .map(str::to_string);
        }
        // v9 keeps the graph in `snapshots`, earlier versions in the package entry.
        let mut dep_maps: Vec<&Value> = vec![p];
        if let Some(s) = snapshots {
            dep_maps.extend(
                s.iter()
                    .filter(|(k, _)| {
                        split_key(k).as_ref() == Some(&(name.clone(), version.clone()))
                    })
                    .map(|(_, v)| v),
            );
        }
        for m in dep_maps {
            for sec in ["dependencies", "optionalDependencies"] {
                if let Some(d) = m.get(sec).and_then(Value::as_object) {
                    for (n, v) in d {
                        let v = clean_version(v.as_str().unwrap_or(""));
                        // an alias value is a full key: `name@1.0.0` or `/name/1.0.0`
                        let purl = match split_key(v) {
                            Some((an, av)) if v.contains('@') || v.starts_with('/') => {
                                crate::purl::for_package(Ecosystem::Npm, &an, &av)
                            }
                            _ => crate::purl::for_package(Ecosystem::Npm, n, v),
                        };
                        if !c.dependencies.contains(&purl) {
                            c.dependencies.push(purl);
                        }
                    }
                }
            }
        }
        out.components.push(c);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_every_generation() {
        assert_eq!(
            split_key("/@babel/core/7.0.0"),
            Some(("@babel/core".into(), "7.0.0".into()))
        );
        assert_eq!(
            split_key("/react-dom@18.2.0(react@18.2.0)"),
            Some(("react-dom".into(), "18.2.0".into()))
        );
        assert_eq!(
            split_key("@types/node@20.1.0"),
            Some(("@types/node".into(), "20.1.0".into()))
        );
        assert!(parse("lockfileVersion: '99.0'\n").is_err());
        assert!(parse("lockfileVersion: [\n").is_err());
    }
}
