//! go.mod (with go.sum beside it for hashes) and go.sum alone.

use super::{ParseError, Siblings};
use crate::component::{Component, Ecosystem, Hash, Parsed, Scope};
use std::collections::HashMap;

const PROXY: &str = "https://proxy.golang.org";

/// `h1:<base64 sha256>` lines of go.sum: (module, version) → hash.
fn sums(text: &str) -> HashMap<(String, String), Hash> {
    use base64::Engine;
    let mut out = HashMap::new();
    for l in text.lines() {
        let mut it = l.split_whitespace();
        let (Some(m), Some(v), Some(h)) = (it.next(), it.next(), it.next()) else {
            continue;
        };
        if v.ends_with("/go.mod") {
            continue;
        }
        if let Some(b64) = h.strip_prefix("h1:")
            && let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(b64)
        {
            out.insert(
                (m.to_string(), v.to_string()),
                Hash::new("SHA-256", hex::encode(bytes)),
            );
        }
    }
    out
}

pub fn go_mod(text: &str, siblings: &dyn Siblings) -> Result<Parsed, ParseError> {
    let sum = siblings
        .read("go.sum")
        .map(|t| sums(&t))
        .unwrap_or_default();
    let mut out = Parsed::default();
    let mut block: Option<&str> = None;
    let mut module: Option<String> = None;
    let mut replaces: HashMap<String, (String, String)> = HashMap::new();
    let mut reqs: Vec<(u32, String, String, bool)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let lineno = i as u32 + 1;
        let (code, comment) = match raw.split_once("//") {
            Some((c, m)) => (c.trim(), m.trim()),
            None => (raw.trim(), ""),
        };
        if code.is_empty() {
            continue;
        }
        if code == ")" {
            block = None;
            continue;
        }
        let (verb, rest) = match block {
            Some(b) => (b, code),
            None => {
                let (v, r) = code.split_once(char::is_whitespace).unwrap_or((code, ""));
                if r.trim() == "(" {
                    block = Some(match v {
                        "require" => "require",
                        "replace" => "replace",
                        "exclude" => "exclude",
                        "retract" => "retract",
                        "tool" => "tool",
                        "godebug" => "godebug",
                        _ => {
                            return Err(ParseError::new(
                                lineno,
                                1,
                                format!("unknown go.mod block {v:?}"),
                            ));
                        }
                    });
                    continue;
                }
                (v, r.trim())
            }
        };
        let words: Vec<&str> = rest
            .split_whitespace()
            .map(|w| w.trim_matches('"'))
            .collect();
        match verb {
            "module" => module = words.first().map(|s| s.to_string()),
            "require" => {
                let [m, v, ..] = words[..] else {
                    return Err(ParseError::new(
                        lineno,
                        1,
                        "require needs a module and a version",
                    ));
                };
                reqs.push((
                    lineno,
                    m.to_string(),
                    v.to_string(),
                    comment.contains("indirect"),
                ));
            }
            "replace" => {
                if let Some(arrow) = words.iter().position(|w| *w == "=>") {
                    let from = words[0].to_string();
                    let to = words.get(arrow + 1).copied().unwrap_or("").to_string();
                    let tov = words.get(arrow + 2).copied().unwrap_or("").to_string();
                    replaces.insert(from, (to, tov));
                }
            }
            _ => {}
        }
    }
    if let Some(m) = &module {
        let mut root = Component::new(Ecosystem::Go, m, "");
        root.is_root = true;
        root.scope = Scope::Runtime;
        out.components.push(root);
    }
    let mut root_deps = Vec::new();
    for (line, m, v, indirect) in reqs {
        let (name, version, source) = match replaces.get(&m) {
            Some((to, tov)) if to.starts_with('.') || to.starts_with('/') => {
                (m.clone(), v.clone(), format!("path:{to}"))
            }
            Some((to, tov)) if !tov.is_empty() => (to.clone(), tov.clone(), PROXY.to_string()),
            _ => (m.clone(), v.clone(), PROXY.to_string()),
        };
        let mut c = Component::new(Ecosystem::Go, &name, &version).at_line(line);
        c.direct = !indirect;
        c.scope = Scope::Runtime;
        c.source = Some(source);
        if let Some(h) = sum.get(&(name.clone(), version.clone())) {
            c.hashes.push(h.clone());
        }
        if c.direct {
            root_deps.push(c.purl.clone());
        }
        out.components.push(c);
    }
    if module.is_some() {
        out.components[0].dependencies = root_deps;
    }
    Ok(out)
}

pub fn go_sum(text: &str) -> Result<Parsed, ParseError> {
    let mut out = Parsed::default();
    for (i, l) in text.lines().enumerate() {
        let mut it = l.split_whitespace();
        let (Some(m), Some(v)) = (it.next(), it.next()) else {
            if !l.trim().is_empty() {
                return Err(ParseError::new(
                    i as u32 + 1,
                    1,
                    "expected `module version hash`",
                ));
            }
            continue;
        };
        if v.ends_with("/go.mod") {
            continue;
        }
        let mut c = Component::new(Ecosystem::Go, m, v).at_line(i as u32 + 1);
        c.source = Some(PROXY.to_string());
        if let Some(h) = sums(l).into_values().next() {
            c.hashes.push(h);
        }
        out.components.push(c);
    }
    Ok(out)
}
