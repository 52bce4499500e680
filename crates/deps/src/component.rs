//! The dependency model every parser produces and every output reads.

pub use crate::ecosystem::Ecosystem;
use serde::{Deserialize, Serialize};

/// Whether a package is needed at run time or only to develop/build/test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Runtime,
    Dev,
    Optional,
    /// The lockfile does not say.
    Unknown,
}

/// A content hash of the package archive as the lockfile records it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Hash {
    /// `SHA-256`, `SHA-512`, `SHA-1` (CycloneDX spelling).
    pub alg: String,
    /// Lowercase hex.
    pub hex: String,
}

impl Hash {
    pub fn new(alg: &str, hex: impl Into<String>) -> Hash {
        Hash {
            alg: alg.to_string(),
            hex: hex.into().to_ascii_lowercase(),
        }
    }

    /// From an SRI string (`sha512-<base64>`), as npm, yarn and pnpm write integrity.
    pub fn from_sri(sri: &str) -> Option<Hash> {
        use base64::Engine;
        let (alg, b64) = sri.trim().split_once('-')?;
        let alg = match alg {
            "sha512" => "SHA-512",
            "sha384" => "SHA-384",
            "sha256" => "SHA-256",
            "sha1" => "SHA-1",
            _ => return None,
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64.split_whitespace().next()?)
            .ok()?;
        Some(Hash::new(alg, hex::encode(bytes)))
    }

    /// From `sha256:<hex>` / `sha256=<hex>` as pip, poetry and uv write them.
    pub fn from_prefixed(s: &str) -> Option<Hash> {
        let (alg, hexpart) = s.trim().split_once([':', '='])?;
        let alg = match alg.to_ascii_lowercase().as_str() {
            "sha256" => "SHA-256",
            "sha512" => "SHA-512",
            "sha384" => "SHA-384",
            "sha1" => "SHA-1",
            "md5" => "MD5",
            _ => return None,
        };
        if hexpart.is_empty() || !hexpart.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        Some(Hash::new(alg, hexpart))
    }
}

/// One package of one lockfile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Component {
    pub ecosystem: Ecosystem,
    /// Name as the ecosystem writes it (Maven: `group:artifact`; Go: module path).
    pub name: String,
    pub version: String,
    pub purl: String,
    /// Declared by the project itself (not only pulled in by another package).
    pub direct: bool,
    pub scope: Scope,
    /// The lockfile line where the package is described (1-based; 1 when unknown).
    pub line: u32,
    /// Where it comes from: a registry URL, `git+https://…`, `path:…`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<Hash>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<String>,
    /// purls of the packages it depends on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<String>,
    /// The project's own package (a workspace member), not a third-party dependency.
    #[serde(default)]
    pub is_root: bool,
    /// For packages read from an included file (`-r other.txt`): that file, relative to the
    /// including file's folder; `line` is then a line of that file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// Why the component cannot be matched against advisories, or what else a reader of the
    /// SBOM should know (a GitHub action pinned to a commit or a moving tag).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Component {
    pub fn new(ecosystem: Ecosystem, name: &str, version: &str) -> Component {
        Component {
            ecosystem,
            name: name.to_string(),
            version: version.to_string(),
            purl: crate::purl::for_package(ecosystem, name, version),
            direct: false,
            scope: Scope::Unknown,
            line: 1,
            source: None,
            hashes: Vec::new(),
            licenses: Vec::new(),
            dependencies: Vec::new(),
            is_root: false,
            origin: None,
            note: None,
        }
    }

    pub fn at_line(mut self, line: u32) -> Self {
        self.line = line.max(1);
        self
    }
}

/// What a parser read from one file.
#[derive(Debug, Default, Clone)]
pub struct Parsed {
    pub components: Vec<Component>,
    /// Problems that did not stop the parse (a missing `-r` include…): (line, message).
    pub warnings: Vec<(u32, String)>,
    /// Other files read (requirements includes), relative to the scanned file's folder.
    pub included: Vec<String>,
}

/// 1-based line of byte offset `off` in `text`.
pub fn line_of(text: &str, off: usize) -> u32 {
    text.as_bytes()[..off.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u32
        + 1
}
