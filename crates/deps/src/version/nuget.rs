//! NuGet version ordering: up to four numeric parts, SemVer 2 pre-release labels compared
//! case-insensitively, build metadata ignored.

use super::cmp_digits;
use std::cmp::Ordering;

pub fn compare(a: &str, b: &str) -> Ordering {
    let norm = |s: &str| {
        let s = s.trim().to_ascii_lowercase();
        s.split('+').next().unwrap_or("").to_string()
    };
    let (a, b) = (norm(a), norm(b));
    let (ac, ap) = a
        .split_once('-')
        .map_or((a.as_str(), None), |(c, p)| (c, Some(p)));
    let (bc, bp) = b
        .split_once('-')
        .map_or((b.as_str(), None), |(c, p)| (c, Some(p)));
    let (x, y): (Vec<&str>, Vec<&str>) = (ac.split('.').collect(), bc.split('.').collect());
    for i in 0..x.len().max(y.len()).max(4) {
        let o = cmp_digits(
            x.get(i).copied().unwrap_or("0"),
            y.get(i).copied().unwrap_or("0"),
        );
        if o != Ordering::Equal {
            return o;
        }
    }
    match (ap, bp) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(p), Some(q)) => super::semver(&format!("0-{p}"), &format!("0-{q}")),
    }
}
