//! Secret scanning for tollgate.
//!
//! - [`rules`]: the rule file format (TOML, one file per provider family, embedded) and user
//!   rule files; every rule carries its own examples and negative examples.
//! - [`engine`]: one case-insensitive keyword pass for all keywords ([`prefilter`]), then each rule's
//!   regex (compiled lazily) on a window around each keyword hit; validators in [`filters`].
//! - [`scanner`]: the [`tollgate_engine::Scanner`] implementation (`[secrets]` config section,
//!   rayon over files, memory-mapped large files), stdin and CI logs.
//! - [`input`]: what scanner, archive and git share (the input, limits, [`input::BytesScanner`]);
//!   archive and git call back into the scanner through it, so no two files import each other.
//! - [`context`]: minified / third-party / test-path classes of an input.
//! - [`archive`]: zip / tar / tar.gz / docker save / OCI tarballs, recursively.
//! - [`git`]: full history, ranges and staged changes with gix.

pub mod archive;
pub mod cilog;
pub mod context;
pub mod engine;
pub mod filters;
pub mod git;
pub mod input;
pub mod prefilter;
pub mod rules;
pub mod scanner;

pub use git::{GitError, GitScope, scan_repo, scan_repo_with};
pub use scanner::{Input, SecretsConfig, SecretsError, SecretsScanner, Source, SourceScanner};

/// The config section this crate owns.
pub const SECTION: &str = "secrets";
