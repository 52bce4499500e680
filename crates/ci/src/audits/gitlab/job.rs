//! A GitLab job as the GitLab audits read it: a key of the job following `extends:`
//! (depth-limited) and then `default:` / the top level ([`lookup`]), the variables it sees, its
//! whole script text, and whether it deploys.

use crate::yaml::{Node, Value};

/// `key` of a job, following `extends:` (depth-limited) and then `default:` / the top level
/// for the keys GitLab inherits from there. Returns the node and the route where it lives.
pub fn lookup<'a>(
    root: &'a Node,
    job_id: &str,
    job: &'a Node,
    key: &str,
) -> Option<(&'a Node, String)> {
    fn go<'a>(
        root: &'a Node,
        id: &str,
        job: &'a Node,
        key: &str,
        depth: usize,
    ) -> Option<(&'a Node, String)> {
        if let Some(v) = job.get(key) {
            return Some((v, format!("{id}.{key}")));
        }
        if depth > 10 {
            return None;
        }
        let parents: Vec<&str> = match job.get("extends").map(|e| &e.value) {
            Some(Value::Scalar(s, _)) => vec![s.as_str()],
            Some(Value::Seq(items)) => items.iter().map(|i| i.text()).collect(),
            _ => Vec::new(),
        };
        for p in parents.iter().rev() {
            if let Some(pj) = root.get(p)
                && let Some(r) = go(root, p, pj, key, depth + 1)
            {
                return Some(r);
            }
        }
        None
    }
    go(root, job_id, job, key, 0).or_else(|| {
        if matches!(
            key,
            "image" | "services" | "before_script" | "after_script" | "artifacts" | "id_tokens"
        ) {
            root.get("default")
                .and_then(|d| d.get(key))
                .map(|v| (v, format!("default.{key}")))
                .or_else(|| {
                    matches!(key, "image" | "services" | "before_script" | "after_script")
                        .then(|| root.get(key).map(|v| (v, key.to_string())))
                        .flatten()
                })
        } else {
            None
        }
    })
}

/// Variables visible to a job: top-level `variables:` then the job's (own or inherited).
pub fn variables<'a>(
    root: &'a Node,
    job_id: &str,
    job: &'a Node,
) -> Vec<(&'a Node, &'a Node, String)> {
    let mut out = Vec::new();
    if let Some(v) = root.get("variables") {
        for (k, val) in v.entries() {
            out.push((k, val, format!("variables.{}", k.text())));
        }
    }
    if let Some((v, r)) = lookup(root, job_id, job, "variables") {
        for (k, val) in v.entries() {
            out.push((k, val, format!("{r}.{}", k.text())));
        }
    }
    out
}

/// The value of a variable entry (`X: v` or `X: {value: v}`).
pub fn var_value(v: &Node) -> &Node {
    v.get("value").unwrap_or(v)
}

/// Whether the job's whole script text mentions `needle`.
pub fn script_text(root: &Node, job_id: &str, job: &Node) -> String {
    let mut s = String::new();
    for key in ["before_script", "script", "after_script"] {
        if let Some((n, _)) = lookup(root, job_id, job, key) {
            let mut scal = Vec::new();
            n.walk_scalars("", &mut scal);
            for (_, x) in scal {
                s.push_str(x.text());
                s.push('\n');
            }
        }
    }
    s
}

/// A job that deploys: by name/stage, by environment action, or by deploy commands.
pub fn is_deploy(root: &Node, job_id: &str, job: &Node) -> bool {
    let id = job_id.to_ascii_lowercase();
    let stage = lookup(root, job_id, job, "stage")
        .map(|(s, _)| s.text().to_ascii_lowercase())
        .unwrap_or_default();
    if ["deploy", "release", "publish", "production"]
        .iter()
        .any(|w| id.contains(w) || stage.contains(w))
    {
        return true;
    }
    let s = script_text(root, job_id, job);
    crate::model::DEPLOY_COMMANDS.iter().any(|c| s.contains(c))
}
