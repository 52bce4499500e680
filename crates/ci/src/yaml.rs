//! The positioned YAML tree: tollgate's one bounded loader, the `tollgate-yaml` crate.

pub use tollgate_yaml::*;
