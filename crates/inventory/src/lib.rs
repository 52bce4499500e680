//! The inventory of a scan's inputs.
//!
//! Walks each root with the `ignore` crate (honours `.gitignore`, `.ignore` and global git
//! excludes unless `no_ignore`; hidden files and folders such as `.github/`, `.gitlab-ci.yml`
//! and `.env` ARE scanned; only `.git/` itself is skipped), classifies every file, skips binaries
//! and files over the size limit with a counted note, and hashes contents with SHA-256.
//! Symlinks to files inside the root are followed; links that leave the root, and links to
//! folders, are not. An unreadable file becomes a diagnostic, never a fatal error.

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tollgate_model::{Diagnostic, Digest, InputFile};

/// What a file is, decided from its name and (for binaries) its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileKind {
    /// GitHub Actions workflow, composite action, dependabot config, GitLab CI file.
    CiConfig,
    /// A dependency lockfile (Cargo.lock, package-lock.json, poetry.lock, go.sum…).
    Lockfile,
    /// A dependency manifest or SBOM (go.mod, pom.xml, *.cdx.json, *.spdx.json…).
    Manifest,
    /// A zip/tar/tar.gz archive or a `docker save` / OCI image tarball.
    Archive,
    /// A Dockerfile or Containerfile (`Dockerfile`, `Dockerfile.prod`, `api.Dockerfile`).
    Dockerfile,
    /// A Kubernetes manifest: YAML whose head has top-level `apiVersion:` and `kind:` keys
    /// (not a Helm template: no `{{` in the head).
    Kubernetes,
    /// Terraform source (`*.tf`).
    Terraform,
    Text,
    Binary,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::CiConfig => "ci-config",
            FileKind::Lockfile => "lockfile",
            FileKind::Manifest => "manifest",
            FileKind::Archive => "archive",
            FileKind::Dockerfile => "dockerfile",
            FileKind::Kubernetes => "kubernetes",
            FileKind::Terraform => "terraform",
            FileKind::Text => "text",
            FileKind::Binary => "binary",
        }
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One input file.
#[derive(Debug, Clone)]
pub struct FileEntry {
    /// Where to open it.
    pub path: PathBuf,
    /// How to show it: the root as the user typed it joined with `rel` (like ripgrep).
    pub display: String,
    /// Path relative to its root, `/`-separated (the name used in fingerprints and globs).
    pub rel: String,
    pub kind: FileKind,
    pub size: u64,
    pub sha256: Digest,
}

impl FileEntry {
    pub fn read(&self) -> std::io::Result<Vec<u8>> {
        std::fs::read(&self.path)
    }

    /// The file name (last component of `rel`).
    pub fn file_name(&self) -> &str {
        self.rel.rsplit('/').next().unwrap_or(&self.rel)
    }

    pub fn input_file(&self) -> InputFile {
        InputFile {
            path: self.display.clone(),
            sha256: self.sha256,
            size: self.size,
            kind: self.kind.as_str().to_string(),
        }
    }
}

/// A scan root: what the user typed and where it is.
#[derive(Debug, Clone)]
pub struct Root {
    /// As typed; `None` when no path was given (then files show as bare relative paths).
    pub given: Option<String>,
    pub path: PathBuf,
}

impl Root {
    pub fn new(given: Option<&str>) -> Root {
        let path = PathBuf::from(given.unwrap_or("."));
        Root {
            given: given.map(str::to_string),
            path,
        }
    }

    /// A root given as a path that need not be UTF-8 (a folder named in another encoding): it
    /// is walked as given and shown lossily.
    pub fn from_path(given: &std::path::Path) -> Root {
        Root {
            given: Some(given.to_string_lossy().into_owned()),
            path: given.to_path_buf(),
        }
    }

    /// `data` + `x/y.py` → `data/x/y.py`; no path given → `x/y.py`.
    pub fn display_for(&self, rel: &str) -> String {
        match &self.given {
            None => rel.to_string(),
            Some(g) if rel.is_empty() => g.clone(),
            Some(g) => {
                let g = g.trim_end_matches(['/', '\\']);
                if g.is_empty() {
                    format!("/{rel}")
                } else {
                    format!("{g}/{rel}")
                }
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    pub no_ignore: bool,
    pub max_file_size: u64,
    /// Globs relative to the root that are never scanned.
    pub exclude: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            no_ignore: false,
            max_file_size: 16 * 1024 * 1024,
            exclude: Vec::new(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    #[error("{path}: {message}")]
    Root { path: String, message: String },
    #[error("bad exclude pattern {pattern:?}: {message}")]
    Exclude { pattern: String, message: String },
}

/// Everything the scan will look at.
#[derive(Debug, Default)]
pub struct Inventory {
    pub roots: Vec<Root>,
    /// Sorted by display path.
    pub files: Vec<FileEntry>,
    /// Counted notes of what was skipped, by reason: `binary`, `too-large`, `symlink-outside`,
    /// `excluded`, `unreadable`.
    pub skipped: BTreeMap<String, u64>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Inventory {
    /// Walks each root. A root that does not exist is an error only if it is the only input;
    /// with several, the others are still scanned and the missing one is a diagnostic.
    pub fn collect(roots: &[Root], opts: &Options) -> Result<Inventory, InventoryError> {
        let mut excl = GlobSetBuilder::new();
        for p in &opts.exclude {
            let g = Glob::new(p).map_err(|e| InventoryError::Exclude {
                pattern: p.clone(),
                message: e.to_string(),
            })?;
            excl.add(g);
        }
        let excl = excl.build().map_err(|e| InventoryError::Exclude {
            pattern: opts.exclude.join(", "),
            message: e.to_string(),
        })?;

        let mut inv = Inventory {
            roots: roots.to_vec(),
            ..Default::default()
        };
        let mut candidates: Vec<(PathBuf, String, String)> = Vec::new();
        let mut missing = Vec::new();
        for root in roots {
            let shown = root.given.clone().unwrap_or_else(|| ".".into());
            match std::fs::metadata(&root.path) {
                Err(e) => {
                    missing.push(InventoryError::Root {
                        path: shown.clone(),
                        message: e.to_string(),
                    });
                    inv.diagnostics.push(
                        Diagnostic::error("inventory", format!("cannot read: {e}"))
                            .at(shown, None, None),
                    );
                }
                Ok(m) if m.is_file() => {
                    let name = root
                        .path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    candidates.push((root.path.clone(), shown, name));
                }
                Ok(_) => walk(root, opts, &excl, &mut inv, &mut candidates),
            }
        }
        if missing.len() == roots.len() && !roots.is_empty() {
            return Err(missing.remove(0));
        }

        let skipped = Mutex::new(BTreeMap::<String, u64>::new());
        let diags = Mutex::new(Vec::new());
        let max = opts.max_file_size;
        let mut files: Vec<FileEntry> = candidates
            .into_par_iter()
            .filter_map(|(path, display, rel)| match hash_file(&path, max) {
                Ok(Hashed::Ok {
                    size,
                    sha256,
                    binary,
                    kube,
                }) => {
                    let mut kind = classify(&rel, binary);
                    if kind == FileKind::Text && kube && is_yaml_name(&rel) {
                        kind = FileKind::Kubernetes;
                    }
                    if kind == FileKind::Binary {
                        *skipped.lock().unwrap().entry("binary".into()).or_insert(0) += 1;
                        return None;
                    }
                    Some(FileEntry {
                        path,
                        display,
                        rel,
                        kind,
                        size,
                        sha256,
                    })
                }
                Ok(Hashed::TooLarge) => {
                    *skipped
                        .lock()
                        .unwrap()
                        .entry("too-large".into())
                        .or_insert(0) += 1;
                    None
                }
                Err(e) => {
                    *skipped
                        .lock()
                        .unwrap()
                        .entry("unreadable".into())
                        .or_insert(0) += 1;
                    diags.lock().unwrap().push(
                        Diagnostic::warning("inventory", format!("cannot read: {e}"))
                            .at(display, None, None),
                    );
                    None
                }
            })
            .collect();
        files.sort_by(|a, b| a.display.cmp(&b.display));
        for (k, v) in skipped.into_inner().unwrap() {
            *inv.skipped.entry(k).or_insert(0) += v;
        }
        inv.diagnostics.extend(diags.into_inner().unwrap());
        inv.files = files;
        Ok(inv)
    }

    /// Files of one kind.
    pub fn of_kind(&self, kind: FileKind) -> impl Iterator<Item = &FileEntry> {
        self.files.iter().filter(move |f| f.kind == kind)
    }

    /// Total bytes of the files to scan.
    pub fn total_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }
}

fn walk(
    root: &Root,
    opts: &Options,
    excl: &GlobSet,
    inv: &mut Inventory,
    out: &mut Vec<(PathBuf, String, String)>,
) {
    let canon_root = std::fs::canonicalize(&root.path).unwrap_or_else(|_| root.path.clone());
    let mut wb = ignore::WalkBuilder::new(&root.path);
    wb.hidden(false)
        .follow_links(false)
        .parents(true)
        .ignore(!opts.no_ignore)
        .git_ignore(!opts.no_ignore)
        .git_global(!opts.no_ignore)
        .git_exclude(!opts.no_ignore)
        .require_git(false)
        .filter_entry(|e| e.file_name() != ".git");
    for entry in wb.build() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                *inv.skipped.entry("unreadable".into()).or_insert(0) += 1;
                inv.diagnostics
                    .push(Diagnostic::warning("inventory", e.to_string()));
                continue;
            }
        };
        let Some(ft) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        let rel = match path.strip_prefix(&root.path) {
            Ok(r) => rel_string(r),
            Err(_) => continue,
        };
        if rel.is_empty() {
            continue;
        }
        if ft.is_symlink() {
            // Follow only links to files that stay inside the root.
            match std::fs::canonicalize(path) {
                Ok(target) if target.starts_with(&canon_root) && target.is_file() => {}
                _ => {
                    *inv.skipped.entry("symlink-outside".into()).or_insert(0) += 1;
                    continue;
                }
            }
        } else if !ft.is_file() {
            continue;
        }
        if !excl.is_empty() && excl.is_match(&rel) {
            *inv.skipped.entry("excluded".into()).or_insert(0) += 1;
            continue;
        }
        let display = root.display_for(&rel);
        out.push((path.to_path_buf(), display, rel));
    }
}

fn rel_string(p: &Path) -> String {
    let mut s = String::new();
    for (i, c) in p.components().enumerate() {
        if i > 0 {
            s.push('/');
        }
        s.push_str(&c.as_os_str().to_string_lossy());
    }
    s
}

enum Hashed {
    Ok {
        size: u64,
        sha256: Digest,
        binary: bool,
        /// The head looks like a Kubernetes manifest ([`looks_kubernetes`]).
        kube: bool,
    },
    TooLarge,
}

thread_local! {
    static HASH_BUF: std::cell::RefCell<Box<[u8]>> =
        std::cell::RefCell::new(vec![0u8; 256 * 1024].into_boxed_slice());
}

fn hash_file(path: &Path, max: u64) -> std::io::Result<Hashed> {
    let meta = std::fs::metadata(path)?;
    if meta.len() > max {
        return Ok(Hashed::TooLarge);
    }
    let mut f = std::fs::File::open(path)?;
    let mut ctx = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    let mut size = 0u64;
    let mut binary = false;
    let mut kube = false;
    let mut first = true;
    // One read buffer per thread: a fresh zeroed 256 KiB buffer per file cost a memset of
    // 256 KiB for every (mostly small) file, about 7% of a secrets scan.
    HASH_BUF.with(|b| -> std::io::Result<()> {
        let mut buf = b.borrow_mut();
        loop {
            let n = f.read(&mut buf[..])?;
            if n == 0 {
                break;
            }
            if first {
                binary = looks_binary(&buf[..n]);
                kube = !binary && looks_kubernetes(&buf[..n]);
                first = false;
            }
            size += n as u64;
            ctx.update(&buf[..n]);
        }
        Ok(())
    })?;
    let d = ctx.finish();
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    Ok(Hashed::Ok {
        size,
        sha256: Digest(out),
        binary,
        kube,
    })
}

/// A Kubernetes manifest's head: within the first 8 KiB, a line starting `apiVersion:` and one
/// starting `kind:` (top-level keys of some document), and no `{{` (a Helm or Go template is
/// not YAML until rendered; rendered output is classified like any manifest).
pub fn looks_kubernetes(head: &[u8]) -> bool {
    let head = &head[..head.len().min(8192)];
    if head.windows(2).any(|w| w == b"{{") {
        return false;
    }
    let (mut api, mut kind) = (false, false);
    for line in head.split(|&b| b == b'\n') {
        api |= line.starts_with(b"apiVersion:");
        kind |= line.starts_with(b"kind:");
    }
    api && kind
}

fn is_yaml_name(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    lower.ends_with(".yml") || lower.ends_with(".yaml")
}

/// `Dockerfile`, `Containerfile`, `Dockerfile.prod`, `api.Dockerfile` (any case); not
/// documentation or scripts named after them (`Dockerfile.md`).
fn is_dockerfile_name(lower: &str) -> bool {
    const NOT: &[&str] = &[
        ".md",
        ".txt",
        ".json",
        ".yml",
        ".yaml",
        ".sh",
        ".orig",
        ".rej",
        ".bak",
        ".swp",
        ".j2",
        ".tpl",
        ".template",
        ".erb",
        ".in",
        ".dockerignore",
    ];
    let named = lower == "dockerfile"
        || lower == "containerfile"
        || lower.ends_with(".dockerfile")
        || lower.ends_with(".containerfile")
        || lower.starts_with("dockerfile.")
        || lower.starts_with("containerfile.");
    named && !NOT.iter().any(|e| lower.ends_with(e))
}

/// A NUL byte in the first 8 KiB marks a binary file (the heuristic git and ripgrep use).
pub fn looks_binary(head: &[u8]) -> bool {
    head[..head.len().min(8192)].contains(&0)
}

const LOCKFILES: &[&str] = &[
    "Cargo.lock",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "poetry.lock",
    "uv.lock",
    "Pipfile.lock",
    "go.sum",
    "Gemfile.lock",
    "composer.lock",
    "packages.lock.json",
    "gradle.lockfile",
    "pdm.lock",
    "bun.lock",
];

const MANIFESTS: &[&str] = &[
    "Cargo.toml",
    "package.json",
    "pyproject.toml",
    "Pipfile",
    "go.mod",
    "Gemfile",
    "composer.json",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "bom.json",
    "sbom.json",
];

/// Classifies a file by its path relative to the root (and whether its head looked binary).
pub fn classify(rel: &str, binary_head: bool) -> FileKind {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let lower = name.to_ascii_lowercase();
    let is_yaml = lower.ends_with(".yml") || lower.ends_with(".yaml");
    if is_yaml
        && (rel.starts_with(".github/workflows/")
            || rel.contains("/.github/workflows/")
            || rel.starts_with(".gitlab/")
            || rel.contains("/.gitlab/")
            || lower == ".gitlab-ci.yml"
            || lower == ".gitlab-ci.yaml"
            || lower == "action.yml"
            || lower == "action.yaml"
            || ((rel.starts_with(".github/") || rel.contains("/.github/"))
                && (lower == "dependabot.yml" || lower == "dependabot.yaml")))
    {
        return FileKind::CiConfig;
    }
    if LOCKFILES.contains(&name)
        || (lower.starts_with("requirements") && lower.ends_with(".txt"))
        || lower.ends_with(".lock") && lower == "pubspec.lock"
    {
        return FileKind::Lockfile;
    }
    if MANIFESTS.contains(&name)
        || lower.ends_with(".cdx.json")
        || lower.ends_with(".spdx.json")
        || lower.ends_with(".csproj")
    {
        return FileKind::Manifest;
    }
    const ARCHIVES: &[&str] = &[
        ".zip", ".jar", ".war", ".ear", ".whl", ".nupkg", ".tar", ".tar.gz", ".tgz", ".gem",
        ".crate", ".apk", ".aar",
    ];
    if ARCHIVES.iter().any(|ext| lower.ends_with(ext)) {
        return FileKind::Archive;
    }
    if !binary_head && is_dockerfile_name(&lower) {
        return FileKind::Dockerfile;
    }
    if !binary_head && lower.ends_with(".tf") {
        return FileKind::Terraform;
    }
    if binary_head {
        FileKind::Binary
    } else {
        FileKind::Text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        assert_eq!(
            classify(".github/workflows/ci.yml", false),
            FileKind::CiConfig
        );
        assert_eq!(
            classify("sub/.github/workflows/ci.yaml", false),
            FileKind::CiConfig
        );
        assert_eq!(classify(".gitlab-ci.yml", false), FileKind::CiConfig);
        assert_eq!(classify(".gitlab/ci/deploy.yml", false), FileKind::CiConfig);
        assert_eq!(classify("action.yml", false), FileKind::CiConfig);
        assert_eq!(
            classify(".github/dependabot.yml", false),
            FileKind::CiConfig
        );
        assert_eq!(classify("Cargo.lock", false), FileKind::Lockfile);
        assert_eq!(
            classify("a/requirements-dev.txt", false),
            FileKind::Lockfile
        );
        assert_eq!(classify("go.mod", false), FileKind::Manifest);
        assert_eq!(classify("dist/app.tar.gz", true), FileKind::Archive);
        assert_eq!(classify("logo.png", true), FileKind::Binary);
        assert_eq!(classify("src/main.rs", false), FileKind::Text);
        assert_eq!(classify("config.yml", false), FileKind::Text);
        for d in [
            "Dockerfile",
            "a/Containerfile",
            "dockerfile",
            "api.Dockerfile",
            "Dockerfile.prod",
            "b/containerfile.dev",
        ] {
            assert_eq!(classify(d, false), FileKind::Dockerfile, "{d}");
        }
        for d in [
            "Dockerfile.md",
            "dockerfile.sh",
            "Dockerfiles/x.txt",
            "Dockerfile.j2",
        ] {
            assert_ne!(classify(d, false), FileKind::Dockerfile, "{d}");
        }
        assert_eq!(classify("infra/main.tf", false), FileKind::Terraform);
        assert_eq!(classify("infra/x.tfvars", false), FileKind::Text);
    }

    #[test]
    fn kubernetes_heads() {
        assert!(looks_kubernetes(
            b"# c\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {}\n"
        ));
        assert!(!looks_kubernetes(b"apiVersion: v1\nitems: []\n"));
        assert!(!looks_kubernetes(
            b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Values.n }}\n"
        ));
        assert!(!looks_kubernetes(b"spec:\n  apiVersion: v1\n  kind: Pod\n"));
    }

    #[test]
    fn iac_files_are_classified_in_a_walk() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("Dockerfile"), "FROM x\n").unwrap();
        std::fs::write(d.join("main.tf"), "provider \"aws\" {}\n").unwrap();
        std::fs::write(d.join("pod.yaml"), "apiVersion: v1\nkind: Pod\n").unwrap();
        std::fs::write(d.join("values.yaml"), "replicas: 1\n").unwrap();
        std::fs::write(d.join("pod.txt"), "apiVersion: v1\nkind: Pod\n").unwrap();
        let inv = Inventory::collect(
            &[Root::new(Some(&d.to_string_lossy()))],
            &Options::default(),
        )
        .unwrap();
        let kinds: Vec<(&str, FileKind)> =
            inv.files.iter().map(|f| (f.rel.as_str(), f.kind)).collect();
        assert_eq!(
            kinds,
            vec![
                ("Dockerfile", FileKind::Dockerfile),
                ("main.tf", FileKind::Terraform),
                ("pod.txt", FileKind::Text),
                ("pod.yaml", FileKind::Kubernetes),
                ("values.yaml", FileKind::Text),
            ]
        );
    }

    #[test]
    fn walks_hidden_files_honours_gitignore_and_skips_dot_git() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join(".github/workflows")).unwrap();
        std::fs::create_dir_all(d.join(".git")).unwrap();
        std::fs::create_dir_all(d.join("target")).unwrap();
        std::fs::write(d.join(".github/workflows/ci.yml"), "on: push\n").unwrap();
        std::fs::write(d.join(".env"), "A=1\n").unwrap();
        std::fs::write(d.join(".git/config"), "[core]\n").unwrap();
        std::fs::write(d.join(".gitignore"), "target/\n").unwrap();
        std::fs::write(d.join("target/out.txt"), "x\n").unwrap();
        std::fs::write(d.join("blob.bin"), [0u8, 1, 2, 3]).unwrap();
        std::fs::write(d.join("big.txt"), vec![b'a'; 2048]).unwrap();
        let root = Root {
            given: Some("repo".into()),
            path: d.to_path_buf(),
        };
        let opts = Options {
            max_file_size: 1024,
            ..Default::default()
        };
        let inv = Inventory::collect(std::slice::from_ref(&root), &opts).unwrap();
        let names: Vec<&str> = inv.files.iter().map(|f| f.display.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "repo/.env",
                "repo/.github/workflows/ci.yml",
                "repo/.gitignore"
            ]
        );
        assert_eq!(inv.skipped.get("binary"), Some(&1));
        assert_eq!(inv.skipped.get("too-large"), Some(&1));
        assert_eq!(inv.files[1].kind, FileKind::CiConfig);
        assert_eq!(inv.files[1].rel, ".github/workflows/ci.yml");
        assert_eq!(inv.files[0].sha256, tollgate_model::sha256(b"A=1\n"));

        let opts = Options {
            no_ignore: true,
            max_file_size: 1 << 20,
            ..Default::default()
        };
        let inv = Inventory::collect(&[root], &opts).unwrap();
        assert!(inv.files.iter().any(|f| f.rel == "target/out.txt"));
        assert!(!inv.files.iter().any(|f| f.rel.starts_with(".git/")));
    }

    #[test]
    fn missing_root_is_an_error_only_alone() {
        let r = Root::new(Some("/definitely/not/here"));
        assert!(Inventory::collect(std::slice::from_ref(&r), &Options::default()).is_err());
        let dir = tempfile::tempdir().unwrap();
        let ok = Root {
            given: Some("ok".into()),
            path: dir.path().to_path_buf(),
        };
        let inv = Inventory::collect(&[r, ok], &Options::default()).unwrap();
        assert_eq!(inv.diagnostics.len(), 1);
    }

    #[test]
    fn display_paths_like_ripgrep() {
        assert_eq!(Root::new(Some("data")).display_for("x/y.py"), "data/x/y.py");
        assert_eq!(
            Root::new(Some("data/")).display_for("x/y.py"),
            "data/x/y.py"
        );
        assert_eq!(Root::new(Some("./")).display_for("x"), "./x");
        assert_eq!(Root::new(None).display_for("x/y.py"), "x/y.py");
    }
}
