//! What kind of file an input is, from its path and its first bytes: minified or generated
//! code (bundles, source maps), third-party trees (`node_modules/`, `vendor/`…) and test or
//! example paths. The engine asks generic rules for stronger evidence in minified code and
//! lowers the confidence of findings in third-party and test paths; nothing is skipped.

/// Bytes looked at to decide whether an input is minified.
const SNIFF: usize = 64 * 1024;

/// A line this long (in the first [`SNIFF`] bytes) marks minified or generated code.
const LONG_LINE: usize = 1000;

/// How an input's findings are weighed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InputClass {
    /// Minified or generated: `.min.js`, `.map`, bundles, or very long lines.
    pub minified: bool,
    /// Inside a third-party tree (`node_modules/`, `vendor/`, `site-packages/`…).
    pub third_party: bool,
    /// A test, fixture, example or documentation path.
    pub test_path: bool,
}

/// Path endings of minified or generated files.
const MINIFIED_SUFFIXES: &[&str] = &[
    ".min.js",
    ".min.mjs",
    ".min.cjs",
    ".min.css",
    ".map",
    ".bundle.js",
    "-bundle.js",
    ".chunk.js",
    ".umd.js",
    ".prod.js",
    ".production.min.js",
];

/// Path components of third-party trees.
const THIRD_PARTY_DIRS: &[&str] = &[
    "node_modules",
    "vendor",
    "third_party",
    "third-party",
    "thirdparty",
    "site-packages",
    "dist-packages",
    "bower_components",
    "Pods",
];

/// Path components of tests, fixtures, examples and docs.
const TEST_DIRS: &[&str] = &[
    "test",
    "tests",
    "testdata",
    "testing",
    "spec",
    "specs",
    "__tests__",
    "__mocks__",
    "fixtures",
    "fixture",
    "mocks",
    "mock",
    "example",
    "examples",
    "samples",
    "sample",
    "docs",
    "doc",
];

impl InputClass {
    /// Classifies an input by its path (`/`- or `\`-separated; archive members too) and its
    /// first bytes.
    pub fn of(path: &str, data: &[u8]) -> InputClass {
        let lower = path.to_ascii_lowercase();
        let parts: Vec<&str> = path.split(['/', '\\']).collect();
        let dirs = &parts[..parts.len().saturating_sub(1)];
        let file = parts.last().copied().unwrap_or("").to_ascii_lowercase();
        let minified = MINIFIED_SUFFIXES.iter().any(|s| lower.ends_with(s)) || has_long_line(data);
        let third_party = dirs.iter().any(|d| THIRD_PARTY_DIRS.contains(d));
        let test_path = dirs
            .iter()
            .any(|d| TEST_DIRS.contains(&d.to_ascii_lowercase().as_str()))
            || file.contains(".test.")
            || file.contains(".spec.")
            || file.contains("_test.")
            || file.starts_with("test_")
            || file.starts_with("test.")
            || file.starts_with("tests.")
            || file.starts_with("spec.")
            || ["example", "sample", "fixture", "mock"]
                .iter()
                .any(|w| file.contains(w));
        InputClass {
            minified,
            third_party,
            test_path,
        }
    }
}

/// True when at least half of the first [`SNIFF`] bytes are in lines of [`LONG_LINE`] bytes
/// or more with the punctuation of code in them (`;`, `,`, `(`, `{`): one long line in a
/// document, a PEM body or a base64 blob does not make a file minified.
fn has_long_line(data: &[u8]) -> bool {
    let head = &data[..data.len().min(SNIFF)];
    let mut in_long = 0usize;
    for line in head.split(|&b| b == b'\n') {
        if line.len() >= LONG_LINE
            && line
                .iter()
                .filter(|&&c| matches!(c, b';' | b',' | b'(' | b'{'))
                .count()
                >= 20
        {
            in_long += line.len();
        }
    }
    !head.is_empty() && in_long * 2 >= head.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minified_by_name_or_shape() {
        assert!(InputClass::of("dist/app.min.js", b"x").minified);
        assert!(InputClass::of("dist/app.js.map", b"{}").minified);
        let bundle = "var a=1;function b(c,d){return c+d};".repeat(60);
        assert!(InputClass::of("dist/app.js", bundle.as_bytes()).minified);
        let pem = "A".repeat(2000);
        assert!(!InputClass::of("key.pem", pem.as_bytes()).minified);
        assert!(!InputClass::of("src/app.js", b"const a = 1;\nconst b = 2;\n").minified);
        // One long line among many short ones (a JSON document with an embedded body).
        let doc = format!("{}{}\n", "{\"a\": 1,\n".repeat(400), "x,".repeat(600));
        assert!(!InputClass::of("docs/api.json", doc.as_bytes()).minified);
    }

    #[test]
    fn third_party_and_test_paths() {
        let c = InputClass::of("node_modules/aws-sdk/apis/route53.json", b"");
        assert!(c.third_party && !c.test_path);
        assert!(InputClass::of("internal/testdata/creds.txt", b"").test_path);
        assert!(InputClass::of("src/auth.spec.ts", b"").test_path);
        let plain = InputClass::of("src/vendors.rs", b"");
        assert!(!plain.third_party && !plain.test_path);
    }
}
