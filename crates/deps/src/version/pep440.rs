//! PEP 440 version ordering (epochs, pre/post/dev releases, local versions), including the
//! alternative spellings PEP 440 normalizes (`alpha`, `c`, `preview`, `rev`, `-1` as post…).

use std::cmp::Ordering;

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Clone)]
enum Local {
    Str(String),
    Num(u64),
}

#[derive(Debug, Clone)]
struct V {
    epoch: u64,
    release: Vec<u64>,
    pre: Option<(u8, u64)>,
    post: Option<u64>,
    dev: Option<u64>,
    local: Vec<Local>,
}

/// Splits `s` at the first position where `pred` fails.
fn take_digits(s: &str) -> (Option<u64>, &str) {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    if end == 0 {
        (None, s)
    } else {
        (s[..end].parse().ok().or(Some(u64::MAX)), &s[end..])
    }
}

fn strip_sep(s: &str) -> &str {
    s.strip_prefix(['.', '-', '_']).unwrap_or(s)
}

fn parse(input: &str) -> Option<V> {
    let s = input.trim().to_ascii_lowercase();
    let s = s.strip_prefix('v').unwrap_or(&s);
    let (main, local) = match s.split_once('+') {
        Some((m, l)) => (m, Some(l)),
        None => (s, None),
    };
    let (epoch, mut rest) = match main.split_once('!') {
        Some((e, r)) => (e.parse().ok()?, r),
        None => (0, main),
    };
    let mut release = Vec::new();
    loop {
        let (n, r) = take_digits(rest);
        release.push(n?);
        match r.strip_prefix('.') {
            Some(r2) if r2.starts_with(|c: char| c.is_ascii_digit()) => rest = r2,
            _ => {
                rest = r;
                break;
            }
        }
    }
    let mut pre = None;
    let mut post = None;
    let mut dev = None;
    // pre-release
    {
        let r = strip_sep(rest);
        for (word, k) in [
            ("alpha", 0u8),
            ("a", 0),
            ("beta", 1),
            ("b", 1),
            ("preview", 2),
            ("pre", 2),
            ("rc", 2),
            ("c", 2),
        ] {
            if let Some(r2) = r.strip_prefix(word) {
                let r2s = strip_sep(r2);
                let (n, r3) = take_digits(r2s);
                let (n, r3) = if n.is_none() {
                    (0, r2)
                } else {
                    (n.unwrap_or(0), r3)
                };
                pre = Some((k, n));
                rest = r3;
                break;
            }
        }
    }
    // post-release
    {
        if let Some(r) = rest.strip_prefix('-')
            && let (Some(n), r2) = take_digits(r)
        {
            post = Some(n);
            rest = r2;
        } else {
            let r = strip_sep(rest);
            for word in ["post", "rev", "r"] {
                if let Some(r2) = r.strip_prefix(word) {
                    let (n, r3) = take_digits(strip_sep(r2));
                    let (n, r3) = if n.is_none() {
                        (0, r2)
                    } else {
                        (n.unwrap_or(0), r3)
                    };
                    post = Some(n);
                    rest = r3;
                    break;
                }
            }
        }
    }
    // dev release
    {
        let r = strip_sep(rest);
        if let Some(r2) = r.strip_prefix("dev") {
            let (n, r3) = take_digits(strip_sep(r2));
            let (n, r3) = if n.is_none() {
                (0, r2)
            } else {
                (n.unwrap_or(0), r3)
            };
            dev = Some(n);
            rest = r3;
        }
    }
    if !rest.is_empty() {
        return None;
    }
    let local = local
        .map(|l| {
            l.split(['.', '-', '_'])
                .map(|p| match p.parse::<u64>() {
                    Ok(n) if p.bytes().all(|b| b.is_ascii_digit()) => Local::Num(n),
                    _ => Local::Str(p.to_string()),
                })
                .collect()
        })
        .unwrap_or_default();
    Some(V {
        epoch,
        release,
        pre,
        post,
        dev,
        local,
    })
}

/// Sort key following the `packaging` library's construction of PEP 440 ordering.
fn key(v: &V) -> impl Ord {
    let mut rel = v.release.clone();
    while rel.len() > 1 && rel.last() == Some(&0) {
        rel.pop();
    }
    // pre: dev-only releases sort before any pre-release; finals after.
    let pre: (i8, u64) = match (v.pre, v.post, v.dev) {
        (None, None, Some(_)) => (-1, 0),
        (None, _, _) => (3, 0),
        (Some((k, n)), _, _) => (k as i8, n),
    };
    let post: (i8, u64) = match v.post {
        None => (-1, 0),
        Some(n) => (0, n),
    };
    let dev: (i8, u64) = match v.dev {
        None => (1, 0),
        Some(n) => (0, n),
    };
    // Local: absent sorts first; numeric segments after alphanumeric ones.
    let local: (i8, Vec<Local>) = if v.local.is_empty() {
        (-1, Vec::new())
    } else {
        (0, v.local.clone())
    };
    (v.epoch, rel, pre, post, dev, local)
}

pub fn compare(a: &str, b: &str) -> Ordering {
    match (parse(a), parse(b)) {
        (Some(x), Some(y)) => key(&x).cmp(&key(&y)),
        // An invalid version sorts before every valid one (as `packaging`'s legacy versions).
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basics() {
        assert_eq!(compare("1.0.dev1", "1.0a1"), Ordering::Less);
        assert_eq!(compare("1.0a1", "1.0"), Ordering::Less);
        assert_eq!(compare("1.0", "1.0.post1"), Ordering::Less);
        assert_eq!(compare("1.0+local", "1.0"), Ordering::Greater);
        assert_eq!(compare("1!0.1", "2.0"), Ordering::Greater);
        assert_eq!(compare("1.0-1", "1.0.post1"), Ordering::Equal);
        assert_eq!(compare("1.0.0", "1.0"), Ordering::Equal);
        assert!(parse("2.0.0rc1").is_some());
    }
}
