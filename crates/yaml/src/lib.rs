//! tollgate's one YAML loader: a positioned tree built from `yaml-rust2`'s event parser, with
//! every expansion bounded. Every crate that reads YAML (CI workflows, pnpm lockfiles, GitHub
//! Actions `uses:`, OSV records in YAML) goes through [`parse`].
//!
//! `yaml-rust2`'s own `Yaml` tree drops source positions and expands aliases without limit (a
//! "billion laughs" document of nine lines grows to gigabytes). So we receive the marked events
//! and build a small tree ourselves. Aliases are expanded by copying the anchored subtree, under
//! a budget on the total number of nodes and on the total scalar bytes (aliases included), so a
//! bomb becomes an error at the alias that crosses the budget instead of exhausting memory;
//! nesting depth and input size are capped too ([`Limits`]). Merge keys (`<<: *anchor`) are
//! applied while building, as GitLab files rely on them. Errors carry the 1-based line and
//! column; callers add the file name (`file:line:column: message`).

use std::collections::HashMap;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Most nodes a document may expand to (aliases and anchors' copies included).
pub const MAX_NODES: usize = 1_000_000;
/// Deepest nesting accepted.
pub const MAX_DEPTH: usize = 256;
/// Largest input accepted (bytes).
pub const MAX_BYTES: usize = 32 * 1024 * 1024;
/// Most scalar bytes a document may expand to (aliases included): an alias of a long string
/// repeated through nested anchors is bounded as well as the node count.
pub const MAX_EXPANDED_BYTES: usize = 128 * 1024 * 1024;

/// The bounds of one parse; [`Limits::default`] is the constants above.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_nodes: usize,
    pub max_depth: usize,
    pub max_bytes: usize,
    pub max_expanded_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_nodes: MAX_NODES,
            max_depth: MAX_DEPTH,
            max_bytes: MAX_BYTES,
            max_expanded_bytes: MAX_EXPANDED_BYTES,
        }
    }
}

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

/// Parses the first document of `src` under the default [`Limits`]. An empty document is an
/// empty mapping.
pub fn parse(src: &str) -> Result<Node, YamlError> {
    parse_with(src, Limits::default())
}

/// Most documents one file may hold (`---` separated; Kubernetes manifests).
pub const MAX_DOCUMENTS: usize = 10_000;

/// Parses the first document of `src` under `limits`.
pub fn parse_with(src: &str, limits: Limits) -> Result<Node, YamlError> {
    Ok(load(src, limits, false)?
        .into_iter()
        .next()
        .unwrap_or(Node {
            value: Value::Map(Vec::new()),
            start: 0,
            end: 0,
            line: 1,
            col: 1,
        }))
}

/// Parses every non-empty document of `src`, in order, under the default [`Limits`]. The
/// budgets hold for the whole file (a bomb cannot be spread over documents); anchors do not
/// cross documents.
pub fn parse_all(src: &str) -> Result<Vec<Node>, YamlError> {
    load(src, Limits::default(), true)
}

fn load(src: &str, limits: Limits, all: bool) -> Result<Vec<Node>, YamlError> {
    if src.len() > limits.max_bytes {
        return Err(YamlError {
            message: format!(
                "file of {} bytes exceeds the YAML size limit of {} bytes; not parsed",
                src.len(),
                limits.max_bytes
            ),
            line: 1,
            col: 1,
        });
    }
    let mut b = Builder {
        limits,
        src,
        line_starts: line_starts(src),
        stack: Vec::new(),
        anchors: HashMap::new(),
        root: None,
        spent: Cost::default(),
        error: None,
        docs: 0,
        all,
        documents: Vec::new(),
    };
    let mut parser = Parser::new_from_str(src);
    if let Err(e) = parser.load(&mut b, all) {
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
    if let Some(r) = b.root.take().filter(|r| !all || !r.is_null()) {
        b.documents.push(r);
    }
    Ok(b.documents)
}

/// What a subtree costs once expanded: its nodes and its scalar bytes.
#[derive(Debug, Clone, Copy, Default)]
struct Cost {
    nodes: usize,
    bytes: usize,
}

impl std::ops::AddAssign for Cost {
    fn add_assign(&mut self, o: Cost) {
        self.nodes = self.nodes.saturating_add(o.nodes);
        self.bytes = self.bytes.saturating_add(o.bytes);
    }
}

/// Byte offsets where lines start, counting line breaks as YAML (and the parser's markers) do:
/// `\n`, `\r\n` and a lone `\r`. Counting only `\n` put the markers of a file with bare `\r`
/// breaks past the end of the text (found by fuzzing: a panic on slicing).
fn line_starts(src: &str) -> Vec<usize> {
    let b = src.as_bytes();
    let mut out = vec![0];
    for (i, &c) in b.iter().enumerate() {
        if c == b'\n' || (c == b'\r' && b.get(i + 1) != Some(&b'\n')) {
            out.push(i + 1);
        }
    }
    out
}

enum Frame {
    Seq(Node, Cost),
    Map(Node, Option<Node>, Cost, bool),
}

struct Builder<'a> {
    limits: Limits,
    src: &'a str,
    line_starts: Vec<usize>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, Cost)>,
    root: Option<Node>,
    /// The whole document's cost so far (aliases expanded).
    spent: Cost,
    error: Option<YamlError>,
    docs: usize,
    /// Read every document (`parse_all`), not only the first.
    all: bool,
    /// Finished documents (`parse_all`).
    documents: Vec<Node>,
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
                rest.get(1..)
                    .and_then(|r| r.find(q))
                    .map(|i| start + i + 2)
                    .unwrap_or(start + eol)
            }
            _ => start + eol,
        }
    }

    /// Charges `cost` to the document; false (and the error set) when a budget is exceeded.
    fn charge(&mut self, cost: Cost, m: &Marker) -> bool {
        self.spent += cost;
        if self.spent.nodes > self.limits.max_nodes {
            let max = self.limits.max_nodes;
            self.fail(
                format!("alias expansion exceeds {max} nodes (a YAML bomb?); file not parsed"),
                m,
            );
            return false;
        }
        if self.spent.bytes > self.limits.max_expanded_bytes {
            let max = self.limits.max_expanded_bytes;
            self.fail(
                format!(
                    "alias expansion exceeds {max} bytes of scalars (a YAML bomb?); file not parsed"
                ),
                m,
            );
            return false;
        }
        true
    }

    fn push_value(&mut self, node: Node, anchor: usize, size: Cost, m: &Marker) {
        // The anchor keeps its own copy of the subtree: charged like an expansion, so the
        // budget bounds everything held in memory, not only the tree.
        if anchor > 0 {
            if !self.charge(size, m) {
                return;
            }
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
            Event::DocumentStart => self.docs += 1,
            Event::DocumentEnd if self.all => {
                if let Some(r) = self.root.take().filter(|r| !r.is_null()) {
                    self.documents.push(r);
                }
                // Anchors do not cross documents; the budgets do.
                self.anchors.clear();
                self.stack.clear();
                if self.documents.len() > MAX_DOCUMENTS {
                    self.fail(format!("more than {MAX_DOCUMENTS} documents"), &m);
                }
            }
            _ if self.docs > 1 && !self.all => {}
            Event::Scalar(value, style, anchor, _tag) => {
                let cost = Cost {
                    nodes: 1,
                    bytes: value.len(),
                };
                if !self.charge(cost, &m) {
                    return;
                }
                let quoted = style != TScalarStyle::Plain;
                let mut node = self.node_at(Value::Scalar(String::new(), quoted), &m);
                node.end = self.scalar_end(node.start, &value, style);
                node.value = Value::Scalar(value, quoted);
                self.push_value(node, anchor, cost, &m);
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if self.stack.len() >= self.limits.max_depth {
                    let max = self.limits.max_depth;
                    self.fail(format!("nesting deeper than {max} levels"), &m);
                    return;
                }
                let one = Cost { nodes: 1, bytes: 0 };
                if !self.charge(one, &m) {
                    return;
                }
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
                    Frame::Seq(node, one)
                } else {
                    Frame::Map(node, None, one, false)
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
                let Some(&(_, size)) = self.anchors.get(&id) else {
                    self.fail("alias to an unknown anchor".into(), &m);
                    return;
                };
                // Charged before the subtree is copied: a bomb stops here, not after the copy.
                if !self.charge(size, &m) {
                    return;
                }
                let mut node = self.anchors[&id].0.clone();
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

/// The node as JSON, for formats read through serde (pnpm lockfiles, OSV records in YAML).
/// Plain scalars resolve by the YAML core schema as `yaml-rust2` does (empty, `~`, `null` → null,
/// `true`/`false`, integers incl. `0x`/`0o`, finite floats); quoted scalars stay strings; a
/// mapping key that is not a scalar becomes `""`; duplicate keys keep the last value.
pub fn to_json(node: &Node) -> serde_json::Value {
    use serde_json::Value as J;
    match &node.value {
        Value::Scalar(s, true) => J::String(s.clone()),
        Value::Scalar(s, false) => plain_scalar(s),
        Value::Seq(items) => J::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => J::Object(
            entries
                .iter()
                .map(|(k, v)| (k.text().to_string(), to_json(v)))
                .collect(),
        ),
    }
}

fn plain_scalar(s: &str) -> serde_json::Value {
    use serde_json::Value as J;
    match s {
        "" | "~" | "null" => return J::Null,
        "true" => return J::Bool(true),
        "false" => return J::Bool(false),
        _ => {}
    }
    let radix = [("0x", 16), ("0o", 8)]
        .into_iter()
        .find_map(|(p, r)| s.strip_prefix(p).map(|d| (d, r)));
    if let Some((digits, r)) = radix {
        if let Ok(i) = i64::from_str_radix(digits, r) {
            return J::from(i);
        }
    } else if let Ok(i) = s.strip_prefix('+').unwrap_or(s).parse::<i64>() {
        return J::from(i);
    }
    if s.bytes().any(|b| b.is_ascii_digit())
        && let Ok(f) = s.parse::<f64>()
        && let Some(n) = serde_json::Number::from_f64(f)
    {
        return J::Number(n);
    }
    J::String(s.to_string())
}

/// The 1-based line and column (in bytes) of byte `offset` in `src`.
pub fn line_col(src: &str, offset: usize) -> (u32, u32) {
    let before = &src.as_bytes()[..offset.min(src.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    (line as u32, (before.len() - line_start + 1) as u32)
}

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

    /// The nine-line bomb of issue 22 (`a: &a [lol ×9]`, each level nine aliases of the one
    /// before, ten levels): an error at the alias that crosses the budget.
    #[test]
    fn nested_anchor_bomb_stops_at_a_line() {
        let mut bomb = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for i in 1..10 {
            let p = i - 1;
            let items = vec![format!("*a{p}"); 9].join(", ");
            bomb.push_str(&format!("a{i}: &a{i} [{items}]\n"));
        }
        let e = parse(&bomb).unwrap_err();
        assert!(e.message.contains("exceeds 1000000 nodes"), "{e:?}");
        // Line 6 (`a5`, 9^6 nodes): the tree so far plus the anchor's own copy of `a5` pass
        // 1,000,000 nodes held; the error points at the end of that sequence.
        assert_eq!((e.line, e.col), (6, 53), "{e:?}");
    }

    #[test]
    fn long_scalars_repeated_by_aliases_hit_the_byte_budget() {
        let limits = Limits {
            max_expanded_bytes: 20_000,
            ..Limits::default()
        };
        let long = "x".repeat(1000);
        let ok = format!("a: &a {long}\nb: [*a, *a, *a]\n");
        assert!(parse_with(&ok, limits).is_ok());
        let bomb = format!("a: &a {long}\nb: &b [*a, *a, *a, *a, *a]\nc: [*b, *b, *b]\n");
        let e = parse_with(&bomb, limits).unwrap_err();
        assert!(e.message.contains("bytes of scalars"), "{e:?}");
        assert_eq!(e.line, 3, "{e:?}");
    }

    #[test]
    fn size_and_depth_limits() {
        let limits = Limits {
            max_bytes: 10,
            max_depth: 3,
            ..Limits::default()
        };
        let e = parse_with("a: 12345678901\n", limits).unwrap_err();
        assert!(e.message.contains("size limit"), "{e:?}");
        let e = parse_with("[[[[1]]]]", limits).unwrap_err();
        assert!(e.message.contains("deeper than 3"), "{e:?}");
        assert_eq!((e.line, e.col), (1, 4));
        assert!(parse_with("[[[1]]]", limits).is_ok());
    }

    #[test]
    fn json_view_resolves_plain_scalars() {
        let src = "v: 5.4\nq: '9.0'\ni: 42\nh: 0x1f\nb: true\nn: ~\ne:\ns: hello\nl: [1, '2']\ninf: .inf\n";
        let j = to_json(&parse(src).unwrap());
        assert_eq!(
            j,
            serde_json::json!({
                "v": 5.4, "q": "9.0", "i": 42, "h": 31, "b": true, "n": null, "e": null,
                "s": "hello", "l": [1, "2"], "inf": ".inf"
            })
        );
        assert_eq!(j["v"].to_string(), "5.4");
    }

    /// Found by fuzzing (`crates/yaml/fuzz`, target `load`): bare `\r` line breaks moved the
    /// parser's markers past the end of the text and a quoted scalar's end panicked.
    #[test]
    fn bare_carriage_returns_are_line_breaks() {
        let src = "on: push\rpermissions:\r\r  x: 'a'\rjobs: \"b\"\r";
        let root = parse(src).unwrap();
        let jobs = root.get("jobs").unwrap();
        assert_eq!(jobs.text(), "b");
        assert_eq!(jobs.line, 5);
        assert_eq!(&src[jobs.start..jobs.end], "\"b\"");
        let crash = include_bytes!("../tests/data/fuzz-crash-cr.yml");
        let _ = parse(std::str::from_utf8(crash).unwrap());
        let crlf = parse("a: 1\r\nb: 'x'\r\n").unwrap();
        assert_eq!(crlf.get("b").unwrap().line, 2);
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
}
