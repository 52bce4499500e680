//! Version ordering per ecosystem, each written from the ecosystem's own specification
//! (no crate implements all of them with OSV's semantics; `semver` rejects the lenient forms
//! OSV data holds). Every comparator is tested on every line of the osv-scalibr vectors.

mod debian;
mod maven;
mod nuget;
mod packagist;
mod pep440;
mod rubygems;
mod semver;

use crate::component::Ecosystem;
use std::cmp::Ordering;

pub use debian::compare as debian;
pub use maven::compare as maven;
pub use nuget::compare as nuget;
pub use packagist::compare as packagist;
pub use pep440::compare as pep440;
pub use rubygems::compare as rubygems;
pub use semver::compare as semver;

/// Compares two versions with the ordering of `eco`.
pub fn compare(eco: Ecosystem, a: &str, b: &str) -> Ordering {
    match eco {
        // GitHub Actions: release tags (`v4.1.2`), SemVer with the leading `v` OSV data omits.
        Ecosystem::CratesIo | Ecosystem::Npm | Ecosystem::Go | Ecosystem::GitHubActions => {
            semver::compare(a, b)
        }
        Ecosystem::PyPI => pep440::compare(a, b),
        Ecosystem::RubyGems => rubygems::compare(a, b),
        Ecosystem::Packagist => packagist::compare(a, b),
        Ecosystem::NuGet => nuget::compare(a, b),
        Ecosystem::Maven => maven::compare(a, b),
    }
}

/// Splits a string into maximal runs of digits and of non-digits.
pub(crate) fn runs(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut start = 0;
    for i in 1..=b.len() {
        if i == b.len() || b[i].is_ascii_digit() != b[i - 1].is_ascii_digit() {
            if start < i {
                out.push(&s[start..i]);
            }
            start = i;
        }
    }
    out
}

/// Compares two digit strings of any length numerically.
pub(crate) fn cmp_digits(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}
