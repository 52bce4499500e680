//! yarn.lock, classic (v1) and berry (v2+, YAML). One line-based reader serves both: their
//! entry layout is the same (a key line of descriptors, indented fields, a dependency block).

use super::{ParseError, Siblings};
use crate::component::{Component, Ecosystem, Hash, Parsed, Scope};
use std::collections::{HashMap, HashSet};

struct Entry {
    descriptors: Vec<String>,
    line: u32,
    version: Option<String>,
    resolved: Option<String>,
    integrity: Option<String>,
    checksum: Option<String>,
    link_soft: bool,
    deps: Vec<(String, String)>,
}

fn unquote(s: &str) -> &str {
    s.trim().trim_matches('"')
}

/// `"@scope/name@npm:^1.0.0"` → (`@scope/name`, `npm:^1.0.0`).
fn split_descriptor(d: &str) -> (&str, &str) {
    let d = unquote(d);
    // the first '@' after the first character (scoped names start with one)
    match d.char_indices().skip(1).find(|&(_, c)| c == '@') {
        Some((i, _)) => (&d[..i], &d[i + 1..]),
        None => (d, ""),
    }
}

/// The registry name of the package an entry resolved to. An alias descriptor
/// (`string-width-cjs@npm:string-width@^4.2.0`) installs `string-width` under another folder
/// name; advisories and the purl are about the real package, so the alias must not name it.
fn real_name(e: &Entry) -> Option<String> {
    // berry: `resolution: "string-width@npm:4.2.3"` names it exactly
    if let Some(r) = e.resolved.as_deref().filter(|r| !r.contains("://")) {
        let (n, _) = split_descriptor(r);
        if !n.is_empty() {
            return Some(n.to_string());
        }
    }
    let mut alias_target = None;
    for d in &e.descriptors {
        let (n, range) = split_descriptor(d);
        match range.strip_prefix("npm:").map(split_descriptor) {
            Some((target, rest)) if !rest.is_empty() && !target.is_empty() => {
                alias_target.get_or_insert_with(|| target.to_string());
            }
            _ => return Some(n.to_string()),
        }
    }
    alias_target
}

pub fn parse(text: &str, siblings: &dyn Siblings) -> Result<Parsed, ParseError> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut in_deps = false;
    for (i, raw) in text.lines().enumerate() {
        let lineno = i as u32 + 1;
        if raw.trim().is_empty() || raw.trim_start().starts_with('#') {
            continue;
        }
        let indent = raw.len() - raw.trim_start().len();
        let line = raw.trim();
        if indent == 0 {
            if !line.ends_with(':') {
                return Err(ParseError::new(
                    lineno,
                    1,
                    format!("expected an entry like `name@range:`, found {line:?}"),
                ));
            }
            let key = &line[..line.len() - 1];
            if key == "__metadata" {
                entries.push(Entry {
                    descriptors: Vec::new(),
                    line: lineno,
                    version: None,
                    resolved: None,
                    integrity: None,
                    checksum: None,
                    link_soft: false,
                    deps: Vec::new(),
                });
                continue;
            }
            entries.push(Entry {
                descriptors: unquote(key)
                    .split(", ")
                    .map(|s| unquote(s).to_string())
                    .collect(),
                line: lineno,
                version: None,
                resolved: None,
                integrity: None,
                checksum: None,
                link_soft: false,
                deps: Vec::new(),
            });
            in_deps = false;
            continue;
        }
        let Some(e) = entries.last_mut() else {
            return Err(ParseError::new(lineno, 1, "indented line before any entry"));
        };
        if indent <= 2 {
            in_deps = matches!(
                line,
                "dependencies:" | "optionalDependencies:" | "peerDependencies:"
            );
            let (k, v) = match line.split_once(": ") {
                Some((k, v)) => (k, v),
                None => match line.split_once(' ') {
                    Some((k, v)) => (k, v),
                    None => (line.trim_end_matches(':'), ""),
                },
            };
            let v = unquote(v).to_string();
            match k {
                "version" => e.version = Some(v),
                "resolved" => e.resolved = Some(v),
                "resolution" => e.resolved = Some(v),
                "integrity" => e.integrity = Some(v),
                "checksum" => e.checksum = Some(v),
                "linkType" => e.link_soft = v == "soft",
                _ => {}
            }
        } else if in_deps {
            let (k, v) = match line.split_once(": ") {
                Some(kv) => kv,
                None => line.split_once(' ').unwrap_or((line, "")),
            };
            e.deps
                .push((unquote(k).to_string(), unquote(v).to_string()));
        }
    }
    // descriptor ("name@range") → (name, version)
    let mut by_desc: HashMap<String, (String, String)> = HashMap::new();
    for e in &entries {
        if let (Some(v), Some(n)) = (&e.version, real_name(e)) {
            for d in &e.descriptors {
                by_desc.insert(d.clone(), (n.clone(), v.clone()));
            }
        }
    }
    let lookup = |name: &str, range: &str| -> Option<String> {
        let keys = [
            format!("{name}@{range}"),
            format!("{name}@npm:{range}"),
            format!("{name}@{}", range.trim_start_matches("npm:")),
        ];
        keys.iter()
            .find_map(|k| by_desc.get(k))
            .map(|(n, v)| crate::purl::for_package(Ecosystem::Npm, n, v))
    };
    // Direct dependencies come from package.json beside the lockfile.
    let mut direct: HashSet<String> = HashSet::new();
    let mut dev: HashSet<String> = HashSet::new();
    if let Some(pj) = siblings
        .read("package.json")
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
    {
        for k in ["dependencies", "optionalDependencies", "peerDependencies"] {
            if let Some(m) = pj.get(k).and_then(|v| v.as_object()) {
                for (n, r) in m {
                    if let Some(p) = lookup(n, r.as_str().unwrap_or("")) {
                        direct.insert(p);
                    }
                }
            }
        }
        if let Some(m) = pj.get("devDependencies").and_then(|v| v.as_object()) {
            for (n, r) in m {
                if let Some(p) = lookup(n, r.as_str().unwrap_or("")) {
                    direct.insert(p.clone());
                    dev.insert(p);
                }
            }
        }
    }
    let mut out = Parsed::default();
    for e in &entries {
        let (Some(version), Some(first), Some(name)) =
            (&e.version, e.descriptors.first(), real_name(e))
        else {
            continue;
        };
        let (_, range) = split_descriptor(first);
        let mut c = Component::new(Ecosystem::Npm, &name, version).at_line(e.line);
        if e.link_soft || range.starts_with("workspace:") {
            c.is_root = true;
        }
        c.direct = direct.contains(&c.purl);
        c.scope = if dev.contains(&c.purl) {
            Scope::Dev
        } else if direct.is_empty() {
            Scope::Unknown
        } else {
            Scope::Runtime
        };
        c.source = e.resolved.clone();
        if let Some(h) = e.integrity.as_deref().and_then(Hash::from_sri) {
            c.hashes.push(h);
        }
        if let Some(sum) = &e.checksum {
            // berry: `<cache key>/<sha512 hex>` or plain hex
            let hexpart = sum.rsplit('/').next().unwrap_or(sum);
            if hexpart.len() == 128 && hexpart.bytes().all(|b| b.is_ascii_hexdigit()) {
                c.hashes.push(Hash::new("SHA-512", hexpart));
            }
        }
        c.dependencies = e.deps.iter().filter_map(|(n, r)| lookup(n, r)).collect();
        out.components.push(c);
    }
    // Transitive dev-only packages: reachable only from dev direct dependencies.
    if !dev.is_empty() {
        let graph: HashMap<String, Vec<String>> = out
            .components
            .iter()
            .map(|c| (c.purl.clone(), c.dependencies.clone()))
            .collect();
        let reach = |starts: Vec<String>| {
            let mut seen: HashSet<String> = HashSet::new();
            let mut stack = starts;
            while let Some(p) = stack.pop() {
                if seen.insert(p.clone())
                    && let Some(ds) = graph.get(&p)
                {
                    stack.extend(ds.iter().cloned());
                }
            }
            seen
        };
        let runtime = reach(direct.difference(&dev).cloned().collect());
        for c in &mut out.components {
            if !c.is_root {
                c.scope = if runtime.contains(&c.purl) {
                    Scope::Runtime
                } else {
                    Scope::Dev
                };
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::NoSiblings;

    #[test]
    fn classic_and_berry() {
        let classic = r#"# yarn lockfile v1


"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":
  version "7.12.13"
  resolved "https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.12.13.tgz#dcfc826beef65e75c50e21d3837d7d95798dd658"
  integrity sha512-HV1Cm0Q3ZrpCR93tkWOYiuYIgLxZXZFVG2VgK+MBWjUqZTundupbfx2aXarXuw5Ko5aMcjtJgbSs4vUGBS5v6g==
  dependencies:
    "@babel/highlight" "^7.12.13"

"@babel/highlight@^7.12.13":
  version "7.13.10"
"#;
        let p = parse(classic, &NoSiblings).unwrap();
        assert_eq!(p.components.len(), 2);
        assert_eq!(p.components[0].line, 4);
        assert_eq!(
            p.components[0].dependencies,
            vec!["pkg:npm/%40babel/highlight@7.13.10"]
        );
        let berry = r#"__metadata:
  version: 6
  cacheKey: 8

"lodash@npm:^4.17.20":
  version: 4.17.20
  resolution: "lodash@npm:4.17.20"
  checksum: b31afa09739b7292a88ec49ffdb2fcaeb41f690def010f7a067eeedffece32da6b6ac40cfe6e8f11e8b1a5d4f8cf2cc8f2fa2a4d0e1d1d4d5a0cb8a81c3ce6e5
  languageName: node
  linkType: hard
"#;
        let p = parse(berry, &NoSiblings).unwrap();
        assert_eq!(p.components[0].purl, "pkg:npm/lodash@4.17.20");
        assert_eq!(p.components[0].hashes[0].alg, "SHA-512");
        assert!(parse("not a lockfile", &NoSiblings).is_err());
    }

    /// An alias (`wrap-ansi-cjs@npm:wrap-ansi@^7`) installs the real package under another
    /// folder name; the component must name the real package (as in JupyterLab's yarn.lock).
    #[test]
    fn aliases_name_the_real_package() {
        let berry = r#"__metadata:
  version: 6

"app@workspace:.":
  version: 0.0.0-use.local
  resolution: "app@workspace:."
  dependencies:
    wrap-ansi-cjs: "npm:wrap-ansi@^7.0.0"
  languageName: unknown
  linkType: soft

"wrap-ansi-cjs@npm:wrap-ansi@^7.0.0, wrap-ansi@npm:^7.0.0":
  version: 7.0.0
  resolution: "wrap-ansi@npm:7.0.0"
  languageName: node
  linkType: hard
"#;
        let p = parse(berry, &NoSiblings).unwrap();
        assert_eq!(p.components[1].purl, "pkg:npm/wrap-ansi@7.0.0");
        assert_eq!(
            p.components[0].dependencies,
            vec!["pkg:npm/wrap-ansi@7.0.0"]
        );
        let classic = r#"# yarn lockfile v1

"string-width-cjs@npm:string-width@^4.2.0":
  version "4.2.3"
  resolved "https://registry.yarnpkg.com/string-width/-/string-width-4.2.3.tgz"
"#;
        let p = parse(classic, &NoSiblings).unwrap();
        assert_eq!(p.components[0].purl, "pkg:npm/string-width@4.2.3");
    }
}
