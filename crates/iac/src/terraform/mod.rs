//! Terraform: HCL parsed with `hcl-edit` (which keeps the byte span of every block, attribute
//! and expression) into a small positioned tree ([`Block`], [`Attr`], [`V`]), then checked as
//! a module (every `.tf` file of one folder together, so `var.x`/`local.y` with literal values
//! resolve and a bucket's encryption resource in another file counts) by the [`rules`].

pub mod rules;

use hcl_edit::Span;
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Body, Structure};
use hcl_edit::template::{Element, Template};
use std::collections::HashMap;

/// Why a file is not HCL we can read, with its 1-based position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub line: u32,
    pub col: u32,
}

/// A value, positioned.
#[derive(Debug, Clone, PartialEq)]
pub struct V {
    pub val: Val,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Null,
    Bool(bool),
    Num(String),
    /// A string with no interpolation (quoted or heredoc).
    Str(String),
    List(Vec<V>),
    Map(Vec<(String, V)>),
    /// A function call with its name and arguments (`jsonencode({…})`).
    Call(String, Vec<V>),
    /// A reference (`var.x`, `local.y`, `aws_s3_bucket.b.id`) as written.
    Ref(String),
    /// Anything else (interpolated strings, conditionals, for-expressions), as written.
    Expr(String),
}

impl V {
    pub fn str(&self) -> Option<&str> {
        match &self.val {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn bool(&self) -> Option<bool> {
        match &self.val {
            Val::Bool(b) => Some(*b),
            Val::Str(s) if s == "true" => Some(true),
            Val::Str(s) if s == "false" => Some(false),
            _ => None,
        }
    }
    /// A number or a numeric string.
    pub fn num(&self) -> Option<i64> {
        match &self.val {
            Val::Num(s) | Val::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
    pub fn items(&self) -> &[V] {
        match &self.val {
            Val::List(v) => v,
            _ => &[],
        }
    }
    pub fn get(&self, key: &str) -> Option<&V> {
        match &self.val {
            Val::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    /// The strings of a list, or the one string of a scalar.
    pub fn strings(&self) -> Vec<&str> {
        match &self.val {
            Val::Str(s) => vec![s.as_str()],
            Val::List(v) => v.iter().filter_map(|x| x.str()).collect(),
            _ => Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attr {
    pub key: String,
    pub value: V,
    pub start: usize,
    pub end: usize,
}

/// A block (`resource "aws_s3_bucket" "b" { … }`) with its attributes and nested blocks.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Block {
    pub kind: String,
    pub labels: Vec<String>,
    pub attrs: Vec<Attr>,
    pub blocks: Vec<Block>,
    pub start: usize,
    pub end: usize,
}

impl Block {
    pub fn attr(&self, key: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.key == key)
    }
    pub fn get(&self, key: &str) -> Option<&V> {
        self.attr(key).map(|a| &a.value)
    }
    pub fn nested<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
        self.blocks.iter().filter(move |b| b.kind == kind)
    }
    /// The resource or data type (`aws_s3_bucket`) and name of a `resource`/`data` block.
    pub fn type_and_name(&self) -> (&str, &str) {
        (
            self.labels.first().map(|s| s.as_str()).unwrap_or(""),
            self.labels.get(1).map(|s| s.as_str()).unwrap_or(""),
        )
    }
}

/// Most nesting accepted while converting (blocks and values).
const MAX_DEPTH: usize = 128;

/// Parses one `.tf` file into its top-level blocks (top-level attributes are not Terraform).
pub fn parse(src: &str) -> Result<Vec<Block>, ParseError> {
    let body = hcl_edit::parser::parse_body(src).map_err(|e| ParseError {
        message: e.message().to_string(),
        line: e.location().line() as u32,
        col: e.location().column() as u32,
    })?;
    Ok(blocks(&body, src, 0))
}

fn blocks(body: &Body, src: &str, depth: usize) -> Vec<Block> {
    let mut out = Vec::new();
    if depth > MAX_DEPTH {
        return out;
    }
    for s in body.iter() {
        if let Structure::Block(b) = s {
            let (start, end) = span(b.span());
            let mut blk = Block {
                kind: b.ident.value().to_string(),
                labels: b.labels.iter().map(|l| l.as_str().to_string()).collect(),
                start,
                end,
                ..Default::default()
            };
            for st in b.body.iter() {
                if let Structure::Attribute(a) = st {
                    let (s0, e0) = span(a.span());
                    blk.attrs.push(Attr {
                        key: a.key.value().to_string(),
                        value: value(&a.value, src, depth + 1),
                        start: s0,
                        end: e0,
                    });
                }
            }
            blk.blocks = blocks(&b.body, src, depth + 1);
            out.push(blk);
        }
    }
    out
}

fn span(r: Option<std::ops::Range<usize>>) -> (usize, usize) {
    r.map(|r| (r.start, r.end)).unwrap_or((0, 0))
}

fn literal(t: &Template) -> Option<String> {
    let mut s = String::new();
    for e in t.iter() {
        match e {
            Element::Literal(l) => s.push_str(l.value()),
            _ => return None,
        }
    }
    Some(s)
}

fn value(e: &Expression, src: &str, depth: usize) -> V {
    let (start, end) = span(e.span());
    let raw = || src.get(start..end).unwrap_or("").to_string();
    let val = if depth > MAX_DEPTH {
        Val::Expr(raw())
    } else {
        match e {
            Expression::Null(_) => Val::Null,
            Expression::Bool(b) => Val::Bool(*b.value()),
            Expression::Number(n) => Val::Num(n.value().to_string()),
            Expression::String(s) => Val::Str(s.value().to_string()),
            Expression::StringTemplate(t) => {
                literal(t).map(Val::Str).unwrap_or_else(|| Val::Expr(raw()))
            }
            Expression::HeredocTemplate(h) => literal(&h.template)
                .map(Val::Str)
                .unwrap_or_else(|| Val::Expr(raw())),
            Expression::Array(a) => Val::List(a.iter().map(|x| value(x, src, depth + 1)).collect()),
            Expression::Object(o) => Val::Map(
                o.iter()
                    .map(|(k, v)| {
                        let key = match k {
                            ObjectKey::Ident(i) => i.value().to_string(),
                            ObjectKey::Expression(x) => match value(x, src, depth + 1).val {
                                Val::Str(s) => s,
                                Val::Ref(s) | Val::Expr(s) => s,
                                _ => String::new(),
                            },
                        };
                        (key, value(v.expr(), src, depth + 1))
                    })
                    .collect(),
            ),
            Expression::Parenthesis(p) => return value(p.inner(), src, depth + 1),
            Expression::FuncCall(f) => Val::Call(
                f.name.name.value().to_string(),
                f.args.iter().map(|x| value(x, src, depth + 1)).collect(),
            ),
            Expression::Variable(_) | Expression::Traversal(_) => Val::Ref(raw()),
            _ => Val::Expr(raw()),
        }
    };
    V { val, start, end }
}

/// One parsed file of a module.
pub struct File<'a> {
    pub src: crate::rule::Src<'a>,
    pub blocks: Vec<Block>,
}

/// A module: the files of one folder, with the literal values of its variables' defaults and
/// its locals.
pub struct Module<'a> {
    pub files: Vec<File<'a>>,
    vars: HashMap<String, V>,
}

impl<'a> Module<'a> {
    pub fn new(files: Vec<File<'a>>) -> Self {
        let mut vars = HashMap::new();
        for f in &files {
            for b in &f.blocks {
                if b.kind == "variable"
                    && let (Some(n), Some(d)) = (b.labels.first(), b.get("default"))
                {
                    vars.insert(format!("var.{n}"), d.clone());
                }
                if b.kind == "locals" {
                    for a in &b.attrs {
                        vars.insert(format!("local.{}", a.key), a.value.clone());
                    }
                }
            }
        }
        Module { files, vars }
    }

    /// `v`, or the literal value a `var.x`/`local.y` reference stands for (followed a few
    /// times, so a local pointing at a variable resolves).
    pub fn resolve<'v>(&'v self, v: &'v V) -> &'v V {
        let mut cur = v;
        for _ in 0..8 {
            match &cur.val {
                Val::Ref(r) => match self.vars.get(r.trim()) {
                    Some(n) => cur = n,
                    None => return cur,
                },
                _ => return cur,
            }
        }
        cur
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_attributes_and_positions() {
        let src = "resource \"aws_s3_bucket\" \"b\" {\n  acl = \"public-read\"\n  tags = { Name = \"x\" }\n  versioning {\n    enabled = true\n  }\n  policy = jsonencode({ Statement = [{ Action = \"*\" }] })\n  n = \"${var.x}-y\"\n}\n";
        let b = parse(src).unwrap();
        assert_eq!(b[0].type_and_name(), ("aws_s3_bucket", "b"));
        let acl = b[0].attr("acl").unwrap();
        assert_eq!(acl.value.str(), Some("public-read"));
        assert_eq!(&src[acl.value.start..acl.value.end], "\"public-read\"");
        assert_eq!(
            b[0].get("tags").unwrap().get("Name").unwrap().str(),
            Some("x")
        );
        assert_eq!(
            b[0].nested("versioning")
                .next()
                .unwrap()
                .get("enabled")
                .unwrap()
                .bool(),
            Some(true)
        );
        match &b[0].get("policy").unwrap().val {
            Val::Call(n, args) => {
                assert_eq!(n, "jsonencode");
                let st = &args[0].get("Statement").unwrap().items()[0];
                let a = st.get("Action").unwrap();
                assert_eq!(&src[a.start..a.end], "\"*\"");
            }
            v => panic!("{v:?}"),
        }
        assert!(matches!(b[0].get("n").unwrap().val, Val::Expr(_)));
    }

    #[test]
    fn variables_and_locals_resolve() {
        let src = "variable \"pub\" {\n  default = true\n}\nlocals {\n  p = var.pub\n}\nresource \"aws_subnet\" \"s\" {\n  map_public_ip_on_launch = local.p\n}\n";
        let files = vec![File {
            src: crate::rule::Src {
                display: "m.tf",
                rel: "m.tf",
                text: src,
            },
            blocks: parse(src).unwrap(),
        }];
        let m = Module::new(files);
        let v = m.files[0].blocks[2].get("map_public_ip_on_launch").unwrap();
        assert_eq!(m.resolve(v).bool(), Some(true));
    }

    #[test]
    fn bad_hcl_is_an_error_with_position() {
        let e = parse("resource \"a\" \"b\" {\n  x = \n}\n").unwrap_err();
        assert!(e.line >= 2, "{e:?}");
        assert!(parse(&"{".repeat(5000)).is_err());
    }
}
