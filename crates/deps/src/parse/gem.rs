//! Gemfile.lock (Bundler).

use super::ParseError;
use crate::component::{Component, Ecosystem, Parsed, Scope};
use std::collections::{HashMap, HashSet};

/// One spec of a source section: name, version, line, source, dependency names.
type Spec = (String, String, u32, Option<String>, Vec<String>, String);

pub fn parse(text: &str) -> Result<Parsed, ParseError> {
    let mut section = "";
    let mut remote: Option<String> = None;
    let mut direct: HashSet<String> = HashSet::new();
    // (name, version, line, source, deps, platform)
    let mut specs: Vec<Spec> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let lineno = i as u32 + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let indent = raw.len() - raw.trim_start().len();
        let l = raw.trim();
        if indent == 0 {
            section = match l {
                "GEM" | "GIT" | "PATH" | "PLUGIN SOURCE" => {
                    remote = None;
                    "source"
                }
                "DEPENDENCIES" => "deps",
                _ => "other",
            };
            continue;
        }
        match (section, indent) {
            ("source", 2) => {
                if let Some(r) = l.strip_prefix("remote: ") {
                    remote = Some(r.to_string());
                }
            }
            ("source", 4) => {
                let (name, ver) = l
                    .split_once(" (")
                    .ok_or_else(|| ParseError::new(lineno, 5, "expected `name (version)`"))?;
                let ver = ver.trim_end_matches(')');
                // platform-specific gems: `nokogiri (1.13.0-x86_64-linux)` (a gem version
                // never holds '-'); kept as the purl's `platform` qualifier, a separate package
                let (ver, platform) = ver.split_once('-').unwrap_or((ver, ""));
                let src = remote.clone().map(|r| {
                    if r.starts_with("http") || r.starts_with("git") && !r.ends_with(".git") {
                        r
                    } else if r.contains("://") || r.ends_with(".git") {
                        format!("git+{r}")
                    } else {
                        format!("path:{r}")
                    }
                });
                specs.push((
                    name.to_string(),
                    ver.to_string(),
                    lineno,
                    src,
                    Vec::new(),
                    platform.to_string(),
                ));
            }
            ("source", 6) => {
                if let Some(s) = specs.last_mut() {
                    let dn = l.split(' ').next().unwrap_or(l);
                    s.4.push(dn.to_string());
                }
            }
            ("deps", 2) => {
                let n = l.split([' ', '!']).next().unwrap_or(l);
                direct.insert(n.to_string());
            }
            _ => {}
        }
    }
    let versions: HashMap<String, String> =
        specs.iter().map(|s| (s.0.clone(), s.1.clone())).collect();
    let mut out = Parsed::default();
    for (name, ver, line, src, deps, platform) in specs {
        let mut c = Component::new(Ecosystem::RubyGems, &name, &ver).at_line(line);
        if !platform.is_empty() {
            c.purl = format!("{}?platform={platform}", c.purl);
        }
        c.direct = direct.contains(&name);
        c.scope = Scope::Unknown;
        c.source = src;
        c.dependencies = deps
            .iter()
            .filter_map(|d| {
                versions
                    .get(d)
                    .map(|v| crate::purl::for_package(Ecosystem::RubyGems, d, v))
            })
            .collect();
        out.components.push(c);
    }
    Ok(out)
}
