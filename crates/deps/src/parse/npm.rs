//! package-lock.json / npm-shrinkwrap.json, lockfileVersion 1, 2 and 3.

use super::{Lines, ParseError};
use crate::component::{Component, Ecosystem, Hash, Parsed, Scope};
use serde_json::{Map, Value};
use std::collections::HashSet;

pub fn parse(text: &str) -> Result<Parsed, ParseError> {
    let doc: Value = serde_json::from_str(text).map_err(|e| ParseError::json(&e))?;
    let version = doc
        .get("lockfileVersion")
        .and_then(Value::as_u64)
        .unwrap_or(1);
    if version > 3 {
        return Err(ParseError::new(
            1,
            1,
            format!("unknown lockfileVersion {version} (known: 1 to 3)"),
        ));
    }
    let lines = Lines::new(text);
    match doc.get("packages").and_then(Value::as_object) {
        Some(pkgs) if version >= 2 => Ok(v2(pkgs, &lines)),
        _ => Ok(v1(&doc, &lines)),
    }
}

fn name_from_path(path: &str) -> &str {
    match path.rfind("node_modules/") {
        Some(i) => &path[i + "node_modules/".len()..],
        None => path,
    }
}

fn scope_of(p: &Value) -> Scope {
    let flag = |k: &str| p.get(k).and_then(Value::as_bool).unwrap_or(false);
    if flag("dev") {
        Scope::Dev
    } else if flag("optional") {
        Scope::Optional
    } else if flag("devOptional") {
        Scope::Dev
    } else {
        Scope::Runtime
    }
}

fn dep_names(p: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for k in ["dependencies", "optionalDependencies", "peerDependencies"] {
        if let Some(m) = p.get(k).and_then(Value::as_object) {
            out.extend(m.keys().cloned());
        }
    }
    out
}

fn v2(pkgs: &Map<String, Value>, lines: &Lines<'_>) -> Parsed {
    let root = pkgs.get("").cloned().unwrap_or(Value::Null);
    let mut direct: HashSet<String> = HashSet::new();
    for k in [
        "dependencies",
        "devDependencies",
        "optionalDependencies",
        "peerDependencies",
    ] {
        if let Some(m) = root.get(k).and_then(Value::as_object) {
            direct.extend(m.keys().map(|n| format!("node_modules/{n}")));
        }
    }
    // Workspace members are linked: their dependencies are direct too.
    for (path, p) in pkgs {
        if !path.is_empty() && !path.contains("node_modules/") {
            for n in dep_names(p) {
                direct.insert(format!("node_modules/{n}"));
            }
            if let Some(m) = p.get("devDependencies").and_then(Value::as_object) {
                direct.extend(m.keys().map(|n| format!("node_modules/{n}")));
            }
        }
    }
    let purl_of = |path: &str| -> Option<String> {
        let p = pkgs.get(path)?;
        let name = p
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_else(|| name_from_path(path));
        let version = p.get("version").and_then(Value::as_str)?;
        Some(crate::purl::for_package(Ecosystem::Npm, name, version))
    };
    // Node resolution: look for node_modules/<dep> from the package's folder upwards.
    let resolve = |from: &str, dep: &str| -> Option<String> {
        let mut base = from.to_string();
        loop {
            let cand = if base.is_empty() {
                format!("node_modules/{dep}")
            } else {
                format!("{base}/node_modules/{dep}")
            };
            if pkgs.contains_key(&cand) {
                return Some(cand);
            }
            if base.is_empty() {
                return None;
            }
            base = match base.rfind("/node_modules/") {
                Some(i) => base[..i].to_string(),
                None => String::new(),
            };
        }
    };
    let mut out = Parsed::default();
    for (path, p) in pkgs {
        // links point at a workspace folder listed under its own path; the root ("") is the
        // project itself, listed when it has a name
        if p.get("link").and_then(Value::as_bool) == Some(true)
            || (path.is_empty() && p.get("name").is_none())
        {
            continue;
        }
        let Some(version) = p.get("version").and_then(Value::as_str) else {
            continue;
        };
        let name = p
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_else(|| name_from_path(path));
        let line = lines.find(&[&format!("\"{path}\": {{")]);
        let mut c = Component::new(Ecosystem::Npm, name, version).at_line(line);
        if !path.contains("node_modules/") {
            c.is_root = true;
        }
        c.direct = direct.contains(path.as_str());
        c.scope = scope_of(p);
        c.source = p
            .get("resolved")
            .and_then(Value::as_str)
            .map(str::to_string);
        if let Some(h) = p
            .get("integrity")
            .and_then(Value::as_str)
            .and_then(Hash::from_sri)
        {
            c.hashes.push(h);
        }
        if let Some(l) = p.get("license").and_then(Value::as_str) {
            c.licenses.push(l.to_string());
        }
        c.dependencies = dep_names(p)
            .iter()
            .filter_map(|d| resolve(path, d).and_then(|q| purl_of(&q)))
            .collect();
        out.components.push(c);
    }
    out
}

fn v1(doc: &Value, lines: &Lines<'_>) -> Parsed {
    let mut out = Parsed::default();
    fn walk(
        deps: &Map<String, Value>,
        top: bool,
        parents: &[&Map<String, Value>],
        lines: &Lines<'_>,
        out: &mut Parsed,
    ) {
        for (name, p) in deps {
            let Some(version) = p.get("version").and_then(Value::as_str) else {
                continue;
            };
            // git or file dependencies write a URL as the version
            let (version, source) = if version.contains(':') {
                ("", Some(version.to_string()))
            } else {
                (version, None)
            };
            let line = lines.find(&[&format!("\"{name}\": {{")]);
            let mut c = Component::new(Ecosystem::Npm, name, version).at_line(line);
            c.direct = top;
            c.scope = scope_of(p);
            c.source = source.or_else(|| {
                p.get("resolved")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            });
            if let Some(h) = p
                .get("integrity")
                .and_then(Value::as_str)
                .and_then(Hash::from_sri)
            {
                c.hashes.push(h);
            }
            let nested = p.get("dependencies").and_then(Value::as_object);
            if let Some(req) = p.get("requires").and_then(Value::as_object) {
                for r in req.keys() {
                    let found = nested
                        .and_then(|n| n.get(r))
                        .or_else(|| deps.get(r))
                        .or_else(|| parents.iter().rev().find_map(|m| m.get(r)));
                    if let Some(v) = found.and_then(|f| f.get("version")).and_then(Value::as_str) {
                        c.dependencies
                            .push(crate::purl::for_package(Ecosystem::Npm, r, v));
                    }
                }
            }
            out.components.push(c);
            if let Some(n) = nested {
                let mut ps = parents.to_vec();
                ps.push(deps);
                walk(n, false, &ps, lines, out);
            }
        }
    }
    if let Some(deps) = doc.get("dependencies").and_then(Value::as_object) {
        walk(deps, true, &[], lines, &mut out);
    }
    // v1 marks every top-level entry; only those the manifest declares are truly direct,
    // which the lockfile alone cannot tell: keep top-level as direct.
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v3_graph_and_scopes() {
        let text = r#"{
  "name": "demo", "lockfileVersion": 3,
  "packages": {
    "": {"name": "demo", "dependencies": {"a": "^1"}, "devDependencies": {"@t/b": "^2"}},
    "node_modules/a": {"version": "1.0.0", "resolved": "https://registry.npmjs.org/a/-/a-1.0.0.tgz",
      "integrity": "sha512-AAAA", "dependencies": {"c": "^1"}},
    "node_modules/@t/b": {"version": "2.0.0", "dev": true},
    "node_modules/c": {"version": "1.1.0"},
    "node_modules/a/node_modules/c": {"version": "0.9.0"}
  }
}"#;
        let p = parse(text).unwrap();
        let get = |purl: &str| p.components.iter().find(|c| c.purl == purl).unwrap();
        let a = get("pkg:npm/a@1.0.0");
        assert!(a.direct);
        assert_eq!(a.dependencies, vec!["pkg:npm/c@0.9.0"]);
        assert_eq!(a.line, 5);
        let b = get("pkg:npm/%40t/b@2.0.0");
        assert_eq!(b.scope, Scope::Dev);
        assert!(!get("pkg:npm/c@1.1.0").direct);
        assert!(parse(r#"{"lockfileVersion": 9}"#).is_err());
    }
}
