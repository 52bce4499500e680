//! Package URLs (package-url/purl-spec): build, parse and canonicalize.
//!
//! Written here because the crates.io purl crates either lag the current spec's test suite or
//! pull in URL parsing we do not need; the spec's algorithm is short and its suite is our test.

use crate::ecosystem::Ecosystem;
use std::collections::BTreeMap;

/// A parsed package URL.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Purl {
    pub ty: String,
    pub namespace: Option<String>,
    pub name: String,
    pub version: Option<String>,
    pub qualifiers: BTreeMap<String, String>,
    pub subpath: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid purl {input:?}: {reason}")]
pub struct PurlError {
    pub input: String,
    pub reason: &'static str,
}

fn err(input: &str, reason: &'static str) -> PurlError {
    PurlError {
        input: input.to_string(),
        reason,
    }
}

/// The purl of a package of `eco` (Maven names are `group:artifact`, Go names module paths,
/// npm names may be `@scope/name`, Packagist names `vendor/name`).
///
/// GitHub Actions names are `owner/repo`, optionally followed by the path of an action or
/// reusable workflow inside the repository (`github/codeql-action/init`), which becomes the
/// purl subpath: `pkg:github/github/codeql-action@v3#init`.
pub fn for_package(eco: Ecosystem, name: &str, version: &str) -> String {
    let mut subpath = None;
    let (namespace, n) = match eco {
        Ecosystem::GitHubActions => {
            let mut it = name.splitn(3, '/');
            let owner = it.next().unwrap_or_default();
            match it.next() {
                Some(repo) => {
                    subpath = it.next().filter(|s| !s.is_empty()).map(str::to_string);
                    (Some(owner.to_string()), repo.to_string())
                }
                None => (None, owner.to_string()),
            }
        }
        Ecosystem::Maven => match name.split_once(':') {
            Some((g, a)) => (Some(g.to_string()), a.to_string()),
            None => (None, name.to_string()),
        },
        Ecosystem::Go | Ecosystem::Packagist | Ecosystem::Npm => match name.rsplit_once('/') {
            Some((ns, n)) => (Some(ns.to_string()), n.to_string()),
            None => (None, name.to_string()),
        },
        _ => (None, name.to_string()),
    };
    let mut p = Purl {
        ty: eco.purl_type().to_string(),
        namespace,
        name: n,
        version: (!version.is_empty()).then(|| version.to_string()),
        qualifiers: BTreeMap::new(),
        subpath,
    };
    // Applies the type's case rules; the only failure (a Maven name without a group) still
    // yields the best purl we can make.
    let _ = p.normalize("");
    p.to_canonical()
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~')
}

fn encode(s: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if is_unreserved(b) || keep.contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn decode(s: &str, input: &str) -> Result<String, PurlError> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let h = b
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| err(input, "bad percent-encoding"))?;
            out.push(h);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| err(input, "percent-encoding is not UTF-8"))
}

impl Purl {
    /// Parses and normalizes (type-specific case and name rules applied).
    pub fn parse(input: &str) -> Result<Purl, PurlError> {
        let rest = input
            .strip_prefix("pkg:")
            .or_else(|| {
                input
                    .get(..4)
                    .filter(|p| p.eq_ignore_ascii_case("pkg:"))
                    .map(|_| &input[4..])
            })
            .ok_or_else(|| err(input, "missing pkg: scheme"))?;
        let rest = rest.trim_start_matches('/');
        let (rest, subpath) = match rest.split_once('#') {
            Some((r, s)) => (r, Some(s)),
            None => (rest, None),
        };
        let (rest, quals) = match rest.split_once('?') {
            Some((r, q)) => (r, Some(q)),
            None => (rest, None),
        };
        let (ty, rest) = rest
            .split_once('/')
            .ok_or_else(|| err(input, "missing type or name"))?;
        let ty = ty.to_ascii_lowercase();
        if ty.is_empty()
            || !ty.as_bytes()[0].is_ascii_alphabetic()
            || !ty
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+'))
        {
            return Err(err(input, "bad type"));
        }
        let rest = rest.trim_end_matches('/');
        let (path, version) = match rest.rfind('@') {
            Some(at) if rest[at..].find('/').is_none() => {
                (&rest[..at], Some(decode(&rest[at + 1..], input)?))
            }
            _ => (rest, None),
        };
        let mut segs: Vec<String> = Vec::new();
        for s in path.split('/').filter(|s| !s.is_empty()) {
            segs.push(decode(s, input)?);
        }
        let name = segs.pop().ok_or_else(|| err(input, "missing name"))?;
        if name.is_empty() {
            return Err(err(input, "missing name"));
        }
        let namespace = (!segs.is_empty()).then(|| segs.join("/"));
        let mut qualifiers = BTreeMap::new();
        if let Some(q) = quals {
            for kv in q.split('&').filter(|s| !s.is_empty()) {
                let (k, v) = kv
                    .split_once('=')
                    .ok_or_else(|| err(input, "qualifier without '='"))?;
                let k = k.to_ascii_lowercase();
                if k.is_empty()
                    || !k
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
                    || k.as_bytes()[0].is_ascii_digit()
                {
                    return Err(err(input, "bad qualifier key"));
                }
                let v = decode(v, input)?;
                if v.is_empty() {
                    continue;
                }
                if qualifiers.insert(k, v).is_some() {
                    return Err(err(input, "duplicate qualifier"));
                }
            }
        }
        let subpath = match subpath {
            Some(s) => {
                let parts: Vec<String> = s
                    .split('/')
                    .filter(|p| !p.is_empty() && *p != "." && *p != "..")
                    .map(|p| decode(p, input))
                    .collect::<Result<_, _>>()?;
                (!parts.is_empty()).then(|| parts.join("/"))
            }
            None => None,
        };
        let mut p = Purl {
            ty,
            namespace,
            name,
            version,
            qualifiers,
            subpath,
        };
        p.normalize(input)?;
        Ok(p)
    }

    /// Type-specific rules of the spec for the types tollgate emits and a few common others.
    fn normalize(&mut self, input: &str) -> Result<(), PurlError> {
        let lower_ns = matches!(
            self.ty.as_str(),
            "bitbucket"
                | "github"
                | "composer"
                | "deb"
                | "apk"
                | "alpm"
                | "qpkg"
                | "hex"
                | "luarocks"
                | "npm"
                | "pypi"
                | "brew"
                | "git"
        );
        if lower_ns {
            self.namespace = self.namespace.take().map(|n| n.to_ascii_lowercase());
        }
        let lower_name = matches!(
            self.ty.as_str(),
            "bitbucket"
                | "github"
                | "composer"
                | "deb"
                | "apk"
                | "alpm"
                | "pypi"
                | "hex"
                | "brew"
                | "git"
        );
        if lower_name {
            self.name = self.name.to_ascii_lowercase();
        }
        if self.ty == "pypi" {
            self.name = self.name.replace('_', "-");
        }
        if self.ty == "huggingface" {
            self.version = self.version.take().map(|v| v.to_ascii_lowercase());
        }
        if self.ty == "maven" && self.namespace.is_none() {
            return Err(err(input, "maven purls need a namespace (groupId)"));
        }
        if self.ty == "swift" && (self.namespace.is_none() || self.version.is_none()) {
            return Err(err(input, "swift purls need a namespace and a version"));
        }
        if self.ty == "cran" && self.version.is_none() {
            return Err(err(input, "cran purls need a version"));
        }
        Ok(())
    }

    /// The canonical string form.
    pub fn to_canonical(&self) -> String {
        let mut out = format!("pkg:{}/", self.ty);
        if let Some(ns) = &self.namespace {
            for seg in ns.split('/').filter(|s| !s.is_empty()) {
                out.push_str(&encode(seg, b":"));
                out.push('/');
            }
        }
        out.push_str(&encode(&self.name, b":"));
        if let Some(v) = &self.version {
            out.push('@');
            out.push_str(&encode(v, b":"));
        }
        let quals: Vec<String> = self
            .qualifiers
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", encode(v, b":")))
            .collect();
        if !quals.is_empty() {
            out.push('?');
            out.push_str(&quals.join("&"));
        }
        if let Some(s) = &self.subpath {
            out.push('#');
            let segs: Vec<String> = s
                .split('/')
                .filter(|p| !p.is_empty() && *p != "." && *p != "..")
                .map(|p| encode(p, b":"))
                .collect();
            out.push_str(&segs.join("/"));
        }
        out
    }

    /// The (ecosystem, package name as OSV names it) this purl designates, when supported.
    pub fn package(&self) -> Option<(Ecosystem, String)> {
        let eco = Ecosystem::from_purl_type(&self.ty)?;
        let name = match (eco, &self.namespace) {
            (Ecosystem::Maven, Some(ns)) => format!("{ns}:{}", self.name),
            (_, Some(ns)) => format!("{ns}/{}", self.name),
            (_, None) => self.name.clone(),
        };
        Some((eco, name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_ecosystem_purls() {
        assert_eq!(
            for_package(Ecosystem::Npm, "@babel/core", "7.0.0"),
            "pkg:npm/%40babel/core@7.0.0"
        );
        assert_eq!(
            for_package(Ecosystem::Maven, "org.apache.commons:io", "1.3.4"),
            "pkg:maven/org.apache.commons/io@1.3.4"
        );
        assert_eq!(
            for_package(Ecosystem::Go, "github.com/gorilla/mux", "v1.8.0"),
            "pkg:golang/github.com/gorilla/mux@v1.8.0"
        );
        assert_eq!(
            for_package(Ecosystem::PyPI, "Django_Package", "1.0"),
            "pkg:pypi/django-package@1.0"
        );
        assert_eq!(
            for_package(Ecosystem::GitHubActions, "Actions/Checkout", "v4.1.2"),
            "pkg:github/actions/checkout@v4.1.2"
        );
        let wf = for_package(
            Ecosystem::GitHubActions,
            "docker/github-builder/.github/workflows/bake.yml",
            "a492c6d04fd3315f67230809b44d60cc0acd50b3",
        );
        assert_eq!(
            wf,
            "pkg:github/docker/github-builder@a492c6d04fd3315f67230809b44d60cc0acd50b3#.github/workflows/bake.yml"
        );
        // round trip: parse, canonical form, package identity (subpath is not the package)
        let p = Purl::parse(&wf).unwrap();
        assert_eq!(p.to_canonical(), wf);
        assert_eq!(p.subpath.as_deref(), Some(".github/workflows/bake.yml"));
        assert_eq!(
            p.package(),
            Some((
                Ecosystem::GitHubActions,
                "docker/github-builder".to_string()
            ))
        );
        let p = Purl::parse("pkg:github/github/codeql-action@v3.28.1#upload-sarif").unwrap();
        assert_eq!(
            p.to_canonical(),
            "pkg:github/github/codeql-action@v3.28.1#upload-sarif"
        );
        let p = Purl::parse("pkg:npm/%40babel/core@7.0.0").unwrap();
        assert_eq!(
            p.package(),
            Some((Ecosystem::Npm, "@babel/core".to_string()))
        );
    }
}
