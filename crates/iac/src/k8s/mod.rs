//! Kubernetes manifests: finds the pod spec of every workload document (Pod, Deployment,
//! StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, PodTemplate, and
//! the items of a `List`) and runs the [`rules`] on it and on each of its containers.

pub mod rules;

use crate::rule::Src;
use tollgate_model::{Diagnostic, Finding};
use tollgate_yaml::Node;

/// A pod spec inside a document, with the route prefix of its findings
/// (`Deployment/web:spec.template.spec`).
pub struct Pod<'a> {
    pub spec: &'a Node,
    pub route: String,
    /// `Deployment/web`.
    pub object: String,
}

/// One container of a pod spec.
pub struct Container<'a> {
    pub node: &'a Node,
    pub route: String,
    pub name: String,
}

impl Pod<'_> {
    /// Init, regular and ephemeral containers, in that order.
    pub fn containers(&self) -> Vec<Container<'_>> {
        let mut out = Vec::new();
        for key in ["initContainers", "containers", "ephemeralContainers"] {
            if let Some(list) = self.spec.get(key) {
                for (i, c) in list.items().iter().enumerate() {
                    out.push(Container {
                        node: c,
                        route: format!("{}.{key}[{i}]", self.route),
                        name: c
                            .get("name")
                            .map(|n| n.text().to_string())
                            .unwrap_or_default(),
                    });
                }
            }
        }
        out
    }
}

/// The pod specs of a document (several for a `List`).
pub fn pods<'a>(doc: &'a Node, prefix: &str, out: &mut Vec<Pod<'a>>) {
    let kind = doc.get("kind").map(|k| k.text()).unwrap_or("");
    let name = doc
        .get("metadata")
        .and_then(|m| m.get("name").or_else(|| m.get("generateName")))
        .map(|n| n.text())
        .unwrap_or("");
    let object = format!("{kind}/{name}");
    let path: &[&str] = match kind {
        "Pod" => &["spec"],
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "Job" => &["spec", "template", "spec"],
        "CronJob" => &["spec", "jobTemplate", "spec", "template", "spec"],
        "PodTemplate" => &["template", "spec"],
        "List" => {
            if let Some(items) = doc.get("items") {
                for (i, it) in items.items().iter().enumerate() {
                    pods(it, &format!("{prefix}items[{i}]."), out);
                }
            }
            return;
        }
        _ => return,
    };
    let mut node = doc;
    for p in path {
        match node.get(p) {
            Some(n) => node = n,
            None => return,
        }
    }
    if node.is_map() {
        out.push(Pod {
            spec: node,
            route: format!("{prefix}{object}:{}", path.join(".")),
            object,
        });
    }
}

/// Runs the whole-object rules on a document and on the items of a `List`.
fn objects(doc: &Node, src: &Src<'_>, out: &mut Vec<Finding>, depth: usize) {
    if doc.get("kind").map(|k| k.text()) == Some("List") {
        if depth < 8
            && let Some(items) = doc.get("items")
        {
            for it in items.items() {
                objects(it, src, out, depth + 1);
            }
        }
        return;
    }
    let kind = doc.get("kind").map(|k| k.text()).unwrap_or("");
    let name = doc
        .get("metadata")
        .and_then(|m| m.get("name"))
        .map(|n| n.text())
        .unwrap_or("");
    rules::check_object(doc, &format!("{kind}/{name}"), src, out);
}

/// Runs the Kubernetes rules on every document.
pub fn check(docs: &[Node], src: &Src<'_>, out: &mut Vec<Finding>, notes: &mut Vec<Diagnostic>) {
    for (i, doc) in docs.iter().enumerate() {
        if !doc.is_map() {
            notes.push(
                Diagnostic::note(
                    "iac",
                    format!("document {} is not a mapping; skipped", i + 1),
                )
                .at(src.display, Some(doc.line), Some(doc.col)),
            );
            continue;
        }
        objects(doc, src, out, 0);
        let mut ps = Vec::new();
        pods(doc, "", &mut ps);
        for p in &ps {
            rules::check_pod(p, src, out);
        }
    }
}
