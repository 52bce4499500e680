//! RubyGems `Gem::Version` ordering: numeric and alphabetic segments, a letter segment makes a
//! pre-release, trailing zeros of the release and pre-release parts are insignificant.

use super::cmp_digits;
use std::cmp::Ordering;

#[derive(Debug, Clone)]
enum Seg {
    Num(String),
    Str(String),
}

fn segments(v: &str) -> Vec<Seg> {
    let v = v.trim().replace('-', ".pre.");
    let mut out = Vec::new();
    for part in v.split('.') {
        for r in super::runs(part) {
            if r.bytes().all(|c| c.is_ascii_digit()) {
                out.push(Seg::Num(r.trim_start_matches('0').to_string()));
            } else if r.bytes().all(|c| c.is_ascii_alphabetic()) {
                out.push(Seg::Str(r.to_string()));
            }
        }
    }
    // canonical segments: drop trailing zeros of the release part and of the pre-release part
    let split = out
        .iter()
        .position(|s| matches!(s, Seg::Str(_)))
        .unwrap_or(out.len());
    let (rel, pre) = out.split_at(split);
    let trim = |v: &[Seg]| {
        let mut v = v.to_vec();
        while matches!(v.last(), Some(Seg::Num(n)) if n.is_empty()) {
            v.pop();
        }
        v
    };
    let mut c = trim(rel);
    c.extend(trim(pre));
    c
}

pub fn compare(a: &str, b: &str) -> Ordering {
    let (x, y) = (segments(a), segments(b));
    let zero = Seg::Num(String::new());
    for i in 0..x.len().max(y.len()) {
        let p = x.get(i).unwrap_or(&zero);
        let q = y.get(i).unwrap_or(&zero);
        let o = match (p, q) {
            (Seg::Num(m), Seg::Num(n)) => cmp_digits(m, n),
            (Seg::Str(m), Seg::Str(n)) => m.cmp(n),
            (Seg::Str(_), Seg::Num(_)) => Ordering::Less,
            (Seg::Num(_), Seg::Str(_)) => Ordering::Greater,
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}
