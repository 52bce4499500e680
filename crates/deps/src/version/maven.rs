//! Maven version ordering, from the POM reference's "Version Order Specification".

use super::cmp_digits;
use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Num(String),
    Str(String),
}

#[derive(Debug, Clone)]
struct Item {
    hyphen: bool,
    tok: Tok,
}

fn is_null(t: &Tok) -> bool {
    match t {
        Tok::Num(n) => n.trim_start_matches('0').is_empty(),
        Tok::Str(s) => s.is_empty() || s == "final" || s == "ga",
    }
}

fn tokenize(v: &str) -> Vec<Item> {
    let v = v.trim().to_ascii_lowercase();
    let b = v.as_bytes();
    let mut items: Vec<Item> = Vec::new();
    let mut start = 0;
    let mut sep_hyphen = false;
    let push = |items: &mut Vec<Item>, s: &str, hyphen: bool, next_is_digit: bool| {
        let tok = if !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()) {
            Tok::Num(s.to_string())
        } else {
            let s = match (s, next_is_digit) {
                ("a", true) => "alpha",
                ("b", true) => "beta",
                ("m", true) => "milestone",
                _ => s,
            };
            let s = match s {
                "cr" => "rc",
                "final" | "ga" | "release" => "",
                other => other,
            };
            Tok::Str(s.to_string())
        };
        items.push(Item { hyphen, tok });
    };
    let mut i = 0;
    while i <= b.len() {
        let at_end = i == b.len();
        let c = if at_end { 0 } else { b[i] };
        if at_end || c == b'.' || c == b'-' {
            let s = &v[start..i];
            let next_digit = false;
            if s.is_empty() {
                items.push(Item {
                    hyphen: sep_hyphen,
                    tok: Tok::Num("0".into()),
                });
            } else {
                push(&mut items, s, sep_hyphen, next_digit);
            }
            sep_hyphen = c == b'-';
            start = i + 1;
        } else if i > start && b[i - 1].is_ascii_digit() != c.is_ascii_digit() {
            // A transition between digits and letters is equivalent to a hyphen.
            let s = &v[start..i];
            push(&mut items, s, sep_hyphen, c.is_ascii_digit());
            sep_hyphen = true;
            start = i;
        }
        i += 1;
    }
    if let Some(first) = items.first_mut() {
        first.hyphen = false;
    }
    // Trim trailing null values, at the end and before each remaining hyphen.
    let mut out: Vec<Item> = Vec::new();
    let mut groups: Vec<Vec<Item>> = Vec::new();
    for it in items {
        if it.hyphen || groups.is_empty() {
            groups.push(Vec::new());
        }
        groups.last_mut().expect("group").push(it);
    }
    for g in &mut groups {
        while g.last().is_some_and(|it| is_null(&it.tok)) {
            g.pop();
        }
    }
    for g in groups {
        out.extend(g);
    }
    out
}

fn qualifier_rank(s: &str) -> (u8, &str) {
    match s {
        "alpha" => (0, ""),
        "beta" => (1, ""),
        "milestone" => (2, ""),
        "rc" => (3, ""),
        "snapshot" => (4, ""),
        "" => (5, ""),
        "sp" => (6, ""),
        other => (7, other),
    }
}

fn kind_rank(it: &Item) -> u8 {
    match (&it.tok, it.hyphen) {
        (Tok::Str(_), false) => 0,
        (Tok::Str(_), true) => 1,
        (Tok::Num(_), true) => 2,
        (Tok::Num(_), false) => 3,
    }
}

fn cmp_item(a: &Item, b: &Item) -> Ordering {
    if a.hyphen == b.hyphen {
        match (&a.tok, &b.tok) {
            (Tok::Num(x), Tok::Num(y)) => return cmp_digits(x, y),
            (Tok::Str(x), Tok::Str(y)) => return qualifier_rank(x).cmp(&qualifier_rank(y)),
            _ => {}
        }
    }
    kind_rank(a).cmp(&kind_rank(b))
}

fn null_like(other: &Item) -> Item {
    Item {
        hyphen: other.hyphen,
        tok: match other.tok {
            Tok::Num(_) => Tok::Num("0".into()),
            Tok::Str(_) => Tok::Str(String::new()),
        },
    }
}

pub fn compare(a: &str, b: &str) -> Ordering {
    let (x, y) = (tokenize(a), tokenize(b));
    for i in 0..x.len().max(y.len()) {
        let o = match (x.get(i), y.get(i)) {
            (Some(p), Some(q)) => cmp_item(p, q),
            (Some(p), None) => cmp_item(p, &null_like(p)),
            (None, Some(q)) => cmp_item(&null_like(q), q),
            (None, None) => Ordering::Equal,
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}
