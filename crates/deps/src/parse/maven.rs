//! Maven pom.xml: the declared dependencies (a pom is not a lockfile: versions are as
//! declared, with `${property}` references resolved from the pom's own properties).

use super::ParseError;
use crate::component::{Component, Ecosystem, Parsed, Scope};
use std::collections::HashMap;

fn child<'a>(n: roxmltree::Node<'a, 'a>, name: &str) -> Option<roxmltree::Node<'a, 'a>> {
    n.children().find(|c| c.tag_name().name() == name)
}

fn text<'a>(n: roxmltree::Node<'a, 'a>, name: &str) -> Option<String> {
    child(n, name)
        .and_then(|c| c.text())
        .map(|t| t.trim().to_string())
}

pub fn parse(xml: &str) -> Result<Parsed, ParseError> {
    let doc = roxmltree::Document::parse(xml).map_err(|e| {
        let p = e.pos();
        ParseError::new(p.row, p.col, e.to_string())
    })?;
    let project = doc.root_element();
    let mut props: HashMap<String, String> = HashMap::new();
    if let Some(p) = child(project, "properties") {
        for c in p.children().filter(|c| c.is_element()) {
            props.insert(
                c.tag_name().name().to_string(),
                c.text().unwrap_or("").trim().to_string(),
            );
        }
    }
    let parent_version = child(project, "parent").and_then(|p| text(p, "version"));
    if let Some(v) = text(project, "version").or(parent_version) {
        props.insert("project.version".into(), v);
    }
    let resolve = |s: &str| -> String {
        let mut out = s.to_string();
        for _ in 0..8 {
            let Some(start) = out.find("${") else { break };
            let Some(end) = out[start..].find('}') else {
                break;
            };
            let key = out[start + 2..start + end].to_string();
            let Some(val) = props.get(&key) else { break };
            out.replace_range(start..start + end + 1, val);
        }
        out
    };
    let mut managed: HashMap<String, String> = HashMap::new();
    if let Some(dm) = child(project, "dependencyManagement").and_then(|d| child(d, "dependencies"))
    {
        for d in dm
            .children()
            .filter(|c| c.has_tag_name("dependency") || c.tag_name().name() == "dependency")
        {
            if let (Some(g), Some(a), Some(v)) = (
                text(d, "groupId"),
                text(d, "artifactId"),
                text(d, "version"),
            ) {
                managed.insert(format!("{}:{}", resolve(&g), resolve(&a)), resolve(&v));
            }
        }
    }
    let mut out = Parsed::default();
    // The project itself (as syft and cdxgen list it): groupId and version may come from
    // <parent>.
    let group = text(project, "groupId")
        .or_else(|| child(project, "parent").and_then(|p| text(p, "groupId")))
        .map(|g| resolve(&g));
    if let (Some(g), Some(a)) = (group, text(project, "artifactId")) {
        let v = props
            .get("project.version")
            .map(|v| resolve(v))
            .filter(|v| !v.contains("${"))
            .unwrap_or_default();
        let line = child(project, "artifactId")
            .map(|n| doc.text_pos_at(n.range().start).row)
            .unwrap_or(1);
        let mut root =
            Component::new(Ecosystem::Maven, &format!("{g}:{}", resolve(&a)), &v).at_line(line);
        root.is_root = true;
        root.scope = Scope::Runtime;
        out.components.push(root);
    }
    let Some(deps) = child(project, "dependencies") else {
        return Ok(out);
    };
    for d in deps
        .children()
        .filter(|c| c.tag_name().name() == "dependency")
    {
        let (Some(g), Some(a)) = (text(d, "groupId"), text(d, "artifactId")) else {
            continue;
        };
        let name = format!("{}:{}", resolve(&g), resolve(&a));
        let version = text(d, "version")
            .map(|v| resolve(&v))
            .or_else(|| managed.get(&name).cloned())
            .unwrap_or_default();
        // ranges and unresolved properties are not versions
        let version = if version.contains("${") || version.starts_with(['[', '(']) {
            String::new()
        } else {
            version
        };
        let line = doc.text_pos_at(d.range().start).row;
        let mut c = Component::new(Ecosystem::Maven, &name, &version).at_line(line);
        c.direct = true;
        c.scope = match text(d, "scope").as_deref() {
            Some("test") | Some("provided") => Scope::Dev,
            _ if text(d, "optional").as_deref() == Some("true") => Scope::Optional,
            _ => Scope::Runtime,
        };
        c.source = Some("https://repo.maven.apache.org/maven2".into());
        out.components.push(c);
    }
    // the project depends on what it declares
    if out.components.first().is_some_and(|c| c.is_root) {
        let declared: Vec<String> = out.components[1..].iter().map(|c| c.purl.clone()).collect();
        out.components[0].dependencies = declared;
    }
    Ok(out)
}
