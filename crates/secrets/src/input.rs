//! What archive, git and file scanning share, below all three: the [`Input`] being scanned,
//! archive limits, merging partial outputs, and the [`BytesScanner`] seam through which
//! `archive` and `git` hand bytes back to the scanner without importing it (the scanner
//! imports them; no two files of the crate import each other).

use tollgate_engine::ScanOutput;
use tollgate_model::Origin;

/// What is being scanned, for locations and fingerprints.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    pub display: &'a str,
    pub rel: &'a str,
    pub member: Option<&'a str>,
    pub origin: Option<Origin>,
}

#[derive(Debug, Clone)]
pub struct ArchiveLimits {
    /// Archives nested deeper than this are not opened.
    pub max_depth: usize,
    /// Most bytes unpacked from one top-level archive, all members together.
    pub max_total_bytes: u64,
    /// Most bytes unpacked from one member.
    pub max_member_bytes: u64,
    /// Highest uncompressed/compressed ratio accepted for a zip member over 1 MiB.
    pub max_ratio: u64,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        ArchiveLimits {
            max_depth: 4,
            max_total_bytes: 512 << 20,
            max_member_bytes: 64 << 20,
            max_ratio: 200,
        }
    }
}

/// Appends `o` to `acc`.
pub fn merge(acc: &mut ScanOutput, o: ScanOutput) {
    acc.findings.extend(o.findings);
    acc.diagnostics.extend(o.diagnostics);
    acc.suppressed.extend(o.suppressed);
    acc.files_scanned += o.files_scanned;
}

/// Scans one in-memory input: implemented by [`crate::scanner::SecretsScanner`]; archive
/// members and git blobs come back through it.
pub trait BytesScanner: Sync {
    /// Scans `data` as the input `input` (no archive sniffing).
    fn scan_bytes(&self, input: &Input<'_>, data: &[u8]) -> ScanOutput;
    /// Limits for archives found in inputs.
    fn limits(&self) -> &ArchiveLimits;
}
