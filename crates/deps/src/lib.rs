//! `tollgate-deps`: dependencies of a repository from its lockfiles and manifests, SBOMs in
//! CycloneDX 1.6 and SPDX 2.3, and offline vulnerability matching against OSV data.

pub mod component;
pub mod purl;
pub mod version;

pub use component::{Component, Ecosystem, Hash, Parsed, Scope};
pub mod parse;
mod yaml;
