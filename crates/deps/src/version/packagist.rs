//! Packagist (Composer) ordering: PHP's `version_compare` over the canonicalized version
//! (separators `-`, `_`, `+` become `.`, a `.` is inserted between digits and letters).

use super::cmp_digits;
use std::cmp::Ordering;

fn canon(v: &str) -> Vec<String> {
    let v = v.trim();
    let v = v.strip_prefix(['v', 'V']).unwrap_or(v);
    let mut s = String::new();
    let mut prev: Option<char> = None;
    for c in v.chars() {
        let c = if c.is_ascii_alphanumeric() { c } else { '.' };
        if let Some(p) = prev
            && p != '.'
            && c != '.'
            && p.is_ascii_digit() != c.is_ascii_digit()
        {
            s.push('.');
        }
        s.push(c);
        prev = Some(c);
    }
    s.split('.')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// PHP's special forms, matched by prefix in this order: any other string < dev < alpha = a <
/// beta = b < RC = rc < # (a number) < pl = p.
fn special(s: &str) -> i8 {
    const FORMS: [(&str, i8); 10] = [
        ("dev", 0),
        ("alpha", 1),
        ("a", 1),
        ("beta", 2),
        ("b", 2),
        ("RC", 3),
        ("rc", 3),
        ("#", 4),
        ("pl", 5),
        ("p", 5),
    ];
    FORMS
        .iter()
        .find(|(f, _)| s.starts_with(f))
        .map(|&(_, r)| r)
        .unwrap_or(-6)
}

fn cmp_part(a: &str, b: &str) -> Ordering {
    let an = a.bytes().all(|c| c.is_ascii_digit());
    let bn = b.bytes().all(|c| c.is_ascii_digit());
    match (an, bn) {
        (true, true) => cmp_digits(a, b),
        (false, false) => special(a).cmp(&special(b)),
        (true, false) => special("#").cmp(&special(b)),
        (false, true) => special(a).cmp(&special("#")),
    }
}

pub fn compare(a: &str, b: &str) -> Ordering {
    let (x, y) = (canon(a), canon(b));
    let n = x.len().min(y.len());
    for i in 0..n {
        let o = cmp_part(&x[i], &y[i]);
        if o != Ordering::Equal {
            return o;
        }
    }
    // PHP: the longer one's next part decides: a number makes it greater, a word is compared
    // with "#" (so `1.0rc1 < 1.0` but `1.0pl1 > 1.0`).
    if x.len() > n {
        let p = &x[n];
        if p.bytes().all(|c| c.is_ascii_digit()) {
            Ordering::Greater
        } else {
            cmp_part(p, "#")
        }
    } else if y.len() > n {
        let q = &y[n];
        if q.bytes().all(|c| c.is_ascii_digit()) {
            Ordering::Less
        } else {
            cmp_part("#", q)
        }
    } else {
        Ordering::Equal
    }
}
