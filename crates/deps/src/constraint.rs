//! Version constraints declared in a manifest without a lockfile (PEP 440 specifiers such as
//! `>=2.0,<3`, `~=1.4.2`, `==1.2.*`, and Poetry's `^1.2`, `~1.2`, `1.2.3`, `*`), and whether an
//! advisory's affected ranges intersect them.

use crate::component::Ecosystem;
use std::cmp::Ordering;

/// One bound of a constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Bound {
    Ge(String),
    Gt(String),
    Le(String),
    Lt(String),
    Eq(String),
}

/// A parsed constraint: every bound must hold (`!=` exclusions are ignored, which only widens
/// what "may be affected" covers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    bounds: Vec<Bound>,
}

/// The release segments of `v` (`1.4.2rc1` → `[1, 4, 2]`), for `~=` / `^` / `.*` arithmetic.
fn release(v: &str) -> Vec<u64> {
    let v = v.trim().trim_start_matches(['v', 'V']);
    let v = v.split_once('!').map(|(_, r)| r).unwrap_or(v);
    let mut out = Vec::new();
    for part in v.split('.') {
        let digits: String = part.chars().take_while(|c| c.is_ascii_digit()).collect();
        match digits.parse() {
            Ok(n) => out.push(n),
            Err(_) => break,
        }
        if digits.len() != part.len() {
            break;
        }
    }
    out
}

fn join(r: &[u64]) -> String {
    r.iter().map(u64::to_string).collect::<Vec<_>>().join(".")
}

/// The upper bound of a prefix: `[1, 4]` → `1.5` (as `<1.5.dev0`-ish, compared as `<1.5`).
fn bump(prefix: &[u64]) -> Option<String> {
    let mut p = prefix.to_vec();
    *p.last_mut()? += 1;
    Some(join(&p))
}

impl Constraint {
    /// Parses a PEP 440 specifier list or a Poetry constraint. `None` when nothing in it is a
    /// version bound we understand (an empty string or `*` is "any version": an empty list).
    pub fn parse(s: &str) -> Option<Constraint> {
        let mut bounds = Vec::new();
        // `>= 2.0` → `>=2.0`: whitespace after an operator is not a separator
        let mut joined = String::with_capacity(s.len());
        for ch in s
            .trim()
            .trim_start_matches('(')
            .trim_end_matches(')')
            .chars()
        {
            if ch.is_whitespace() && joined.ends_with(['<', '>', '=', '!', '~', '^']) {
                continue;
            }
            joined.push(ch);
        }
        let s = joined.as_str();
        // Poetry's `||` alternatives: keep the widest reading (no bounds) rather than guess.
        if s.contains("||") {
            return Some(Constraint { bounds });
        }
        for part in s.split([',', ' ']).map(str::trim).filter(|p| !p.is_empty()) {
            let (op, v) = match part.find(|c: char| c.is_ascii_alphanumeric() || c == '*') {
                Some(i) => (&part[..i], part[i..].trim()),
                None => return None,
            };
            if v == "*" {
                continue;
            }
            let r = release(v);
            if r.is_empty() {
                return None;
            }
            match op {
                ">=" => bounds.push(Bound::Ge(v.into())),
                ">" => bounds.push(Bound::Gt(v.into())),
                "<=" => bounds.push(Bound::Le(v.into())),
                "<" => bounds.push(Bound::Lt(v.into())),
                "!=" => {}
                "==" | "===" | "" | "=" if v.ends_with(".*") => {
                    let prefix = release(v.trim_end_matches(".*"));
                    bounds.push(Bound::Ge(join(&prefix)));
                    bounds.push(Bound::Lt(bump(&prefix)?));
                }
                "==" | "===" | "=" | "" => bounds.push(Bound::Eq(v.into())),
                "~=" => {
                    // ~=1.4.2 → >=1.4.2, ==1.4.*
                    if r.len() < 2 {
                        return None;
                    }
                    bounds.push(Bound::Ge(v.into()));
                    bounds.push(Bound::Lt(bump(&r[..r.len() - 1])?));
                }
                "~" => {
                    // Poetry: ~1.2.3 → >=1.2.3,<1.3; ~1 → >=1,<2
                    let keep = if r.len() >= 2 { 2 } else { 1 };
                    bounds.push(Bound::Ge(v.into()));
                    bounds.push(Bound::Lt(bump(&r[..keep])?));
                }
                "^" => {
                    // Poetry: the left-most non-zero segment may not change
                    let nz = r.iter().position(|&n| n != 0).unwrap_or(r.len() - 1);
                    bounds.push(Bound::Ge(v.into()));
                    bounds.push(Bound::Lt(bump(&r[..=nz])?));
                }
                _ => return None,
            }
        }
        Some(Constraint { bounds })
    }

    /// The one version an exact `==X` pin allows (no wildcard, no other bound).
    pub fn exact(&self) -> Option<&str> {
        match self.bounds.as_slice() {
            [Bound::Eq(v)] => Some(v),
            _ => None,
        }
    }

    /// Does version `v` satisfy every bound?
    pub fn allows(&self, eco: Ecosystem, v: &str) -> bool {
        let c = |a: &str, b: &str| crate::version::compare(eco, a, b);
        self.bounds.iter().all(|b| match b {
            Bound::Ge(x) => c(v, x) != Ordering::Less,
            Bound::Gt(x) => c(v, x) == Ordering::Greater,
            Bound::Le(x) => c(v, x) != Ordering::Greater,
            Bound::Lt(x) => c(v, x) == Ordering::Less,
            Bound::Eq(x) => c(v, x) == Ordering::Equal,
        })
    }

    /// The lowest version of each interval the constraint allows: its inclusive bounds and a
    /// point just above each exclusive lower bound (see `osv::may_be_affected`).
    pub fn lower_points(&self) -> Vec<String> {
        let mut points = Vec::new();
        for b in &self.bounds {
            match b {
                Bound::Ge(x) | Bound::Eq(x) | Bound::Le(x) => points.push(x.clone()),
                // the smallest version above x that the version scheme orders after it
                Bound::Gt(x) => points.push(format!("{x}.0.0.0.1")),
                Bound::Lt(_) => {}
            }
        }
        points
    }
}

impl std::fmt::Display for Constraint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .bounds
            .iter()
            .map(|b| match b {
                Bound::Ge(x) => format!(">={x}"),
                Bound::Gt(x) => format!(">{x}"),
                Bound::Le(x) => format!("<={x}"),
                Bound::Lt(x) => format!("<{x}"),
                Bound::Eq(x) => format!("=={x}"),
            })
            .collect();
        if parts.is_empty() {
            f.write_str("*")
        } else {
            f.write_str(&parts.join(","))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pep440_and_poetry() {
        let p = |s: &str| Constraint::parse(s).unwrap().to_string();
        assert_eq!(p(">=2.0, <3"), ">=2.0,<3");
        assert_eq!(p("~=1.4.2"), ">=1.4.2,<1.5");
        assert_eq!(p("==1.2.*"), ">=1.2,<1.3");
        assert_eq!(p("^1.2"), ">=1.2,<2");
        assert_eq!(p("^0.2.3"), ">=0.2.3,<0.3");
        assert_eq!(p("~1.2.3"), ">=1.2.3,<1.3");
        assert_eq!(p("1.2.3"), "==1.2.3");
        assert_eq!(p("*"), "*");
        assert_eq!(p(">= 2.0, < 3"), ">=2.0,<3");
        assert_eq!(p(">=1.2 <2"), ">=1.2,<2");
        assert_eq!(p(">=1,!=1.5"), ">=1");
        assert_eq!(
            Constraint::parse("==2.31.0").unwrap().exact(),
            Some("2.31.0")
        );
        assert_eq!(Constraint::parse(">=2").unwrap().exact(), None);
        assert!(Constraint::parse("@ https://x").is_none());
    }
}
