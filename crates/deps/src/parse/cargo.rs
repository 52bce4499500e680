//! Cargo.lock (versions 1–4).

use super::ParseError;
use crate::component::{Component, Ecosystem, Hash, Parsed, Scope};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    version: Option<u32>,
    #[serde(default)]
    package: Vec<Package>,
    #[serde(default)]
    metadata: HashMap<String, String>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    version: String,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    checksum: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
}

pub fn parse(text: &str) -> Result<Parsed, ParseError> {
    let lock: Lock = toml::from_str(text).map_err(|e| ParseError::toml(text, &e))?;
    if let Some(v) = lock.version
        && v > 4
    {
        return Err(ParseError::new(
            1,
            1,
            format!("unknown Cargo.lock version {v} (known: 1 to 4)"),
        ));
    }
    let lines = super::name_version_lines(text);
    // name -> versions, to resolve `dependencies = ["name"]` / `"name version"` entries.
    let mut by_name: HashMap<&str, Vec<&Package>> = HashMap::new();
    for p in &lock.package {
        by_name.entry(p.name.as_str()).or_default().push(p);
    }
    let resolve = |dep: &str| -> Option<&Package> {
        let mut it = dep.split(' ');
        let name = it.next()?;
        let version = it.next();
        let cands = by_name.get(name)?;
        match version {
            Some(v) => cands.iter().copied().find(|p| p.version == v),
            None => cands.first().copied(),
        }
    };
    let purl = |p: &Package| crate::purl::for_package(Ecosystem::CratesIo, &p.name, &p.version);
    // Workspace members have no source; what they depend on is direct.
    let mut direct: HashSet<String> = HashSet::new();
    for p in lock.package.iter().filter(|p| p.source.is_none()) {
        for d in &p.dependencies {
            if let Some(q) = resolve(d) {
                direct.insert(purl(q));
            }
        }
    }
    let mut out = Parsed::default();
    for p in &lock.package {
        let line = lines
            .get(&(p.name.clone(), p.version.clone()))
            .copied()
            .unwrap_or(1);
        let mut c = Component::new(Ecosystem::CratesIo, &p.name, &p.version).at_line(line);
        c.is_root = p.source.is_none();
        c.direct = direct.contains(&c.purl);
        // Cargo.lock does not record dev-only use.
        c.scope = if c.is_root {
            Scope::Runtime
        } else {
            Scope::Unknown
        };
        c.source = p.source.clone();
        let checksum = p.checksum.clone().or_else(|| {
            // version 1 keeps checksums in [metadata]
            let key = format!(
                "checksum {} {} ({})",
                p.name,
                p.version,
                p.source.as_deref().unwrap_or("")
            );
            lock.metadata.get(&key).cloned()
        });
        if let Some(sum) = checksum {
            c.hashes.push(Hash::new("SHA-256", sum));
        }
        c.dependencies = p
            .dependencies
            .iter()
            .filter_map(|d| resolve(d).map(purl))
            .collect();
        out.components.push(c);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_and_graph() {
        let text = r#"version = 4

[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "serde",
]

[[package]]
name = "serde"
version = "1.0.200"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "ddc6f9cc94d67c0e21aaf7eda3a010fd3af78ebf6e096aa6e2e13c79749cce4f"
"#;
        let p = parse(text).unwrap();
        assert_eq!(p.components.len(), 2);
        let serde = &p.components[1];
        assert!(serde.direct);
        assert_eq!(serde.line, 11);
        assert_eq!(serde.purl, "pkg:cargo/serde@1.0.200");
        assert_eq!(
            p.components[0].dependencies,
            vec!["pkg:cargo/serde@1.0.200"]
        );
        let err = parse("[[package]]\nname = 3\n").unwrap_err();
        assert_eq!(err.line, 2);
    }
}
