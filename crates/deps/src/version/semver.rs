//! SemVer 2.0 ordering, lenient as OSV data needs: a leading `v`, missing minor/patch (= 0),
//! build metadata ignored (so Go's `+incompatible` compares as the plain version; Go
//! pseudo-versions are pre-releases and order by their timestamp part).

use super::cmp_digits;
use std::cmp::Ordering;

struct V<'a> {
    core: Vec<&'a str>,
    pre: Option<&'a str>,
}

fn parse(s: &str) -> V<'_> {
    let s = s.trim();
    let s = s.strip_prefix(['v', 'V']).unwrap_or(s);
    let s = s.split('+').next().unwrap_or(s);
    let (core, pre) = match s.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (s, None),
    };
    V {
        core: core.split('.').collect(),
        pre,
    }
}

fn cmp_ident(a: &str, b: &str) -> Ordering {
    let an = !a.is_empty() && a.bytes().all(|c| c.is_ascii_digit());
    let bn = !b.is_empty() && b.bytes().all(|c| c.is_ascii_digit());
    match (an, bn) {
        (true, true) => cmp_digits(a, b),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => a.cmp(b),
    }
}

fn cmp_core(a: &str, b: &str) -> Ordering {
    let an = a.bytes().all(|c| c.is_ascii_digit());
    let bn = b.bytes().all(|c| c.is_ascii_digit());
    if an && bn {
        cmp_digits(a, b)
    } else {
        cmp_ident(a, b)
    }
}

pub fn compare(a: &str, b: &str) -> Ordering {
    let (va, vb) = (parse(a), parse(b));
    let n = va.core.len().max(vb.core.len()).max(3);
    for i in 0..n {
        let x = va.core.get(i).copied().unwrap_or("0");
        let y = vb.core.get(i).copied().unwrap_or("0");
        let o = cmp_core(x, y);
        if o != Ordering::Equal {
            return o;
        }
    }
    match (va.pre, vb.pre) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(p), Some(q)) => {
            let (pi, qi): (Vec<&str>, Vec<&str>) = (p.split('.').collect(), q.split('.').collect());
            for (x, y) in pi.iter().zip(qi.iter()) {
                let o = cmp_ident(x, y);
                if o != Ordering::Equal {
                    return o;
                }
            }
            pi.len().cmp(&qi.len())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_forms() {
        assert_eq!(
            compare(
                "v0.0.0-20200101000000-abcdef123456",
                "v0.0.0-20210101000000-abcdef123456"
            ),
            Ordering::Less
        );
        assert_eq!(compare("v2.0.0+incompatible", "v2.0.0"), Ordering::Equal);
        assert_eq!(
            compare("v1.2.4-0.20200101000000-abc", "v1.2.4"),
            Ordering::Less
        );
        assert_eq!(
            compare("v1.2.4-0.20200101000000-abc", "v1.2.3"),
            Ordering::Greater
        );
    }
}
