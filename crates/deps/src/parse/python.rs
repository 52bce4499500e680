//! Python: poetry.lock, uv.lock, Pipfile.lock and requirements files (pip's syntax, with
//! `-r`/`-c` includes, hashes and index options).

use super::{Lines, ParseError, Siblings};
use crate::component::{Component, Ecosystem, Hash, Parsed, Scope, line_of};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

const PYPI: &str = "https://pypi.org/simple";

fn norm(n: &str) -> String {
    Ecosystem::PyPI.normalize_name(n)
}

/// Direct dependencies and dev ones declared in a pyproject.toml (PEP 621, Poetry, PEP 735).
fn pyproject_direct(text: &str) -> (HashSet<String>, HashSet<String>) {
    let mut run = HashSet::new();
    let mut dev = HashSet::new();
    let Ok(doc) = toml::from_str::<toml::Value>(text) else {
        return (run, dev);
    };
    let req_name = |s: &str| {
        let end = s
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
            .unwrap_or(s.len());
        norm(&s[..end])
    };
    if let Some(deps) = doc
        .get("project")
        .and_then(|p| p.get("dependencies"))
        .and_then(|d| d.as_array())
    {
        run.extend(deps.iter().filter_map(|d| d.as_str()).map(req_name));
    }
    if let Some(groups) = doc.get("dependency-groups").and_then(|g| g.as_table()) {
        for g in groups.values().filter_map(|g| g.as_array()) {
            dev.extend(g.iter().filter_map(|d| d.as_str()).map(req_name));
        }
    }
    if let Some(poetry) = doc.get("tool").and_then(|t| t.get("poetry")) {
        if let Some(d) = poetry.get("dependencies").and_then(|d| d.as_table()) {
            run.extend(d.keys().filter(|k| *k != "python").map(|k| norm(k)));
        }
        if let Some(d) = poetry.get("dev-dependencies").and_then(|d| d.as_table()) {
            dev.extend(d.keys().map(|k| norm(k)));
        }
        if let Some(groups) = poetry.get("group").and_then(|g| g.as_table()) {
            for g in groups.values() {
                if let Some(d) = g.get("dependencies").and_then(|d| d.as_table()) {
                    dev.extend(d.keys().map(|k| norm(k)));
                }
            }
        }
    }
    (run, dev)
}

/// A PEP 508 requirement (`requests[socks] >= 2.0, <3 ; python_version < "3.12"`): name and
/// version specifier (empty for any version); `None` for a direct URL reference (`@ …`).
fn pep508(req: &str) -> Option<(String, String)> {
    let req = req.split(';').next().unwrap_or(req).trim();
    let end = req
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(req.len());
    let name = &req[..end];
    let mut rest = req[end..].trim_start();
    if rest.starts_with('[') {
        rest = rest
            .split_once(']')
            .map(|(_, r)| r)
            .unwrap_or("")
            .trim_start();
    }
    if name.is_empty() || rest.starts_with('@') {
        return None;
    }
    let spec = rest
        .trim()
        .trim_start_matches('(')
        .trim_end_matches(')')
        .trim();
    Some((name.to_string(), spec.to_string()))
}

/// The 1-based line where `needle` first occurs in `text` at or after line `from` (1 when absent).
fn line_after(text: &str, from: usize, needle: &str) -> u32 {
    let start: usize = text
        .split_inclusive('\n')
        .take(from.saturating_sub(1))
        .map(str::len)
        .sum();
    text[start..]
        .find(needle)
        .map(|i| line_of(text, start + i))
        .unwrap_or(1)
}

/// The line of a TOML table header (`[tool.poetry.dependencies]`), or 1.
fn header_line(text: &str, header: &str) -> u32 {
    let mut n = 0;
    for l in text.lines() {
        n += 1;
        if l.trim()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .trim()
            == header
        {
            return n;
        }
    }
    1
}

/// Adds one declared dependency: name, constraint (`None` for a URL/path/git source), scope, line.
type Push<'a> = dyn FnMut(&str, Option<&str>, Scope, u32) + 'a;

/// The declared dependencies of a pyproject.toml read on its own (the folder has no lockfile):
/// PEP 621 `dependencies` and `optional-dependencies`, PEP 735 `[dependency-groups]`, Poetry's
/// dependency tables and groups, PDM's and uv's dev-dependencies. Each is a direct component
/// with its constraint and a note saying it is not resolved; an exact `==X` pin carries X.
pub fn pyproject(text: &str) -> Result<Parsed, ParseError> {
    let doc: toml::Value = toml::from_str(text).map_err(|e| ParseError::toml(text, &e))?;
    let mut out = Parsed::default();
    let mut push = |name: &str, spec: Option<&str>, scope: Scope, line: u32| {
        let constraint = spec
            .map(|s| s.trim())
            .map(|s| if s.is_empty() { "*" } else { s });
        let parsed = constraint.and_then(crate::constraint::Constraint::parse);
        let exact = parsed.as_ref().and_then(|c| c.exact().map(str::to_string));
        let mut c =
            Component::new(Ecosystem::PyPI, name, exact.as_deref().unwrap_or("")).at_line(line);
        c.direct = true;
        c.scope = scope;
        c.note = Some(match (&exact, constraint) {
            (Some(_), _) => "declared in pyproject.toml with an exact pin; no lockfile resolves \
                             its own dependencies"
                .to_string(),
            (None, Some(k)) if parsed.is_some() => {
                c.constraint = Some(k.to_string());
                format!(
                    "declared in pyproject.toml as {k} without a lockfile: the installed version \
                     is not known, advisories are reported as \"may be affected\""
                )
            }
            (None, Some(k)) => format!(
                "declared in pyproject.toml as {k:?}, a constraint tollgate does not read; \
                 not matched against advisories"
            ),
            (None, None) => "declared in pyproject.toml from a URL, path or git source; \
                             not matched against advisories"
                .to_string(),
        });
        out.components.push(c);
    };
    let pep508_list = |v: Option<&toml::Value>, scope: Scope, from: usize, push: &mut Push<'_>| {
        for item in v.and_then(|v| v.as_array()).into_iter().flatten() {
            let Some(s) = item.as_str() else { continue }; // `{include-group = …}`
            let line = line_after(text, from, s);
            match pep508(s) {
                Some((n, spec)) => push(&n, Some(&spec), scope, line),
                None => {
                    let n = s.split(['@', ' ', '[']).next().unwrap_or(s).trim();
                    if !n.is_empty() {
                        push(n, None, scope, line);
                    }
                }
            }
        }
    };
    let project = doc.get("project");
    pep508_list(
        project.and_then(|p| p.get("dependencies")),
        Scope::Runtime,
        header_line(text, "project") as usize,
        &mut push,
    );
    if let Some(t) = project
        .and_then(|p| p.get("optional-dependencies"))
        .and_then(|t| t.as_table())
    {
        let from = header_line(text, "project.optional-dependencies") as usize;
        for g in t.values() {
            pep508_list(Some(g), Scope::Optional, from, &mut push);
        }
    }
    if let Some(t) = doc.get("dependency-groups").and_then(|t| t.as_table()) {
        let from = header_line(text, "dependency-groups") as usize;
        for g in t.values() {
            pep508_list(Some(g), Scope::Dev, from, &mut push);
        }
    }
    let tool = doc.get("tool");
    if let Some(t) = tool
        .and_then(|t| t.get("pdm"))
        .and_then(|p| p.get("dev-dependencies"))
        .and_then(|t| t.as_table())
    {
        let from = header_line(text, "tool.pdm.dev-dependencies") as usize;
        for g in t.values() {
            pep508_list(Some(g), Scope::Dev, from, &mut push);
        }
    }
    pep508_list(
        tool.and_then(|t| t.get("uv"))
            .and_then(|u| u.get("dev-dependencies")),
        Scope::Dev,
        header_line(text, "tool.uv") as usize,
        &mut push,
    );
    if let Some(poetry) = tool.and_then(|t| t.get("poetry")) {
        let mut tables: Vec<(String, &toml::Value, Scope)> = Vec::new();
        if let Some(d) = poetry.get("dependencies") {
            tables.push(("tool.poetry.dependencies".into(), d, Scope::Runtime));
        }
        if let Some(d) = poetry.get("dev-dependencies") {
            tables.push(("tool.poetry.dev-dependencies".into(), d, Scope::Dev));
        }
        for (g, v) in poetry
            .get("group")
            .and_then(|g| g.as_table())
            .into_iter()
            .flatten()
        {
            if let Some(d) = v.get("dependencies") {
                tables.push((format!("tool.poetry.group.{g}.dependencies"), d, Scope::Dev));
            }
        }
        for (header, deps, scope) in tables {
            let from = header_line(text, &header) as usize;
            for (name, v) in deps.as_table().into_iter().flatten() {
                if name == "python" {
                    continue;
                }
                // `"^1.2"`, `{ version = "^1.2", optional = true }`, or a list of those
                let first = v.as_array().and_then(|a| a.first()).unwrap_or(v);
                let (spec, optional) = match first {
                    toml::Value::String(s) => (Some(s.as_str()), false),
                    toml::Value::Table(t) => (
                        t.get("version").and_then(|v| v.as_str()),
                        t.get("optional").and_then(|o| o.as_bool()) == Some(true),
                    ),
                    _ => (None, false),
                };
                let scope = if optional { Scope::Optional } else { scope };
                push(name, spec, scope, line_after(text, from, name));
            }
        }
    }
    Ok(out)
}

pub fn poetry(text: &str, siblings: &dyn Siblings) -> Result<Parsed, ParseError> {
    let doc: toml::Value = toml::from_str(text).map_err(|e| ParseError::toml(text, &e))?;
    let lines = super::name_version_lines(text);
    let (run, dev) = siblings
        .read("pyproject.toml")
        .map(|t| pyproject_direct(&t))
        .unwrap_or_default();
    let pkgs = doc
        .get("package")
        .and_then(|p| p.as_array())
        .cloned()
        .unwrap_or_default();
    let mut by_name: HashMap<String, String> = HashMap::new();
    for p in &pkgs {
        if let (Some(n), Some(v)) = (
            p.get("name").and_then(|v| v.as_str()),
            p.get("version").and_then(|v| v.as_str()),
        ) {
            by_name.insert(norm(n), v.to_string());
        }
    }
    let mut out = Parsed::default();
    for p in &pkgs {
        let (Some(n), Some(v)) = (
            p.get("name").and_then(|v| v.as_str()),
            p.get("version").and_then(|v| v.as_str()),
        ) else {
            continue;
        };
        let line = lines
            .get(&(n.to_string(), v.to_string()))
            .copied()
            .unwrap_or(1);
        let mut c = Component::new(Ecosystem::PyPI, n, v).at_line(line);
        let key = norm(n);
        c.direct = run.contains(&key) || dev.contains(&key);
        c.scope = match p.get("category").and_then(|c| c.as_str()) {
            Some("dev") => Scope::Dev,
            Some("main") => Scope::Runtime,
            _ if dev.contains(&key) && !run.contains(&key) => Scope::Dev,
            _ if run.contains(&key) => Scope::Runtime,
            _ => Scope::Unknown,
        };
        if p.get("optional").and_then(|o| o.as_bool()) == Some(true) {
            c.scope = Scope::Optional;
        }
        c.source = Some(
            p.get("source")
                .and_then(|s| s.get("url"))
                .and_then(|u| u.as_str())
                .unwrap_or(PYPI)
                .to_string(),
        );
        if let Some(files) = p.get("files").and_then(|f| f.as_array()) {
            for f in files {
                if let Some(h) = f
                    .get("hash")
                    .and_then(|h| h.as_str())
                    .and_then(Hash::from_prefixed)
                {
                    c.hashes.push(h);
                }
            }
        }
        if let Some(d) = p.get("dependencies").and_then(|d| d.as_table()) {
            for dn in d.keys() {
                if let Some(dv) = by_name.get(&norm(dn)) {
                    c.dependencies
                        .push(crate::purl::for_package(Ecosystem::PyPI, dn, dv));
                }
            }
        }
        out.components.push(c);
    }
    Ok(out)
}

pub fn uv(text: &str) -> Result<Parsed, ParseError> {
    let doc: toml::Value = toml::from_str(text).map_err(|e| ParseError::toml(text, &e))?;
    if let Some(v) = doc.get("version").and_then(|v| v.as_integer())
        && v > 1
    {
        return Err(ParseError::new(
            1,
            1,
            format!("unknown uv.lock version {v}"),
        ));
    }
    let lines = super::name_version_lines(text);
    let pkgs = doc
        .get("package")
        .and_then(|p| p.as_array())
        .cloned()
        .unwrap_or_default();
    let mut by_name: HashMap<String, String> = HashMap::new();
    for p in &pkgs {
        if let (Some(n), Some(v)) = (
            p.get("name").and_then(|v| v.as_str()),
            p.get("version").and_then(|v| v.as_str()),
        ) {
            by_name.insert(norm(n), v.to_string());
        }
    }
    let is_root = |p: &toml::Value| {
        p.get("source")
            .is_some_and(|s| s.get("editable").is_some() || s.get("virtual").is_some())
    };
    let names = |arr: Option<&toml::Value>| -> Vec<String> {
        arr.and_then(|a| a.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|d| d.get("name").and_then(|n| n.as_str()).map(norm))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut run: HashSet<String> = HashSet::new();
    let mut dev: HashSet<String> = HashSet::new();
    for p in pkgs.iter().filter(|p| is_root(p)) {
        run.extend(names(p.get("dependencies")));
        for sec in ["dev-dependencies", "optional-dependencies"] {
            if let Some(t) = p.get(sec).and_then(|t| t.as_table()) {
                for g in t.values() {
                    let n = names(Some(g));
                    if sec == "dev-dependencies" {
                        dev.extend(n);
                    } else {
                        run.extend(n);
                    }
                }
            }
        }
    }
    let mut out = Parsed::default();
    for p in &pkgs {
        let Some(n) = p.get("name").and_then(|v| v.as_str()) else {
            continue;
        };
        // The project itself has no `version` when it is dynamic (setuptools-scm, hatch-vcs):
        // still listed, like go.mod's module, without a version.
        let v = match p.get("version").and_then(|v| v.as_str()) {
            Some(v) => v,
            None if is_root(p) => "",
            None => continue,
        };
        let line = lines
            .get(&(n.to_string(), v.to_string()))
            .copied()
            .or_else(|| {
                let key = format!("name = \"{n}\"");
                text.lines()
                    .position(|l| l.trim() == key)
                    .map(|i| i as u32 + 1)
            })
            .unwrap_or(1);
        let mut c = Component::new(Ecosystem::PyPI, n, v).at_line(line);
        let key = norm(n);
        c.is_root = is_root(p);
        c.direct = run.contains(&key) || dev.contains(&key);
        c.scope = if c.is_root || run.contains(&key) {
            Scope::Runtime
        } else if dev.contains(&key) {
            Scope::Dev
        } else {
            Scope::Unknown
        };
        c.source = p.get("source").and_then(|s| {
            s.get("registry")
                .or_else(|| s.get("git"))
                .or_else(|| s.get("url"))
                .and_then(|u| u.as_str())
                .map(|u| {
                    if s.get("git").is_some() {
                        format!("git+{u}")
                    } else {
                        u.to_string()
                    }
                })
                .or_else(|| {
                    s.get("path")
                        .or_else(|| s.get("editable"))
                        .and_then(|u| u.as_str())
                        .map(|u| format!("path:{u}"))
                })
        });
        let mut hashes = Vec::new();
        if let Some(h) = p
            .get("sdist")
            .and_then(|s| s.get("hash"))
            .and_then(|h| h.as_str())
        {
            hashes.push(h.to_string());
        }
        if let Some(ws) = p.get("wheels").and_then(|w| w.as_array()) {
            for w in ws {
                if let Some(h) = w.get("hash").and_then(|h| h.as_str()) {
                    hashes.push(h.to_string());
                }
            }
        }
        c.hashes = hashes
            .iter()
            .filter_map(|h| Hash::from_prefixed(h))
            .collect();
        let mut deps = names(p.get("dependencies"));
        for sec in ["dev-dependencies", "optional-dependencies"] {
            if let Some(t) = p.get(sec).and_then(|t| t.as_table()) {
                for g in t.values() {
                    deps.extend(names(Some(g)));
                }
            }
        }
        for d in deps {
            if let Some(dv) = by_name.get(&d) {
                let purl = crate::purl::for_package(Ecosystem::PyPI, &d, dv);
                if !c.dependencies.contains(&purl) {
                    c.dependencies.push(purl);
                }
            }
        }
        out.components.push(c);
    }
    Ok(out)
}

pub fn pipfile(text: &str) -> Result<Parsed, ParseError> {
    let doc: Value = serde_json::from_str(text).map_err(|e| ParseError::json(&e))?;
    let lines = Lines::new(text);
    let mut indexes: HashMap<String, String> = HashMap::new();
    if let Some(srcs) = doc.pointer("/_meta/sources").and_then(Value::as_array) {
        for s in srcs {
            if let (Some(n), Some(u)) = (
                s.get("name").and_then(Value::as_str),
                s.get("url").and_then(Value::as_str),
            ) {
                indexes.insert(n.to_string(), u.to_string());
            }
        }
    }
    let mut out = Parsed::default();
    for (sec, scope) in [("default", Scope::Runtime), ("develop", Scope::Dev)] {
        let Some(m) = doc.get(sec).and_then(Value::as_object) else {
            continue;
        };
        for (name, p) in m {
            let version = p
                .get("version")
                .and_then(Value::as_str)
                .unwrap_or("")
                .trim_start_matches("==");
            let mut c = Component::new(Ecosystem::PyPI, name, version)
                .at_line(lines.find(&[&format!("\"{name}\": {{")]));
            // Pipfile.lock is flat: it does not tell direct from transitive.
            c.scope = scope;
            c.source = p
                .get("git")
                .and_then(Value::as_str)
                .map(|g| format!("git+{g}"))
                .or_else(|| {
                    p.get("index")
                        .and_then(Value::as_str)
                        .and_then(|i| indexes.get(i).cloned())
                })
                .or_else(|| Some(PYPI.to_string()));
            if let Some(hs) = p.get("hashes").and_then(Value::as_array) {
                c.hashes = hs
                    .iter()
                    .filter_map(Value::as_str)
                    .filter_map(Hash::from_prefixed)
                    .collect();
            }
            out.components.push(c);
        }
    }
    Ok(out)
}

/// requirements.txt. Pinned (`==`/`===`) requirements give versioned components; unpinned
/// ones are listed without a version. `-r`/`-c` includes are followed (relative to the file).
pub fn requirements(name: &str, text: &str, siblings: &dyn Siblings) -> Result<Parsed, ParseError> {
    let mut out = Parsed::default();
    let mut visited: HashSet<String> = HashSet::new();
    visited.insert(name.to_string());
    read_requirements(name, text, siblings, &mut out, &mut visited, true, 0);
    if out.components.is_empty() && !out.warnings.is_empty() {
        // nothing read at all: surface the first problem as an error
        let (line, msg) = out.warnings[0].clone();
        return Err(ParseError::new(line, 1, msg));
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn read_requirements(
    file: &str,
    text: &str,
    siblings: &dyn Siblings,
    out: &mut Parsed,
    visited: &mut HashSet<String>,
    top: bool,
    depth: usize,
) {
    let mut index: Option<String> = None;
    // Join continuation lines, keeping the first line number.
    let mut logical: Vec<(u32, String)> = Vec::new();
    let mut cur: Option<(u32, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let l = match raw.find(" #") {
            Some(p) => &raw[..p],
            None if raw.trim_start().starts_with('#') => "",
            None => raw,
        };
        let (l, cont) = match l.trim_end().strip_suffix('\\') {
            Some(s) => (s, true),
            None => (l, false),
        };
        let entry = cur.get_or_insert((i as u32 + 1, String::new()));
        entry.1.push(' ');
        entry.1.push_str(l.trim());
        if !cont {
            logical.push(cur.take().expect("current line"));
        }
    }
    if let Some(c) = cur {
        logical.push(c);
    }
    for (line, l) in logical {
        let l = l.trim();
        if l.is_empty() {
            continue;
        }
        let mut words = l.split_whitespace();
        let first = words.next().unwrap_or("");
        let arg = |w: &str, words: &mut std::str::SplitWhitespace<'_>| -> Option<String> {
            match w.split_once('=') {
                Some((_, v)) => Some(v.to_string()),
                None => words.next().map(str::to_string),
            }
        };
        if first.starts_with('-') {
            let key = first.split('=').next().unwrap_or(first);
            match key {
                "-r" | "--requirement" | "-c" | "--constraint" => {
                    let Some(inc) = arg(first, &mut words) else {
                        continue;
                    };
                    let base = file.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
                    let rel = if base.is_empty() {
                        inc.clone()
                    } else {
                        format!("{base}/{inc}")
                    };
                    if !visited.insert(rel.clone()) || depth > 16 {
                        continue;
                    }
                    match siblings.read(&rel) {
                        Some(t) => {
                            out.included.push(rel.clone());
                            let constraint = key == "-c" || key == "--constraint";
                            read_requirements(
                                &rel,
                                &t,
                                siblings,
                                out,
                                visited,
                                top && !constraint,
                                depth + 1,
                            );
                        }
                        None => out.warnings.push((
                            line,
                            format!("included file {inc} not found; skipped (named in {file})"),
                        )),
                    }
                }
                "-i" | "--index-url" | "--extra-index-url" => index = arg(first, &mut words),
                _ => {}
            }
            continue;
        }
        // name[extras] (op version)? (; markers)? (--hash=...)*
        let spec = l.split(';').next().unwrap_or(l);
        let spec_main: String = spec
            .split_whitespace()
            .take_while(|w| !w.starts_with("--"))
            .collect::<Vec<_>>()
            .join("");
        if spec_main.contains("://") || spec_main.starts_with('.') || spec_main.starts_with('/') {
            // direct URL or local path requirement: `name @ url` is handled below
            if !spec_main.contains('@') {
                continue;
            }
        }
        let name_end = spec_main
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
            .unwrap_or(spec_main.len());
        let pkg = &spec_main[..name_end];
        if pkg.is_empty() {
            out.warnings
                .push((line, format!("unreadable requirement {l:?} in {file}")));
            continue;
        }
        let rest = &spec_main[name_end..];
        let rest = match rest.strip_prefix('[') {
            Some(r) => r.split_once(']').map(|(_, r)| r).unwrap_or(""),
            None => rest,
        };
        let (version, source) = if let Some(v) = rest.strip_prefix("===") {
            (v.to_string(), None)
        } else if let Some(v) = rest.strip_prefix("==") {
            (v.split(',').next().unwrap_or(v).to_string(), None)
        } else if let Some(url) = rest.strip_prefix('@') {
            (String::new(), Some(url.to_string()))
        } else {
            (String::new(), None)
        };
        let version = if version.contains('*') {
            String::new()
        } else {
            version
        };
        let mut c = Component::new(Ecosystem::PyPI, pkg, &version).at_line(line);
        if depth > 0 {
            c.origin = Some(file.to_string());
        }
        c.direct = top;
        c.scope = Scope::Unknown;
        c.source = source.or_else(|| Some(index.clone().unwrap_or_else(|| PYPI.to_string())));
        c.hashes = l
            .split_whitespace()
            .filter_map(|w| w.strip_prefix("--hash="))
            .filter_map(Hash::from_prefixed)
            .collect();
        out.components.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Map(HashMap<&'static str, &'static str>);
    impl Siblings for Map {
        fn read(&self, rel: &str) -> Option<String> {
            self.0.get(rel).map(|s| s.to_string())
        }
    }

    #[test]
    fn requirements_with_includes() {
        let files = Map(HashMap::from([(
            "base.txt",
            "Django==3.2.0 \\\n    --hash=sha256:0604e84c4fb698a5e53e5857b5aea945b2f19a18f25f10b8748dbdf935788927\n",
        )]));
        let text = "-r base.txt\n-r missing.txt\nrequests[socks]==2.25.0 ; python_version >= '3.6'\nflask>=2\n";
        let p = requirements("requirements.txt", text, &files).unwrap();
        assert_eq!(p.components.len(), 3);
        assert_eq!(p.components[0].purl, "pkg:pypi/django@3.2.0");
        assert_eq!(p.components[0].hashes.len(), 1);
        assert_eq!(p.components[1].purl, "pkg:pypi/requests@2.25.0");
        assert_eq!(p.components[1].line, 3);
        assert_eq!(p.components[2].version, "");
        assert_eq!(p.warnings.len(), 1);
        assert!(p.warnings[0].1.contains("missing.txt"));
    }

    /// A project with a dynamic version (cog's uv.lock: `source = { editable = "." }` and no
    /// `version`) is still listed, as the root, without a version; a registry package without
    /// a version is not a package.
    #[test]
    fn uv_root_without_version() {
        let text = "version = 1\n\n[[package]]\nname = \"cog\"\nsource = { editable = \".\" }\ndependencies = [{ name = \"attrs\" }]\n\n[[package]]\nname = \"attrs\"\nversion = \"25.4.0\"\nsource = { registry = \"https://pypi.org/simple\" }\n\n[[package]]\nname = \"broken\"\nsource = { registry = \"https://pypi.org/simple\" }\n";
        let p = uv(text).unwrap();
        assert_eq!(p.components.len(), 2);
        let root = &p.components[0];
        assert_eq!(root.purl, "pkg:pypi/cog");
        assert!(root.is_root);
        assert_eq!(root.line, 4);
        assert_eq!(root.dependencies, vec!["pkg:pypi/attrs@25.4.0"]);
        assert!(p.components[1].direct);
    }
}
