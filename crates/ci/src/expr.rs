//! A small parser for GitHub Actions expressions (the text inside `${{ … }}` or a bare `if:`),
//! shared by the audits that need the expression's structure rather than its context names
//! (`obfuscation`, `unsound-ternary`, `unsound-contains`, `unredacted-secrets`,
//! `template-injection`), and the locating of a document's expressions and `if:` conditions in
//! its source. It reads the YAML tree and the source text, not the audit framework: a
//! document's parsed expressions are kept by `Doc::expressions`, which calls
//! [`parsed_expressions`].
//!
//! Grammar (from GitHub's "Evaluate expressions" documentation): literals (`'str'` with `''`
//! as the escaped quote, numbers, `true`, `false`, `null`), context paths (`a.b`, `a['b']`,
//! `a.*.b`), function calls, `!`, comparison operators, `&&`, `||` and parentheses. Anything
//! the parser does not understand makes it return `None`; callers then report nothing.

use crate::model;
use crate::yaml::Node;

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
    /// A context path, written back as `a.b.*.c` (lowercase).
    Ctx(String),
    /// `name(args)`, name lowercased.
    Call(String, Vec<Expr>),
    /// `base[index]` where base or index is not a plain context path.
    Index(Box<Expr>, Box<Expr>),
    /// `base.name` on a non-context base (e.g. `fromJSON(x).field`).
    Member(Box<Expr>, String),
    Not(Box<Expr>),
    Bin(Op, Box<Expr>, Box<Expr>),
    /// `( … )`, kept so that findings can show what was written.
    Group(Box<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Str(String),
    Num(f64),
    Ident(String),
    Op(&'static str),
}

fn lex(s: &str) -> Option<Vec<Tok>> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'\'' {
            let mut v = String::new();
            i += 1;
            loop {
                let rest = s.get(i..)?;
                let q = rest.find('\'')?;
                v.push_str(&rest[..q]);
                i += q + 1;
                if b.get(i) == Some(&b'\'') {
                    v.push('\'');
                    i += 1;
                } else {
                    break;
                }
            }
            out.push(Tok::Str(v));
        } else if c.is_ascii_digit() || (c == b'-' && b.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            let st = i;
            i += 1;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.') {
                i += 1;
            }
            let t = &s[st..i];
            let n = if let Some(h) = t.strip_prefix("0x") {
                i64::from_str_radix(h, 16).ok()? as f64
            } else {
                t.parse().ok()?
            };
            out.push(Tok::Num(n));
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let st = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'-') {
                i += 1;
            }
            out.push(Tok::Ident(s[st..i].to_string()));
        } else {
            let two = s.get(i..i + 2).unwrap_or("");
            let op = match two {
                "&&" => "&&",
                "||" => "||",
                "==" => "==",
                "!=" => "!=",
                "<=" => "<=",
                ">=" => ">=",
                _ => match c {
                    b'!' => "!",
                    b'<' => "<",
                    b'>' => ">",
                    b'(' => "(",
                    b')' => ")",
                    b'[' => "[",
                    b']' => "]",
                    b'.' => ".",
                    b',' => ",",
                    b'*' => "*",
                    _ => return None,
                },
            };
            i += op.len();
            out.push(Tok::Op(op));
        }
    }
    Some(out)
}

struct P {
    toks: Vec<Tok>,
    pos: usize,
    depth: usize,
}

impl P {
    fn peek_op(&self) -> Option<&'static str> {
        match self.toks.get(self.pos) {
            Some(Tok::Op(o)) => Some(o),
            _ => None,
        }
    }
    fn eat(&mut self, op: &str) -> bool {
        if self.peek_op() == Some(op) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn or(&mut self) -> Option<Expr> {
        let mut l = self.and()?;
        while self.eat("||") {
            let r = self.and()?;
            l = Expr::Bin(Op::Or, Box::new(l), Box::new(r));
        }
        Some(l)
    }
    fn and(&mut self) -> Option<Expr> {
        let mut l = self.cmp()?;
        while self.eat("&&") {
            let r = self.cmp()?;
            l = Expr::Bin(Op::And, Box::new(l), Box::new(r));
        }
        Some(l)
    }
    fn cmp(&mut self) -> Option<Expr> {
        let mut l = self.unary()?;
        loop {
            let op = match self.peek_op() {
                Some("==") => Op::Eq,
                Some("!=") => Op::Ne,
                Some("<") => Op::Lt,
                Some("<=") => Op::Le,
                Some(">") => Op::Gt,
                Some(">=") => Op::Ge,
                _ => return Some(l),
            };
            self.pos += 1;
            let r = self.unary()?;
            l = Expr::Bin(op, Box::new(l), Box::new(r));
        }
    }
    fn unary(&mut self) -> Option<Expr> {
        if self.eat("!") {
            self.depth += 1;
            if self.depth > 64 {
                return None;
            }
            return Some(Expr::Not(Box::new(self.unary()?)));
        }
        self.postfix()
    }
    fn postfix(&mut self) -> Option<Expr> {
        let mut e = self.primary()?;
        loop {
            if self.eat(".") {
                let name = match self.toks.get(self.pos)? {
                    Tok::Ident(n) => n.to_ascii_lowercase(),
                    Tok::Op("*") => "*".to_string(),
                    _ => return None,
                };
                self.pos += 1;
                e = match e {
                    Expr::Ctx(c) => Expr::Ctx(format!("{c}.{name}")),
                    other => Expr::Member(Box::new(other), name),
                };
            } else if self.eat("[") {
                let idx = if self.eat("*") {
                    Expr::Str("*".into())
                } else {
                    self.or()?
                };
                if !self.eat("]") {
                    return None;
                }
                e = match (e, idx) {
                    (Expr::Ctx(c), Expr::Str(k)) => Expr::Ctx(format!("{c}.{}", k.to_lowercase())),
                    (b, i) => Expr::Index(Box::new(b), Box::new(i)),
                };
            } else {
                return Some(e);
            }
        }
    }
    fn primary(&mut self) -> Option<Expr> {
        self.depth += 1;
        if self.depth > 256 {
            return None;
        }
        let t = self.toks.get(self.pos)?.clone();
        self.pos += 1;
        match t {
            Tok::Str(s) => Some(Expr::Str(s)),
            Tok::Num(n) => Some(Expr::Num(n)),
            Tok::Op("(") => {
                let e = self.or()?;
                self.eat(")").then(|| Expr::Group(Box::new(e)))
            }
            Tok::Ident(id) => {
                let lower = id.to_ascii_lowercase();
                if self.eat("(") {
                    let mut args = Vec::new();
                    if !self.eat(")") {
                        loop {
                            args.push(self.or()?);
                            if self.eat(")") {
                                break;
                            }
                            if !self.eat(",") {
                                return None;
                            }
                        }
                    }
                    return Some(Expr::Call(lower, args));
                }
                Some(match lower.as_str() {
                    "true" => Expr::Bool(true),
                    "false" => Expr::Bool(false),
                    "null" => Expr::Null,
                    _ => Expr::Ctx(lower),
                })
            }
            Tok::Op(_) => None,
        }
    }
}

/// Parses one expression; `None` if it is not one we understand.
pub fn parse(s: &str) -> Option<Expr> {
    let mut p = P {
        toks: lex(s)?,
        pos: 0,
        depth: 0,
    };
    let e = p.or()?;
    (p.pos == p.toks.len()).then_some(e)
}

impl Expr {
    /// Strips grouping parentheses.
    pub fn bare(&self) -> &Expr {
        match self {
            Expr::Group(e) => e.bare(),
            e => e,
        }
    }

    pub fn is_literal(&self) -> bool {
        matches!(
            self.bare(),
            Expr::Str(_) | Expr::Num(_) | Expr::Bool(_) | Expr::Null
        )
    }

    /// A literal whose truth value is false (`''`, `0`, `false`, `null`).
    pub fn is_falsy_literal(&self) -> bool {
        match self.bare() {
            Expr::Str(s) => s.is_empty(),
            Expr::Num(n) => *n == 0.0,
            Expr::Bool(b) => !b,
            Expr::Null => true,
            _ => false,
        }
    }

    /// Whether the expression evaluates to the same scalar on every run: literals and the
    /// operators and pure functions over them. `fromJSON` of an array or object literal is not
    /// counted (its value cannot be written as an expression literal).
    pub fn is_constant(&self) -> bool {
        match self {
            Expr::Str(_) | Expr::Num(_) | Expr::Bool(_) | Expr::Null => true,
            Expr::Group(e) | Expr::Not(e) => e.is_constant(),
            Expr::Bin(_, a, b) => a.is_constant() && b.is_constant(),
            Expr::Call(f, args) => {
                let pure = matches!(
                    f.as_str(),
                    "format" | "startswith" | "endswith" | "contains" | "join" | "tojson"
                );
                let from_json_scalar = f == "fromjson"
                    && matches!(args.as_slice(), [Expr::Str(s)]
                        if !s.trim_start().starts_with(['[', '{']));
                (pure && !args.is_empty() || from_json_scalar) && args.iter().all(Expr::is_constant)
            }
            Expr::Ctx(_) | Expr::Index(..) | Expr::Member(..) => false,
        }
    }

    /// Every sub-expression, this one first (depth-first).
    pub fn walk<'a>(&'a self, out: &mut Vec<&'a Expr>) {
        out.push(self);
        match self {
            Expr::Group(e) | Expr::Not(e) | Expr::Member(e, _) => e.walk(out),
            Expr::Bin(_, a, b) | Expr::Index(a, b) => {
                a.walk(out);
                b.walk(out);
            }
            Expr::Call(_, args) => args.iter().for_each(|a| a.walk(out)),
            _ => {}
        }
    }

    pub fn subexprs(&self) -> Vec<&Expr> {
        let mut v = Vec::new();
        self.walk(&mut v);
        v
    }

    /// The context path this expression reads, if it is one: `a.b[0].c` and `a[matrix.k]`
    /// read `a.b.*.c` and `a.*` (an index that is not a string literal is any element).
    pub fn context_path(&self) -> Option<String> {
        match self {
            Expr::Ctx(c) => Some(c.clone()),
            Expr::Index(base, _) => base.context_path().map(|p| format!("{p}.*")),
            Expr::Member(base, name) => base.context_path().map(|p| format!("{p}.{name}")),
            _ => None,
        }
    }

    /// The contexts whose value can become the *value* of the expression (what `${{ }}`
    /// pastes into a script), as opposed to contexts it only tests: comparisons, `!a` and the
    /// boolean functions yield booleans; `a && b` yields `b` (or a falsy `a`); `a || b` yields
    /// either; `format`, `join`, `toJSON`, `fromJSON` and unknown functions pass their
    /// arguments through. An index that is not a literal makes the path end in `.*`.
    pub fn value_contexts(&self, out: &mut Vec<String>) {
        match self {
            Expr::Str(_) | Expr::Num(_) | Expr::Bool(_) | Expr::Null | Expr::Not(_) => {}
            Expr::Ctx(c) => out.push(c.clone()),
            Expr::Call(f, args) => {
                let boolean = matches!(
                    f.as_str(),
                    "contains"
                        | "startswith"
                        | "endswith"
                        | "success"
                        | "failure"
                        | "always"
                        | "cancelled"
                        | "hashfiles"
                );
                if !boolean {
                    args.iter().for_each(|a| a.value_contexts(out));
                }
            }
            Expr::Index(base, _) | Expr::Member(base, _) => match self.context_path() {
                Some(p) => out.push(p),
                None => base.value_contexts(out),
            },
            Expr::Group(base) => base.value_contexts(out),
            Expr::Bin(Op::Or, a, b) => {
                a.value_contexts(out);
                b.value_contexts(out);
            }
            Expr::Bin(Op::And, _, b) => b.value_contexts(out),
            Expr::Bin(..) => {}
        }
    }
}

/// [`Expr::value_contexts`] of an expression's text; when the text does not parse, every
/// context it names ([`model::contexts`]), so that nothing is missed.
pub fn value_contexts(s: &str) -> Vec<String> {
    match parse(s) {
        Some(e) => {
            let mut out = Vec::new();
            e.value_contexts(&mut out);
            out
        }
        None => model::contexts(s),
    }
}

/// One `${{ … }}` of the document with its byte range in the source.
pub struct Located<'a> {
    pub node: &'a Node,
    pub route: String,
    pub raw: String,
    pub inner: String,
    pub start: usize,
    pub end: usize,
}

/// One located expression with its parse (`None`: not one the grammar takes).
pub struct Parsed<'a> {
    pub loc: Located<'a>,
    pub expr: Option<Expr>,
}

/// [`document_expressions`], each parsed; audits use it through `Doc::expressions`, which
/// keeps it.
pub fn parsed_expressions<'a>(root: &'a Node, src: &str) -> Vec<Parsed<'a>> {
    document_expressions(root, src)
        .into_iter()
        .map(|loc| Parsed {
            expr: parse(&loc.inner),
            loc,
        })
        .collect()
}

/// Every `${{ … }}` in every scalar of the document (keys excluded), located in the source.
/// Block scalars lose their indentation in the value, so each expression is found by its
/// first line, searching forward from the previous one.
pub fn document_expressions<'a>(root: &'a Node, src: &str) -> Vec<Located<'a>> {
    let mut scalars = Vec::new();
    root.walk_scalars("", &mut scalars);
    let mut out = Vec::new();
    for (route, node) in scalars {
        out.extend(node_expressions(src, node, &route));
    }
    out
}

/// The `${{ … }}` expressions of one scalar node, located in the source `src`.
pub fn node_expressions<'a>(src: &str, node: &'a Node, route: &str) -> Vec<Located<'a>> {
    let text = node.text();
    if !text.contains("${{") {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut cursor = node.start;
    for e in model::expressions(text) {
        let raw = &text[e.start..e.end];
        let needle = raw.lines().next().unwrap_or(raw);
        let (start, end) = match src.get(cursor..).and_then(|s| s.find(needle)) {
            Some(i) => {
                cursor += i + needle.len();
                (cursor - needle.len(), cursor)
            }
            None => (node.start, node.end),
        };
        out.push(Located {
            node,
            route: route.to_string(),
            raw: raw.to_string(),
            inner: e.inner,
            start,
            end,
        });
    }
    out
}

/// One `if:` condition of a job or step.
pub struct Condition<'a> {
    /// The value node.
    pub node: &'a Node,
    /// The byte range from the `if` key to the end of the value (a block scalar's value
    /// starts on the next line; findings are reported on the key's line).
    pub start: usize,
    pub end: usize,
    pub route: String,
    /// The expression text, unwrapped from `${{ … }}` if the whole condition is one.
    pub inner: String,
}

/// The conditions of the document (`if:` of jobs and steps); conditions mixing text and
/// `${{ … }}` are left out.
pub fn conditions<'a>(root: &'a Node) -> Vec<Condition<'a>> {
    let mut out = Vec::new();
    let mut push = |parent: &'a Node, route: String| {
        let Some(n) = parent.get("if") else {
            return;
        };
        let t = n.text().trim();
        let inner = match t.strip_prefix("${{").and_then(|r| r.strip_suffix("}}")) {
            Some(i) if !i.contains("${{") => i.trim().to_string(),
            _ if t.contains("${{") => return,
            _ => t.to_string(),
        };
        if inner.is_empty() {
            return;
        }
        let start = parent.get_key("if").map_or(n.start, |k| k.start);
        out.push(Condition {
            node: n,
            start,
            end: n.end.max(start),
            route,
            inner,
        });
    };
    for (_, job) in model::jobs(root) {
        push(job.node, format!("{}.if", job.route));
    }
    for (_, step) in model::all_steps(root) {
        push(step.node, format!("{}.if", step.route));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_contexts_follow_what_is_pasted() {
        assert_eq!(value_contexts("a.b && c.d || e.f"), vec!["c.d", "e.f"]);
        assert!(value_contexts("fromJSON(inputs.x) && '_y' || ''").is_empty());
        assert!(value_contexts("github.event.pull_request.title == 'foo'").is_empty());
        assert!(value_contexts("contains(github.event.pull_request.title, 'foo')").is_empty());
        assert!(value_contexts("!github.event.issue.title").is_empty());
        assert_eq!(
            value_contexts("format('{0}-{1}', github.head_ref, 'x')"),
            vec!["github.head_ref"]
        );
        assert_eq!(value_contexts("toJSON(github.event)"), vec!["github.event"]);
        assert_eq!(
            value_contexts("github.event.workflow_run.pull_requests.*.base.repo.id"),
            vec!["github.event.workflow_run.pull_requests.*.base.repo.id"]
        );
        assert_eq!(
            value_contexts("needs['a-b']['result']"),
            vec!["needs.a-b.result"]
        );
        assert_eq!(
            value_contexts("github.event[matrix.key] || fromJSON(inputs.x).y || a.b[0].c"),
            vec!["github.event.*", "inputs.x", "a.b.*.c"]
        );
        // Text the grammar does not take: every context it names.
        assert_eq!(
            value_contexts("github.head_ref ~ x.y"),
            vec!["github.head_ref", "x.y"]
        );
        use model::{Capability, capability};
        assert_eq!(capability("needs.a-b.result"), Capability::Fixed);
        assert_eq!(capability("steps.x.outcome"), Capability::Fixed);
    }

    #[test]
    fn parses_the_grammar() {
        let e = parse("github.event['pull_request'].labels.*.name").unwrap();
        assert_eq!(
            e,
            Expr::Ctx("github.event.pull_request.labels.*.name".into())
        );
        let e = parse("a && 'it''s' || 1 == 2").unwrap();
        assert!(matches!(e, Expr::Bin(Op::Or, _, _)));
        assert_eq!(parse("'it''s'").unwrap(), Expr::Str("it's".into()));
        assert!(parse("fromJSON(secrets.x).y").is_some());
        assert!(parse("a[b[c]]").is_some());
        assert!(parse("a &&").is_none());
        assert!(parse("a = b").is_none());
        assert!(parse("'unterminated").is_none());
        assert!(parse(&"!".repeat(10_000)).is_none());
        assert!(parse(&"(".repeat(10_000)).is_none());
    }

    #[test]
    fn constants() {
        for c in [
            "''",
            "true && false",
            "1 > 2 || true",
            "format('{0}', 'abc')",
            "ENDSWITH('abc', 'c')",
            "fromJSON('true')",
            "toJSON('x')",
        ] {
            assert!(parse(c).unwrap().is_constant(), "{c}");
        }
        for c in [
            "github.ref",
            "format('{0}', x)",
            "fromJSON('[1, 2]')",
            "fromJSON('{\"a\": 1}').a",
            "hashFiles('x')",
            "success()",
            "github['event']",
        ] {
            assert!(!parse(c).unwrap().is_constant(), "{c}");
        }
        assert!(parse("(c && '')").unwrap().bare() != &Expr::Null);
        assert!(parse("0").unwrap().is_falsy_literal());
        assert!(!parse("'0'").unwrap().is_falsy_literal());
    }
}
