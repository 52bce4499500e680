//! The condition language of `success-condition` / `failure-condition`.
//!
//! A small expression language over one variable, `result` (the measured value), written by
//! hand so that a template can never do more than compute a value: there is no name lookup
//! besides `result` and `#` (the element inside `all`/`any`/`none`), no loops, no I/O, and
//! every function is a pure function defined in this file. Parsing is bounded (length and
//! nesting limits), evaluation is bounded by the size of the expression and of `result`.
//!
//! Syntax, lowest precedence first:
//!
//! ```text
//! or      := and (("or" | "||") and)*
//! and     := cmp (("and" | "&&") cmp)*
//! cmp     := add (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in") add)?
//! add     := mul (("+" | "-") mul)*
//! mul     := unary (("*" | "/" | "%") unary)*
//! unary   := ("-" | "!" | "not") unary | postfix
//! postfix := primary ("[" or "]" | "." NAME)*
//! primary := NUMBER | STRING | "true" | "false" | "nil" | "result" | "#"
//!          | "(" or ")" | "[" (or ("," or)*)? "]" | FUNC "(" args ")"
//! ```
//!
//! Functions: `len`, `all`, `any`, `none` (list, predicate using `#`; the predicate may be
//! written in braces as in Argo: `all(result, {# < 0.5})`), `sum`, `min`, `max`, `abs`,
//! `asInt`, `asFloat`, `isNaN`, `isInf`.

use std::collections::BTreeMap;
use std::fmt;

/// Longest condition accepted, in bytes.
pub const MAX_LEN: usize = 4096;
/// Deepest nesting of parentheses, brackets and unary operators accepted.
pub const MAX_DEPTH: usize = 64;

/// A value the conditions work on: what a provider measured, or an intermediate result.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    List(Vec<Value>),
    Map(BTreeMap<String, Value>),
}

impl Value {
    fn kind(&self) -> &'static str {
        match self {
            Value::Null => "nil",
            Value::Bool(_) => "bool",
            Value::Num(_) => "number",
            Value::Str(_) => "string",
            Value::List(_) => "list",
            Value::Map(_) => "map",
        }
    }

    /// Whether the value is an empty result (`nil` or an empty list), which `on-empty` decides.
    pub fn is_empty_result(&self) -> bool {
        matches!(self, Value::Null) || matches!(self, Value::List(l) if l.is_empty())
    }

    /// From JSON: numbers become `Num`, objects `Map`.
    pub fn from_json(j: &serde_json::Value) -> Value {
        match j {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Num(n.as_f64().unwrap_or(f64::NAN)),
            serde_json::Value::String(s) => Value::Str(s.clone()),
            serde_json::Value::Array(a) => Value::List(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(o) => Value::Map(
                o.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// To JSON for reports. NaN and infinities, which JSON cannot carry, become the strings
    /// Prometheus uses for them ("NaN", "+Inf", "-Inf").
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            // Whole numbers print as integers (an exit status is `0`, not `0.0`).
            Value::Num(n) if n.fract() == 0.0 && n.abs() < 9e15 => {
                serde_json::Value::Number((*n as i64).into())
            }
            Value::Num(n) => match serde_json::Number::from_f64(*n) {
                Some(num) => serde_json::Value::Number(num),
                None if n.is_nan() => "NaN".into(),
                None if *n > 0.0 => "+Inf".into(),
                None => "-Inf".into(),
            },
            Value::Str(s) => serde_json::Value::String(s.clone()),
            Value::List(l) => serde_json::Value::Array(l.iter().map(Value::to_json).collect()),
            Value::Map(m) => {
                serde_json::Value::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
            }
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Num(n) => write!(f, "{n}"),
            Value::Str(s) => write!(f, "{s:?}"),
            other => write!(f, "{}", other.to_json()),
        }
    }
}

/// A parse or evaluation error, positioned at a 1-based column (in characters) of the condition.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("column {column}: {message}")]
pub struct ExprError {
    pub column: usize,
    pub message: String,
}

fn err<T>(column: usize, message: impl Into<String>) -> Result<T, ExprError> {
    Err(ExprError {
        column,
        message: message.into(),
    })
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Str(String),
    Name(String),
    Hash,
    Sym(&'static str),
    End,
}

fn lex(src: &str) -> Result<Vec<(Tok, usize)>, ExprError> {
    const SYMS: [&str; 24] = [
        "==", "!=", "<=", ">=", "&&", "||", "<", ">", "+", "-", "*", "/", "%", "!", "(", ")", "[",
        "]", "{", "}", ",", ".", "#", "=",
    ];
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
        {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '_') {
                i += 1;
            }
            if i < chars.len()
                && chars[i] == '.'
                && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())
            {
                i += 1;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
            }
            if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                let mut j = i + 1;
                if j < chars.len() && (chars[j] == '+' || chars[j] == '-') {
                    j += 1;
                }
                if j < chars.len() && chars[j].is_ascii_digit() {
                    i = j;
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                }
            }
            let text: String = chars[start..i].iter().filter(|c| **c != '_').collect();
            match text.parse::<f64>() {
                Ok(n) => out.push((Tok::Num(n), col)),
                Err(_) => return err(col, format!("bad number `{text}`")),
            }
        } else if c == '\'' || c == '"' {
            let quote = c;
            i += 1;
            let mut s = String::new();
            loop {
                let Some(&d) = chars.get(i) else {
                    return err(col, "string is not closed");
                };
                i += 1;
                if d == quote {
                    break;
                }
                if d == '\\' {
                    let Some(&e) = chars.get(i) else {
                        return err(col, "string is not closed");
                    };
                    i += 1;
                    s.push(match e {
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        '\\' | '\'' | '"' => e,
                        other => return err(i - 1, format!("unknown escape `\\{other}`")),
                    });
                } else {
                    s.push(d);
                }
            }
            out.push((Tok::Str(s), col));
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push((Tok::Name(chars[start..i].iter().collect()), col));
        } else {
            let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
            let Some(sym) = SYMS.iter().find(|s| rest.starts_with(**s)) else {
                return err(col, format!("unexpected character `{c}`"));
            };
            if *sym == "=" {
                return err(col, "`=` is not an operator; compare with `==`");
            }
            i += sym.chars().count();
            out.push((
                if *sym == "#" {
                    Tok::Hash
                } else {
                    Tok::Sym(sym)
                },
                col,
            ));
        }
    }
    out.push((Tok::End, chars.len() + 1));
    Ok(out)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Func {
    Len,
    All,
    Any,
    None,
    Sum,
    Min,
    Max,
    Abs,
    AsInt,
    AsFloat,
    IsNaN,
    IsInf,
}

impl Func {
    fn by_name(name: &str) -> Option<(Func, usize)> {
        Some(match name {
            "len" => (Func::Len, 1),
            "all" => (Func::All, 2),
            "any" => (Func::Any, 2),
            "none" => (Func::None, 2),
            "sum" => (Func::Sum, 1),
            "min" => (Func::Min, 1),
            "max" => (Func::Max, 1),
            "abs" => (Func::Abs, 1),
            "asInt" => (Func::AsInt, 1),
            "asFloat" => (Func::AsFloat, 1),
            "isNaN" => (Func::IsNaN, 1),
            "isInf" => (Func::IsInf, 1),
            _ => return None,
        })
    }
    fn is_predicate(self) -> bool {
        matches!(self, Func::All | Func::Any | Func::None)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Lit(Value),
    Result,
    Elem,
    Neg(Box<Node>),
    Not(Box<Node>),
    Bin(Op, Box<Node>, Box<Node>),
    Index(Box<Node>, Box<Node>),
    Field(Box<Node>, String),
    Call(Func, Vec<Node>),
    List(Vec<Node>),
}

#[derive(Debug, Clone, PartialEq)]
struct Node {
    expr: Expr,
    col: usize,
}

/// A parsed condition, ready to evaluate against any number of results.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    root: Node,
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    depth: usize,
    /// How many `all`/`any`/`none` predicates enclose the current position (`#` is valid inside).
    predicates: usize,
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos].0
    }
    fn col(&self) -> usize {
        self.toks[self.pos].1
    }
    fn bump(&mut self) -> (Tok, usize) {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }
    fn is_sym(&self, s: &str) -> bool {
        matches!(self.peek(), Tok::Sym(x) if *x == s)
    }
    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Tok::Name(x) if x == w)
    }
    fn expect(&mut self, s: &str) -> Result<(), ExprError> {
        if self.is_sym(s) {
            self.bump();
            Ok(())
        } else {
            err(
                self.col(),
                format!("expected `{s}`, found {}", describe(self.peek())),
            )
        }
    }
    fn enter(&mut self) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return err(self.col(), format!("nested deeper than {MAX_DEPTH} levels"));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Node, ExprError> {
        self.enter()?;
        let mut left = self.and()?;
        while self.is_word("or") || self.is_sym("||") {
            let (_, col) = self.bump();
            let right = self.and()?;
            left = bin(Op::Or, left, right, col);
        }
        self.depth -= 1;
        Ok(left)
    }
    fn and(&mut self) -> Result<Node, ExprError> {
        let mut left = self.cmp()?;
        while self.is_word("and") || self.is_sym("&&") {
            let (_, col) = self.bump();
            let right = self.cmp()?;
            left = bin(Op::And, left, right, col);
        }
        Ok(left)
    }
    fn cmp(&mut self) -> Result<Node, ExprError> {
        let left = self.add()?;
        let op = match self.peek() {
            Tok::Sym("==") => Op::Eq,
            Tok::Sym("!=") => Op::Ne,
            Tok::Sym("<") => Op::Lt,
            Tok::Sym("<=") => Op::Le,
            Tok::Sym(">") => Op::Gt,
            Tok::Sym(">=") => Op::Ge,
            Tok::Name(n) if n == "in" => Op::In,
            _ => return Ok(left),
        };
        let (_, col) = self.bump();
        let right = self.add()?;
        if matches!(self.peek(), Tok::Sym("==" | "!=" | "<" | "<=" | ">" | ">=")) {
            return err(self.col(), "comparisons do not chain; join them with `and`");
        }
        Ok(bin(op, left, right, col))
    }
    fn add(&mut self) -> Result<Node, ExprError> {
        let mut left = self.mul()?;
        loop {
            let op = match self.peek() {
                Tok::Sym("+") => Op::Add,
                Tok::Sym("-") => Op::Sub,
                _ => return Ok(left),
            };
            let (_, col) = self.bump();
            let right = self.mul()?;
            left = bin(op, left, right, col);
        }
    }
    fn mul(&mut self) -> Result<Node, ExprError> {
        let mut left = self.unary()?;
        loop {
            let op = match self.peek() {
                Tok::Sym("*") => Op::Mul,
                Tok::Sym("/") => Op::Div,
                Tok::Sym("%") => Op::Rem,
                _ => return Ok(left),
            };
            let (_, col) = self.bump();
            let right = self.unary()?;
            left = bin(op, left, right, col);
        }
    }
    fn unary(&mut self) -> Result<Node, ExprError> {
        let col = self.col();
        if self.is_sym("-") || self.is_sym("!") || self.is_word("not") {
            let neg = self.is_sym("-");
            self.bump();
            self.enter()?;
            let inner = Box::new(self.unary()?);
            self.depth -= 1;
            let expr = if neg {
                Expr::Neg(inner)
            } else {
                Expr::Not(inner)
            };
            return Ok(Node { expr, col });
        }
        self.postfix()
    }
    fn postfix(&mut self) -> Result<Node, ExprError> {
        let mut node = self.primary()?;
        loop {
            let col = self.col();
            if self.is_sym("[") {
                self.bump();
                let index = self.or()?;
                self.expect("]")?;
                node = Node {
                    expr: Expr::Index(Box::new(node), Box::new(index)),
                    col,
                };
            } else if self.is_sym(".") {
                self.bump();
                match self.bump() {
                    (Tok::Name(name), _) => {
                        node = Node {
                            expr: Expr::Field(Box::new(node), name),
                            col,
                        }
                    }
                    (t, c) => {
                        return err(c, format!("expected a field name, found {}", describe(&t)));
                    }
                }
            } else {
                return Ok(node);
            }
        }
    }
    fn primary(&mut self) -> Result<Node, ExprError> {
        let (tok, col) = self.bump();
        let expr = match tok {
            Tok::Num(n) => Expr::Lit(Value::Num(n)),
            Tok::Str(s) => Expr::Lit(Value::Str(s)),
            Tok::Hash => {
                if self.predicates == 0 {
                    return err(col, "`#` is only valid inside all(), any() or none()");
                }
                Expr::Elem
            }
            Tok::Sym("(") => {
                let inner = self.or()?;
                self.expect(")")?;
                return Ok(inner);
            }
            Tok::Sym("[") => {
                self.enter()?;
                let mut items = Vec::new();
                if !self.is_sym("]") {
                    loop {
                        items.push(self.or()?);
                        if self.is_sym(",") {
                            self.bump();
                        } else {
                            break;
                        }
                    }
                }
                self.expect("]")?;
                self.depth -= 1;
                Expr::List(items)
            }
            Tok::Name(name) => match name.as_str() {
                "true" => Expr::Lit(Value::Bool(true)),
                "false" => Expr::Lit(Value::Bool(false)),
                "nil" | "null" => Expr::Lit(Value::Null),
                "result" => Expr::Result,
                _ => {
                    let Some((func, arity)) = Func::by_name(&name) else {
                        return err(
                            col,
                            format!("unknown name `{name}` (the measured value is `result`)"),
                        );
                    };
                    if !self.is_sym("(") {
                        return err(self.col(), format!("`{name}` is a function: `{name}(…)`"));
                    }
                    self.bump();
                    let mut args = Vec::new();
                    while !self.is_sym(")") {
                        if !args.is_empty() {
                            self.expect(",")?;
                        }
                        let predicate = func.is_predicate() && args.len() == 1;
                        if predicate {
                            self.predicates += 1;
                        }
                        let arg = if predicate && self.is_sym("{") {
                            self.bump();
                            let a = self.or()?;
                            self.expect("}")?;
                            a
                        } else {
                            self.or()?
                        };
                        if predicate {
                            self.predicates -= 1;
                        }
                        args.push(arg);
                        if matches!(self.peek(), Tok::End) {
                            break;
                        }
                    }
                    self.expect(")")?;
                    if args.len() != arity {
                        return err(
                            col,
                            format!("{name}() takes {arity} argument(s), got {}", args.len()),
                        );
                    }
                    Expr::Call(func, args)
                }
            },
            t => return err(col, format!("expected a value, found {}", describe(&t))),
        };
        Ok(Node { expr, col })
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Num(n) => format!("number {n}"),
        Tok::Str(s) => format!("string {s:?}"),
        Tok::Name(n) => format!("`{n}`"),
        Tok::Hash => "`#`".into(),
        Tok::Sym(s) => format!("`{s}`"),
        Tok::End => "the end".into(),
    }
}

fn bin(op: Op, l: Node, r: Node, col: usize) -> Node {
    Node {
        expr: Expr::Bin(op, Box::new(l), Box::new(r)),
        col,
    }
}

impl Condition {
    /// Parses a condition. Errors carry the column.
    pub fn parse(src: &str) -> Result<Condition, ExprError> {
        if src.len() > MAX_LEN {
            return err(1, format!("condition is longer than {MAX_LEN} bytes"));
        }
        let toks = lex(src)?;
        let mut p = Parser {
            toks,
            pos: 0,
            depth: 0,
            predicates: 0,
        };
        if matches!(p.peek(), Tok::End) {
            return err(1, "empty condition");
        }
        let root = p.or()?;
        if !matches!(p.peek(), Tok::End) {
            return err(p.col(), format!("unexpected {}", describe(p.peek())));
        }
        Ok(Condition { root })
    }

    /// Evaluates to a boolean; any other type is an error.
    pub fn eval_bool(&self, result: &Value) -> Result<bool, ExprError> {
        match self.eval(result)? {
            Value::Bool(b) => Ok(b),
            other => err(
                self.root.col,
                format!(
                    "a condition must be true or false, this one gives a {}",
                    other.kind()
                ),
            ),
        }
    }

    /// Evaluates to any value.
    pub fn eval(&self, result: &Value) -> Result<Value, ExprError> {
        eval(&self.root, result, None)
    }
}

fn eval(n: &Node, result: &Value, elem: Option<&Value>) -> Result<Value, ExprError> {
    let col = n.col;
    Ok(match &n.expr {
        Expr::Lit(v) => v.clone(),
        Expr::Result => result.clone(),
        Expr::Elem => match elem {
            Some(v) => v.clone(),
            None => return err(col, "`#` outside a predicate"),
        },
        Expr::Neg(e) => match eval(e, result, elem)? {
            Value::Num(x) => Value::Num(-x),
            v => return err(col, format!("cannot negate a {}", v.kind())),
        },
        Expr::Not(e) => Value::Bool(!as_bool(&eval(e, result, elem)?, e.col)?),
        Expr::Bin(Op::And, l, r) => Value::Bool(
            as_bool(&eval(l, result, elem)?, l.col)? && as_bool(&eval(r, result, elem)?, r.col)?,
        ),
        Expr::Bin(Op::Or, l, r) => Value::Bool(
            as_bool(&eval(l, result, elem)?, l.col)? || as_bool(&eval(r, result, elem)?, r.col)?,
        ),
        Expr::Bin(op, l, r) => binary(*op, eval(l, result, elem)?, eval(r, result, elem)?, col)?,
        Expr::Index(base, idx) => {
            let b = eval(base, result, elem)?;
            let i = eval(idx, result, elem)?;
            match (&b, &i) {
                (Value::List(list), Value::Num(x)) => {
                    if x.fract() != 0.0 || !x.is_finite() {
                        return err(idx.col, format!("index {x} is not a whole number"));
                    }
                    let len = list.len() as f64;
                    let at = if *x < 0.0 { len + x } else { *x };
                    if at < 0.0 || at >= len {
                        return err(
                            idx.col,
                            format!(
                                "index {x} is out of range (the list has {} item(s))",
                                list.len()
                            ),
                        );
                    }
                    list[at as usize].clone()
                }
                (Value::Map(m), Value::Str(k)) => m.get(k).cloned().unwrap_or(Value::Null),
                _ => {
                    return err(
                        col,
                        format!("cannot index a {} with a {}", b.kind(), i.kind()),
                    );
                }
            }
        }
        Expr::Field(base, name) => match eval(base, result, elem)? {
            Value::Map(m) => m.get(name).cloned().unwrap_or(Value::Null),
            v => return err(col, format!("a {} has no field `{name}`", v.kind())),
        },
        Expr::List(items) => Value::List(
            items
                .iter()
                .map(|i| eval(i, result, elem))
                .collect::<Result<_, _>>()?,
        ),
        Expr::Call(f, args) => call(*f, args, result, elem, col)?,
    })
}

fn as_bool(v: &Value, col: usize) -> Result<bool, ExprError> {
    match v {
        Value::Bool(b) => Ok(*b),
        v => err(col, format!("expected true or false, found a {}", v.kind())),
    }
}

fn as_num(v: &Value, col: usize) -> Result<f64, ExprError> {
    match v {
        Value::Num(x) => Ok(*x),
        v => err(col, format!("expected a number, found a {}", v.kind())),
    }
}

fn as_list(v: Value, col: usize) -> Result<Vec<Value>, ExprError> {
    match v {
        Value::List(l) => Ok(l),
        v => err(col, format!("expected a list, found a {}", v.kind())),
    }
}

fn binary(op: Op, l: Value, r: Value, col: usize) -> Result<Value, ExprError> {
    use std::cmp::Ordering;
    let ord = |l: &Value, r: &Value| -> Result<Option<Ordering>, ExprError> {
        match (l, r) {
            (Value::Num(a), Value::Num(b)) => Ok(a.partial_cmp(b)),
            (Value::Str(a), Value::Str(b)) => Ok(Some(a.cmp(b))),
            _ => err(
                col,
                format!("cannot order a {} and a {}", l.kind(), r.kind()),
            ),
        }
    };
    Ok(match op {
        Op::Eq => Value::Bool(l == r),
        Op::Ne => Value::Bool(l != r),
        Op::Lt => Value::Bool(ord(&l, &r)? == Some(Ordering::Less)),
        Op::Le => Value::Bool(matches!(
            ord(&l, &r)?,
            Some(Ordering::Less | Ordering::Equal)
        )),
        Op::Gt => Value::Bool(ord(&l, &r)? == Some(Ordering::Greater)),
        Op::Ge => Value::Bool(matches!(
            ord(&l, &r)?,
            Some(Ordering::Greater | Ordering::Equal)
        )),
        Op::In => match r {
            Value::List(items) => Value::Bool(items.contains(&l)),
            Value::Map(m) => match l {
                Value::Str(k) => Value::Bool(m.contains_key(&k)),
                _ => return err(col, "a map's keys are strings"),
            },
            Value::Str(s) => match l {
                Value::Str(sub) => Value::Bool(s.contains(&sub)),
                _ => return err(col, "`in` a string needs a string"),
            },
            v => {
                return err(
                    col,
                    format!("`in` needs a list, map or string, found a {}", v.kind()),
                );
            }
        },
        Op::Add => match (l, r) {
            (Value::Num(a), Value::Num(b)) => Value::Num(a + b),
            (Value::Str(a), Value::Str(b)) => Value::Str(a + &b),
            (a, b) => return err(col, format!("cannot add a {} and a {}", a.kind(), b.kind())),
        },
        Op::Sub | Op::Mul | Op::Div | Op::Rem => {
            let (a, b) = (as_num(&l, col)?, as_num(&r, col)?);
            Value::Num(match op {
                Op::Sub => a - b,
                Op::Mul => a * b,
                Op::Div => a / b,
                _ => a % b,
            })
        }
        Op::And | Op::Or => unreachable!("short-circuit operators are evaluated in eval"),
    })
}

fn call(
    f: Func,
    args: &[Node],
    result: &Value,
    elem: Option<&Value>,
    col: usize,
) -> Result<Value, ExprError> {
    let a0 = eval(&args[0], result, elem)?;
    Ok(match f {
        Func::Len => Value::Num(match &a0 {
            Value::List(l) => l.len() as f64,
            Value::Str(s) => s.chars().count() as f64,
            Value::Map(m) => m.len() as f64,
            v => return err(args[0].col, format!("len() of a {}", v.kind())),
        }),
        Func::All | Func::Any | Func::None => {
            let list = as_list(a0, args[0].col)?;
            let mut hits = 0usize;
            for item in &list {
                if as_bool(&eval(&args[1], result, Some(item))?, args[1].col)? {
                    hits += 1;
                    if f == Func::Any {
                        break;
                    }
                } else if f == Func::All {
                    break;
                }
            }
            Value::Bool(match f {
                Func::All => hits == list.len(),
                Func::Any => hits > 0,
                _ => hits == 0,
            })
        }
        Func::Sum | Func::Min | Func::Max => {
            let list = as_list(a0, args[0].col)?;
            let nums = list
                .iter()
                .map(|v| as_num(v, args[0].col))
                .collect::<Result<Vec<f64>, _>>()?;
            match f {
                Func::Sum => Value::Num(nums.iter().sum()),
                _ if nums.is_empty() => {
                    return err(args[0].col, "min()/max() of an empty list");
                }
                Func::Min => Value::Num(nums.iter().copied().fold(f64::INFINITY, f64::min)),
                _ => Value::Num(nums.iter().copied().fold(f64::NEG_INFINITY, f64::max)),
            }
        }
        Func::Abs => Value::Num(as_num(&a0, args[0].col)?.abs()),
        Func::IsNaN => Value::Bool(as_num(&a0, args[0].col)?.is_nan()),
        Func::IsInf => Value::Bool(as_num(&a0, args[0].col)?.is_infinite()),
        Func::AsInt | Func::AsFloat => {
            let x = match &a0 {
                Value::Num(x) => *x,
                Value::Str(s) => {
                    let t = s.trim();
                    let parsed = if f == Func::AsInt {
                        t.parse::<i64>().map(|i| i as f64).ok()
                    } else {
                        t.parse::<f64>().ok()
                    };
                    match parsed {
                        Some(x) => x,
                        None => return err(col, format!("{s:?} is not a number")),
                    }
                }
                v => return err(col, format!("cannot convert a {} to a number", v.kind())),
            };
            Value::Num(if f == Func::AsInt { x.trunc() } else { x })
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(x: f64) -> Value {
        Value::Num(x)
    }
    fn list(xs: &[f64]) -> Value {
        Value::List(xs.iter().map(|x| Value::Num(*x)).collect())
    }
    fn check(src: &str, result: &Value) -> bool {
        Condition::parse(src)
            .unwrap_or_else(|e| panic!("{src}: {e}"))
            .eval_bool(result)
            .unwrap_or_else(|e| panic!("{src}: {e}"))
    }
    fn parse_err(src: &str) -> ExprError {
        Condition::parse(src).unwrap_err()
    }
    fn eval_err(src: &str, result: &Value) -> ExprError {
        Condition::parse(src)
            .unwrap()
            .eval_bool(result)
            .unwrap_err()
    }

    #[test]
    fn comparisons_on_numbers() {
        assert!(check("result >= 0.95", &num(0.95)));
        assert!(!check("result > 0.95", &num(0.95)));
        assert!(check("result < 1e-2", &num(0.001)));
        assert!(check("result == 3", &num(3.0)));
        assert!(check("result != 3", &num(3.5)));
        assert!(check("result <= -1", &num(-2.0)));
    }

    #[test]
    fn nan_compares_false_and_is_detectable() {
        let nan = num(f64::NAN);
        assert!(!check("result >= 0.95", &nan));
        assert!(!check("result < 0.95", &nan));
        assert!(check("isNaN(result)", &nan));
        assert!(check("isInf(result)", &num(f64::INFINITY)));
    }

    #[test]
    fn vectors_index_len_all_any() {
        let v = list(&[0.1, 0.2, 0.3]);
        assert!(check("result[0] < 0.15", &v));
        assert!(check("result[-1] == 0.3", &v));
        assert!(check("len(result) == 3", &v));
        assert!(check("all(result, # < 0.5)", &v));
        assert!(check("all(result, {# < 0.5})", &v));
        assert!(!check("any(result, # > 0.5)", &v));
        assert!(check("none(result, # > 0.5)", &v));
        assert!(check("all([], # > 1)", &v));
        assert!(!check("any([], # > 1)", &v));
        assert!(check(
            "sum(result) > 0.59 and max(result) == 0.3 and min(result) == 0.1",
            &v
        ));
        assert!(check("0.2 in result", &v));
    }

    #[test]
    fn logic_and_precedence() {
        let v = num(5.0);
        assert!(check("result > 1 and result < 10", &v));
        assert!(check("result > 10 or result == 5", &v));
        assert!(check("not (result > 10)", &v));
        assert!(check("!(result > 10) && true", &v));
        assert!(check("1 + 2 * 3 == 7", &v));
        assert!(check("(1 + 2) * 3 == 9", &v));
        assert!(check("-result == -5", &v));
        assert!(check("result % 2 == 1", &v));
        assert!(check("result / 2 == 2.5", &v));
        // `and` binds tighter than `or`.
        assert!(check("true or false and false", &v));
    }

    #[test]
    fn short_circuit_skips_errors() {
        // The right side would fail (index out of range) but is never evaluated.
        assert!(!check("len(result) > 0 and result[0] > 1", &list(&[])));
        assert!(check("len(result) == 0 or result[0] > 1", &list(&[])));
    }

    #[test]
    fn strings_bools_maps() {
        assert!(check("result == 'true'", &Value::Str("true".into())));
        assert!(check("result == \"ok\"", &Value::Str("ok".into())));
        assert!(check("asInt(result) == 42", &Value::Str("42".into())));
        assert!(check("asFloat(result) > 0.5", &Value::Str("0.75".into())));
        assert!(check("result", &Value::Bool(true)));
        let m = Value::from_json(&serde_json::json!({"ok": true, "n": [1, 2], "s": "up"}));
        assert!(check("result.ok and result.n[1] == 2", &m));
        assert!(check("result['s'] == 'up' and 'ok' in result", &m));
        assert!(check("result.missing == nil", &m));
        assert!(check("len('héllo') == 5", &m));
    }

    #[test]
    fn parse_errors_carry_columns() {
        let e = parse_err("result >= ");
        assert_eq!(e.column, 11, "{e}");
        let e = parse_err("result[0] >= 0.9 andd true");
        assert_eq!(e.column, 18, "{e}");
        let e = parse_err("resutl > 1");
        assert_eq!(
            (e.column, e.message.contains("unknown name")),
            (1, true),
            "{e}"
        );
        let e = parse_err("result = 1");
        assert_eq!(e.column, 8, "{e}");
        let e = parse_err("# > 1");
        assert_eq!(e.column, 1, "{e}");
        let e = parse_err("len(result, 1) > 0");
        assert!(e.message.contains("takes 1"), "{e}");
        let e = parse_err("'abc");
        assert_eq!(e.column, 1);
        let e = parse_err("1 < result < 3");
        assert!(e.message.contains("chain"), "{e}");
        let e = parse_err("exec('rm -rf /')");
        assert!(e.message.contains("unknown name `exec`"), "{e}");
        assert!(parse_err("").message.contains("empty"));
    }

    #[test]
    fn eval_errors_carry_columns() {
        let e = eval_err("result[0] > 1", &list(&[]));
        assert_eq!(e.column, 8, "{e}");
        assert!(e.message.contains("out of range"), "{e}");
        let e = eval_err("result > 'a'", &num(1.0));
        assert!(e.message.contains("cannot order"), "{e}");
        let e = eval_err("result + 1", &num(1.0));
        assert!(e.message.contains("true or false"), "{e}");
        let e = eval_err("asInt(result) > 1", &Value::Str("x".into()));
        assert!(e.message.contains("not a number"), "{e}");
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = format!("{}result{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(deep.len() > MAX_LEN);
        assert!(Condition::parse(&deep).is_err());
        let deep = format!("{}result > 1{}", "(".repeat(100), ")".repeat(100));
        assert!(parse_err(&deep).message.contains("nested"));
        let nots = format!("{}true", "!".repeat(200));
        assert!(parse_err(&nots).message.contains("nested"));
        let fine = format!("{}result > 1{}", "(".repeat(20), ")".repeat(20));
        assert!(check(&fine, &num(2.0)));
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        fn value() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                any::<f64>().prop_map(Value::Num),
                "[a-z0-9 ]{0,6}".prop_map(Value::Str),
            ];
            leaf.prop_recursive(3, 16, 4, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..4).prop_map(Value::List),
                    prop::collection::btree_map("[a-z]{1,3}", inner, 0..3).prop_map(Value::Map),
                ]
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            // Arbitrary text never panics the parser; errors point inside the text (or just past it).
            #[test]
            fn parse_never_panics(src in "\\PC{0,80}") {
                if let Err(e) = Condition::parse(&src) {
                    prop_assert!(e.column >= 1 && e.column <= src.chars().count() + 1);
                }
            }

            // Text built from the language's own tokens reaches deeper into the parser and the
            // evaluator: neither panics, whatever the result's shape.
            #[test]
            fn token_soup_never_panics(
                toks in prop::collection::vec(prop::sample::select(vec![
                    "result", "#", "[", "]", "(", ")", "{", "}", ",", ".", "0", "1", "-1", "0.5",
                    "'a'", "==", "!=", "<", ">=", "and", "or", "not", "!", "+", "-", "*", "/", "%",
                    "in", "len(", "all(", "any(", "none(", "sum(", "max(", "asInt(", "isNaN(",
                    "true", "nil", "x",
                ]), 0..24),
                v in value(),
            ) {
                let src = toks.join(" ");
                if let Ok(c) = Condition::parse(&src) {
                    let _ = c.eval(&v);
                    let _ = c.eval_bool(&v);
                }
            }

            // A comparison against a number means what it says.
            #[test]
            fn numeric_comparison_agrees(x in -1e6f64..1e6, t in -1e6f64..1e6) {
                let c = Condition::parse(&format!("result[0] < {t:?}")).unwrap();
                prop_assert_eq!(c.eval_bool(&list(&[x])).unwrap(), x < t);
            }
        }
    }
}
