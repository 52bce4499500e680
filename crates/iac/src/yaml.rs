//! A positioned, multi-document YAML tree built from `yaml-rust2`'s event parser.
//!
//! This is the ci crate's loader (crates/ci/src/yaml.rs) extended to every document of a
//! stream (Kubernetes files hold many, separated by `---`); scanners may not depend on each
//! other, so it lives here until the shared bounded loader (`crates/yaml`) lands, and then
//! both move to it.
//!
//! `yaml-rust2`'s own `Yaml` tree drops source positions, and audits need the byte offset,
//! line and column of every key and value. So we receive the marked events and build a small
//! tree ourselves (written by hand for that reason). Aliases are expanded by copying the
//! anchored subtree, under a budget on the total number of nodes so that a "billion laughs"
//! document becomes an error instead of exhausting memory; nesting depth is capped too.
//! Merge keys (`<<: *anchor`) are applied while building, as GitLab files rely on them.

use std::collections::HashMap;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Most nodes a file may expand to (aliases included, all documents together).
pub const MAX_NODES: usize = 1_000_000;
/// Most documents a file may hold.
pub const MAX_DOCS: usize = 10_000;
/// Deepest nesting accepted.
pub const MAX_DEPTH: usize = 256;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A scalar and whether it was quoted (a quoted `"true"` is a string, not a boolean).
    Scalar(String, bool),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// One node with its position: `start`/`end` are byte offsets into the source, `line` and
/// `col` are 1-based (col in bytes).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub start: usize,
    pub end: usize,
    pub line: u32,
    pub col: u32,
}

static NULL: Node = Node {
    value: Value::Scalar(String::new(), false),
    start: 0,
    end: 0,
    line: 1,
    col: 1,
};

impl Node {
    pub fn null() -> &'static Node {
        &NULL
    }

    /// The value of `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(m) => m.iter().find(|(k, _)| k.str() == Some(key)).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The key node of `key` in a mapping (its position is the key's).
    pub fn get_key(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(m) => m.iter().find(|(k, _)| k.str() == Some(key)).map(|(k, _)| k),
            _ => None,
        }
    }

    pub fn str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s, _) => Some(s),
            _ => None,
        }
    }

    /// The scalar as a string, or "" for anything else.
    pub fn text(&self) -> &str {
        self.str().unwrap_or("")
    }

    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar(s, false) if s.is_empty() || s == "null" || s == "~")
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Scalar(s, _) => match s.as_str() {
                "true" | "True" | "TRUE" => Some(true),
                "false" | "False" | "FALSE" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn entries(&self) -> &[(Node, Node)] {
        match &self.value {
            Value::Map(m) => m,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(s) => s,
            _ => &[],
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }

    /// Every scalar below this node (depth-first), with its route suffix.
    pub fn walk_scalars<'a>(&'a self, route: &str, out: &mut Vec<(String, &'a Node)>) {
        match &self.value {
            Value::Scalar(..) => out.push((route.to_string(), self)),
            Value::Seq(s) => {
                for (i, n) in s.iter().enumerate() {
                    n.walk_scalars(&format!("{route}[{i}]"), out);
                }
            }
            Value::Map(m) => {
                for (k, v) in m {
                    let r = if route.is_empty() {
                        k.text().to_string()
                    } else {
                        format!("{route}.{}", k.text())
                    };
                    v.walk_scalars(&r, out);
                }
            }
        }
    }
}

/// Why a file could not be read as YAML, with its 1-based position.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    pub message: String,
    pub line: u32,
    pub col: u32,
}

/// Parses every document of `src`, in order. Empty documents are skipped.
pub fn parse_all(src: &str) -> Result<Vec<Node>, YamlError> {
    let mut b = Builder {
        src,
        line_starts: std::iter::once(0)
            .chain(src.match_indices('\n').map(|(i, _)| i + 1))
            .collect(),
        stack: Vec::new(),
        anchors: HashMap::new(),
        root: None,
        nodes: 0,
        error: None,
        docs: Vec::new(),
    };
    let mut parser = Parser::new_from_str(src);
    if let Err(e) = parser.load(&mut b, true) {
        let m = e.marker();
        return Err(YamlError {
            message: format!("invalid YAML: {}", e.info()),
            line: m.line() as u32,
            col: m.col() as u32 + 1,
        });
    }
    if let Some(e) = b.error {
        return Err(e);
    }
    if let Some(r) = b.root.take().filter(|r| !r.is_null()) {
        b.docs.push(r);
    }
    Ok(b.docs)
}

/// Parses the first document of `src` (an empty mapping when there is none).
pub fn parse(src: &str) -> Result<Node, YamlError> {
    Ok(parse_all(src)?.into_iter().next().unwrap_or(Node {
        value: Value::Map(Vec::new()),
        start: 0,
        end: 0,
        line: 1,
        col: 1,
    }))
}

enum Frame {
    Seq(Node, usize),
    Map(Node, Option<Node>, usize, bool),
}

struct Builder<'a> {
    src: &'a str,
    line_starts: Vec<usize>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    root: Option<Node>,
    nodes: usize,
    error: Option<YamlError>,
    /// Documents finished so far.
    docs: Vec<Node>,
}

impl Builder<'_> {
    /// Byte offset of a marker (its line is 1-based, its column counts characters from 0).
    fn offset(&self, m: &Marker) -> usize {
        let line = m.line().max(1);
        let Some(&ls) = self.line_starts.get(line - 1) else {
            return self.src.len();
        };
        let rest = &self.src[ls..];
        let col = rest
            .char_indices()
            .nth(m.col())
            .map(|(i, _)| i)
            .unwrap_or(rest.len());
        ls + col
    }

    fn node_at(&self, value: Value, m: &Marker) -> Node {
        let start = self.offset(m);
        let line = m.line().max(1);
        let ls = self.line_starts.get(line - 1).copied().unwrap_or(0);
        Node {
            value,
            start,
            end: start,
            line: line as u32,
            col: (start - ls + 1) as u32,
        }
    }

    fn fail(&mut self, message: String, m: &Marker) {
        if self.error.is_none() {
            self.error = Some(YamlError {
                message,
                line: m.line() as u32,
                col: m.col() as u32 + 1,
            });
        }
    }

    fn scalar_end(&self, start: usize, value: &str, style: TScalarStyle) -> usize {
        let rest = &self.src[start..];
        let eol = rest.find('\n').unwrap_or(rest.len());
        match style {
            TScalarStyle::Plain if rest.starts_with(value) => start + value.len(),
            TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => {
                let q = if style == TScalarStyle::SingleQuoted {
                    '\''
                } else {
                    '"'
                };
                rest[1..]
                    .find(q)
                    .map(|i| start + i + 2)
                    .unwrap_or(start + eol)
            }
            _ => start + eol,
        }
    }

    fn push_value(&mut self, node: Node, anchor: usize, size: usize, m: &Marker) {
        if anchor > 0 {
            self.anchors.insert(anchor, (node.clone(), size));
        }
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Frame::Seq(seq, n)) => {
                *n += size;
                if let Value::Seq(items) = &mut seq.value {
                    items.push(node);
                }
            }
            Some(Frame::Map(map, key, n, merged)) => {
                *n += size;
                match key.take() {
                    None => *key = Some(node),
                    Some(k) => {
                        if let Value::Map(entries) = &mut map.value {
                            if k.str() == Some("<<") {
                                merge(entries, node);
                                *merged = true;
                            } else {
                                // Keys written after a merge override the merged ones.
                                if *merged {
                                    entries.retain(|(ek, _)| ek.str() != k.str());
                                }
                                entries.push((k, node));
                            }
                        }
                    }
                }
            }
        }
        let _ = m;
    }
}

/// Applies a merge key: entries of the merged mapping(s) that the mapping does not set.
fn merge(entries: &mut Vec<(Node, Node)>, value: Node) {
    let sources: Vec<Node> = match value.value {
        Value::Map(_) => vec![value],
        Value::Seq(items) => items,
        _ => Vec::new(),
    };
    for src in sources {
        if let Value::Map(m) = src.value {
            for (k, v) in m {
                if !entries.iter().any(|(ek, _)| ek.str() == k.str()) {
                    entries.push((k, v));
                }
            }
        }
    }
}

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, ev: Event, m: Marker) {
        if self.error.is_some() {
            return;
        }
        match ev {
            Event::DocumentEnd => {
                if let Some(r) = self.root.take().filter(|r| !r.is_null()) {
                    self.docs.push(r);
                }
                // Anchors do not cross documents.
                self.anchors.clear();
                self.stack.clear();
                if self.docs.len() > MAX_DOCS {
                    self.fail(format!("more than {MAX_DOCS} documents"), &m);
                }
            }
            Event::Scalar(value, style, anchor, _tag) => {
                self.nodes += 1;
                let quoted = style != TScalarStyle::Plain;
                let mut node = self.node_at(Value::Scalar(String::new(), quoted), &m);
                node.end = self.scalar_end(node.start, &value, style);
                node.value = Value::Scalar(value, quoted);
                self.push_value(node, anchor, 1, &m);
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if self.stack.len() >= MAX_DEPTH {
                    self.fail(format!("nesting deeper than {MAX_DEPTH} levels"), &m);
                    return;
                }
                self.nodes += 1;
                let is_seq = matches!(ev, Event::SequenceStart(..));
                let node = self.node_at(
                    if is_seq {
                        Value::Seq(Vec::new())
                    } else {
                        Value::Map(Vec::new())
                    },
                    &m,
                );
                // The anchor is remembered on the frame through the node's `end` until closed.
                let mut node = node;
                node.end = anchor;
                self.stack.push(if is_seq {
                    Frame::Seq(node, 1)
                } else {
                    Frame::Map(node, None, 1, false)
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let end = self.offset(&m);
                let (mut node, size) = match self.stack.pop() {
                    Some(Frame::Seq(n, s)) => (n, s),
                    Some(Frame::Map(n, _, s, _)) => (n, s),
                    None => return,
                };
                let anchor = node.end;
                // A block mapping's start marker follows its first key: start at that key.
                let first = match &node.value {
                    Value::Map(m) => m.first().map(|(k, _)| (k.start, k.line, k.col)),
                    Value::Seq(s) => s.first().map(|n| (n.start, n.line, n.col)),
                    _ => None,
                };
                if let Some((s, l, c)) = first.filter(|f| f.0 < node.start) {
                    node.start = s;
                    node.line = l;
                    node.col = c;
                }
                // An anchored block collection (`- &step` then its keys on the next lines)
                // starts at its anchor.
                if anchor > 0 {
                    let before = self.src[..node.start].trim_end();
                    let tok = before
                        .rfind(char::is_whitespace)
                        .map(|i| i + 1)
                        .unwrap_or(0);
                    if before[tok..].starts_with('&') && before.len() < node.start {
                        let at = tok;
                        let line = self.line_starts.partition_point(|&ls| ls <= at);
                        let ls = self.line_starts[line - 1];
                        node.start = at;
                        node.line = line as u32;
                        node.col = (at - ls + 1) as u32;
                    }
                }
                node.end = end.max(node.start);
                self.push_value(node, anchor, size, &m);
            }
            Event::Alias(id) => {
                let Some((mut node, size)) = self.anchors.get(&id).cloned() else {
                    self.fail("alias to an unknown anchor".into(), &m);
                    return;
                };
                self.nodes += size;
                if self.nodes > MAX_NODES {
                    self.fail(
                        format!(
                            "alias expansion exceeds {MAX_NODES} nodes (a YAML bomb?); file not audited"
                        ),
                        &m,
                    );
                    return;
                }
                // An aliased mapping or sequence (a reused step or job) is located at the
                // alias; its children keep the anchor's positions. Scalars keep theirs.
                if !matches!(node.value, Value::Scalar(..)) {
                    let at = self.node_at(Value::Scalar(String::new(), false), &m);
                    node.start = at.start;
                    node.end = at.start;
                    node.line = at.line;
                    node.col = at.col;
                }
                self.push_value(node, 0, size, &m);
            }
            _ => {}
        }
    }
}

/// The 1-based line and column of byte `offset` in `src`.
pub fn line_col(src: &str, offset: usize) -> (u32, u32) {
    tollgate_model::Location::from_span(
        "",
        src.as_bytes(),
        tollgate_model::Span {
            start: offset,
            end: offset,
        },
    )
    .pipe(|l| (l.line, l.column))
}

trait Pipe: Sized {
    fn pipe<T>(self, f: impl FnOnce(Self) -> T) -> T {
        f(self)
    }
}
impl<T> Pipe for T {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliased_mappings_are_located_at_the_alias() {
        let src = "a:\n  - &s\n    uses: x\nb:\n  - *s\nc: &v hi\nd: *v\n";
        let root = parse(src).unwrap();
        let b = &root.get("b").unwrap().items()[0];
        assert_eq!(b.line, 5);
        assert_eq!(b.get("uses").unwrap().line, 3);
        // Scalars keep the anchor's position.
        assert_eq!(root.get("d").unwrap().line, 6);
        // The anchored mapping starts at its anchor.
        let a = &root.get("a").unwrap().items()[0];
        assert_eq!((a.line, a.col), (2, 5));
    }

    #[test]
    fn positions_are_exact() {
        let src = "on: push\njobs:\n  build:\n    steps:\n      - run: echo é ${{ x }}\n        name: \"q\"\n";
        let root = parse(src).unwrap();
        let step = &root
            .get("jobs")
            .unwrap()
            .get("build")
            .unwrap()
            .get("steps")
            .unwrap()
            .items()[0];
        let run = step.get("run").unwrap();
        assert_eq!((run.line, run.col), (5, 14));
        assert_eq!(&src[run.start..run.end], "echo é ${{ x }}");
        let name = step.get("name").unwrap();
        assert_eq!(&src[name.start..name.end], "\"q\"");
        assert_eq!(root.get("on").unwrap().text(), "push");
    }

    #[test]
    fn anchors_and_merge_keys() {
        let src = ".d: &d\n  image: a\n  tags: [x]\njob:\n  <<: *d\n  image: b\nother: *d\n";
        let root = parse(src).unwrap();
        let job = root.get("job").unwrap();
        assert_eq!(job.get("image").unwrap().text(), "b");
        assert_eq!(job.get("tags").unwrap().items()[0].text(), "x");
        assert_eq!(root.get("other").unwrap().get("image").unwrap().text(), "a");
    }

    #[test]
    fn every_document_is_kept() {
        let docs = parse_all("a: 1\n---\n---\nb: &x 2\n...\n---\nc: [3]\n").unwrap();
        assert_eq!(docs.len(), 3);
        assert_eq!(docs[1].get("b").unwrap().text(), "2");
        assert_eq!(docs[2].get("c").unwrap().items()[0].line, 7);
        // An anchor of one document is unknown in the next.
        assert!(parse_all("a: &x 1\n---\nb: *x\n").is_err());
    }

    #[test]
    fn bombs_and_bad_yaml_are_errors_with_lines() {
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            bomb.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let e = parse(&bomb).unwrap_err();
        assert!(e.message.contains("YAML bomb"), "{e:?}");
        let e = parse("a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        assert!(e.line >= 2, "{e:?}");
        let deep = "[".repeat(10_000);
        assert!(parse(&deep).is_err());
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
    }
}
